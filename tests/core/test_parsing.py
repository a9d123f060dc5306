from __future__ import annotations

import pytest

from imgloop_desktop.core.errors import ModelOutputError
from imgloop_desktop.core.events import VerdictResult
from imgloop_desktop.core.parsing import parse_revision, parse_verdict


@pytest.mark.parametrize(
    "text",
    [
        '{"result": "YES", "reason": "All there."}',
        '```json\n{"result": "YES", "reason": "All there."}\n```',
        'Here is my verdict:\n{"result": "yes", "reason": "All there."}\nHope it helps.',
        '{"example": {"x": 1}} then {"result": "YES.", "reason": "All there."}',
        '{"result": true, "reason": "All there."}',
    ],
)
def test_verdict_found_wherever_the_model_puts_it(text: str) -> None:
    """The seed's bare json.loads failed on fences and prose and silently meant NO."""
    assert parse_verdict(text) == (VerdictResult.YES, "All there.")


def test_seed_format_no_is_read() -> None:
    assert parse_verdict('{"result":"NO","reason":"no moon"}') == (VerdictResult.NO, "no moon")


def test_richer_fields_are_allowed() -> None:
    text = '{"result": "NO", "reason": "r", "score": 3, "missing": ["moon"]}'
    assert parse_verdict(text) == (VerdictResult.NO, "r")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I think it matches.",
        '{"result": "YES", "reason": "cut off',
        '{"verdict": "YES"}',
        '{"result": "MAYBE", "reason": "unsure"}',
        '{"result": 1, "reason": "x"}',
    ],
)
def test_unreadable_verdicts_raise(text: str) -> None:
    with pytest.raises(ModelOutputError):
        parse_verdict(text)


def test_revision_in_prose_and_fence() -> None:
    text = 'Sure!\n```json\n{"revised_prompt": "  An image of a lake  "}\n```'
    assert parse_revision(text) == "An image of a lake"


@pytest.mark.parametrize(
    "text", ["nothing", '{"revised_prompt": ""}', '{"revised_prompt": 3}', '{"prompt": "x"}']
)
def test_unreadable_revisions_raise(text: str) -> None:
    with pytest.raises(ModelOutputError):
        parse_revision(text)
