"""The simulator's answers for issue 11's account errors and Claude's sampling refusals."""

from __future__ import annotations

import pytest

from imgloop_desktop.simulator.script import (
    ERROR_STATUS,
    TEMPERATURE_DEPRECATED_MESSAGE,
    TEMPERATURE_WITH_TOP_P_MESSAGE,
    SimScript,
)

BOTH = {"temperature": 0.5, "topP": 0.9, "maxTokens": 10}


def test_real_codes_answer_with_bedrocks_statuses() -> None:
    assert ERROR_STATUS["ValidationException"] == 400
    assert ERROR_STATUS["AccessDeniedException"] == 403
    assert ERROR_STATUS["ResourceNotFoundException"] == 404
    assert ERROR_STATUS["ModelTimeoutException"] == 408


@pytest.mark.parametrize(
    ("model_id", "inference", "expected"),
    [
        ("us.anthropic.claude-sonnet-4-6", BOTH, TEMPERATURE_WITH_TOP_P_MESSAGE),
        ("global.anthropic.claude-sonnet-4-6", {"temperature": 0.5}, None),
        ("us.anthropic.claude-haiku-4-5-20251001-v1:0", BOTH, TEMPERATURE_WITH_TOP_P_MESSAGE),
        ("us.anthropic.claude-opus-4-7", {"temperature": 0.5}, TEMPERATURE_DEPRECATED_MESSAGE),
        ("us.anthropic.claude-opus-4-7", {"topP": 0.9}, None),
        ("anthropic.claude-3-haiku-20240307-v1:0", BOTH, None),
        ("amazon.nova-lite-v1:0", BOTH, None),
    ],
)
def test_default_sampling_rules_mirror_todays_claude_models(
    model_id: str, inference: dict[str, float], expected: str | None
) -> None:
    assert SimScript().sampling_refusal(model_id, inference) == expected


def test_sampling_rules_are_scriptable_and_reset() -> None:
    script = SimScript()
    script.update({"sampling_rules": {"amazon.nova-lite": "no_temperature"}})
    assert script.sampling_refusal("amazon.nova-lite-v1:0", BOTH) == TEMPERATURE_DEPRECATED_MESSAGE
    script.reset()
    assert script.sampling_refusal("amazon.nova-lite-v1:0", BOTH) is None
    with pytest.raises(ValueError, match="unknown sampling rule"):
        script.reject_sampling("amazon.nova-lite", "no_top_k")
    with pytest.raises(ValueError, match="sampling_rules"):
        script.update({"sampling_rules": ["no_temperature"]})
