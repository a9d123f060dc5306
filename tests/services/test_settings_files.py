"""The data folder's small JSON settings files: missing means the default, anything else
that cannot be used is refused by name (file, field, value), and writes round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.services.settings_files import read_settings, write_settings


def parse(value: object) -> int:
    if not isinstance(value, dict) or not isinstance(value.get("n"), int):
        raise ValidationError([Problem("n", repr(value), "a whole number")])
    return int(value["n"])


def read(path: Path) -> int:
    return read_settings(path, "test settings", parse, lambda: 7, max_bytes=100)


def test_missing_is_the_default_and_a_write_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "s.json"
    assert read(path) == 7
    write_settings(path, {"n": 3})
    assert read(path) == 3


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"n": "x"}', "s.json: n"),
        ("not json", "test settings file"),
        ('{"n": ' + "1" * 200 + "}", "test settings file"),
    ],
)
def test_what_cannot_be_used_is_refused_by_name(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text)
    with pytest.raises(ValidationError) as caught:
        read(path)
    assert caught.value.problems[0].field == field


def test_an_unreadable_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        read(tmp_path)  # a folder where the file should be
    assert "a readable file" in caught.value.problems[0].allowed
