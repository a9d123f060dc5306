"""The shared call limiter: concurrency cap, token bucket, AIMD, FIFO order and cancel.

Time is a fake clock the tests move; waiting threads are observed through the limiter's
own snapshot, never by sleeping, and every thread is joined.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.rate import AdaptiveLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll a condition another thread will make true (bounded; not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        threading.Event().wait(0.002)


def limiter(clock: FakeClock, **kwargs: float) -> AdaptiveLimiter:
    settings: dict[str, float] = {"max_concurrent": 2, "calls_per_minute": 60.0} | kwargs
    return AdaptiveLimiter(
        max_concurrent=int(settings.pop("max_concurrent")),
        calls_per_minute=settings.pop("calls_per_minute"),
        clock=clock,
        **settings,
    )


def waiter(
    gate: AdaptiveLimiter, got: list[str], name: str, cancel: CancelToken | None = None
) -> threading.Thread:
    def body() -> None:
        got.append(name if gate.acquire(cancel) else f"{name}:cancelled")

    thread = threading.Thread(target=body, name=f"waiter-{name}")
    thread.start()
    return thread


def test_burst_then_one_token_per_interval() -> None:
    clock = FakeClock()
    gate = limiter(clock, max_concurrent=10, burst=2)  # 60 per minute: one per second
    assert gate.acquire() and gate.acquire()
    got: list[str] = []
    thread = waiter(gate, got, "third")
    until(lambda: gate.snapshot().waiting == 1)
    clock.now += 0.5
    gate.wake()
    until(lambda: gate.snapshot().waiting == 1)
    assert got == []  # half a token is not a call
    clock.now += 0.5
    gate.wake()
    thread.join(5)
    assert got == ["third"]
    assert gate.snapshot().in_flight == 3


def test_concurrency_cap_holds_until_release() -> None:
    clock = FakeClock()
    gate = limiter(clock, max_concurrent=1, burst=5)
    assert gate.acquire()
    got: list[str] = []
    thread = waiter(gate, got, "second")
    until(lambda: gate.snapshot().waiting == 1)
    assert got == []
    gate.release()
    thread.join(5)
    assert got == ["second"]
    gate.release()
    assert gate.snapshot().in_flight == 0


def test_waiters_are_served_in_arrival_order() -> None:
    clock = FakeClock()
    gate = limiter(clock, max_concurrent=1, burst=10)
    assert gate.acquire()
    got: list[str] = []
    threads = []
    for name in ("a", "b", "c", "d"):
        threads.append(waiter(gate, got, name))
        waiting = len(threads)
        until(lambda: gate.snapshot().waiting == waiting)  # noqa: B023 - polled at once
    for expected in range(1, 5):
        gate.release()
        until(lambda: len(got) == expected)  # noqa: B023 - polled before the loop moves on
    for thread in threads:
        thread.join(5)
    assert got == ["a", "b", "c", "d"]


def test_cancel_ends_a_wait_and_holds_nothing() -> None:
    clock = FakeClock()
    gate = limiter(clock, max_concurrent=1)
    assert gate.acquire()
    cancel = CancelToken()
    got: list[str] = []
    thread = waiter(gate, got, "late", cancel)
    until(lambda: gate.snapshot().waiting == 1)
    cancel.cancel()
    gate.wake()
    thread.join(5)
    assert got == ["late:cancelled"]
    snap = gate.snapshot()
    assert (snap.in_flight, snap.waiting) == (1, 0)


def test_a_cancelled_waiter_lets_the_next_one_go() -> None:
    clock = FakeClock()
    gate = limiter(clock, max_concurrent=1, burst=5)
    assert gate.acquire()
    cancel = CancelToken()
    got: list[str] = []
    first = waiter(gate, got, "first", cancel)
    until(lambda: gate.snapshot().waiting == 1)
    second = waiter(gate, got, "second")
    until(lambda: gate.snapshot().waiting == 2)
    cancel.cancel()
    gate.wake()
    first.join(5)
    gate.release()
    second.join(5)
    assert got == ["first:cancelled", "second"]


def test_already_cancelled_acquire_returns_false_at_once() -> None:
    cancel = CancelToken()
    cancel.cancel()
    gate = limiter(FakeClock())
    assert gate.acquire(cancel) is False
    assert gate.snapshot().in_flight == 0


def test_throttling_lowers_multiplicatively_successes_raise_additively() -> None:
    clock = FakeClock()
    gate = limiter(clock, calls_per_minute=100.0, increase_per_success=5.0, cooldown_seconds=1.0)
    gate.report(throttled=True)
    assert gate.rate_per_minute == pytest.approx(70.0)
    clock.now += 2
    gate.report(throttled=True)
    assert gate.rate_per_minute == pytest.approx(49.0)
    for _ in range(3):
        gate.report(throttled=False)
    assert gate.rate_per_minute == pytest.approx(64.0)
    assert gate.snapshot().lowest_per_minute == pytest.approx(49.0)
    for _ in range(100):
        gate.report(throttled=False)
    assert gate.rate_per_minute == pytest.approx(100.0)  # never above the ceiling


def test_one_burst_of_throttles_lowers_the_rate_once() -> None:
    clock = FakeClock()
    gate = limiter(clock, calls_per_minute=100.0, cooldown_seconds=1.0)
    for _ in range(4):  # four concurrent calls refused together
        gate.report(throttled=True)
    snap = gate.snapshot()
    assert snap.rate_per_minute == pytest.approx(70.0)
    assert (snap.throttles, snap.decreases) == (4, 1)


def test_rate_never_falls_below_the_floor() -> None:
    clock = FakeClock()
    gate = limiter(clock, calls_per_minute=10.0, min_per_minute=4.0, cooldown_seconds=0.0)
    for _ in range(20):
        gate.report(throttled=True)
    assert gate.rate_per_minute == pytest.approx(4.0)


def test_a_throttled_release_empties_the_bucket() -> None:
    clock = FakeClock()
    gate = limiter(clock, max_concurrent=5, calls_per_minute=60.0, burst=5)
    assert gate.acquire()
    gate.release(throttled=True)  # rate 42/min: the next call waits 60/42 s
    got: list[str] = []
    thread = waiter(gate, got, "next")
    until(lambda: gate.snapshot().waiting == 1)
    clock.now += 1.0
    gate.wake()
    until(lambda: gate.snapshot().waiting == 1)
    assert got == []
    clock.now += 0.5
    gate.wake()
    thread.join(5)
    assert got == ["next"]


def test_release_without_acquire_is_a_bug() -> None:
    with pytest.raises(RuntimeError):
        limiter(FakeClock()).release()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_concurrent": 0},
        {"calls_per_minute": 0.0},
        {"decrease": 1.0},
        {"burst": 0.5},
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        limiter(FakeClock(), **kwargs)


def test_many_threads_never_exceed_the_cap() -> None:
    clock = FakeClock()
    gate = limiter(clock, max_concurrent=3, calls_per_minute=1e9, burst=1000)
    lock = threading.Lock()
    active = 0
    peak = 0

    def worker() -> None:
        nonlocal active, peak
        for _ in range(50):
            assert gate.acquire()
            with lock:
                active += 1
                peak = max(peak, active)
            with lock:
                active -= 1
            gate.release()

    threads = [threading.Thread(target=worker, name=f"cap-{i}") for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(t.is_alive() for t in threads)
    assert peak <= 3
    assert gate.snapshot().in_flight == 0
