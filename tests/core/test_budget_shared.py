"""Shared allowances (issue 13): the month's budget and a queue's are spent by several runs
at once, each through its own Meter, and together they never pass the cap."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from imgloop_desktop.core.budget import QUEUE, Allowance, Meter, SharedBudgets, SharedCap
from imgloop_desktop.core.cost import Cost

D = Decimal


def test_concurrent_reservations_never_exceed_a_shared_allowance() -> None:
    # Mirrors test_concurrent_reservations_never_exceed_the_cap (one Meter) in
    # test_cost.py, with the calls spread over many Meters: one per run.
    cap = D("1.00")
    month = Allowance(cap)
    queue = Allowance(D("5"), QUEUE)
    # Runs of a queue spend from both (in either order: the locks are taken in one order,
    # so no two Meters wait on each other); a window run from the month alone.
    meters = [
        Meter(monthly_left=(queue, month)),
        Meter(monthly_left=(month, queue)),
        Meter(monthly_left=month),
        Meter(run_cap=D(3), monthly_left=month),
    ]
    threads_count = 64
    start = threading.Barrier(threads_count)
    granted: list[bool] = []
    worst: list[Decimal] = []
    lock = threading.Lock()

    def call(meter: Meter) -> None:
        start.wait()  # every thread asks at once
        for _ in range(20):
            held = meter.reserve(Cost.of("0.07"), "image")
            if held:
                committed = sum((m.state().spent.known for m in meters), D(0)) + month.reserved
                with lock:
                    worst.append(committed)
                meter.settle(held, Cost.of("0.07"))
            with lock:
                granted.append(bool(held))

    threads = [
        threading.Thread(target=call, args=(meters[n % len(meters)],)) for n in range(threads_count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not any(t.is_alive() for t in threads)
    spent = sum((m.spent.known for m in meters), D(0))
    assert spent == D("0.07") * 14  # 14 x 0.07 = 0.98; a 15th would pass $1
    assert sum(granted) == 14
    assert max(worst) <= cap  # spend only grows, so a snapshot taken in parts is no more
    assert month.reserved == 0 and queue.reserved == 0
    by_queue_items = meters[0].spent.known + meters[1].spent.known
    assert month.left() == D("0.02") and queue.left() == D("5") - by_queue_items


def test_a_call_must_fit_every_allowance_and_a_refusal_holds_nothing() -> None:
    month = Allowance(D("0.20"))
    queue = Allowance(D("0.50"), QUEUE)
    item = Meter(monthly_left=(queue, month))
    window = Meter(monthly_left=month)
    first = window.reserve(Cost.of("0.15"), "image")
    assert first
    refused = item.reserve(Cost.of("0.10"), "image")
    assert not refused
    assert "monthly budget of $0.2000" in refused.reason and "$0.1500" in refused.reason
    assert queue.reserved == 0  # all or nothing: the queue's allowance was not touched
    window.settle(first, Cost.of("0.12"))  # cost less than its worst case
    second = item.reserve(Cost.of("0.08"), "image")
    assert second and queue.reserved == D("0.08") and month.reserved == D("0.08")
    item.release(second)
    assert month.left() == D("0.08") and queue.left() == D("0.50")
    narrow = Allowance(D("0.05"), QUEUE)
    by_queue = Meter(monthly_left=(narrow, month)).reserve(Cost.of("0.06"), "judge")
    assert not by_queue and "queue's budget" in by_queue.reason
    assert window.state().monthly_left == D("0.08")
    with pytest.raises(ValueError, match="monthly budget must be a finite amount"):
        Allowance(D(-1))


def test_an_unpriced_call_is_refused_under_a_shared_cap() -> None:
    meter = Meter(monthly_left=Allowance(D(10)))
    refused = meter.reserve(Cost.unknown("no price for text model X"), "judge")
    assert not refused and "unknown" in refused.reason


def test_a_newer_reading_lowers_an_allowance_and_a_raised_cap_replaces_it() -> None:
    month = Allowance(D("1.00"))
    meter = Meter(monthly_left=month)
    meter.settle(meter.reserve(Cost.of("0.30")), Cost.of("0.30"))
    # The history may not show that call yet: a reading that does not is no reason to
    # forget it.
    month.update(D("1.00"))
    assert month.left() == D("0.70")
    month.update(D("0.60"))  # another process spent: the lower figure wins
    assert month.left() == D("0.60")
    held = meter.reserve(Cost.of("0.10"))
    month.update(D("2.60"))  # the person raised the cap by $2: the reading replaces it
    assert month.left() == D("2.50")  # less the call still under way
    meter.settle(held, Cost.of("0.10"))
    assert month.left() == D("2.50")
    month.update(D("2.50"))  # the history caught up with that call: nothing changes
    assert month.left() == D("2.50")


def test_a_shared_cap_reads_before_each_run_and_drops_a_removed_cap() -> None:
    readings: list[Decimal | None] = [D(5), D(4), None, D(3)]
    cap = SharedCap(QUEUE)

    def read() -> Decimal | None:
        return readings.pop(0)

    first = cap.current(read)
    assert first is not None and first.left() == D(5)
    assert cap.current(read) is first and first.left() == D(4)
    assert cap.current(read) is None  # no cap any more
    again = cap.current(read)
    assert again is not None and again is not first and again.left() == D(3)
    assert again.label == QUEUE


def test_the_month_is_shared_per_history_and_starts_over_each_month() -> None:
    now = [datetime(2026, 11, 30, 12, tzinfo=UTC)]
    budgets = SharedBudgets(now=lambda: now[0])
    first = budgets.monthly("a.sqlite3", lambda: D(10))
    assert first is not None
    assert budgets.monthly("a.sqlite3", lambda: D(10)) is first
    other = budgets.monthly("b.sqlite3", lambda: D(10))
    assert other is not None and other is not first  # another history, another month
    meter = Meter(monthly_left=first)
    meter.settle(meter.reserve(Cost.of("1")), Cost.of("1"))
    now[0] = datetime(2026, 12, 15, 12, tzinfo=UTC)
    december = budgets.monthly("a.sqlite3", lambda: D(10))
    assert december is not None and december is not first and december.left() == D(10)
    assert budgets.monthly("a.sqlite3", lambda: None) is None  # the cap was removed


def test_many_runs_starting_at_once_get_one_allowance() -> None:
    budgets = SharedBudgets()
    count = 16
    start = threading.Barrier(count)
    got: list[Allowance | None] = []
    lock = threading.Lock()

    def begin() -> None:
        start.wait()
        allowance = budgets.monthly("h.sqlite3", lambda: D(1))
        with lock:
            got.append(allowance)

    threads = [threading.Thread(target=begin) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(a) for a in got}) == 1 and got[0] is not None
