"""One readable line per loop event, for the headless command's stderr."""

from __future__ import annotations

from imgloop_desktop.core import events as ev


def describe(event: ev.Event) -> str:
    match event:
        case ev.RunStarted():
            image = _where(event.image_model_id, event.image_region)
            judge = _where(event.judge_model_id, event.judge_region)
            line = (
                f"run {event.run_id}: {image} judged by {judge}, "
                f"{event.max_attempts} attempt(s) per prompt, "
                f"up to {event.max_revisions} revision(s)"
            )
            return "\n".join([line, *(f"note: {note}" for note in event.notes)])
        case ev.ChecklistSet():
            if event.checklist is None:
                return f"checklist: {event.error}"
            lines = [f"checklist ({event.origin}, {len(event.checklist.items)} items):"]
            lines += [
                f"  [{'must' if i.must else 'should'}] {i.id}: {i.text}"
                for i in event.checklist.items
            ]
            return "\n".join(lines)
        case ev.AttemptStarted():
            where = f"prompt version {event.revision + 1}, attempt {event.attempt + 1}"
            return f"{where}: generating (seed {event.seed})"
        case ev.AttemptFailed():
            where = f"prompt version {event.revision + 1}, attempt {event.attempt + 1}"
            return f"{where}: no image: {event.message!s}"
        case ev.AttemptNote():
            where = f"prompt version {event.revision + 1}, attempt {event.attempt + 1}"
            return f"{where}: note: {event.message!s}"
        case ev.ImageStored():
            c = event.candidate
            return f"{c.ref.label}: saved {c.path} ({c.width}x{c.height})"
        case ev.JudgingStarted():
            return f"{event.ref.label}: judging"
        case ev.VerdictReceived():
            retried = " (after one unreadable answer)" if event.retried else ""
            v = event.verdict
            line = f"{event.ref.label}: {v.result}{retried}: {v.reason}"
            items = []
            if v.checks is not None:
                items = [f"  {c.item_id}: {c.result}: {c.evidence}" for c in v.checks.verdicts]
            notes = [str(n) for n in (v.judge_image_note, v.notes) if str(n)]
            return "\n".join([line, *items, *(f"note: {note}" for note in notes)])
        case ev.UploadDone():
            return f"{event.ref.label}: uploaded to s3://{event.bucket}/{event.key}"
        case ev.UploadFailed():
            return f"{event.ref.label}: upload failed: {event.message}"
        case ev.RevisionStarted():
            return f"revising the prompt (version {event.revision + 1})"
        case ev.PromptRevised():
            said = event.prompt if event.ok else event.error
            line = f"prompt version {event.revision + 1}: {said}"
            note = str(event.notes)  # the English: a live run's notes are Phrases
            return f"{line}\nnote: {note}" if note else line
        case ev.BestChosen():
            d = event.decision
            misses = f"; {event.misses}" if event.misses else ""
            return (
                f"best, not approved: {event.candidate.ref.label} ({d.badge}, {event.how}){misses}"
            )
        case ev.Spent():
            return f"spent {event.cost} on the {event.kind} call; {event.total} so far"
        case ev.RunFinished():
            spent = f" (spent {event.spent})" if event.spent is not None else ""
            return f"finished: {event.outcome}: {event.message}{spent}"
    return repr(event)


def _where(model_id: str, region: str) -> str:
    return f"{model_id} in {region}" if region else model_id
