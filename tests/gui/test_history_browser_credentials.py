"""The history browser and issue 16: the selected session says how many of its images carry
Content Credentials and whether they validate (counted off the GUI thread, only for the
session chosen), and the search box takes ``is:fav`` and ``rating>=N`` with the words."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui import history_browser
from imgloop_desktop.gui.history_browser import (
    RUN_CREDENTIALS,
    RUN_CREDENTIALS_NONE,
    RUN_CREDENTIALS_SIGNED,
    SEARCH_TIP,
    Column,
    HistoryBrowser,
    run_credentials_text,
)
from imgloop_desktop.services.content_credentials import FILE_MISSING, CredentialsTally
from imgloop_desktop.services.history import HistoryService
from tests.gui.gallery_fixtures import browser, history, record
from tests.storage.export.c2pa_signing import ISSUER, SignedGenerator
from tests.storage.history import fakes

__all__ = ["browser", "history"]  # fixtures


def load(qtbot: QtBot, browser: HistoryBrowser) -> None:
    with qtbot.waitSignal(browser.model.pageLoaded):
        browser.show()


def rows(browser: HistoryBrowser) -> dict[str, int]:
    return {browser.model.summary(r).prompt: r for r in range(browser.model.rowCount())}


def select(qtbot: QtBot, browser: HistoryBrowser, prompt: str) -> str:
    """Choose the session and wait for its Content Credentials line; returns that line."""
    browser.table.setCurrentIndex(browser.model.index(rows(browser)[prompt], Column.PROMPT))
    assert browser.credentials_label.isVisible()
    qtbot.waitUntil(lambda: "…" not in browser.credentials_label.text())
    return browser.credentials_label.text()


def one(prompt: str) -> RunParams:
    return fakes.params(prompt, max_retry_attempts=1, max_prompt_revisions=0)


def test_the_selected_session_says_how_its_content_credentials_hold(
    qtbot: QtBot, browser: HistoryBrowser, history: HistoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed, _ = record(history, one("signed"), verdicts=["YES"], generator=SignedGenerator())
    plain, _ = record(history, fakes.params("plain"), verdicts=["NO", "NO", "NO", "NO"])
    read: list[Path] = []
    real = history_browser.tally_credentials

    def counting(paths: Iterable[Path], **kwargs: object) -> CredentialsTally:
        paths = list(paths)
        read.extend(paths)
        return real(paths, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(history_browser, "tally_credentials", counting)
    load(qtbot, browser)
    assert browser.credentials_label.isHidden() and read == []  # nothing chosen, nothing read

    assert select(qtbot, browser, "signed") == RUN_CREDENTIALS.format(
        parts=RUN_CREDENTIALS_SIGNED.format(signed=1, images=1, issuers=ISSUER, valid=1, invalid=0)
    )
    assert read == [i.path for i in history.session(signed.run_id).images()]

    plain_images = list(history.session(plain.run_id).images())
    assert select(qtbot, browser, "plain") == RUN_CREDENTIALS.format(
        parts=RUN_CREDENTIALS_NONE.format(images=len(plain_images))
    )
    # Only the chosen sessions' files were read, each once, though pages kept arriving.
    assert sorted(map(str, read)) == sorted(
        str(p)
        for p in [
            *[i.path for i in history.session(signed.run_id).images()],
            *[i.path for i in plain_images],
        ]
    )

    # The signed file changed on disk: a refresh checks the chosen session again.
    [image] = history.session(signed.run_id).images()
    data = bytearray(image.path.read_bytes())
    data[data.find(b"IDAT") + 10] ^= 0xFF
    image.path.write_bytes(bytes(data))
    browser.table.setCurrentIndex(browser.model.index(rows(browser)["signed"], Column.PROMPT))
    with qtbot.waitSignal(browser.model.pageLoaded):
        browser.refresh()
    qtbot.waitUntil(lambda: "1 invalid" in browser.credentials_label.text())
    assert browser.wait_idle()


def test_the_line_names_the_unknown_and_why() -> None:
    tally = CredentialsTally(
        images=4,
        valid=1,
        invalid=1,
        none=0,
        unknown=2,
        issuers=(ISSUER, ""),
        reasons=(FILE_MISSING,),
    )
    text = run_credentials_text(tally)
    assert text.startswith("Content Credentials: 2 of 4 image(s) issued by ")
    assert f"{ISSUER}, an unnamed signer: 1 valid, 1 invalid" in text
    assert text.endswith("; 2 of 4 image(s) unknown (file missing)")
    only_missing = CredentialsTally(images=2, none=1, unknown=1, reasons=(FILE_MISSING,))
    assert run_credentials_text(only_missing) == (
        "Content Credentials: 1 of 2 image(s) unknown (file missing)"
    )


def test_the_search_box_takes_mark_words(
    qtbot: QtBot, browser: HistoryBrowser, history: HistoryService
) -> None:
    made = {
        prompt: record(history, one(prompt), verdicts=["YES"])[0].run_id
        for prompt in ("a starred fox", "a fox rated four", "a plain fox")
    }
    images = {p: next(iter(history.session(r).images())).image_id for p, r in made.items()}
    history.set_favourite(images["a starred fox"], True)
    history.set_rating(images["a starred fox"], 2)
    history.set_rating(images["a fox rated four"], 4)
    load(qtbot, browser)
    assert browser.search_edit.toolTip() == SEARCH_TIP
    assert "is:fav" in SEARCH_TIP and "rating>=N" in SEARCH_TIP

    for query, expected in (
        ("is:fav", {"a starred fox"}),
        ("rating>=3", {"a fox rated four"}),
        ("fox rating:2", {"a starred fox", "a fox rated four"}),
        ("plain is:fav", set()),
    ):
        with qtbot.waitSignal(browser.model.pageLoaded):
            browser.search_edit.setText(query)
            browser.apply_filter()
        assert set(rows(browser)) == expected, query

    # The words and the Favourites box / rating list combine: the stricter holds.
    with qtbot.waitSignal(browser.model.pageLoaded):
        browser.search_edit.setText("rating>=2")
        browser.apply_filter()
    with qtbot.waitSignal(browser.model.pageLoaded):
        browser.favourite_check.setChecked(True)
    assert set(rows(browser)) == {"a starred fox"}
    assert browser.model.filter.favourites and browser.model.filter.min_rating == 2

    # A mark word asking for something else is refused, naming it; the list stays.
    fetched = browser.model.pages_fetched
    with qtbot.waitSignal(browser.failed) as blocker:
        browser.search_edit.setText("rating>=9")
        browser.apply_filter()
    assert "search: 'rating>=9'" in blocker.args[0] and "1 to 5" in blocker.args[0]
    assert browser.model.pages_fetched == fetched
