"""One limit on calls shared by concurrent runs: a concurrency cap and an adaptive rate.

A batch runs several loops at once against one account, whose quotas (image calls per
minute, concurrent calls) are the account's, not each run's. Each loop already retries
throttled calls through botocore's adaptive mode, but that paces one client's retries; it
does not stop four runs from starting calls faster than the quota in the first place. This
limiter sits in front of every gated call:

* at most ``max_concurrent`` calls hold a slot at once;
* starts are drawn from a token bucket refilled at ``rate`` calls per minute;
* the rate is lowered multiplicatively when a call reports throttling and raised
  additively after each success (AIMD, as botocore's adaptive mode and TCP do), between a
  floor and the configured ceiling, so it settles just under what the service allows;
* waiters are served strictly first come, first served, so a run that started waiting
  first is never overtaken by a later one (no item starves);
* ``acquire`` gives up when the caller's cancel token is set, so Ctrl-C never waits out a
  throttled bucket.

The clock is injected (``time.monotonic`` by default) so tests drive time without sleeping;
``wake()`` makes waiters look at the clock again after a test moves it. Standard library
only: the core runs under the window, the command, Lambda and tests alike.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from imgloop_desktop.core.cancel import CancelToken

# botocore's adaptive mode lowers its rate to 0.7 of the measured one on a throttle.
DEFAULT_DECREASE = 0.7
# A waiter looks at its cancel token at least this often (real seconds) while it waits;
# ``wake()`` makes it look at once.
CANCEL_POLL_SECONDS = 0.1
# Throttles answered within this long of a decrease belong to the same burst: lowering the
# rate once per burst keeps four concurrent rejections from cutting it to a quarter.
DEFAULT_COOLDOWN_SECONDS = 1.0


@dataclass(frozen=True)
class RateSnapshot:
    """The limiter's state at one instant, for progress displays and benchmarks."""

    rate_per_minute: float
    in_flight: int
    waiting: int
    throttles: int
    decreases: int
    lowest_per_minute: float


class AdaptiveLimiter:
    """A FIFO, cancel-aware gate: a concurrency cap plus an AIMD token bucket (per minute).

    Thread-safe. Every ``acquire`` that returns True must be matched by one ``release``.
    """

    def __init__(
        self,
        *,
        max_concurrent: int,
        calls_per_minute: float,
        min_per_minute: float = 1.0,
        burst: float | None = None,
        decrease: float = DEFAULT_DECREASE,
        increase_per_success: float | None = None,
        cooldown_seconds: float = DEFAULT_COOLDOWN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``burst`` is the bucket's size (default: ``max_concurrent``, so a first wave of
        concurrent calls starts at once); ``increase_per_success`` is the additive step in
        calls per minute (default: a twentieth of the ceiling, so about twenty successes
        after a decrease bring the rate back up)."""
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        if calls_per_minute <= 0 or min_per_minute <= 0:
            raise ValueError("rates must be positive")
        if not 0 < decrease < 1:
            raise ValueError("decrease must be between 0 and 1")
        self.max_concurrent = max_concurrent
        self.ceiling = float(calls_per_minute)
        self.floor = min(float(min_per_minute), self.ceiling)
        self.capacity = float(burst if burst is not None else max_concurrent)
        if self.capacity < 1:
            raise ValueError("burst must be at least 1")
        self.decrease = decrease
        self.increase = (
            increase_per_success if increase_per_success is not None else self.ceiling / 20
        )
        self.cooldown = cooldown_seconds
        self._clock = clock
        self._cond = threading.Condition()
        self._rate = self.ceiling
        self._lowest = self.ceiling
        self._tokens = self.capacity
        self._stamp = clock()
        self._in_flight = 0
        self._queue: deque[object] = deque()
        self._throttles = 0
        self._decreases = 0
        self._last_decrease: float | None = None

    # -- state -------------------------------------------------------------------------

    @property
    def rate_per_minute(self) -> float:
        with self._cond:
            return self._rate

    def snapshot(self) -> RateSnapshot:
        with self._cond:
            return RateSnapshot(
                self._rate,
                self._in_flight,
                len(self._queue),
                self._throttles,
                self._decreases,
                self._lowest,
            )

    # -- acquiring ---------------------------------------------------------------------

    def acquire(self, cancel: CancelToken | None = None) -> bool:
        """Wait for a slot and a token, first come first served; True once both are held.

        False (nothing held, nothing to release) when ``cancel`` is set before the caller's
        turn came: a cancelled run must not wait out a throttled bucket.
        """
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            try:
                while True:
                    if cancel is not None and cancel.cancelled:
                        return False
                    wait = self._wait_for(ticket)
                    if wait == 0.0:
                        self._in_flight += 1
                        self._tokens -= 1.0
                        return True
                    self._cond.wait(CANCEL_POLL_SECONDS if wait is None else wait)
            finally:
                self._queue.remove(ticket)
                self._cond.notify_all()  # the next in line may go, or must become head

    def _wait_for(self, ticket: object) -> float | None:
        """0.0 when ``ticket`` may go now; else how long until a token (clock seconds,
        capped by the cancel poll), or None when waiting for a turn or a free slot."""
        if self._queue[0] is not ticket or self._in_flight >= self.max_concurrent:
            return None
        self._refill()
        if self._tokens >= 1.0:
            return 0.0
        missing = 1.0 - self._tokens
        return min(missing * 60.0 / self._rate, CANCEL_POLL_SECONDS)

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._stamp)
        self._stamp = now
        self._tokens = min(self.capacity, self._tokens + elapsed * self._rate / 60.0)

    # -- releasing ---------------------------------------------------------------------

    def release(self, *, throttled: bool = False) -> None:
        """Give back a slot; ``throttled`` when the service refused the call for its rate
        (that lowers the rate), else the call counts as a success (that raises it)."""
        with self._cond:
            if self._in_flight <= 0:
                raise RuntimeError("release without a matching acquire")
            self._in_flight -= 1
            self._record(throttled)
            self._cond.notify_all()

    def report(self, *, throttled: bool) -> None:
        """Record a call's answer without a slot (a call that was not gated, or a retry
        inside one gated call), so throttling seen anywhere lowers the shared rate."""
        with self._cond:
            self._record(throttled)
            self._cond.notify_all()

    def _record(self, throttled: bool) -> None:
        self._refill()  # tokens earned at the old rate are kept
        if throttled:
            self._throttles += 1
            now = self._clock()
            if self._last_decrease is not None and now - self._last_decrease < self.cooldown:
                return
            self._last_decrease = now
            self._decreases += 1
            self._rate = max(self.floor, self._rate * self.decrease)
            self._lowest = min(self._lowest, self._rate)
            # No burst after a throttle: the next call waits one interval at the new rate.
            self._tokens = 0.0
        else:
            self._rate = min(self.ceiling, self._rate + self.increase)

    def wake(self) -> None:
        """Make every waiter look at the clock and its cancel token now (after a cancel, or
        when a test has moved its clock)."""
        with self._cond:
            self._cond.notify_all()
