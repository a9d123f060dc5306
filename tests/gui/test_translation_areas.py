"""Every area's catalogue is what ``pyside6-lupdate`` extracts today from the files
``resources/i18n/README.md`` names for it: a string marked since and never extracted (so
never translated), or a file the table forgets, fails here, and the table stays true."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "resources" / "i18n"
PACKAGE = ROOT / "imgloop_desktop"
ROW = re.compile(r"^\| `(?P<area>\w+\.ts)` \| (?P<files>[^|]+) \|", re.MULTILINE)
PATTERN = re.compile(r"`([^`]+\.py)`")


def expand(pattern: str) -> list[str]:
    """``gui/{a,b}.py`` -> ``gui/a.py``, ``gui/b.py`` (the README's shell-style braces)."""
    parts = re.split(r"\{([^}]*)\}", pattern)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(combo) for combo in itertools.product(*choices)]


def areas() -> dict[str, list[str]]:
    table = (I18N / "README.md").read_text(encoding="utf-8")
    return {
        m["area"]: [f for p in PATTERN.findall(m["files"]) for f in expand(p)]
        for m in ROW.finditer(table)
    }


def sources(path: Path) -> set[tuple[str, str]]:
    found = set()
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        found |= {(name, m.findtext("source") or "") for m in context.iter("message")}
    return found


def test_the_table_names_every_catalogue_and_existing_files() -> None:
    table = areas()
    assert set(table) == {p.name for p in (I18N / "ja").glob("*.ts")}
    missing = [f for files in table.values() for f in files if not (PACKAGE / f).is_file()]
    assert missing == []


@pytest.mark.parametrize("area", sorted(areas()))
def test_the_catalogue_is_what_its_files_mark(area: str, tmp_path: Path) -> None:
    fresh = tmp_path / area
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    files = [str(PACKAGE / name) for name in areas()[area]]
    subprocess.run(
        [str(lupdate), *files, "-ts", str(fresh), "-no-obsolete", "-locations", "none"],
        check=True,
        capture_output=True,
    )
    committed = sources(I18N / "ja" / area)
    assert sources(fresh) - committed == set(), "marked but not in the catalogue"
    assert committed - sources(fresh) == set(), "in the catalogue but no longer marked"
