"""The thumbnail cache: keyed by content and size, rebuilt when missing or damaged, safe from
many threads at once."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path

import pytest
from PIL import Image

from imgloop_desktop.storage import thumbnails


def write_image(path: Path, size: tuple[int, int], fmt: str = "PNG", mode: str = "RGB") -> str:
    out = io.BytesIO()
    colour: tuple[int, ...] = (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128)
    Image.new(mode, size, colour).save(out, format=fmt)
    data = out.getvalue()
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def test_a_thumbnail_is_built_once_under_its_key(
    tmp_path: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "big.png"
    sha = write_image(source, (1024, 768))
    path = thumbnails.thumbnail(source, sha, 256)
    assert path == isolated_env / "thumbnails" / sha[:2] / f"{sha}-256.jpg"
    with Image.open(path) as img:
        assert img.size == (256, 192) and img.format == "JPEG"

    def no_rebuild(*_args: object) -> Path:
        raise AssertionError("rebuilt a good thumbnail")

    monkeypatch.setattr(thumbnails, "build", no_rebuild)
    assert thumbnails.thumbnail(source, sha, 256) == path
    assert not list(path.parent.glob(".*.part"))


def test_missing_or_damaged_thumbnails_are_rebuilt(tmp_path: Path) -> None:
    source = tmp_path / "a.png"
    sha = write_image(source, (300, 300))
    path = thumbnails.thumbnail(source, sha, 64)
    path.write_bytes(b"\xff\xd8 torn")
    assert thumbnails.cached(sha, 64) is None
    rebuilt = thumbnails.thumbnail(source, sha, 64)
    with Image.open(rebuilt) as img:
        assert img.size == (64, 64)
    rebuilt.unlink()
    assert thumbnails.thumbnail(source, sha, 64).is_file()


def test_jpeg_sources_decode_at_reduced_scale(tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    sha = write_image(source, (2048, 1024), fmt="JPEG")
    with Image.open(source) as img:
        img.draft("RGB", (128, 128))
        assert img.size == (256, 128), "Pillow's JPEG draft mode: decode at 1/8"
    with Image.open(thumbnails.thumbnail(source, sha, 128)) as thumb:
        assert thumb.size == (128, 64)


def test_transparency_is_kept_in_png(tmp_path: Path) -> None:
    source = tmp_path / "alpha.png"
    sha = write_image(source, (100, 50), mode="RGBA")
    path = thumbnails.thumbnail(source, sha, 32)
    assert path.suffix == ".png"
    with Image.open(path) as img:
        assert img.mode == "RGBA" and img.size == (32, 16)


def test_many_threads_asking_at_once_all_get_it(tmp_path: Path) -> None:
    source = tmp_path / "a.png"
    sha = write_image(source, (800, 800))
    results: list[Path] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            path = thumbnails.build(source, sha, 96)
            with lock:
                results.append(path)
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(results)) == 1
    assert thumbnails.cached(sha, 96) == results[0]
    assert not list(results[0].parent.glob(".*.part"))


def test_bad_keys_and_unreadable_sources(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sha256"):
        thumbnails.cache_path("../../etc/passwd", 64)
    with pytest.raises(ValueError, match="size"):
        thumbnails.cache_path("a" * 64, 100_000)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(OSError, match="cannot be read"):
        thumbnails.thumbnail(bad, "b" * 64, 64)
    with pytest.raises(OSError):
        thumbnails.thumbnail(tmp_path / "gone.png", "c" * 64, 64)
