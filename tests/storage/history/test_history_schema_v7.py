"""Schema v7 (issue 12, the approval contract): the verdicts table rebuilt to admit REVIEW,
what a checklist run records (its checklists, item verdicts, best candidate), and reading it
back, on real SQLite files: a v6 file with data migrates with every row intact, and one
damaged JSON value never makes a session unreadable."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.records import Decision
from imgloop_desktop.services.history import HistoryService, make_filter
from imgloop_desktop.storage.history.schema import (
    CURRENT_VERSION,
    connect,
    transaction,
    user_version,
)
from tests.storage.history.checklist_fakes import CHECKLIST, EDITED, checks, record_checklist_run
from tests.storage.history.fakes import FakeChat, params, run_recorded

RUN_ID = "20240101000000-aaaaaaaa"
T = "2024-01-01T00:00:0{}.000000Z"


def _write_v6_file(path: Path) -> None:
    """A history as version 6 left it: a run with a judged, decided image and a second,
    judged YES, every v5/v6 column filled."""
    conn = connect(path, target=6)
    try:
        assert user_version(conn) == 6
        with transaction(conn):
            conn.execute(
                "INSERT INTO runs (id, run_id, prompt, params_json, image_model_id, "
                "judge_model_id, started_at, ended_at, outcome, message, image_region, "
                "judge_region, notes, approved_image_id) VALUES (1, ?, 'a fox in the snow', "
                "'{}', 'm', 'j', ?, ?, 'approved', 'done', 'us-west-2', 'us-east-1', "
                "'a note', 2)",
                (RUN_ID, T.format(0), T.format(9)),
            )
            conn.execute(
                "INSERT INTO prompt_versions (run_id, revision, prompt, ok, created_at) VALUES "
                "(1, 0, 'a fox in the snow', 1, ?)",
                (T.format(0),),
            )
            conn.execute(
                "INSERT INTO attempts (id, run_id, revision, attempt, prompt, seed, request_json, "
                "started_at) VALUES (1, 1, 0, 0, 'p', 5, '{}', ?)",
                (T.format(1),),
            )
            for image_id in (1, 2):
                conn.execute(
                    "INSERT INTO images (id, run_id, attempt_id, revision, attempt, idx, "
                    "rel_path, sha256, width, height, size_bytes, prompt, stored_at, "
                    "human_decision, decided_at) VALUES (?, 1, 1, 0, 0, ?, ?, 'ab', 8, 8, 3, "
                    "'p', ?, ?, ?)",
                    (
                        image_id,
                        image_id - 1,
                        f"r/000-000-{image_id - 1}.png",
                        T.format(2),
                        "rejected" if image_id == 1 else None,
                        T.format(3) if image_id == 1 else None,
                    ),
                )
            conn.execute(
                "INSERT INTO verdicts (id, image_id, result, reason, raw, model_id, input_tokens, "
                "output_tokens, retried, received_at, judge_image, notes) VALUES "
                "(7, 1, 'NO', 'no fox', '{\"r\": 1}', 'j', 10, 2, 1, ?, 'downscaled', 'top_p'), "
                "(8, 2, 'YES', 'a fox', '{}', 'j', NULL, NULL, 0, ?, '', '')",
                (T.format(4), T.format(5)),
            )
    finally:
        conn.close()


def _verdict_rows(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT id, image_id, result, reason, raw, model_id, input_tokens, output_tokens, "
            "retried, received_at, judge_image, notes FROM verdicts ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def test_a_version_6_file_migrates_with_every_row_and_admits_review(tmp_path: Path) -> None:
    db = tmp_path / "v6.sqlite3"
    _write_v6_file(db)
    before = _verdict_rows(db)
    with HistoryService.open(db) as service:
        assert _verdict_rows(db) == before
        tree = service.session(RUN_ID)
        first, second = tree.images()
        assert first.verdict is not None and first.verdict.reason == "no fox"
        assert (first.verdict.judge_image, first.verdict.notes) == ("downscaled", "top_p")
        assert first.verdict.checks is None and first.verdict.badge == ""
        assert first.human_decision is Decision.REJECTED and first.human_items == {}
        assert second.effective_approved and not first.effective_approved
        assert tree.judge_mode == "verdict" and tree.checklist is None
        assert tree.checklist_changes == () and tree.best_image_id is None
        [summary] = service.list_sessions(make_filter(search="fox in")).sessions
        assert summary.approved_count == 1 and summary.judge_mode == "verdict"
        assert service.approved_images()[0].image_id == second.image_id
    conn = connect(db)
    try:
        assert user_version(conn) == CURRENT_VERSION >= 7
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema")}
        assert {"image_status", "verdicts_yes", "verdicts_review", "run_checklists"} <= names
        assert {"prompt_fts", "images_decided", "images_to_upload"} <= names
        assert "verdicts_v7" not in names
        with transaction(conn):
            conn.execute("DELETE FROM verdicts WHERE image_id = 2")
            conn.execute(
                "INSERT INTO verdicts (image_id, result, reason, raw, model_id, received_at) "
                "VALUES (2, 'REVIEW', 'unsure', '', 'j', ?)",
                (T.format(6),),
            )
        status = conn.execute(
            "SELECT judge_result, effective_approved FROM image_status WHERE id = 2"
        )
        assert status.fetchone() == ("REVIEW", 0)  # a person decides; never approved by itself
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"), transaction(conn):
            conn.execute("UPDATE verdicts SET result = 'MAYBE' WHERE image_id = 2")
        # Deleting the image still takes its verdict with it (the foreign key survived).
        with transaction(conn):
            conn.execute("DELETE FROM images WHERE id = 1")
        assert conn.execute("SELECT count(*) FROM verdicts WHERE image_id = 1").fetchone() == (0,)
    finally:
        conn.close()


# -- what a checklist run records ---------------------------------------------------------------


@pytest.fixture
def db(isolated_env: Path) -> Path:
    return isolated_env / "history.sqlite3"


def test_a_checklist_run_reads_back_whole(db: Path) -> None:
    record_checklist_run(db)
    with HistoryService.open(db) as service:
        [summary] = service.list_sessions().sessions
        tree = service.session(summary.run_id)
    assert tree.judge_mode == summary.judge_mode == "checklist"
    assert tree.checklist == EDITED  # the one in force at the end; FAILED changed nothing
    assert [c.origin for c in tree.checklist_changes] == ["given", "failed", "edited"]
    failed = tree.checklist_changes[1]
    assert failed.checklist is None and failed.error == "could not be written"
    assert (failed.model_id, failed.input_tokens, failed.output_tokens) == ("test.judge", 5, 1)
    first, second, third = tree.images()
    assert first.verdict is not None and first.verdict.checklist == CHECKLIST
    assert first.verdict.checks == checks(CHECKLIST, c2="no")
    assert first.verdict.badge == "2/3 \u2717"
    assert second.verdict is not None and second.verdict.result == "REVIEW"
    assert second.verdict.checklist == EDITED and second.verdict.badge == "3/4 ?"
    assert third.verdict is not None and third.verdict.badge == "3/4 \u2717"
    assert [i.is_best for i in (first, second, third)] == [False, True, False]
    assert tree.best_image_id == summary.best_image_id == second.image_id
    assert tree.best_misses == "unsure: a red fox" and tree.best_how == "rank"
    assert not any(i.effective_approved for i in tree.images())


def test_search_finds_a_run_by_its_checklist_items(db: Path) -> None:
    record_checklist_run(db)
    with HistoryService.open(db) as service:
        for text in ("watercolour", "LOOKS AT THE VIEWER", "ow on"):
            assert len(service.list_sessions(make_filter(search=text)).sessions) == 1, text
        for text in ("must", "kind", "depends_on", "c1"):  # the JSON's keys match nothing
            assert service.list_sessions(make_filter(search=text)).sessions == [], text


def test_damaged_json_is_logged_and_read_as_none(
    db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    record_checklist_run(db)
    conn = connect(db)
    try:
        with transaction(conn):
            conn.execute("UPDATE verdicts SET checks_json = '{\"checks\": [' WHERE image_id = 1")
            conn.execute("UPDATE verdicts SET checklist_json = '[1, 2]' WHERE image_id = 2")
            conn.execute("UPDATE runs SET checklist_json = '{}'")
            conn.execute("UPDATE images SET human_items_json = '[true]' WHERE id = 3")
            conn.execute(
                "UPDATE verdicts SET checks_json = ? WHERE image_id = 3",
                ('{"checks": [{"id": "zz", "result": "yes"}]}',),
            )
    finally:
        conn.close()
    with caplog.at_level(logging.WARNING), HistoryService.open(db) as service:
        tree = service.session(service.list_sessions().sessions[0].run_id)
        review = service.review_items()
    first, second, third = tree.images()
    assert tree.checklist is None and len(tree.checklist_changes) == 3
    assert first.verdict is not None and first.verdict.checks is None
    assert first.verdict.reason == "judged by checklist"  # the rest of the row still reads
    assert second.verdict is not None and second.verdict.checks is None
    assert third.verdict is not None and third.verdict.checks is None and third.human_items == {}
    assert [item.image.image_id for item in review] == [second.image_id]
    logged = caplog.text
    assert "image 1" in logged and "image 2" in logged and "image 3" in logged
    assert "cannot be read" in logged


def test_decide_keeps_item_ticks_and_refuses_unknown_items(db: Path) -> None:
    record_checklist_run(db)
    with HistoryService.open(db) as service:
        image = service.decide(2, Decision.APPROVED, {"c1": True, "c4": False})
        assert image.human_items == {"c1": True, "c4": False} and image.effective_approved
        assert service.image(2).human_items == {"c1": True, "c4": False}
        with pytest.raises(ValidationError) as info:
            service.decide(1, Decision.REJECTED, {"c9": False})
        [problem] = info.value.problems
        assert problem.field == "items" and problem.value == "c9=no"
        assert "c1, c2, c3" in problem.allowed
        assert service.image(1).human_decision is None  # nothing written
        with pytest.raises(ValidationError, match="clearing"):
            service.decide(2, None, {"c1": True})
        cleared = service.decide(2, None)
        assert cleared.human_items == {} and cleared.human_decision is None
        # The old two-argument call still works and leaves no ticks.
        assert service.decide(3, Decision.REJECTED).human_items == {}


def test_ticks_need_a_checklist(isolated_env: Path) -> None:
    db = isolated_env / "history.sqlite3"
    result = run_recorded(db, params(), chat=FakeChat(verdicts=["YES"]))
    with HistoryService.open(db) as service:
        [image] = service.session(result.run_id).images()
        with pytest.raises(ValidationError, match="without a checklist"):
            service.decide(image.image_id, Decision.APPROVED, {"c1": True})


def test_review_lists_the_best_and_review_verdicts_until_decided(db: Path) -> None:
    record_checklist_run(db, "20240501120000-cafe0001")
    record_checklist_run(db, "20240501130000-cafe0002")
    with HistoryService.open(db) as service:
        review = service.review_items()
        # Newest first; image 2 of each run is both REVIEW and the best: the best wins.
        assert [(i.image.run_id, i.image.index) for i in review] == [
            ("20240501130000-cafe0002", 1),
            ("20240501120000-cafe0001", 1),
        ]
        assert {i.reason.value for i in review} == {"best_not_approved"}
        assert review[0].misses == "unsure: a red fox"
        assert review[0].run_prompt == "a red fox in the snow"
        assert len(service.review_items(limit=1)) == 1
        newest = review[0].image.image_id
        # Approving another image of that run: its best is no longer waiting.
        service.decide(newest + 1, Decision.APPROVED)
        assert [i.image.run_id for i in service.review_items()] == [
            "20240501130000-cafe0002",
            "20240501120000-cafe0001",
        ]
        left = service.review_items()[0]
        assert left.reason.value == "unsure_musts" and left.misses == "unsure: a red fox"
        service.decide(newest, Decision.REJECTED)
        assert [i.image.run_id for i in service.review_items()] == ["20240501120000-cafe0001"]
        with pytest.raises(ValidationError, match="limit"):
            service.review_items(limit=0)


def test_agreement_counts_decided_yes_and_no_verdicts(db: Path) -> None:
    record_checklist_run(db)
    with HistoryService.open(db) as service:
        assert service.agreement() == []
        service.decide(1, Decision.REJECTED)  # judge NO, person rejected: agreed
        service.decide(3, Decision.APPROVED)  # judge NO, person approved: disagreed
        service.decide(2, Decision.APPROVED)  # REVIEW: no claim either way, not counted
        [pair] = service.agreement()
    assert (pair.judge_model_id, pair.image_model_id) == ("test.judge", "test.image-model")
    assert (pair.decided, pair.agreed, pair.rate) == (2, 1, 0.5)
    assert (pair.judge_no_person_no, pair.judge_no_person_yes) == (1, 1)
    assert (pair.judge_yes_person_yes, pair.judge_yes_person_no) == (0, 0)


def test_a_recorded_run_keeps_judge_mode_from_its_params(db: Path) -> None:
    record_checklist_run(db)
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT judge_mode, best_how FROM runs").fetchone()
        seqs = conn.execute("SELECT seq, origin FROM run_checklists ORDER BY seq").fetchall()
    finally:
        conn.close()
    assert row == ("checklist", "rank")
    assert seqs == [(1, "given"), (2, "failed"), (3, "edited")]
