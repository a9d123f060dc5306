"""``imgloop-cli judge-eval``: the judge measured on labelled images, end to end against the
simulator (the demo's own, or the test's over the endpoint variable), with the table's
figures checked against answers scripted item by item."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from imgloop_desktop.accounts.redaction import install_redaction
from imgloop_desktop.cli import main as cli_main
from imgloop_desktop.simulator.server import BedrockSimulator


@pytest.fixture(autouse=True)
def undo_redaction() -> Iterator[None]:
    """main() installs log redaction for good; in-process it must be undone."""
    uninstall = install_redaction()
    try:
        yield
    finally:
        uninstall()


def judge_eval(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli_main.main(["judge-eval", *args])
    out, err = capsys.readouterr()
    return code, out, err


# The demo's figures, worked out by hand from DEMO_MISTAKES over the built-in set's labels:
# two false approvals (two-red-circles' count, sign-misspelt's text), one missed approval
# (square-left-of-circle's relation), two unsure items (five squares' count, STOP's text),
# one item left out (two triangles' count) and one unreadable answer (4 items).
DEMO_TABLE = """\
requirements  items  correct  accuracy  precision  recall  unsure  error
subject          21       19     0.905      1.000   0.900       0      2
count            10        6     0.600      0.857   0.750       1      2
attribute         4        4     1.000      1.000   1.000       0      0
relation          9        7     0.778      1.000   0.750       0      1
text              4        2     0.500      0.667   0.667       1      0
all              48       38     0.792      0.941   0.842       2      5

approval     images  correct  accuracy  precision  recall  review  error
images           16        9     0.562      0.714   0.625       3      1
"""


def test_demo_prints_the_scripted_judges_figures(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = judge_eval(capsys, "--demo")
    assert code == 0, err
    head, _, rest = out.partition("\n\n")
    assert head == "judge us.anthropic.claude-sonnet-4-6 in us-east-1, 16 images (built-in set)"
    table, _, tail = rest.rpartition("\n\n")
    assert table + "\n" == DEMO_TABLE
    assert tail.startswith("calls 16 (1.00 per image), input tokens ")
    assert "[2/16] two-red-circles: approved (labelled not approved)" in err
    assert "simulated" in err


def test_demo_json_has_the_same_figures_per_image(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = judge_eval(capsys, "--demo", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["approval"] == {
        "n": 16,
        "correct": 9,
        "accuracy": 0.5625,
        "precision": 0.7143,
        "recall": 0.625,
        "said_yes": 7,
        "labelled_yes": 8,
        "true_yes": 5,
        "unsure": 3,
        "error": 1,
    }
    assert report["items"]["n"] == 48 and report["calls"] == 16
    decisions = {r["image"]: r["decision"] for r in report["results"]}
    assert decisions["triangle-below-square"] == "error"
    assert decisions["triangles-right-of-circle"] == "review"


def test_the_written_set_read_back_gives_the_demo_the_same_figures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = judge_eval(capsys, "--write-set", str(tmp_path / "set"))
    assert code == 0
    target = tmp_path / "set" / "set.jsonl"
    assert out.strip() == f"wrote {target}"
    assert len(list((tmp_path / "set").glob("*.png"))) == 16
    code, out, err = judge_eval(capsys, "--demo", "--set", str(target))
    assert code == 0, err
    assert DEMO_TABLE in out
    assert f"16 images ({target})" in out


def _write_rows(folder: Path, rows: list[dict[str, Any]]) -> Path:
    target = folder / "mine.jsonl"
    target.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return target


@pytest.fixture
def written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """The built-in set's rows, images in ``tmp_path/set``."""
    assert cli_main.main(["judge-eval", "--write-set", str(tmp_path / "set")]) == 0
    capsys.readouterr()
    lines = (tmp_path / "set" / "set.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_a_persons_set_against_bedrock(
    capsys: pytest.CaptureFixture[str],
    bedrock_sim: BedrockSimulator,
    tmp_path: Path,
    written: list[dict[str, Any]],
) -> None:
    """Two checklist rows and one of a verdict-mode run (no checklist: approval only),
    judged through the endpoint variable as a real account would be."""
    by_name = {Path(r["image"]).stem: r for r in written}
    rows = [
        by_name["square-left-of-circle"],
        by_name["blue-square-not-green"],
        by_name["sign-open"] | {"checklist": None, "labels": {}},
    ]
    for row in rows:
        row["judge_model_id"] = "someone's judge"
    target = _write_rows(tmp_path / "set", rows)
    bedrock_sim.script.queue_checks({"c3": "unsure"}, {"c2": "yes"})
    bedrock_sim.script.queue_verdicts("YES")
    code, out, err = judge_eval(capsys, "--set", str(target), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert [c.op for c in bedrock_sim.calls] == ["check", "check", "judge"]
    assert report["calls"] == 3
    assert report["input_tokens"] == sum(c.input_tokens or 0 for c in bedrock_sim.calls)
    assert report["output_tokens"] == sum(c.output_tokens or 0 for c in bedrock_sim.calls)
    assert [r["decision"] for r in report["results"]] == ["review", "approved", "approved"]
    # Items: 6 labelled (the verdict row has none); wrong: blue square's c2 (said yes).
    assert {k: report["items"][k] for k in ("n", "correct", "unsure", "error")} == {
        "n": 6,
        "correct": 4,
        "unsure": 1,
        "error": 0,
    }
    assert report["by_kind"]["attribute"]["precision"] == 0.0
    approval = report["approval"]
    assert (approval["n"], approval["correct"], approval["unsure"]) == (3, 1, 1)
    assert (approval["precision"], approval["recall"]) == (0.5, 0.5)


def test_a_decision_against_the_ticks_counts_as_the_decision(
    capsys: pytest.CaptureFixture[str],
    bedrock_sim: BedrockSimulator,
    tmp_path: Path,
    written: list[dict[str, Any]],
) -> None:
    """A person rejected an image whose every must they ticked as met (the history keeps
    the two apart): approval is measured against the decision, and the table says so."""
    target = _write_rows(tmp_path / "set", [written[0] | {"approved": False}])
    code, out, err = judge_eval(capsys, "--set", str(target))
    assert code == 0, err
    assert "images            1        0" in out  # the judge approved; the person did not
    assert "(1 image(s) labelled approved or not against their must labels" in out


def test_bedrock_failing_exits_3(
    capsys: pytest.CaptureFixture[str], bedrock_sim: BedrockSimulator
) -> None:
    bedrock_sim.script.fail("check", "AccessDeniedException")
    code, out, err = judge_eval(capsys, "--judge-model", "us.anthropic.claude-sonnet-4-6")
    assert code == 3
    assert out == ""
    assert err.splitlines()[-1].startswith("error: ")
    assert bedrock_sim.count("check") == 1


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--judge-model", "has spaces in it"], "judge_model_id"),
        (["--region", "mars-1"], "aws_region"),
        (["--judge-model", "anthropic.claude-sonnet-4-6"], "judge_model_id"),
        (["--region", "eu-west-1"], "aws_region"),  # a us. profile from eu-west-1
        (["--set", "no-such-file.jsonl"], "set"),
        (["--write-set", "somewhere", "--set", "x.jsonl"], "--write-set"),
    ],
)
def test_invalid_input_exits_2_naming_the_field_without_a_call(
    capsys: pytest.CaptureFixture[str], bedrock_sim: BedrockSimulator, args: list[str], field: str
) -> None:
    code, out, err = judge_eval(capsys, *args)
    assert code == 2, err
    body = json.loads(json.loads(out)["body"])  # the same answer as ``run`` gives
    assert field in {p["field"] for p in body["problems"]}
    assert f"invalid input: {field}" in err
    assert bedrock_sim.calls == []


@pytest.mark.parametrize(
    ("change", "field", "allowed"),
    [
        ({"labels": {"c1": True, "c2": True, "c3": "yes"}}, "set[2].labels.c3", "true or false"),
        ({"labels": {"c9": True}}, "set[2].labels.c9", "ids of the line's checklist"),
        ({"approved": "no"}, "set[2].approved", "true or false"),
        ({"image": "nowhere.png"}, "set[2].image", "the path of a PNG file"),
        ({"checklist": [{"text": "x", "must": "maybe"}]}, "set[2].checklist[0].must", "true"),
        ({"prompt": "   "}, "set[2].prompt", "not only spaces"),
    ],
)
def test_an_invalid_set_exits_2_naming_line_and_field(
    capsys: pytest.CaptureFixture[str],
    bedrock_sim: BedrockSimulator,
    tmp_path: Path,
    written: list[dict[str, Any]],
    change: dict[str, Any],
    field: str,
    allowed: str,
) -> None:
    target = _write_rows(tmp_path / "set", [written[0], written[0] | change])
    code, out, err = judge_eval(capsys, "--set", str(target))
    assert code == 2, err
    problems = json.loads(json.loads(out)["body"])["problems"]
    assert [p["field"] for p in problems] == [field]
    assert allowed in problems[0]["allowed"]
    assert f"invalid input: {field}" in err
    assert bedrock_sim.calls == []


def test_profile_and_demo_cannot_be_combined(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli_main.main(["judge-eval", "--demo", "--profile", "work"])
    assert caught.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
