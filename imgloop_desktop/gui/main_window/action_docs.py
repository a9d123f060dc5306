"""``docs/gui.md``'s table of actions and shortcuts, rendered from ``actions.ACTIONS``.

The same ``ActionSpec`` entries that build the window's menus and toolbar give the table's
rows (menu text without its ``&``, shortcuts, ``doc``), and a test fails when docs/gui.md
differs from what this renders. Rewrite it with
``python -m imgloop_desktop.gui.main_window.action_docs --docs-table`` (or ``--check`` to
only compare).
"""

from __future__ import annotations

import sys
from pathlib import Path

from imgloop_desktop.core.doc_tables import Markers, markdown_table
from imgloop_desktop.gui.main_window.actions import ACTIONS, ActionSpec

BEGIN = (
    "<!-- actions table, generated from gui/main_window/actions.py: "
    "python -m imgloop_desktop.gui.main_window.action_docs --docs-table -->"
)
END = "<!-- end of actions table -->"
MARKERS = Markers(BEGIN, END, "actions table")


def _shortcut(spec: ActionSpec) -> str:
    keys = " or ".join(spec.shortcuts) if spec.shortcuts else "—"
    return f"{keys} ({spec.key_note})" if spec.key_note else keys


def actions_table(specs: tuple[ActionSpec, ...] = ACTIONS) -> str:
    """The markdown table of every action: its menu text, shortcut and what it does."""
    rows = ((spec.text.replace("&", ""), _shortcut(spec), spec.doc) for spec in specs)
    return markdown_table(("action", "shortcut", "does"), rows)


def with_table(doc: str, table: str) -> str:
    """``doc`` with the text between the markers replaced by ``table``."""
    return MARKERS.with_table(doc, table)


def main(argv: list[str] | None = None) -> int:
    """Print the table; ``--docs-table`` rewrites it in docs/gui.md,
    ``--check`` only compares (1 when it differs)."""
    return MARKERS.main(
        argv,
        prog="python -m imgloop_desktop.gui.main_window.action_docs",
        write_flag="--docs-table",
        path_flag="--doc",
        default_path=Path("docs/gui.md"),
        render=actions_table,
    )


if __name__ == "__main__":
    sys.exit(main())
