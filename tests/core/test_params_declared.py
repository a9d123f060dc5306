"""Each run field is declared once (``core.params``); the checks, the README and the seed's
names are derived from those declarations and must agree with them."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from imgloop_desktop.core.param_decl import (
    Bounds,
    Declared,
    ParamField,
    Rule,
    Section,
    declared_fields,
    in_form_order,
    param,
)
from imgloop_desktop.core.param_docs import BEGIN, END, main, readme_table, with_table
from imgloop_desktop.core.params import PARAMS, RunParams, model_limits, validate
from tests.core.test_params import SEED_EXAMPLE
from tests.fakes import SPEC

ROOT = Path(__file__).resolve().parents[2]
BOUNDED = [f for f in PARAMS if f.declared.bounds is not None]


def test_every_field_is_declared_in_the_dataclass_order() -> None:
    assert [f.name for f in PARAMS] == list(RunParams.__dataclass_fields__)
    for f in PARAMS:
        assert f.declared.label and f.declared.help, f.name
        assert f.default == getattr(RunParams(), f.name)


def test_the_seeds_names_are_the_seeds_and_ours_are_marked() -> None:
    assert {f.name for f in PARAMS if not f.declared.ours} == set(SEED_EXAMPLE)


def test_a_field_without_a_declaration_fails_at_import() -> None:
    @dataclass(frozen=True)
    class Undeclared:
        declared: int = param(1, label="A", help="a", section=Section.LIMITS, row=0)
        plain: int = field(default=2)

    with pytest.raises(TypeError, match="plain has no declaration"):
        declared_fields(Undeclared)
    with pytest.raises(TypeError):  # a misspelt keyword
        param(1, lable="A", help="a", section=Section.LIMITS, row=0)


def test_form_rows_are_unique_within_a_section_except_the_size() -> None:
    seen: dict[tuple[Section, int], list[str]] = {}
    for f in in_form_order(PARAMS):
        seen.setdefault((f.declared.section, f.declared.row), []).append(f.name)
    shared = [names for names in seen.values() if len(names) > 1]
    assert shared == [["titan_img_width", "titan_img_height"]]


def _with(name: str, value: Any) -> RunParams:
    return RunParams(prompt="x").with_changes(**{name: value})


def _problems(params: RunParams, name: str) -> list[str]:
    return [p.allowed for p in validate(params, SPEC) if p.field == name]


@pytest.mark.parametrize("f", BOUNDED, ids=lambda f: f.name)
def test_each_declared_range_is_what_validate_checks(f: ParamField) -> None:
    bounds = f.declared.bounds
    assert bounds is not None
    step = 1 if f.type is int else 0.001
    for inside in (bounds.low, bounds.high, bounds.off):
        if inside is not None:
            assert _problems(_with(f.name, f.type(inside)), f.name) == [], inside
    for outside in (bounds.low - step, bounds.high + step):
        if outside != bounds.off:
            assert _problems(_with(f.name, f.type(outside)), f.name) == [bounds.allowed]


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("max_retry_attempts", "1-100 generations per prompt version"),
        ("max_prompt_revisions", "0-20 revisions of the prompt"),
        ("claude_revise_temperature", "0.0-1.0"),
        ("claude_validate_top_k", "0-500 (Anthropic's documented range; 0 lets the model choose)"),
        ("candidates_in_flight", "1-8 candidates generated or judged at once"),
        ("judge_image_max_side", "0 (send the full image) or 200-8000 pixels"),
    ],
)
def test_range_messages_read_as_before(name: str, allowed: str) -> None:
    """The words a person reads did not change when they began to be written from numbers."""
    assert next(f for f in PARAMS if f.name == name).declared.allowed == allowed


def test_defaults_pass_every_declared_rule() -> None:
    for f in PARAMS:
        rule = f.declared.rule
        if rule is not None and rule.only_when:
            continue  # the empty bucket is fine while S3 is off
        assert f.declared.problem(f.default) is None, f.name


def test_rules_only_when_a_flag_is_on() -> None:
    assert _problems(_with("output_s3_bucket_name", "Bad_Bucket"), "output_s3_bucket_name") == []
    params = _with("output_s3_bucket_name", "Bad_Bucket").with_changes(s3_enabled=True)
    assert len(_problems(params, "output_s3_bucket_name")) == 1


def test_choices_and_rules_answer_in_their_declared_words() -> None:
    mode = Declared(
        label="Judge mode",
        help="h",
        section=Section.JUDGE,
        row=1,
        choices=("verdict", "checklist"),
    )
    assert mode.problem("checklist") is None
    assert str(mode.problem("vote")) == "one of verdict, checklist"
    even = Declared(
        label="E",
        help="h",
        section=Section.LIMITS,
        row=9,
        rule=Rule("even", ok=lambda v: v % 2 == 0),
    )
    assert (even.problem(2), even.problem(3)) == (None, "even")
    assert Bounds(0.0, 1.0).allowed == "0.0-1.0"
    assert Bounds(200, 8000, "px", off=0, off_means="off").spin_range == (0, 8000)


def test_model_dependent_fields_say_so_and_validate_checks_them() -> None:
    model_fields = {f.name for f in PARAMS if f.declared.model_rule}
    assert set(model_limits(SPEC)) <= model_fields
    assert {"prompt", "titan_img_width", "titan_img_height"} <= model_fields
    assert {p.field for p in validate(RunParams(prompt=""), SPEC)} == {"prompt"}
    # A size the model does not make is mapped when the run starts (core.params.fit_to_model).
    assert validate(_with("titan_img_width", 1000), SPEC) == []
    assert {p.field for p in validate(_with("titan_img_width", 5000), SPEC)} == {"titan_img_width"}


def test_readme_table_is_the_rendered_one() -> None:
    """README.md's table is generated; rewrite it with
    ``python -m imgloop_desktop.core.params --readme-table``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme and END in readme
    assert with_table(readme, readme_table()) == readme


def test_the_table_names_every_field_with_its_allowed_words() -> None:
    table = readme_table()
    for f in PARAMS:
        row = next(line for line in table.splitlines() if line.startswith(f"| `{f.name}`"))
        assert ("(ours)" in row) == f.declared.ours
        assert f.declared.tier.value in row
        if f.declared.allowed:
            assert f.declared.allowed.replace("|", "\\|") in row
        if f.declared.model_rule:
            assert "depends on model: " + f.declared.model_rule in row


def test_the_command_rewrites_a_stale_table(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{BEGIN}\n| old |\n{END}\nafter\n", encoding="utf-8")
    assert main(["--check", "--readme", str(readme)]) == 1
    assert main(["--readme-table", "--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text == f"# x\n\n{BEGIN}\n{readme_table()}{END}\nafter\n"
    assert main(["--check", "--readme", str(readme)]) == 0


def test_python_m_params_checks_the_repositorys_readme() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "imgloop_desktop.core.params", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
