"""Runs with costs told event by event into a real history file (schema v8): every amount
known, so the history's sums can be checked to the last digit. No loop, no simulator."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.core import events as ev
from imgloop_desktop.core.cost import Cost
from imgloop_desktop.storage.history import HistoryRecorder
from tests.storage.history.fakes import Clock, params, png, request

IMAGE_MODEL = "test.image-model"
JUDGE = "test.judge"


@dataclass
class Teller:
    """Tells one run's events to a recorder, keeping the run's total as the meter would."""

    recorder: HistoryRecorder
    run_id: str
    total: Cost = field(default_factory=Cost)
    candidates: list[ev.Candidate] = field(default_factory=list)

    def spent(
        self,
        kind: ev.CallKind,
        cost: Cost | str,
        revision: int | None = None,
        attempt: int | None = None,
        index: int | None = None,
    ) -> None:
        cost = Cost(Decimal(cost)) if isinstance(cost, str) else cost
        self.total = self.total + cost
        model = IMAGE_MODEL if kind is ev.CallKind.GENERATE else JUDGE
        self.recorder(ev.Spent(kind, model, cost, self.total, revision, attempt, index))

    def attempt(self, revision: int, attempt: int, images: int) -> list[ev.Candidate]:
        self.recorder(ev.AttemptStarted(revision, attempt, request("a fox", attempt)))
        made = []
        for index in range(images):
            data = png(colour=(revision * 40, attempt * 40, index * 40))
            path = paths.images_dir("") / self.run_id / f"{revision:03d}-{attempt:03d}-{index}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            candidate = ev.Candidate(
                ref=ev.ImageRef(revision, attempt, index),
                path=path,
                sha256=hashlib.sha256(data).hexdigest(),
                size_bytes=len(data),
                width=16,
                height=16,
                seed=attempt,
                prompt="a fox",
            )
            self.recorder(ev.ImageStored(candidate))
            made.append(candidate)
        self.candidates.extend(made)
        return made

    def verdict(self, candidate: ev.Candidate, result: str) -> None:
        self.recorder(
            ev.VerdictReceived(
                candidate.ref, ev.Verdict(ev.VerdictResult(result), "because", "{}", JUDGE)
            )
        )

    def revise(self, revision: int, cost: str) -> None:
        self.recorder(ev.RevisionStarted(revision, ("no fox",)))
        self.spent(ev.CallKind.REVISE, cost, revision)
        self.recorder(ev.PromptRevised(revision, f"a fox, take {revision}", "a fox", (), True))

    def finish(
        self,
        outcome: ev.Outcome,
        approved: ev.Candidate | None = None,
        *,
        priced: bool = True,
    ) -> None:
        self.recorder(
            ev.RunFinished(
                self.run_id,
                outcome,
                outcome.value,
                approved,
                tuple(self.candidates),
                spent=self.total if priced else None,
            )
        )


def open_run(
    db: Path, run_id: str, start: datetime | None = None, **changes: object
) -> tuple[HistoryRecorder, Teller]:
    """A recorder with its RunStarted told; the caller closes it."""
    p = params("a fox", **changes)
    recorder = HistoryRecorder(db, p, now=Clock(start))
    recorder(ev.RunStarted(run_id, p.prompt, IMAGE_MODEL, JUDGE, 2, 1))
    return recorder, Teller(recorder, run_id)


def record_budget_run(db: Path, run_id: str = "20240501120000-b0d9e700") -> Teller:
    """Two images ($0.08 for both) judged $0.001 and $0.002 + $0.0005 asked again, a revision
    ($0.003), one more image whose price is unknown, then the budget stopped it."""
    recorder, run = open_run(db, run_id)
    with recorder:
        first = run.attempt(0, 0, 2)
        run.spent(ev.CallKind.GENERATE, "0.08", 0, 0)
        run.spent(ev.CallKind.JUDGE, "0.001", 0, 0, 0)
        run.verdict(first[0], "NO")
        run.spent(ev.CallKind.JUDGE, "0.002", 0, 0, 1)
        run.spent(ev.CallKind.JUDGE, "0.0005", 0, 0, 1)  # asked again: unreadable answer
        run.verdict(first[1], "NO")
        run.revise(1, "0.003")
        run.attempt(1, 0, 1)
        run.spent(
            ev.CallKind.GENERATE, Cost.unknown(f"no price for image model {IMAGE_MODEL}"), 1, 0
        )
        run.finish(ev.Outcome.BUDGET)
    return run
