"""Markdown tables generated from declarations and kept between markers in a document.

The README's run-field table and docs/gui.md's action table are both rendered from the
code's single declaration of each thing; this holds the one way to render a table, to put
it between its markers, and to rewrite or check a document, so both work alike.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
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

    def main(
        self,
        argv: list[str] | None,
        *,
        prog: str,
        write_flag: str,
        path_flag: str,
        default_path: Path,
        render: Callable[[], str],
    ) -> int:
        """The command both tables share: print the table; ``write_flag`` rewrites it in the
        document; ``--check`` only compares (1 when it differs)."""
        parser = argparse.ArgumentParser(prog=prog)
        parser.add_argument(write_flag, action="store_true", help=f"rewrite the {self.what}")
        parser.add_argument("--check", action="store_true", help="only say whether it is current")
        parser.add_argument(path_flag, dest="path", type=Path, default=default_path)
        args = parser.parse_args(argv)
        if not (getattr(args, write_flag.lstrip("-").replace("-", "_")) or args.check):
            sys.stdout.write(render())
            return 0
        return self.sync(args.path, render(), check=args.check)
