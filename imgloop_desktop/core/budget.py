"""Budgets (issue 13): a run's spend and its caps, kept safe across the loop's call threads.

Split from ``core.cost`` (prices and one call's cost) because the loop holds a Meter for a
whole run while the form only prices; reserve-then-settle is its own small protocol.

A run's own cap (``max_cost_usd``) lives in its Meter. Caps that several runs spend from at
once (the month's budget for every run of the process, a queue's budget for its items) are
an ``Allowance`` each, shared by those runs' Meters: every Meter reserves against the same
allowance under its lock, so runs going at once cannot each see room only one of them has.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from imgloop_desktop.core.cost import (
    ZERO,
    Cost,
    money,
)

MONTHLY = "monthly budget"
QUEUE = "queue's budget"

# -- budgets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reservation:
    """A call's worst case held against the caps until it is settled. False when refused,
    with ``reason`` saying which cap and by how much."""

    ident: int
    amount: Decimal
    what: str
    granted: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.granted


@dataclass(frozen=True)
class MeterState:
    """What the progress panel shows: spend so far (incomplete while a price is unknown),
    what calls under way may still cost, the caps, and what settled above its reservation.

    ``monthly_left`` is what the shared caps (the month's, a queue's) still allow at this
    instant, after every run's spend and holds on them; None without such a cap."""

    spent: Cost
    reserved: Decimal
    run_cap: Decimal | None
    monthly_left: Decimal | None
    overshoot: Decimal
    calls: int


_ranks = itertools.count()


def _check_amount(name: str, amount: Decimal | None) -> None:
    if amount is not None and (not amount.is_finite() or amount < 0):
        raise ValueError(f"{name} must be a finite amount of at least 0, not {amount}")


class Allowance:
    """A cap that many Meters spend from at once: the month's budget for every run of the
    process, or a queue's budget for its items.

    It starts from what the cap allowed when it was read (``left``) and counts what its
    Meters hold and settle from then on, under its own lock; Meters take the locks of all
    their allowances together (``_holding``), so a hold is all-or-nothing across them.

    ``update`` brings in a later reading of the history: a reading lower than what the
    allowance allows (another process spent) lowers it; a reading above the previous one
    (the cap was raised, the queue emptied) replaces it. Otherwise the allowance's own
    count wins, because a call settled here may not be written to the history yet. (So a
    reading that replaces it forgets a call settled in the instant before its spend was
    written: only when the cap rises, and never more than the calls settling just then.)
    """

    def __init__(self, left: Decimal, label: str = MONTHLY) -> None:
        _check_amount(label, left)
        self.label = label
        self._lock = threading.Lock()
        self._rank = next(_ranks)  # the order locks are taken in: no two Meters deadlock
        self._limit = left  # what the cap allowed at the reading in force
        self._used = ZERO  # settled here since that reading
        self._held = ZERO  # the worst cases of calls under way
        self._reading = left  # the last reading, to tell a raised cap from a stale one

    def update(self, reading: Decimal) -> None:
        """A newer reading of what the cap allows (readings must come in the order they
        were taken: ``SharedCap`` reads under its lock)."""
        _check_amount(self.label, reading)
        with self._lock:
            raised = reading > self._reading  # a higher cap, an emptied queue
            if raised or reading < self._limit - self._used:  # or others spent
                self._limit, self._used = reading, ZERO
            self._reading = reading

    def left(self) -> Decimal:
        """What a new call may still hold (never below 0)."""
        with self._lock:
            return max(self._limit - self._used - self._held, ZERO)

    @property
    def reserved(self) -> Decimal:
        """What calls under way hold on this allowance, from every Meter."""
        with self._lock:
            return self._held

    # Called by Meters only: ``_refusal`` and ``_hold`` with ``_holding`` taken, so a check
    # and its hold are one step across every allowance of the call.

    def _refusal(self, amount: Decimal, what: str) -> str:
        committed = self._used + self._held
        if committed + amount <= self._limit:
            return ""
        return (
            f"{what or 'the call'} could cost up to {money(amount)}; with "
            f"{money(committed)} spent or under way that would pass the "
            f"{self.label} of {money(self._limit)}"
        )

    def _hold(self, amount: Decimal) -> None:
        self._held += amount

    def _settle(self, held: Decimal, actual: Decimal) -> None:
        with self._lock:
            self._held -= held
            self._used += actual

    def _release(self, held: Decimal) -> None:
        with self._lock:
            self._held -= held


@contextmanager
def _holding(allowances: Sequence[Allowance]) -> Iterator[None]:
    """Every allowance's lock at once, always taken in the same order."""
    with ExitStack() as stack:
        for allowance in sorted(allowances, key=lambda a: a._rank):
            stack.enter_context(allowance._lock)
        yield


Shared = Allowance | tuple[Allowance, ...]
"""The shared caps a Meter spends from: one allowance, or several (a queue's and the
month's) that each call must fit in together."""


class Meter:
    """A run's spend and its caps, safe to use from every call thread.

    Before a call, ``reserve`` holds the call's worst case; it is refused when the spend so
    far, plus what calls under way hold, plus this worst case would exceed the run's cap or
    what is left of a shared allowance (the monthly budget, a queue's budget), counting the
    spend and holds of every run on that allowance. The Meter's lock and the allowances'
    locks make check-and-hold atomic, so calls started together (in one run or in several)
    cannot each see room that only one of them has. After the call, ``settle`` replaces the
    hold with what the service reported (``call_cost``); a call that never went out is
    ``release``d.

    ``monthly_left`` is either a figure (what the monthly budget allows this run alone) or
    the shared allowance(s) the run spends from with other runs.

    With a cap set, a call whose worst case is not fully priced is refused: a cap cannot be
    kept on a price nobody knows (Preferences can supply one). Without caps every call is
    allowed and the spend says what it could not price.
    """

    def __init__(
        self, *, run_cap: Decimal | None = None, monthly_left: Decimal | Shared | None = None
    ) -> None:
        _check_amount("run_cap", run_cap)
        if isinstance(monthly_left, Decimal):
            monthly_left = Allowance(monthly_left)  # this run's alone
        if isinstance(monthly_left, Allowance):
            monthly_left = (monthly_left,)
        self.run_cap = run_cap
        self.shared: tuple[Allowance, ...] = monthly_left or ()
        self._lock = threading.Lock()
        self._spent = Cost()
        self._held: dict[int, Decimal] = {}
        self._next = 1
        self._overshoot = ZERO
        self._calls = 0

    @property
    def capped(self) -> bool:
        return self.run_cap is not None or bool(self.shared)

    @property
    def monthly_left(self) -> Decimal | None:
        """What the shared caps still allow now (the smallest); None without one."""
        return min((a.left() for a in self.shared), default=None)

    def reserve(self, worst_case: Cost, what: str = "") -> Reservation:
        """Hold ``worst_case`` for a call about to start, or refuse it (falsy)."""
        amount = max(worst_case.known, ZERO)
        with self._lock:
            if self.capped and not worst_case.complete:
                reason = (
                    f"{what or 'the call'}: its price is unknown "
                    f"({'; '.join(worst_case.missing)}), so a budget cannot be kept"
                )
                return Reservation(0, ZERO, what, False, reason)
            committed = self._spent.known + sum(self._held.values(), ZERO)
            if self.run_cap is not None and committed + amount > self.run_cap:
                reason = (
                    f"{what or 'the call'} could cost up to {money(amount)}; with "
                    f"{money(committed)} spent or under way that would pass the "
                    f"run cap of {money(self.run_cap)}"
                )
                return Reservation(0, ZERO, what, False, reason)
            with _holding(self.shared):
                for allowance in self.shared:
                    if reason := allowance._refusal(amount, what):
                        return Reservation(0, ZERO, what, False, reason)
                for allowance in self.shared:
                    allowance._hold(amount)
            ident = self._next
            self._next += 1
            self._held[ident] = amount
            return Reservation(ident, amount, what, True)

    def settle(self, reservation: Reservation, actual: Cost) -> None:
        """Replace ``reservation``'s hold with what the call cost. Raises ValueError for a
        refused or already settled reservation (a double count would be a silent error)."""
        with self._lock:
            held = self._take(reservation)
            self._spent = self._spent + actual
            self._calls += 1
            if actual.known > held:
                self._overshoot += actual.known - held
            for allowance in self.shared:
                allowance._settle(held, actual.known)

    def release(self, reservation: Reservation) -> None:
        """Drop the hold of a call that never went out (cancelled, superseded)."""
        with self._lock:
            held = self._take(reservation)
            for allowance in self.shared:
                allowance._release(held)

    def _take(self, reservation: Reservation) -> Decimal:
        if not reservation.granted:
            raise ValueError("a refused reservation has nothing to settle")
        held = self._held.pop(reservation.ident, None)
        if held is None:
            raise ValueError(f"reservation {reservation.ident} was already settled")
        return held

    def state(self) -> MeterState:
        with self._lock:
            return MeterState(
                self._spent,
                sum(self._held.values(), ZERO),
                self.run_cap,
                self.monthly_left,
                self._overshoot,
                self._calls,
            )

    @property
    def spent(self) -> Cost:
        with self._lock:
            return self._spent


# -- shared caps ------------------------------------------------------------------------------


class SharedCap:
    """One cap as the runs of a process share it: an Allowance kept across runs and read
    again from the history just before each run starts.

    Readings are taken under this object's lock, so they are applied in the order they were
    taken: a reading made before another run's spend was written can never pass for a
    raised cap. A reading of None (no cap any more) drops the allowance; one in a new
    ``period`` (a new calendar month) starts a new one. Runs already going keep the
    allowance they started with.
    """

    def __init__(self, label: str) -> None:
        self.label = label
        self._lock = threading.Lock()
        self._allowance: Allowance | None = None
        self._period = ""

    def current(self, read: Callable[[], Decimal | None], period: str = "") -> Allowance | None:
        """The allowance a run starting now spends from, after ``read()`` (what the history
        says the cap allows now; its errors are raised as they are). None: no cap."""
        with self._lock:
            left = read()
            if left is None:
                self._allowance = None
            elif self._allowance is None or period != self._period:
                self._allowance, self._period = Allowance(left, self.label), period
            else:
                self._allowance.update(left)
            return self._allowance


def this_month(now: datetime | None = None) -> str:
    """The calendar month of ``now`` on the machine's wall calendar (``YYYY-MM``), the one
    the history's monthly spend counts (``services.history.month_bounds``)."""
    local = (now or datetime.now(UTC)).astimezone()
    return f"{local.year:04d}-{local.month:02d}"


class SharedBudgets:
    """The monthly allowances of this process: one per history the runs are recorded in
    (``book``, its path), so every run of the process (the window's, the queue's items, a
    batch's) spends from the same month, and tests with their own data folders do not mix."""

    def __init__(self, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._books: dict[str, SharedCap] = {}

    def monthly(self, book: str, read: Callable[[], Decimal | None]) -> Allowance | None:
        """The month's allowance for runs recorded in ``book``, brought up to date with
        ``read()`` (what the monthly budget allows by the history; None: no cap)."""
        with self._lock:
            cap = self._books.setdefault(book, SharedCap(MONTHLY))
        return cap.current(read, this_month(self._now()))


PROCESS_BUDGETS = SharedBudgets()
"""The one every run in this process spends its month from."""
