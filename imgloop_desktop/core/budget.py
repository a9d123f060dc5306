"""Budgets (issue 13): a run's spend and its caps, kept safe across the loop's call threads.

Split from ``core.cost`` (prices and one call's cost) because the loop holds a Meter for a
whole run while the form only prices; reserve-then-settle is its own small protocol.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal

from imgloop_desktop.core.cost import (
    ZERO,
    Cost,
    money,
)

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
    what calls under way may still cost, the caps, and what settled above its reservation."""

    spent: Cost
    reserved: Decimal
    run_cap: Decimal | None
    monthly_left: Decimal | None
    overshoot: Decimal
    calls: int


class Meter:
    """A run's spend and its caps, safe to use from every call thread.

    Before a call, ``reserve`` holds the call's worst case; it is refused when the spend so
    far, plus what calls under way hold, plus this worst case would exceed the run's cap or
    what is left of the monthly allowance. One lock makes check-and-hold atomic, so calls
    started together cannot each see room that only one of them has. After the call,
    ``settle`` replaces the hold with what the service reported (``call_cost``); a call that
    never went out is ``release``d.

    With a cap set, a call whose worst case is not fully priced is refused: a cap cannot be
    kept on a price nobody knows (Preferences can supply one). Without caps every call is
    allowed and the spend says what it could not price.
    """

    def __init__(
        self, *, run_cap: Decimal | None = None, monthly_left: Decimal | None = None
    ) -> None:
        for name, cap in (("run_cap", run_cap), ("monthly_left", monthly_left)):
            if cap is not None and (not cap.is_finite() or cap < 0):
                raise ValueError(f"{name} must be a finite amount of at least 0, not {cap}")
        self.run_cap = run_cap
        self.monthly_left = monthly_left
        self._lock = threading.Lock()
        self._spent = Cost()
        self._held: dict[int, Decimal] = {}
        self._next = 1
        self._overshoot = ZERO
        self._calls = 0

    @property
    def capped(self) -> bool:
        return self.run_cap is not None or self.monthly_left is not None

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
            for label, cap in (("run cap", self.run_cap), ("monthly budget", self.monthly_left)):
                if cap is not None and committed + amount > cap:
                    reason = (
                        f"{what or 'the call'} could cost up to {money(amount)}; with "
                        f"{money(committed)} spent or under way that would pass the "
                        f"{label} of {money(cap)}"
                    )
                    return Reservation(0, ZERO, what, False, reason)
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

    def release(self, reservation: Reservation) -> None:
        """Drop the hold of a call that never went out (cancelled, superseded)."""
        with self._lock:
            self._take(reservation)

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
