"""Markdown tables generated from declarations and kept between markers in a document.

The README's run-field table and docs/gui.md's action table are both rendered from the
code's single declaration of each thing; this holds the one way to render a table, to put
it between its markers, and to rewrite or check a document, so both work alike.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A pipe table; a cell's ``|`` is escaped and its line breaks folded."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@dataclass(frozen=True)
class Markers:
    """Where a generated table stands in its document, and what it is called in messages."""

    begin: str
    end: str
    what: str

    def with_table(self, doc: str, table: str) -> str:
        """``doc`` with the text between the markers replaced by ``table``."""
        start = doc.index(self.begin) + len(self.begin)
        end = doc.index(self.end, start)
        return doc[:start] + "\n" + table + doc[end:]

    def sync(self, path: Path, table: str, *, check: bool) -> int:
        """Rewrite ``path``'s table (or with ``check`` only compare); 1 when it differed
        and was only checked."""
        current = path.read_text(encoding="utf-8")
        wanted = self.with_table(current, table)
        if wanted == current:
            return 0
        if check:
            sys.stderr.write(f"{path}: the {self.what} is out of date\n")
            return 1
        path.write_text(wanted, encoding="utf-8")
        return 0
