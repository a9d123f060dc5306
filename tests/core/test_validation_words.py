"""The validator's words are Phrases (template and values apart, for the window's
translation) whose English is what it always was: logs, JSON, the headless command and the
README read ``str(problem)`` and ``problem.allowed`` word for word."""

from __future__ import annotations

import pytest

from imgloop_desktop.core import jsonshape
from imgloop_desktop.core.checklist import Checklist, ChecklistItem, checklist_problems
from imgloop_desktop.core.errors import VALIDATION, Problem, ValidationError
from imgloop_desktop.core.params import RunParams, validate
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.providers.catalog import image_spec

TITAN2 = "amazon.titan-image-generator-v2:0"


def problems_of(params: RunParams, field: str) -> list[Problem]:
    found = [p for p in validate(params, image_spec(params.image_model_id)) if p.field == field]
    assert found, field
    return found


def event_problems(event: object) -> list[Problem]:
    with pytest.raises(ValidationError) as caught:
        RunParams.from_event(event)
    return caught.value.problems


def assert_phrased(problem: Problem) -> None:
    """The problem keeps its words for the window, and they say the same as ``allowed``."""
    assert problem.phrase is not None, problem
    assert problem.phrase.context == VALIDATION
    assert str(problem.phrase) == problem.allowed


@pytest.mark.parametrize(
    ("changes", "field", "said"),
    [
        (
            {"max_retry_attempts": 0},
            "max_retry_attempts",
            "max_retry_attempts: 0 is not allowed; 1-100 generations per prompt version",
        ),
        (
            {"max_cost_usd": -1.0},
            "max_cost_usd",
            "max_cost_usd: -1.0 is not allowed; 0 (no cap) or 0.01-100000.0 US dollars",
        ),
        (
            {"judge_image_max_side": 100},
            "judge_image_max_side",
            "judge_image_max_side: 100 is not allowed; 0 (send the full image) or 200-8000 pixels",
        ),
        (
            {"aws_region": "mars"},
            "aws_region",
            "aws_region: 'mars' is not allowed; a region name like us-east-1, "
            "or empty for the profile's region",
        ),
        (
            {"judge_mode": "vote"},
            "judge_mode",
            "judge_mode: 'vote' is not allowed; one of verdict, checklist",
        ),
        (
            {"claude_validate_top_k": 501},
            "claude_validate_top_k",
            "claude_validate_top_k: 501 is not allowed; 0-500 "
            "(Anthropic's documented range; 0 lets the model choose)",
        ),
        (
            {"prompt": "a\x00b"},
            "prompt",
            "prompt: 'a\\x00b' is not allowed; text without NUL characters or lone UTF-16 "
            "surrogates (\\ud800-\\udfff); this one has one at character 2",
        ),
        (
            {"output_s3_bucket_name": "UPPER", "s3_enabled": True},
            "output_s3_bucket_name",
            "output_s3_bucket_name: 'UPPER' is not allowed; 3-63 characters of lowercase "
            "letters, digits, '.' and '-', starting and ending with a letter or digit, not an "
            "IP address, no '..'",
        ),
    ],
)
def test_run_field_problems_say_what_they_always_said(
    changes: dict[str, object], field: str, said: str
) -> None:
    problem = problems_of(RunParams(prompt="p").with_changes(**changes), field)[0]
    assert str(problem) == said
    assert_phrased(problem)


def test_the_models_rules_say_what_they_always_said() -> None:
    spec = image_spec(TITAN2)
    params = RunParams(
        prompt=" " * 3, image_model_id=TITAN2, titan_img_cfg_scale=50.0, titan_img_seed=-4
    )
    said = {p.field: str(p) for p in validate(params, spec)}
    low, high = spec.cfg_range or (0, 0)
    assert said["prompt"] == (
        f"prompt: '   ' is not allowed; 1-{spec.prompt_max_chars} characters for "
        f"{spec.name} (this one has 3)"
    )
    assert said["titan_img_cfg_scale"] == (
        f"titan_img_cfg_scale: 50.0 is not allowed; {low:g}-{high:g} for {spec.name}"
    )
    assert said["titan_img_seed"] == (
        f"titan_img_seed: -4 is not allowed; 0-{spec.seed_max:.0f} (0 picks a random seed)"
    )


def test_an_events_types_say_what_they_always_said() -> None:
    said = {
        p.field: str(p)
        for p in event_problems({"claude_validate_top_k": "x", "prompt": 5, "bogus": 1})
    }
    assert said == {
        "claude_validate_top_k": "claude_validate_top_k: 'x' is not allowed; a whole number, "
        'or "unset" (or null) to leave it out',
        "prompt": "prompt: 5 is not allowed; a string",
        "bogus": "bogus: '<int hidden>' is not allowed; not a known parameter",
    }


def test_a_shapes_words_say_what_they_always_said() -> None:
    (ranged,) = jsonshape.check(jsonshape.Int(0, 9), 12)
    assert str(ranged) == "value: 12 is not allowed; a whole number from 0 to 9"
    (nullable,) = jsonshape.check(jsonshape.OrNull(jsonshape.Str()), 5)
    assert str(nullable) == "value: 5 is not allowed; a string or null"
    (chosen,) = jsonshape.check(jsonshape.OneOf(1, "a"), 2)
    assert str(chosen) == "value: 2 is not allowed; one of 1, a"
    # Words given as plain text (a stored file's reader) stay plain.
    (plain,) = jsonshape.check(jsonshape.Str(allowed="a thing"), 1)
    assert (plain.allowed, plain.phrase) == ("a thing", None)
    for problem in (ranged, nullable, chosen):
        assert_phrased(problem)


def test_checklist_problems_say_what_they_always_said() -> None:
    with pytest.raises(ValidationError) as caught:
        Checklist.from_json([{"text": "a dog", "must": True, "kind": "animal"}])
    (kind,) = caught.value.problems
    assert str(kind).startswith("checklist[0].kind: 'animal' is not allowed; one of subject, ")
    items = [ChecklistItem("c1", "a", True), ChecklistItem("c1", "b", False)]
    (twice,) = checklist_problems(items)
    assert str(twice) == (
        "checklist[1].id: 'c1' is not allowed; an id no other item has (checklist[0] has it too)"
    )
    for problem in (kind, twice):
        assert_phrased(problem)


def test_price_rows_say_what_they_always_said() -> None:
    row = {"kind": "text", "model": "m", "input": "-1", "output": "2", "scope": "moon"}
    with pytest.raises(ValidationError) as caught:
        Overrides.from_settings([row])
    said = {p.field: str(p) for p in caught.value.problems}
    assert said["price_overrides[0].input"] == (
        "price_overrides[0].input: '-1' is not allowed; an amount of US dollars from 0 to 1000 "
        "per million tokens, as a number or text"
    )
    assert said["price_overrides[0].scope"].endswith("or a region name like us-east-1") and said[
        "price_overrides[0].scope"
    ].startswith("price_overrides[0].scope: 'moon' is not allowed; \"\" (every region and profile)")
    for problem in caught.value.problems:
        assert_phrased(problem)
