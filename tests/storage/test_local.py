from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from imgloop_desktop.core.atomic_file import atomic_write
from imgloop_desktop.storage.local import LocalImageStore


def test_save_writes_bytes_and_reports_hash(tmp_path: Path) -> None:
    store = LocalImageStore(tmp_path)
    stored = store.save("run-1", "000-000-0.png", b"abc")
    assert stored.path == tmp_path / "run-1" / "000-000-0.png"
    assert stored.path.read_bytes() == b"abc"
    assert stored.sha256 == hashlib.sha256(b"abc").hexdigest()
    assert stored.size_bytes == 3
    assert list(stored.path.parent.iterdir()) == [stored.path], "no temp file left"


def test_overwrite_is_whole(tmp_path: Path) -> None:
    path = tmp_path / "a" / "f.png"
    atomic_write(path, b"old")
    atomic_write(path, b"new content")
    assert path.read_bytes() == b"new content"


@pytest.mark.parametrize("name", ["../evil.png", "/abs.png", "", ".hidden", "a/b.png"])
def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="unsafe"):
        LocalImageStore(tmp_path).save("run", name, b"x")


def test_failed_write_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: Path, target: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(tmp_path / "f.png", b"x")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_images_are_readable_by_others_and_private_files_are_not(tmp_path: Path) -> None:
    stored = LocalImageStore(tmp_path).save("run", "000-000-0.png", b"x")
    assert stored.path.stat().st_mode & 0o777 == 0o644
    atomic_write(tmp_path / "accounts.json", b"{}", private=True)
    assert (tmp_path / "accounts.json").stat().st_mode & 0o777 == 0o600
