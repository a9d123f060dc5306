"""Issue 11: what a run recorded in words is read back: the region each model ran in, the
run's notes, the judge's image note and the judge's and reviser's sampling notes; and a
history written before those columns (schema v5 and older) reads them as empty."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage.history.queries import split_notes
from tests.storage.history.fakes import (
    JUDGE_NOTE,
    REVISER_NOTE,
    SPEC,
    FakeChat,
    NotingChat,
    params,
    run_recorded,
)

FIT_NOTE = "the judge saw a 1568 px copy (the image is 2048 px)"


def test_regions_and_notes_of_a_run_are_read_back(isolated_env: Path) -> None:
    db = isolated_env / "history.sqlite3"
    # 100 x 64 is not a size the test model makes: the run maps it and notes it.
    p = params("a red fox", titan_img_width=100, titan_img_height=64)
    result = run_recorded(db, p, chat=NotingChat(verdicts=["NO", "NO", "YES"]))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE verdicts SET judge_image = ?", (FIT_NOTE,))
    conn.close()
    service = HistoryService.open(db)
    try:
        tree = service.session(result.run_id)
        assert (tree.image_region, tree.judge_region) == ("us-west-2", "us-east-1")
        assert tree.notes and all(note.strip() for note in tree.notes)
        assert any("100" in note and SPEC.name in note for note in tree.notes), tree.notes
        images = list(tree.images())
        assert images
        for image in images:
            assert image.verdict is not None
            assert image.verdict.notes == JUDGE_NOTE
            assert image.verdict.judge_image == FIT_NOTE
        assert tree.prompt_versions[0].notes == ""  # the person's prompt: no reviser
        assert tree.prompt_versions[1].notes == REVISER_NOTE
        # The same verdict fields through the single-image and gallery queries.
        one = service.image(images[0].image_id)
        assert one.verdict is not None and one.verdict.judge_image == FIT_NOTE
        summary = service.list_sessions().sessions[0]
        assert (summary.image_region, summary.judge_region) == ("us-west-2", "us-east-1")
        assert summary.notes == tree.notes
    finally:
        service.close()


def test_a_run_without_notes_reads_empty(isolated_env: Path) -> None:
    db = isolated_env / "history.sqlite3"
    result = run_recorded(db, params("an owl"), chat=FakeChat(verdicts=["YES"]))
    service = HistoryService.open(db)
    try:
        tree = service.session(result.run_id)
        assert tree.notes == ()
        image = next(tree.images())
        assert image.verdict is not None
        assert (image.verdict.notes, image.verdict.judge_image) == ("", "")
        assert tree.prompt_versions[0].notes == ""
    finally:
        service.close()


def test_notes_are_one_per_line_without_blanks() -> None:
    assert split_notes("") == ()
    assert split_notes("first\n\n  \nsecond\n") == ("first", "second")
