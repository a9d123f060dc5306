"""``imgloop-cli history`` and issue 16: ``show`` gives each image's favourite, rating and
Content Credentials (read from its file, as the details pane reads them), and ``list``
filters by marks with ``--favourite``, ``--min-rating`` and the search's ``is:fav`` /
``rating>=N``, refusing a bad value by naming the option, the value and what is allowed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from imgloop_desktop.services.history import HistoryService
from tests.cli.test_history_cmd import cli
from tests.storage.export.c2pa_signing import ISSUER, SignedGenerator
from tests.storage.history.fakes import FakeChat, params, run_recorded


def _images(tree: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        image
        for version in tree["prompt_versions"]
        for attempt in version["attempts"]
        for image in attempt["images"]
    ]


@pytest.fixture
def signed_run(isolated_env: Path) -> str:
    db = isolated_env / "history.sqlite3"
    one = params("a signed lighthouse", max_retry_attempts=1, max_prompt_revisions=0)
    return run_recorded(
        db, one, chat=FakeChat(verdicts=["YES"]), generator=SignedGenerator()
    ).run_id


@pytest.fixture
def marked_runs(isolated_env: Path) -> dict[str, str]:
    """Three one-image runs: one starred and rated 2, one rated 4, one unmarked."""
    db = isolated_env / "history.sqlite3"
    ids = {
        name: run_recorded(
            db,
            params(prompt, max_retry_attempts=1, max_prompt_revisions=0),
            chat=FakeChat(verdicts=["YES"]),
        ).run_id
        for name, prompt in (
            ("starred", "a starred red fox"),
            ("four", "a red fox rated four"),
            ("plain", "a plain red fox"),
        )
    }
    with HistoryService.open(db) as history:
        image = {
            name: next(iter(history.session(run_id).images())).image_id
            for name, run_id in ids.items()
        }
        history.set_favourite(image["starred"], True)
        history.set_rating(image["starred"], 2)
        history.set_rating(image["four"], 4)
    return ids


def test_show_gives_each_images_content_credentials_as_text_and_json(signed_run: str) -> None:
    code, out, _ = cli("show", signed_run)
    assert code == 0
    assert f"Content Credentials: issued by {ISSUER}, valid" in out

    code, out, _ = cli("show", signed_run, "--json")
    [image] = _images(json.loads(out))
    credentials = image["content_credentials"]
    assert credentials["state"] == "valid" and credentials["issuer"] == ISSUER


def test_a_changed_or_missing_file_and_a_missing_sdk_say_so(
    signed_run: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = cli("show", signed_run, "--json")
    [image] = _images(json.loads(out))
    path = Path(str(image["path"]))

    with monkeypatch.context() as without_sdk:
        without_sdk.setitem(sys.modules, "c2pa", None)  # as without the "desktop" extra
        code, out, _ = cli("show", signed_run)
        assert code == 0 and "Content Credentials: unknown: c2pa-python not installed" in out
        _, out, _ = cli("show", signed_run, "--json")
        [image] = _images(json.loads(out))
        assert image["content_credentials"] == {
            "state": "unknown",
            "issuer": None,
            "detail": "c2pa-python not installed",
        }

    data = bytearray(path.read_bytes())
    data[data.find(b"IDAT") + 10] ^= 0xFF
    path.write_bytes(bytes(data))
    _, out, _ = cli("show", signed_run)
    assert f"Content Credentials: issued by {ISSUER}, invalid (" in out
    assert "dataHash.mismatch" in out

    path.unlink()
    code, out, _ = cli("show", signed_run)
    assert code == 0 and "Content Credentials: unknown: file missing" in out
    _, out, _ = cli("show", signed_run, "--json")
    [image] = _images(json.loads(out))
    assert image["content_credentials"]["state"] == "unknown"


def test_show_gives_marks_and_none_for_an_unsigned_image(marked_runs: dict[str, str]) -> None:
    code, out, _ = cli("show", marked_runs["starred"])
    assert code == 0
    assert "APPROVED, favourite, rated 2/5" in out
    assert "Content Credentials: none" in out
    _, out, _ = cli("show", marked_runs["four"], "--json")
    [image] = _images(json.loads(out))
    assert image["favourite"] is False and image["rating"] == 4
    assert image["content_credentials"] == {"state": "none", "issuer": None, "detail": ""}
    _, out, _ = cli("show", marked_runs["plain"])
    assert "favourite" not in out and "rated" not in out


def _listed(*argv: str) -> set[str]:
    code, out, err = cli("list", "--json", *argv)
    assert code == 0, err
    return {s["run_id"] for s in json.loads(out)["sessions"]}


def test_list_filters_by_marks_with_options_and_search_words(
    marked_runs: dict[str, str],
) -> None:
    starred, four, plain = marked_runs["starred"], marked_runs["four"], marked_runs["plain"]
    assert _listed() == {starred, four, plain}
    assert _listed("--favourite") == {starred}
    assert _listed("--favorite") == {starred}
    assert _listed("--min-rating", "2") == {starred, four}
    assert _listed("--min-rating", "4") == {four}
    assert _listed("--favourite", "--min-rating", "3") == set()

    assert _listed("--search", "is:fav") == {starred}
    assert _listed("--search", "rating>=3") == {four}
    assert _listed("--search", "rating:2 red fox") == {starred, four}
    assert _listed("--search", "IS:FAV starred") == {starred}
    assert _listed("--search", "plain is:fav") == set()  # the words and the mark, together


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--min-rating", "6"), "min-rating: '6'"),
        (("--min-rating", "0"), "min-rating: '0'"),
        (("--min-rating", "three"), "min-rating: 'three'"),
        (("--search", "fox rating>=9"), "search: 'rating>=9'"),
        (("--search", "is:great"), "search: 'is:great'"),
    ],
)
def test_a_bad_mark_filter_exits_2_naming_it(
    marked_runs: dict[str, str], argv: tuple[str, ...], expected: str
) -> None:
    code, out, err = cli("list", *argv)
    assert code == 2 and out == ""
    assert f"invalid input: {expected}" in err
    assert "from 1 to 5" in err
