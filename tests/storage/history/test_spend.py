"""What the history keeps of costs (schema v8): every Spent event a row, the run's total on
RunFinished, the outcome 'budget', and reading them back exactly: per image, per prompt
version, per run, per month, per day and model, and attempts to approval."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.records import HistoryOutcome
from imgloop_desktop.services.history import HistoryService, make_filter, month_bounds
from imgloop_desktop.storage.history import queries
from imgloop_desktop.storage.history.schema import connect, transaction
from tests.storage.history.fakes import FakeChat, params, run_recorded
from tests.storage.history.spend_fakes import IMAGE_MODEL, JUDGE, open_run, record_budget_run

UNKNOWN = f"no price for image model {IMAGE_MODEL}"
MAY = datetime(2024, 5, 15, tzinfo=UTC)


@pytest.fixture
def db(isolated_env: Path) -> Path:
    return isolated_env / "history.sqlite3"


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's local time zone set to New York (UTC-4 in summer, -5 in winter)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_every_call_is_a_row_with_its_exact_amount(db: Path) -> None:
    record_budget_run(db)
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT kind, model_id, revision, attempt, idx, usd, missing_json FROM spend "
            "ORDER BY id"
        ).fetchall()
        run = conn.execute("SELECT outcome, cost_usd, cost_missing FROM runs").fetchone()
    assert rows == [
        ("generate", IMAGE_MODEL, 0, 0, None, "0.08", "[]"),
        ("judge", JUDGE, 0, 0, 0, "0.001", "[]"),
        ("judge", JUDGE, 0, 0, 1, "0.002", "[]"),
        ("judge", JUDGE, 0, 0, 1, "0.0005", "[]"),
        ("revise", JUDGE, 1, None, None, "0.003", "[]"),
        ("generate", IMAGE_MODEL, 1, 0, None, "0", f'["{UNKNOWN}"]'),
    ]
    assert run == ("budget", "0.0865", f'["{UNKNOWN}"]')


def test_a_session_reads_back_its_costs_everywhere(db: Path) -> None:
    teller = record_budget_run(db)
    with HistoryService.open(db) as service:
        [summary] = service.list_sessions().sessions
        tree = service.session(teller.run_id)
        lone = service.image(5 - 2)  # the image of the second attempt, read alone
    assert summary.outcome is HistoryOutcome.BUDGET is tree.outcome
    assert summary.cost == tree.cost == Cost(Decimal("0.0865"), (UNKNOWN,))
    first, second, third = tree.images()
    assert first.cost == Cost(Decimal("0.041"))  # half of $0.08, and its judging
    assert second.cost == Cost(Decimal("0.0425"))  # judged twice
    assert third.cost == Cost.unknown(UNKNOWN) == lone.cost
    assert str(third.cost).startswith("unknown")  # never "$0"
    # Each verdict carries its own judging: the image's cost less its share of generation.
    assert first.verdict is not None and first.verdict.cost == Cost(Decimal("0.001"))
    assert second.verdict is not None and second.verdict.cost == Cost(Decimal("0.0025"))
    original, revised = tree.prompt_versions
    assert original.cost == Cost() and revised.cost == Cost(Decimal("0.003"))
    # Every part adds up to the run's total: nothing counted twice or left out.
    parts = Cost.total([*(i.cost or Cost() for i in tree.images()), revised.cost])
    assert parts == tree.cost


def test_the_outcome_filter_finds_budget_runs(db: Path) -> None:
    record_budget_run(db)
    run_recorded(db, params(), chat=FakeChat(verdicts=["YES"]))
    with HistoryService.open(db) as service:
        page = service.list_sessions(make_filter(outcomes=["budget"]))
        assert [s.outcome for s in page.sessions] == [HistoryOutcome.BUDGET]
        assert service.count_sessions(make_filter(outcomes=["Budget", "approved"])) == 2


def test_a_run_without_a_price_table_is_unknown_not_free(db: Path) -> None:
    result = run_recorded(db, params(), chat=FakeChat(verdicts=["YES"]))
    with HistoryService.open(db) as service:
        [summary] = service.list_sessions().sessions
        tree = service.session(result.run_id)
        [image] = tree.images()
        assert summary.cost is None and tree.cost is None and image.cost is None
        assert service.image(image.image_id).cost is None
        assert tree.prompt_versions[0].cost is None
        assert service.month_spend(MAY) == Cost()  # nothing billed this month that we know
        assert service.spend_stats().by_model == ()


def test_an_unfinished_run_costs_what_it_was_billed_so_far(db: Path) -> None:
    recorder, run = open_run(db, "20240501120000-0pen0001")
    with recorder:
        [image] = run.attempt(0, 0, 1)
        run.spent(ev.CallKind.GENERATE, "0.04", 0, 0)
        run.spent(ev.CallKind.JUDGE, "0.0015", 0, 0, 0)
        with HistoryService(db) as service:  # while it runs
            [summary] = service.list_sessions().sessions
            assert summary.outcome is HistoryOutcome.RUNNING
            assert summary.cost == Cost(Decimal("0.0415"))
        held = recorder._run_lock  # the process dies: its run lock goes with it
        assert held is not None
        held.release(remove=True)
        recorder._run_lock = None
    with HistoryService.open(db) as service:  # recovery marks it interrupted
        assert service.recovery_report.interrupted == [run.run_id]
        tree = service.session(run.run_id)
        assert tree.outcome is HistoryOutcome.INTERRUPTED
        assert tree.cost == Cost(Decimal("0.0415"))  # Bedrock billed it all the same
        assert service.month_spend(MAY) == Cost(Decimal("0.0415"))
    assert image.ref.index == 0


def test_month_spend_counts_the_local_calendar_month(db: Path, new_york: None) -> None:
    # 2024-06-01 01:30 UTC is still 31 May in New York; 04:30 UTC is June there.
    for run_id, start in (
        ("20240531000000-0000may1", datetime(2024, 5, 1, 4, 0, tzinfo=UTC)),
        ("20240601000000-0000may2", datetime(2024, 6, 1, 1, 30, tzinfo=UTC)),
        ("20240601000000-0000jun1", datetime(2024, 6, 1, 4, 30, tzinfo=UTC)),
    ):
        recorder, run = open_run(db, run_id, start)
        with recorder:
            run.attempt(0, 0, 1)
            run.spent(ev.CallKind.GENERATE, "0.1", 0, 0)
            run.finish(ev.Outcome.NOT_APPROVED)
    with HistoryService.open(db) as service:
        assert service.month_spend(datetime(2024, 5, 20, tzinfo=UTC)) == Cost(Decimal("0.2"))
        assert service.month_spend(datetime(2024, 6, 1, 2, 0, tzinfo=UTC)) == Cost(
            Decimal("0.2")  # still May on the wall clock
        )
        assert service.month_spend(datetime(2024, 6, 2, tzinfo=UTC)) == Cost(Decimal("0.1"))
        assert service.month_spend(datetime(2024, 7, 1, 12, tzinfo=UTC)) == Cost()
        stats = service.spend_stats()
    assert [(m.key, m.cost.usd, m.calls, m.runs) for m in stats.by_month] == [
        ("2024-05", Decimal("0.2"), 2, 2),
        ("2024-06", Decimal("0.1"), 1, 1),
    ]
    assert [d.key for d in stats.by_day] == ["2024-05-01", "2024-05-31", "2024-06-01"]


def test_month_bounds_follow_the_wall_clock_across_daylight_saving(new_york: None) -> None:
    start, end = month_bounds(datetime(2024, 3, 20, tzinfo=UTC))
    assert start == datetime(2024, 3, 1, 5, 0, tzinfo=UTC)  # EST, UTC-5
    assert end == datetime(2024, 4, 1, 4, 0, tzinfo=UTC)  # EDT, UTC-4
    start, end = month_bounds(datetime(2024, 12, 31, 12, tzinfo=UTC))
    assert (start.month, end.year, end.month) == (12, 2025, 1)


def test_spend_stats_per_day_month_model_and_approved_image(db: Path) -> None:
    record_budget_run(db)
    recorder, run = open_run(db, "20240502120000-a99e0001", datetime(2024, 5, 2, tzinfo=UTC))
    with recorder:
        [image] = run.attempt(0, 0, 1)
        run.spent(ev.CallKind.GENERATE, "0.04", 0, 0)
        run.spent(ev.CallKind.JUDGE, "0.0015", 0, 0, 0)
        run.verdict(image, "YES")
        run.finish(ev.Outcome.APPROVED, image)
    with HistoryService.open(db) as service:
        stats = service.spend_stats()
        may_2 = service.spend_stats(since=datetime(2024, 5, 2, tzinfo=UTC))
    assert stats.total == Cost(Decimal("0.128"), (UNKNOWN,))
    assert stats.approved == 1
    assert stats.per_approved_image == Cost(Decimal("0.128"), (UNKNOWN,))  # incomplete
    [month] = stats.by_month
    assert (month.key, month.calls, month.runs, month.approved) == ("2024-05", 8, 2, 1)
    models = {line.key: line for line in stats.by_model}
    assert models[IMAGE_MODEL].cost == Cost(Decimal("0.12"), (UNKNOWN,))
    assert models[JUDGE].cost == Cost(Decimal("0.008"))
    assert (models[JUDGE].calls, models[JUDGE].runs) == (5, 2)
    assert may_2.total == Cost(Decimal("0.0415")) == may_2.per_approved_image
    local_day = datetime(2024, 5, 2, 0, 0, 5, tzinfo=UTC).astimezone().strftime("%Y-%m-%d")
    assert [line.key for line in may_2.by_day] == [local_day]  # in the local time zone
    assert may_2.by_day[0].per_approved_image == Cost(Decimal("0.0415"))


def test_median_attempts_to_approval_per_model_pair(db: Path) -> None:
    def approved_run(run_id: str, plan: list[tuple[int, int]], approve: int) -> None:
        recorder, run = open_run(db, run_id)
        with recorder:
            made = [run.attempt(revision, attempt, 1)[0] for revision, attempt in plan]
            run.verdict(made[approve], "YES")
            run.finish(ev.Outcome.APPROVED, made[approve])

    approved_run("20240501120000-aaaa0001", [(0, 0), (0, 1)], 1)  # the second generation
    # Approved at the first; the second was started speculatively and is not counted.
    approved_run("20240501120000-aaaa0002", [(0, 0), (0, 1)], 0)
    approved_run("20240501120000-aaaa0003", [(0, 0), (0, 1), (1, 0), (1, 1)], 3)  # the fourth
    recorder, run = open_run(db, "20240501120000-aaaa0004")  # not approved: not counted
    with recorder:
        run.attempt(0, 0, 1)
        run.finish(ev.Outcome.NOT_APPROVED)
    with HistoryService.open(db) as service:
        assert service.median_attempts(IMAGE_MODEL, JUDGE) == 2.0
        assert service.median_attempts(IMAGE_MODEL, "another.judge") is None
    conn = connect(db)
    try:
        with transaction(conn):  # the median of the two runs left: 2 and 1
            conn.execute("DELETE FROM runs WHERE run_id = '20240501120000-aaaa0003'")
        assert queries.median_attempts(conn, IMAGE_MODEL, JUDGE) == 1.5
    finally:
        conn.close()


def test_a_damaged_amount_reads_as_unknown_and_is_logged(
    db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    teller = record_budget_run(db)
    conn = connect(db)
    try:
        with transaction(conn):
            conn.execute("UPDATE spend SET usd = 'lots' WHERE kind = 'revise'")
            conn.execute("UPDATE spend SET missing_json = '{' WHERE kind = 'judge' AND idx = 0")
            conn.execute("UPDATE runs SET cost_usd = 'NaN'")
    finally:
        conn.close()
    with HistoryService.open(db) as service:
        tree = service.session(teller.run_id)
        stats = service.spend_stats()
    assert tree.cost is not None and not tree.cost.complete and tree.cost.known == 0
    first = next(iter(tree.images()))
    assert first.cost is not None and not first.cost.complete
    assert first.cost.known == Decimal("0.041")  # the amount still read; the list did not
    assert tree.prompt_versions[1].cost is not None and tree.prompt_versions[1].cost.usd is None
    assert not stats.total.complete
    assert "cannot be read" in caplog.text


def test_a_budget_run_exports_and_imports(db: Path, tmp_path: Path) -> None:
    """The outcome travels through an export (the costs do not: the export format has no
    place for them yet, so the imported run's cost reads as unknown, not $0)."""
    teller = record_budget_run(db)
    with HistoryService.open(db) as service:
        service.export_session(teller.run_id, tmp_path / "out")
    other = tmp_path / "other" / "history.sqlite3"
    with HistoryService.open(other) as service:
        result = service.import_export(tmp_path / "out")
        assert result.sessions_added == [teller.run_id]
        tree = service.session(teller.run_id)
    assert tree.outcome is HistoryOutcome.BUDGET and tree.cost is None
