"""One readable line per loop event, for the headless command's stderr."""

from __future__ import annotations

from imgloop_desktop.core import events as ev


def describe(event: ev.Event) -> str:
    match event:
        case ev.RunStarted():
            return (
                f"run {event.run_id}: {event.image_model_id} judged by {event.judge_model_id}, "
                f"{event.max_attempts} attempt(s) per prompt, "
                f"up to {event.max_revisions} revision(s)"
            )
        case ev.AttemptStarted():
            where = f"prompt version {event.revision + 1}, attempt {event.attempt + 1}"
            return f"{where}: generating (seed {event.seed})"
        case ev.AttemptFailed():
            where = f"prompt version {event.revision + 1}, attempt {event.attempt + 1}"
            return f"{where}: no image: {event.message}"
        case ev.AttemptNote():
            where = f"prompt version {event.revision + 1}, attempt {event.attempt + 1}"
            return f"{where}: note: {event.message}"
        case ev.ImageStored():
            c = event.candidate
            return f"{c.ref.label}: saved {c.path} ({c.width}x{c.height})"
        case ev.JudgingStarted():
            return f"{event.ref.label}: judging"
        case ev.VerdictReceived():
            retried = " (after one unreadable answer)" if event.retried else ""
            return f"{event.ref.label}: {event.verdict.result}{retried}: {event.verdict.reason}"
        case ev.UploadDone():
            return f"{event.ref.label}: uploaded to s3://{event.bucket}/{event.key}"
        case ev.UploadFailed():
            return f"{event.ref.label}: upload failed: {event.message}"
        case ev.RevisionStarted():
            return f"revising the prompt (version {event.revision + 1})"
        case ev.PromptRevised():
            if event.ok:
                return f"prompt version {event.revision + 1}: {event.prompt}"
            return f"prompt version {event.revision + 1}: {event.error}"
        case ev.RunFinished():
            return f"finished: {event.outcome}: {event.message}"
    return repr(event)
