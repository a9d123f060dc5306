"""The seed's result JSON, so scripts written for the Lambda read the headless command too.

``statusCode`` and the body keys are the seed's (the body is a JSON string, as a Lambda
proxy response has it); local paths and the candidate list are our additions.
"""

from __future__ import annotations

import json
from typing import Any

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.events import Candidate, Outcome, Verdict
from imgloop_desktop.core.loop import RunResult
from imgloop_desktop.core.params import RunParams

FAIL_MESSAGE = "Failed to generate a valid image after all attempts and revisions"


def _response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "body": json.dumps(body, ensure_ascii=False)}


def _candidate(c: Candidate, result: RunResult) -> dict[str, Any]:
    verdict = result.verdicts.get(c.ref)
    upload = result.uploads.get(c.ref)
    return {
        "revision": c.ref.revision,
        "attempt": c.ref.attempt,
        "index": c.ref.index,
        "local_path": str(c.path),
        "sha256": c.sha256,
        "seed": c.seed,
        "width": c.width,
        "height": c.height,
        "prompt": c.prompt,
        "verdict": verdict.result.value if verdict else None,
        "reason": verdict.reason if verdict else None,
        "s3_key": _written_key(c, result),
        "uploaded": upload.ok if upload else None,
        # Checklist judging: each item's verdict and evidence, with the approval rule's view.
        "checks": _checks(verdict),
    }


def _checks(verdict: Verdict | None) -> dict[str, Any] | None:
    if verdict is None or verdict.checks is None or verdict.decision is None:
        return None
    return {
        "badge": verdict.decision.badge,
        "decision": verdict.decision.to_json(),
        "items": [v.to_json() for v in verdict.checks.verdicts],
    }


def _best(result: RunResult) -> dict[str, Any] | None:
    """The best candidate when none was approved: "best, not approved", with what it misses."""
    best = result.best
    if best is None:
        return None
    ref = best.candidate.ref
    return {
        "label": "best, not approved",
        "revision": ref.revision,
        "attempt": ref.attempt,
        "index": ref.index,
        "local_path": str(best.candidate.path),
        "badge": best.decision.badge,
        "misses": best.misses,
        "unmet_musts": list(best.decision.unmet_musts),
        "chosen_by": best.how,
    }


def _written_key(c: Candidate, result: RunResult) -> str | None:
    """The key the image was uploaded to: it differs from the one the loop computed when
    that key held another object (uploads never overwrite; see ``storage.s3``)."""
    upload = result.uploads.get(c.ref)
    if upload is not None and upload.ok:
        return upload.key
    return c.s3_key or None


def from_result(result: RunResult, params: RunParams, region: str) -> dict[str, Any]:
    common = {
        "run_id": result.run_id,
        "outcome": result.outcome.value,
        "prompts": result.prompts,
        "candidates": [_candidate(c, result) for c in result.candidates],
        "judge_mode": params.judge_mode,
        "checklist": result.checklist.to_json() if result.checklist is not None else None,
        "spent": result.spent.to_json() if result.spent is not None else None,
    }
    if result.outcome is Outcome.APPROVED and result.approved is not None:
        body: dict[str, Any] = {
            "status": "SUCCESS",
            "message": "Image generated successfully",
            "local_path": str(result.approved.path),
        }
        if params.s3_enabled:
            bucket = params.output_s3_bucket_name
            body["output_s3_bucket_url"] = f"https://s3.console.aws.amazon.com/s3/buckets/{bucket}"
            body["output_s3_object_url"] = (
                f"https://s3.console.aws.amazon.com/s3/object/{bucket}"
                f"?region={region}&prefix={_written_key(result.approved, result) or ''}"
            )
        return _response(200, body | common)
    if result.outcome is Outcome.NOT_APPROVED:
        body = {"status": "FAIL", "error": FAIL_MESSAGE, "best": _best(result)}
        return _response(400, body | common)
    if result.outcome is Outcome.BUDGET:
        body = {"status": "BUDGET", "error": result.message, "best": _best(result)}
        return _response(402, body | common)
    status = "CANCELLED" if result.outcome is Outcome.CANCELLED else "FAIL"
    return _response(500, {"status": status, "error": result.message} | common)


def from_invalid(error: ValidationError) -> dict[str, Any]:
    problems = [{"field": p.field, "value": p.value, "allowed": p.allowed} for p in error.problems]
    return _response(
        400, {"status": "FAIL", "error": f"Invalid input: {error}", "problems": problems}
    )


def from_failure(message: str) -> dict[str, Any]:
    """A run that could not start (no credentials, unusable profile or data folder)."""
    return _response(500, {"status": "FAIL", "error": message})
