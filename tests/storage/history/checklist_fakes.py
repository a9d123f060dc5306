"""A checklist run told event by event into a real history file, for the history's tests:
given, failed and edited checklists, three images judged NO, REVIEW and NO, the best named,
nothing approved. Fast (no loop, no simulator) and exact (every value known)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from imgloop_desktop import paths
from imgloop_desktop.core import events as ev
from imgloop_desktop.core.checklist import (
    Checklist,
    ChecklistItem,
    ItemVerdict,
    ItemVerdicts,
    decide,
)
from imgloop_desktop.storage.history import HistoryRecorder
from tests.storage.history.fakes import Clock, params, png, request

CHECKLIST = Checklist(
    (
        ChecklistItem("c1", "a red fox", True, "subject"),
        ChecklistItem("c2", "snow on the ground", True, "attribute"),
        ChecklistItem("c3", "a watercolour look", False, "style"),
    )
)
EDITED = CHECKLIST.added("the fox looks at the viewer", must=True)


def _candidate(run_id: str, index: int) -> ev.Candidate:
    data = png(colour=(10 * index, 20, 30))
    path = paths.images_dir("") / run_id / f"000-000-{index}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return ev.Candidate(
        ref=ev.ImageRef(0, 0, index),
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        width=16,
        height=16,
        seed=index,
        prompt="a red fox in the snow",
    )


def checks(checklist: Checklist, **results: str) -> ItemVerdicts:
    return ItemVerdicts(
        tuple(
            ItemVerdict(item.id, results.get(item.id, "yes"), f"seen: {item.text}")  # type: ignore[arg-type]
            for item in checklist.items
        )
    )


def _verdict(checklist: Checklist, result: ev.VerdictResult, **results: str) -> ev.Verdict:
    found = checks(checklist, **results)
    return ev.Verdict(
        result,
        "judged by checklist",
        "{}",
        "test.judge",
        checks=found,
        decision=decide(checklist, found),
        checklist=checklist,
    )


def record_checklist_run(db: Path, run_id: str = "20240501120000-cafe0001") -> list[ev.Candidate]:
    """A checklist run told event by event: given, failed and edited checklists, three images
    (NO, REVIEW, NO), the best named; nothing approved."""
    p = params(judge_mode="checklist", checklist=CHECKLIST)
    with HistoryRecorder(db, p, now=Clock()) as recorder:
        recorder(ev.RunStarted(run_id, p.prompt, "test.image-model", "test.judge", 1, 0))
        recorder(ev.ChecklistSet(CHECKLIST, ev.ChecklistOrigin.GIVEN))
        recorder(
            ev.ChecklistSet(
                None,
                ev.ChecklistOrigin.FAILED,
                model_id="test.judge",
                raw="not json",
                error="could not be written",
                input_tokens=5,
                output_tokens=1,
            )
        )
        candidates = [_candidate(run_id, i) for i in range(3)]
        recorder(ev.AttemptStarted(0, 0, request(p.prompt, 1)))
        for c in candidates:
            recorder(ev.ImageStored(c))
        recorder(
            ev.VerdictReceived(candidates[0].ref, _verdict(CHECKLIST, ev.VerdictResult.NO, c2="no"))
        )
        recorder(ev.ChecklistSet(EDITED, ev.ChecklistOrigin.EDITED))
        recorder(
            ev.VerdictReceived(
                candidates[1].ref, _verdict(EDITED, ev.VerdictResult.REVIEW, c1="unsure")
            )
        )
        recorder(
            ev.VerdictReceived(candidates[2].ref, _verdict(EDITED, ev.VerdictResult.NO, c4="no"))
        )
        best = decide(EDITED, checks(EDITED, c1="unsure"))
        recorder(ev.BestChosen(candidates[1], best, best.misses(EDITED), "rank"))
        recorder(
            ev.RunFinished(
                run_id, ev.Outcome.NOT_APPROVED, "none approved", None, tuple(candidates)
            )
        )
    return candidates
