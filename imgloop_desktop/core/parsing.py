"""Reading JSON out of what a language model actually says.

Models wrap JSON in code fences, put a sentence before or after it, or stop mid-object.
The seed fed their answers to a bare ``json.loads`` and treated every failure as "NO";
here a readable object is found wherever it sits, and anything else is a ModelOutputError
the loop can retry and record.
"""

from __future__ import annotations

import json
from typing import Any

from imgloop_desktop.core.errors import ModelOutputError
from imgloop_desktop.core.events import VerdictResult

_DECODER = json.JSONDecoder()


def extract_object(text: str, required_key: str) -> dict[str, Any]:
    """The first JSON object in ``text`` that has ``required_key``.

    Scans every ``{`` so prose, fences and a leading example object do not hide the answer.
    """
    start = text.find("{")
    while start != -1:
        try:
            value, _ = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, dict) and required_key in value:
            return value
        start = text.find("{", start + 1)
    snippet = text.strip().replace("\n", " ")
    if len(snippet) > 200:
        snippet = snippet[:197] + "..."
    raise ModelOutputError(f'no JSON object with "{required_key}" in the answer: {snippet!r}')


def parse_verdict(text: str) -> tuple[VerdictResult, str]:
    """The judge's decision and reason, accepting the seed's ``{"result", "reason"}`` format."""
    data = extract_object(text, "result")
    raw_result = data["result"]
    if isinstance(raw_result, bool):
        result = VerdictResult.YES if raw_result else VerdictResult.NO
    elif isinstance(raw_result, str) and raw_result.strip().strip(".!").upper() in ("YES", "NO"):
        result = VerdictResult(raw_result.strip().strip(".!").upper())
    else:
        raise ModelOutputError(f'"result" must be "YES" or "NO", got {raw_result!r}')
    reason = data.get("reason", "")
    if not isinstance(reason, str):
        reason = json.dumps(reason, ensure_ascii=False)
    return result, reason.strip()


def parse_revision(text: str) -> str:
    """The reviser's new prompt; empty or non-text answers are errors, not silent fallbacks."""
    data = extract_object(text, "revised_prompt")
    prompt = data["revised_prompt"]
    if not isinstance(prompt, str) or not prompt.strip():
        raise ModelOutputError(f'"revised_prompt" must be non-empty text, got {prompt!r}')
    return prompt.strip()
