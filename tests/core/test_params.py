from __future__ import annotations

import json
from pathlib import Path

import pytest

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.params import (
    DEFAULT_IMAGE_MODEL,
    DEFAULT_JUDGE_MODEL,
    RunParams,
    bucket_problem,
    fit_to_model,
    validate,
)
from imgloop_desktop.providers.catalog import image_spec
from tests.fakes import SPEC

SEED_EXAMPLE = {
    "prompt": "A serene landscape with mountains and a lake",
    "max_retry_attempts": 5,
    "max_prompt_revisions": 3,
    "output_s3_bucket_name": "your-output-bucket-name",
    "output_s3_key_prefix": "generated-images-taitan",
    "claude_validate_temperature": 1.0,
    "claude_validate_top_p": 0.999,
    "claude_validate_top_k": 250,
    "claude_validate_max_tokens": 4096,
    "claude_revise_temperature": 1.0,
    "claude_revise_top_p": 0.999,
    "claude_revise_top_k": 250,
    "claude_revise_max_tokens": 4096,
    "titan_img_cfg_scale": 10.0,
    "titan_img_width": 1024,
    "titan_img_height": 1024,
    "titan_img_number_of_images": 1,
    "titan_img_seed": 0,
}


def test_seed_example_event_loads_and_keeps_uploading() -> None:
    params = RunParams.from_event(SEED_EXAMPLE)
    assert params.titan_img_cfg_scale == 10.0
    assert params.s3_enabled is True
    assert params.image_model_id == DEFAULT_IMAGE_MODEL
    assert params.judge_model_id == DEFAULT_JUDGE_MODEL
    assert validate(params, SPEC) == []


def test_defaults_are_the_seeds() -> None:
    params = RunParams.from_event({"prompt": "x"})
    assert (params.max_retry_attempts, params.max_prompt_revisions) == (5, 3)
    assert params.output_s3_key_prefix == "generated-images"
    assert params.titan_img_cfg_scale == 8.0
    assert (params.titan_img_width, params.titan_img_height) == (1024, 1024)
    assert (params.claude_validate_top_k, params.claude_revise_max_tokens) == (250, 4096)
    assert params.s3_enabled is False


def test_round_trip_through_event_json(tmp_path: Path) -> None:
    params = RunParams.from_event(SEED_EXAMPLE).with_changes(prompt="湖と山の風景")
    path = tmp_path / "event.json"
    params.save(path)
    assert "湖と山の風景" in path.read_text(encoding="utf-8")
    assert RunParams.load(path) == params


def test_type_problems_are_all_reported_together() -> None:
    event = {
        "prompt": 3,
        "max_retry_attempts": "5",
        "titan_img_cfg_scale": True,
        "s3_enabled": "yes",
        "max_retry_attempt": 5,
    }
    with pytest.raises(ValidationError) as info:
        RunParams.from_event(event)
    fields = {p.field for p in info.value.problems}
    assert fields == {
        "prompt",
        "max_retry_attempts",
        "titan_img_cfg_scale",
        "s3_enabled",
        "max_retry_attempt",
    }
    message = str(info.value)
    assert "max_retry_attempts: '5' is not allowed; a whole number" in message
    assert "max_retry_attempt: '<int hidden>' is not allowed; not a known parameter" in message


def test_an_unknown_fields_value_is_never_echoed() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    with pytest.raises(ValidationError) as info:
        RunParams.from_event({"prompt": "x", "aws_secret_access_key": secret})
    assert secret not in str(info.value)
    assert "aws_secret_access_key" in str(info.value)


def test_whole_floats_are_accepted_as_ints() -> None:
    assert RunParams.from_event({"prompt": "x", "titan_img_seed": 42.0}).titan_img_seed == 42


def test_not_an_object() -> None:
    with pytest.raises(ValidationError, match="event"):
        RunParams.from_event(["prompt"])


def test_bad_json_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text('{"prompt": "x",\n}', encoding="utf-8")
    with pytest.raises(ValidationError, match="line 2"):
        RunParams.load(path)


def test_missing_file_is_a_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="a readable file"):
        RunParams.load(tmp_path / "nope.json")


def test_every_limit_is_checked_and_named() -> None:
    params = RunParams(
        prompt="x" * 513,
        max_retry_attempts=0,
        max_prompt_revisions=-1,
        claude_validate_temperature=1.5,
        claude_validate_top_p=-0.1,
        claude_validate_top_k=-1,
        claude_validate_max_tokens=0,
        claude_revise_temperature=2.0,
        titan_img_cfg_scale=1.0,
        titan_img_width=5000,
        titan_img_number_of_images=6,
        titan_img_seed=2147483647,
        s3_enabled=True,
        output_s3_bucket_name="Bad_Bucket",
        output_s3_key_prefix="/abs/../x",
    )
    problems = {p.field: p for p in validate(params, SPEC)}
    assert set(problems) == {
        "prompt",
        "max_retry_attempts",
        "max_prompt_revisions",
        "claude_validate_temperature",
        "claude_validate_top_p",
        "claude_validate_top_k",
        "claude_validate_max_tokens",
        "claude_revise_temperature",
        "titan_img_cfg_scale",
        "titan_img_width",
        "titan_img_number_of_images",
        "titan_img_seed",
        "output_s3_bucket_name",
        "output_s3_key_prefix",
    }
    assert "1-512 characters" in problems["prompt"].allowed
    assert "this one has 513" in problems["prompt"].allowed
    assert problems["titan_img_cfg_scale"].allowed == "1.1-10 for Test Image Model"
    assert problems["titan_img_width"].allowed == "320-4096 pixels"
    assert problems["titan_img_number_of_images"].allowed.startswith("1-5 images")


def test_limits_at_their_edges_pass() -> None:
    params = RunParams(
        prompt="x" * 512,
        max_prompt_revisions=0,
        titan_img_cfg_scale=1.1,
        titan_img_number_of_images=5,
        titan_img_seed=2147483646,
        claude_validate_top_k=0,
    )
    assert validate(params, SPEC) == []


def test_blank_prompt_is_rejected() -> None:
    assert [p.field for p in validate(RunParams(prompt="   "), SPEC)] == ["prompt"]


def test_bucket_only_checked_when_s3_is_on() -> None:
    assert validate(RunParams(prompt="x", output_s3_bucket_name=""), SPEC) == []
    problems = validate(RunParams(prompt="x", s3_enabled=True), SPEC)
    assert [p.field for p in problems] == ["output_s3_bucket_name"]


@pytest.mark.parametrize("name", ["my-bucket", "a.b.c", "abc", "x" * 63, "ho2k.com", "bucket-2024"])
def test_good_bucket_names(name: str) -> None:
    assert bucket_problem(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "x" * 64,
        "My-Bucket",
        "a..b",
        "-abc",
        "abc-",
        "192.168.5.4",
        "xn--abc",
        "abc-s3alias",
        "a_b",
    ],
)
def test_bad_bucket_names(name: str) -> None:
    assert bucket_problem(name) is not None


def test_saved_event_is_plain_seed_json(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    RunParams.from_event(SEED_EXAMPLE).save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {k: data[k] for k in SEED_EXAMPLE} == SEED_EXAMPLE


# -- issue 17, findings 4 (events) and 5: every bad input answered, never a traceback ---------


def _event_text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "event.json"
    path.write_text(text, encoding="utf-8")
    return path


def _printable(error: ValidationError) -> str:
    """What the command prints for ``error``: it must encode as UTF-8 (a terminal, a pipe)."""
    text = str(error) + json.dumps(
        [{"field": p.field, "value": p.value, "allowed": p.allowed} for p in error.problems],
        ensure_ascii=False,
    )
    text.encode("utf-8")
    return text


def test_issue17_an_integer_of_5000_digits_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    path = _event_text(tmp_path, '{"prompt": "x", "titan_img_seed": ' + "9" * 5000 + "}")
    with pytest.raises(ValidationError) as info:
        RunParams.load(path)
    assert [p.field for p in info.value.problems] == ["event file"]
    assert "5,000 digits" in _printable(info.value)


@pytest.mark.parametrize("number", ["1e400", "-1e400"])
@pytest.mark.parametrize("field", ["titan_img_cfg_scale", "titan_img_seed"])
def test_issue17_a_float_beyond_range_is_a_problem_not_a_traceback(
    tmp_path: Path, number: str, field: str
) -> None:
    path = _event_text(tmp_path, f'{{"prompt": "x", "{field}": {number}}}')
    with pytest.raises(ValidationError) as info:
        RunParams.load(path)
    assert "too large" in _printable(info.value)


def test_issue17_100000_deep_nesting_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    path = _event_text(tmp_path, '{"prompt": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ValidationError) as info:
        RunParams.load(path)
    assert "nests 100001 levels" in _printable(info.value)


def test_issue17_a_nul_in_the_event_path_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        RunParams.load(tmp_path / "ev\x00ent.json")
    assert [p.field for p in info.value.problems] == ["event file"]
    _printable(info.value)


def test_issue17_a_lone_surrogate_in_the_prompt_is_refused_by_name(tmp_path: Path) -> None:
    path = _event_text(tmp_path, '{"prompt": "a lake \\ud800 at dawn"}')
    with pytest.raises(ValidationError) as info:
        RunParams.load(path)
    assert [p.field for p in info.value.problems] == ["prompt"]
    assert "surrogate" in _printable(info.value)
    # A RunParams built in code (the window) is refused by validate, printably.
    problems = validate(RunParams(prompt="a lake \ud800 at dawn"), SPEC)
    assert [p.field for p in problems] == ["prompt"]
    _printable(ValidationError(problems))


def _bad_fields(event: dict[str, object]) -> dict[str, str]:
    """Each problem's field and text, from loading ``event`` (a dict built in code) and
    validating it; the text must be printable."""
    try:
        problems = validate(RunParams.from_event(event), SPEC)
    except ValidationError as exc:
        problems = exc.problems
    _printable(ValidationError(problems))
    return {p.field: str(p) for p in problems}


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("max_retry_attempts", 10**400, "1-100"),
        ("max_prompt_revisions", 10**30, "0-20"),
        ("claude_validate_max_tokens", 2**63, "1-64000"),
        ("claude_revise_max_tokens", 2**63, "1-64000"),
        ("claude_validate_top_k", 10**400, "0-500"),
        ("claude_revise_top_k", 10**400, "0-500"),
        ("titan_img_seed", 10**400, "0-2147483646"),
        ("titan_img_width", 10**5000, "320-4096 pixels"),
        ("titan_img_cfg_scale", 10**400, "number"),
        ("claude_validate_temperature", 10**5000, "number"),
        ("prompt", "a lake\x00 at dawn", "NUL"),
        ("aws_region", "not a region!!", "region name"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "value",
)
def test_issue17_huge_or_bad_values_are_refused_by_name(
    field: str, value: object, allowed: str
) -> None:
    event = {"prompt": "a lake at dawn", field: value}
    bad = _bad_fields(event)
    assert set(bad) == {field}, bad
    assert allowed in bad[field]


@pytest.mark.parametrize(
    "field",
    [
        "prompt",
        "image_model_id",
        "judge_model_id",
        "output_s3_bucket_name",
        "output_s3_key_prefix",
        "output_dir",
        "aws_region",
    ],
)
@pytest.mark.parametrize("bad", ["\x00", "\ud800", "\udfff"])
def test_issue17_nul_and_surrogates_are_refused_in_every_string_field(field: str, bad: str) -> None:
    value = f"us{bad}east-1"
    with pytest.raises(ValidationError) as info:
        RunParams.from_event({"prompt": "x", field: value})
    assert [p.field for p in info.value.problems] == [field]
    _printable(info.value)
    # Built in code, the same value is refused by validate (and never crashes it).
    params = RunParams(prompt="x").with_changes(**{field: value})
    assert field in {p.field for p in validate(params, SPEC)}
    _printable(ValidationError(validate(params, SPEC)))


def test_issue17_json_event_with_10e30_revisions_names_the_field(tmp_path: Path) -> None:
    path = _event_text(tmp_path, '{"prompt": "x", "max_prompt_revisions": 1' + "0" * 30 + "}")
    problems = validate(RunParams.load(path), SPEC)
    assert [p.field for p in problems] == ["max_prompt_revisions"]


def test_issue17_output_dir_control_characters_are_refused_in_core() -> None:
    """The window used to be the only one refusing these; the headless command agrees now."""
    problems = validate(RunParams(prompt="x", output_dir="/tmp/a\nb"), SPEC)
    assert [p.field for p in problems] == ["output_dir"]
    assert "control characters" in problems[0].allowed


@pytest.mark.parametrize(
    "region", ["", "us-east-1", "eu-central-2", "ap-southeast-5", "us-gov-west-1", "us-isob-east-1"]
)
def test_real_region_names_pass(region: str) -> None:
    assert validate(RunParams(prompt="x", aws_region=region), SPEC) == []


@pytest.mark.parametrize(
    "region", ["not a region!!", "US-EAST-1", "us-east-1\n", "us-east-\u0661", "us-east", "mars-1"]
)
def test_bad_region_names_are_invalid_input(region: str) -> None:
    """Before, botocore refused these at client creation: exit 3 after the run had started."""
    problems = validate(RunParams(prompt="x", aws_region=region), SPEC)
    assert [p.field for p in problems] == ["aws_region"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("judge_model_id", "us.anthropic.claude-sonnet-4-6\n"),
        ("judge_model_id", "anthropic claude"),
        ("judge_model_id", "x" * 2049),
        ("image_model_id", " amazon.titan-image-generator-v1"),
    ],
)
def test_model_ids_with_spaces_or_too_long_are_refused(field: str, value: str) -> None:
    problems = validate(RunParams(prompt="x").with_changes(**{field: value}), SPEC)
    assert [p.field for p in problems] == [field]
    assert len(str(problems[0])) < 400  # the value is shortened


# -- the seed's Titan-named fields on every model (issue 11) ---------------------------------


def test_a_size_the_model_does_not_make_is_mapped_to_its_nearest_and_said() -> None:
    sd35 = image_spec("stability.sd3-5-large-v1:0")
    params = RunParams(prompt="a lake", titan_img_width=1152, titan_img_height=640)
    assert validate(params, sd35) == []
    fitted, notes = fit_to_model(params, sd35)
    assert (fitted.titan_img_width, fitted.titan_img_height) == (1344, 768)  # 16:9
    assert any("1152\u00d7640" in str(n) and "1344\u00d7768" in str(n) for n in notes)


def test_a_size_the_model_makes_is_kept() -> None:
    sd35 = image_spec("stability.sd3-5-large-v1:0")
    fitted, notes = fit_to_model(RunParams(prompt="a lake"), sd35)
    assert (fitted.titan_img_width, fitted.titan_img_height) == (1024, 1024)
    assert not any("nearest" in str(n) for n in notes)


def test_settings_a_model_does_not_use_are_named_not_dropped_silently() -> None:
    _, notes = fit_to_model(
        RunParams(prompt="a lake"), image_spec("stability.stable-image-core-v1:1")
    )
    assert any("titan_img_cfg_scale (8) is not used" in str(n) for n in notes)
    _, titan_notes = fit_to_model(RunParams(prompt="a lake"), SPEC)
    assert titan_notes == ()


def test_several_images_on_a_one_image_model_are_several_calls() -> None:
    core = image_spec("stability.stable-image-core-v1:1")
    params = RunParams(prompt="a lake", titan_img_number_of_images=3)
    assert validate(params, core) == []
    _, notes = fit_to_model(params, core)
    assert any("makes 3 calls at once" in str(n) for n in notes)


def test_sampling_settings_may_be_unset_in_an_event() -> None:
    params = RunParams.from_event(
        {"prompt": "x", "claude_validate_temperature": "unset", "claude_revise_top_k": None}
    )
    assert params.validate_settings.temperature is None
    assert params.revise_settings.top_k is None
    assert params.to_event()["claude_validate_temperature"] is None
    assert RunParams.from_event(params.to_event()) == params
    with pytest.raises(ValidationError, match='"unset"'):
        RunParams.from_event({"prompt": "x", "claude_validate_top_p": "none"})
