"""docs/gui.md's action table is rendered from the window's action table (``actions.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from imgloop_desktop.gui.main_window.action_docs import (
    BEGIN,
    END,
    actions_table,
    main,
    with_table,
)
from imgloop_desktop.gui.main_window.actions import ACTIONS

ROOT = Path(__file__).resolve().parents[2]


def test_docs_table_is_the_rendered_one() -> None:
    """docs/gui.md's table is generated; rewrite it with
    ``python -m imgloop_desktop.gui.main_window.action_docs --docs-table``."""
    doc = (ROOT / "docs" / "gui.md").read_text(encoding="utf-8")
    assert BEGIN in doc and END in doc
    assert with_table(doc, actions_table()) == doc


def test_every_action_has_a_row_with_its_shortcuts_and_words() -> None:
    rows = actions_table().splitlines()[2:]
    assert len(rows) == len(ACTIONS)
    for spec, row in zip(ACTIONS, rows, strict=True):
        assert spec.doc, f"{spec.name} says nothing for the docs"
        assert row.startswith(f"| {spec.text.replace('&', '')} | ")
        assert all(key in row for key in spec.shortcuts)
        assert row.endswith(f" | {spec.doc} |")


def test_the_command_rewrites_a_stale_table(tmp_path: Path) -> None:
    doc = tmp_path / "gui.md"
    doc.write_text(f"# x\n\n{BEGIN}\n| old |\n{END}\nafter\n", encoding="utf-8")
    assert main(["--check", "--doc", str(doc)]) == 1
    assert main(["--docs-table", "--doc", str(doc)]) == 0
    assert doc.read_text(encoding="utf-8") == f"# x\n\n{BEGIN}\n{actions_table()}{END}\nafter\n"
    assert main(["--check", "--doc", str(doc)]) == 0


def test_python_m_action_docs_checks_the_repositorys_docs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "imgloop_desktop.gui.main_window.action_docs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_settings_row_names_the_key_it_is_kept_under() -> None:
    """A person's on/off setting (``ActionSpec.setting``) is documented with its QSettings
    key, so the settings file can be read (or edited) with the table beside it."""
    settings = [spec for spec in ACTIONS if spec.setting]
    assert settings, "the File menu's embed-parameters setting is an action"
    for spec in settings:
        assert not spec.slot and f"`{spec.setting}`" in spec.doc
