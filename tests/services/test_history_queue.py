"""The run queue through ``HistoryService`` (schema v9), on real SQLite files: what the
window's queue and its engine call, including two workers claiming at once."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.checklist import Checklist
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.records import HistoryOutcome, QueueItem, QueueState
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage.history.schema import HistoryError
from tests.storage.history.fakes import params
from tests.storage.history.spend_fakes import open_run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def service(db: Path) -> Iterator[HistoryService]:
    with HistoryService.open(db) as opened:
        yield opened


def _claim(service: HistoryService) -> QueueItem:
    item = service.queue_claim_next()
    assert item is not None
    return item


def _states(service: HistoryService) -> list[tuple[int, QueueState]]:
    return [(item.id, item.state) for item in service.queue_items()]


def _run(db: Path, run_id: str, *costs: str) -> None:
    """A recorded run that spent ``costs``, finished."""
    recorder, run = open_run(db, run_id)
    with recorder:
        for cost in costs:
            run.spent(ev.CallKind.JUDGE, cost, 0, 0, 0)
        run.finish(ev.Outcome.NOT_APPROVED)


def test_added_runs_read_back_with_their_exact_parameters(service: HistoryService) -> None:
    checklist = Checklist.from_json(
        [{"id": "c1", "text": "a red fox", "must": True, "kind": "subject"}], name="checklist"
    )
    given = [
        params("a fox 夕焼け"),
        params("a hare", judge_mode="checklist", checklist=checklist, max_cost_usd=1.5),
    ]
    first = service.queue_add(given)
    second = service.queue_add([params("an owl")])
    assert service.queue_add([]) == []
    items = service.queue_items()
    assert [item.id for item in items] == [*first, *second]
    assert [item.params for item in items] == [*given, params("an owl")]
    assert [item.position for item in items] == [0, 1, 2]
    item = items[0]
    assert item.state is QueueState.WAITING and item.outcome is None and item.error == ""
    assert item.tries == 0 and item.started_at is None and item.finished_at is None
    assert item.run_ids == () and item.last_run_id is None and item.cost_usd == Decimal(0)
    assert item.added_at.tzinfo is not None


def test_claims_go_in_queue_order_and_stop_when_paused(service: HistoryService) -> None:
    first, second, third = service.queue_add([params("a"), params("b"), params("c")])
    service.queue_move(third, 0)
    claimed = _claim(service)
    assert claimed.id == third and claimed.state is QueueState.RUNNING
    assert claimed.tries == 1 and claimed.started_at is not None
    service.queue_set_paused(True)
    assert service.queue_paused() and service.queue_claim_next() is None
    service.queue_set_paused(False)
    assert not service.queue_paused()
    assert [_claim(service).id, _claim(service).id] == [first, second]
    assert service.queue_claim_next() is None  # nothing waits


def test_two_threads_claiming_at_once_never_get_the_same_item(db: Path) -> None:
    """Each thread its own connection (and a second service for half of them): the claim's
    BEGIN IMMEDIATE makes them take turns, so every item is claimed exactly once."""
    items, workers, rounds = 24, 4, 8
    with HistoryService.open(db) as one, HistoryService(db) as other:
        one.queue_add([params(f"fox {n}") for n in range(items)])
        start = threading.Barrier(workers, timeout=30)

        def work(n: int) -> list[int]:
            service = one if n % 2 else other
            start.wait()
            got = []
            for _ in range(rounds):
                item = service.queue_claim_next()
                if item is not None:
                    got.append(item.id)
            return got

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="claimer") as pool:
            claimed = [i for got in pool.map(work, range(workers)) for i in got]
        assert len(claimed) == len(set(claimed)) == items
        assert all(state is QueueState.RUNNING for _, state in _states(one))
        for item in one.queue_items():
            assert item.tries == 1


def test_runs_link_oldest_first_and_their_spend_adds_up(db: Path, service: HistoryService) -> None:
    first, second = service.queue_add([params("a"), params("b")])
    _claim(service)
    _run(db, "20240501120000-00000001", "0.04", "0.001")
    service.queue_attach_run(first, "20240501120000-00000001")
    service.queue_attach_run(first, "20240501120000-00000001")  # twice: one link
    _run(db, "20240501120000-00000002", "0.5")
    service.queue_attach_run(first, "20240501120000-00000002")
    _claim(service)
    _run(db, "20240501120000-00000003", "0.25")
    service.queue_attach_run(second, "20240501120000-00000003")
    one, two = service.queue_items()
    assert one.run_ids == ("20240501120000-00000001", "20240501120000-00000002")
    assert one.last_run_id == "20240501120000-00000002"
    assert one.cost_usd == Decimal("0.541") and two.cost_usd == Decimal("0.25")
    assert service.queue_summary().cost_usd == Decimal("0.791")
    service.queue_attach_run(999, "20240501120000-00000001")  # a gone item: dropped
    with pytest.raises(HistoryError, match="not in the history yet"):
        service.queue_attach_run(first, "20240501120000-0000000f")


def test_finish_ends_only_a_running_item(service: HistoryService) -> None:
    first, second = service.queue_add([params("a"), params("b")])
    service.queue_finish(first, QueueState.DONE, HistoryOutcome.APPROVED)  # waiting: ignored
    assert _states(service)[0] == (first, QueueState.WAITING)
    _claim(service)
    service.queue_finish(first, QueueState.FAILED, HistoryOutcome.ERROR, "AccessDenied")
    item = service.queue_items()[0]
    assert (item.state, item.outcome, item.error) == (
        QueueState.FAILED,
        HistoryOutcome.ERROR,
        "AccessDenied",
    )
    assert item.finished_at is not None and item.started_at is not None
    service.queue_finish(first, QueueState.DONE, HistoryOutcome.APPROVED)  # late: ignored
    assert service.queue_items()[0].state is QueueState.FAILED
    _claim(service)
    for bad in (QueueState.WAITING, QueueState.RUNNING):
        with pytest.raises(ValidationError, match="queue state"):
            service.queue_finish(second, bad, None)


def test_moves_renumber_positions_whatever_the_state(service: HistoryService) -> None:
    a, b, c, d = service.queue_add([params(x) for x in "abcd"])
    _claim(service)  # a runs; it may still move
    service.queue_move(a, 2)
    assert [i.id for i in service.queue_items()] == [b, c, a, d]
    service.queue_move(d, 0)
    service.queue_move(b, 99)  # past the end: last
    items = service.queue_items()
    assert [i.id for i in items] == [d, c, a, b]
    assert [i.position for i in items] == [0, 1, 2, 3]
    assert items[2].state is QueueState.RUNNING
    with pytest.raises(ValidationError, match="queue position"):
        service.queue_move(a, -1)
    with pytest.raises(ValidationError, match="queue item: 999"):
        service.queue_move(999, 0)


def test_cancel_retry_remove_and_clear(service: HistoryService) -> None:
    a, b, c, d, e = service.queue_add([params(x) for x in "abcde"])
    _claim(service)  # a runs
    assert service.queue_cancel([a, b, 999]) == [a]  # a is the engine's to stop
    assert _states(service)[:2] == [(a, QueueState.RUNNING), (b, QueueState.CANCELLED)]
    service.queue_finish(a, QueueState.CANCELLED, HistoryOutcome.CANCELLED)
    _claim(service)  # c
    service.queue_finish(c, QueueState.FAILED, HistoryOutcome.ERROR, "throttled")
    _claim(service)  # d
    service.queue_finish(d, QueueState.DONE, HistoryOutcome.APPROVED)
    assert service.queue_retry() == 1  # None: every failed one (c), not the cancelled
    item = {i.id: i for i in service.queue_items()}[c]
    assert item.state is QueueState.WAITING and item.error == "" and item.finished_at is None
    assert item.outcome is HistoryOutcome.ERROR  # the last run's, until the next one
    assert service.queue_retry([a, d, e]) == 1  # only a: d is done, e waits
    _claim(service)  # a (position 0) runs again
    assert service.queue_remove([a, b, e]) == 2  # a runs: kept
    assert [i for i, _ in _states(service)] == [a, c, d]
    assert service.queue_clear_finished() == 1
    assert _states(service) == [(a, QueueState.RUNNING), (c, QueueState.WAITING)]


def test_budget_is_exact_and_validated(service: HistoryService) -> None:
    assert service.queue_budget() == Decimal(0)
    service.queue_set_budget(Decimal("12.345"))
    assert service.queue_budget() == Decimal("12.345")
    service.queue_set_budget(Decimal(0))
    assert service.queue_budget() == Decimal(0)
    for bad in (Decimal("-0.01"), Decimal("NaN"), Decimal("Infinity"), Decimal("1e9")):
        with pytest.raises(ValidationError) as caught:
            service.queue_set_budget(bad)
        [problem] = caught.value.problems
        assert problem.field == "queue budget" and str(problem.value) == str(bad)
        assert str(bad) in str(caught.value)
        assert "from 0 (no cap)" in problem.allowed
    assert service.queue_budget() == Decimal(0)


def test_a_damaged_budget_is_refused_not_read_as_no_cap(db: Path, service: HistoryService) -> None:
    with closing(sqlite3.connect(db)) as raw:
        raw.execute("INSERT INTO queue_settings (key, value) VALUES ('budget_usd', 'lots')")
        raw.commit()
    with pytest.raises(HistoryError, match="queue budget"):
        service.queue_budget()


def test_an_item_whose_parameters_do_not_read_is_failed_not_run(
    db: Path, service: HistoryService
) -> None:
    bad, good = service.queue_add([params("a"), params("b")])
    with closing(sqlite3.connect(db)) as raw:
        raw.execute("UPDATE queue_items SET event = '{\"prompt\": 5}' WHERE id = ?", (bad,))
        raw.commit()
    listed = service.queue_items()[0]
    assert listed.state is QueueState.WAITING and "cannot be read" in listed.error
    assert _claim(service).id == good
    failed = service.queue_items()[0]
    assert failed.state is QueueState.FAILED and "prompt" in failed.error


def test_summary_counts_outcomes_time_and_settings(db: Path, service: HistoryService) -> None:
    ids = service.queue_add([params(str(n)) for n in range(7)])
    ends = [
        (QueueState.DONE, HistoryOutcome.APPROVED),
        (QueueState.DONE, HistoryOutcome.NOT_APPROVED),
        (QueueState.DONE, HistoryOutcome.BUDGET),
        (QueueState.FAILED, HistoryOutcome.ERROR),
    ]
    for state, outcome in ends:
        service.queue_finish(_claim(service).id, state, outcome)
    _claim(service)  # one running
    service.queue_cancel([ids[5]])
    with closing(sqlite3.connect(db)) as raw:  # the three done runs took 10, 20 and 30 s
        for n, seconds in enumerate((10, 20, 30)):
            raw.execute(
                "UPDATE queue_items SET started_at = '2024-05-01T12:00:00.000000Z', "
                "finished_at = ? WHERE id = ?",
                (f"2024-05-01T12:00:{seconds:02d}.000000Z", ids[n]),
            )
        raw.commit()
    service.queue_set_paused(True)
    service.queue_set_budget(Decimal("5"))
    summary = service.queue_summary()
    assert (summary.waiting, summary.running, summary.done) == (1, 1, 3)
    assert (summary.failed, summary.cancelled, summary.total) == (1, 1, 7)
    assert (summary.approved, summary.best_not_approved, summary.budget) == (1, 1, 1)
    assert summary.mean_seconds == pytest.approx(20.0)
    assert summary.paused and summary.budget_usd == Decimal(5)
    assert summary.cost_usd == Decimal(0)


def test_an_empty_queue_summarises_to_nothing(service: HistoryService) -> None:
    summary = service.queue_summary()
    assert summary.total == 0 and summary.mean_seconds is None
    assert not summary.paused and summary.budget_usd == Decimal(0)


def test_recovery_never_takes_an_item_this_process_runs(db: Path) -> None:
    """Another service in this process (the window's, opened while the engine's runs an
    item) leaves it alone; once the claiming service closes without finishing (a quit), the
    next open puts the item back, as after a crash."""
    engine = HistoryService.open(db)
    try:
        [item_id] = engine.queue_add([params("a fox")])
        _claim(engine)
        with HistoryService.open(db) as window:
            assert window.queue_recover() == 0
            assert _states(window) == [(item_id, QueueState.RUNNING)]
            # The claim is the process's: any service may finish it.
    finally:
        engine.close()
    with HistoryService.open(db) as reopened:
        [item] = reopened.queue_items()
        assert item.state is QueueState.WAITING
        assert item.outcome is HistoryOutcome.INTERRUPTED and item.tries == 1


def test_any_service_of_the_process_may_finish_a_claim(db: Path) -> None:
    with HistoryService.open(db) as engine, HistoryService(db) as window:
        [item_id] = engine.queue_add([params("a fox")])
        _claim(engine)
        window.queue_finish(item_id, QueueState.DONE, HistoryOutcome.APPROVED)
        assert window.queue_retry([item_id]) == 0  # done is not retried
        assert engine.queue_recover() == 0
        assert _states(engine) == [(item_id, QueueState.DONE)]
