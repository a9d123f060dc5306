"""The history of real checklist runs (issue 12): the run service against the Bedrock
simulator records the written checklist, every item verdict, REVIEW verdicts and the best
candidate; the service lists what waits for a person, keeps a person's ticks, measures the
judge against people and exports the decisions as a labelled set."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from imgloop_desktop.core.checklist import Checklist
from imgloop_desktop.core.events import Outcome
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import Decision, ImageRecord, ReviewReason, SessionTree
from imgloop_desktop.services.credentials import DefaultChain
from imgloop_desktop.services.history import HistoryService, make_filter
from imgloop_desktop.services.run import execute
from imgloop_desktop.simulator.demo import (
    DEMO_CHECKLIST,
    DEMO_CHECKLIST_PROMPT,
    demo_checklist_script,
)
from imgloop_desktop.simulator.server import BedrockSimulator

WRITTEN = Checklist.from_json([dict(item) for item in DEMO_CHECKLIST])


def _run(sim: BedrockSimulator, *, unsure_first: bool = False, **changes: object) -> str:
    """One run through the run service against a fresh demo checklist script."""
    script = demo_checklist_script()
    script.latency_scale = 0.0
    if unsure_first:  # the image after the revision: the judge cannot tell the mountains
        script.queue_checks({"c1": "unsure"})  # after the demo's own two (c3 no)
    base = RunParams(
        prompt=DEMO_CHECKLIST_PROMPT,
        titan_img_width=512,
        titan_img_height=512,
        candidates_in_flight=1,
        judge_mode="checklist",
    )
    sim.script = script
    with execute(base.with_changes(**changes), credentials=DefaultChain()) as run:
        return run.result.run_id


@dataclass(frozen=True)
class Runs:
    approved: str  # demo: c3 fails twice, revised, then REVIEW (unsure must), then approved
    best: str  # one image, c3 fails: nothing approved, the best named
    verdict: str  # the seed's whole-prompt judging: one image, NO


@pytest.fixture
def runs(isolated_env: Path, bedrock_sim: BedrockSimulator) -> Runs:
    approved = _run(bedrock_sim, unsure_first=True, max_retry_attempts=2, max_prompt_revisions=1)
    best = _run(bedrock_sim, max_retry_attempts=1, max_prompt_revisions=0)
    verdict = _run(bedrock_sim, max_retry_attempts=1, max_prompt_revisions=0, judge_mode="verdict")
    return Runs(approved, best, verdict)


@pytest.fixture
def service(runs: Runs) -> Iterator[HistoryService]:
    with HistoryService.open() as service:
        yield service


def _images(tree: SessionTree) -> list[ImageRecord]:
    return list(tree.images())


def test_a_checklist_run_is_recorded_item_by_item(runs: Runs, service: HistoryService) -> None:
    tree = service.session(runs.approved)
    assert tree.outcome.value == "approved" and tree.judge_mode == "checklist"
    assert tree.checklist == WRITTEN
    [written] = tree.checklist_changes
    assert written.origin == "written" and written.checklist == WRITTEN
    assert written.input_tokens and written.output_tokens
    verdicts = [i.verdict for i in _images(tree)]
    assert all(v is not None and v.checklist == WRITTEN for v in verdicts)
    assert [v.result for v in verdicts if v] == ["NO", "NO", "REVIEW", "YES"]
    assert [v.badge for v in verdicts if v] == ["4/5 \u2717", "4/5 \u2717", "4/5 ?", "5/5 \u2713"]
    first = verdicts[0]
    assert first is not None and first.checks is not None
    c3 = first.checks.get("c3")
    assert c3 is not None and c3.result == "no" and c3.evidence
    assert tree.best_image_id is None  # approved: no best named

    best = service.session(runs.best)
    assert best.outcome.value == "not_approved"
    [image] = _images(best)
    assert image.is_best and best.best_image_id == image.image_id
    assert best.best_misses == "misses: the sky shows the pink and orange colours of dawn"
    assert best.best_how == "rank"

    plain = service.session(runs.verdict)
    assert plain.judge_mode == "verdict" and plain.checklist is None
    assert [i.verdict.checks for i in _images(plain) if i.verdict] == [None]


def test_search_matches_checklist_items(runs: Runs, service: HistoryService) -> None:
    found = service.list_sessions(make_filter(search="colours of dawn")).sessions
    assert {s.run_id for s in found} == {runs.approved, runs.best}  # not in any prompt
    assert {s.judge_mode for s in found} == {"checklist"}


def test_review_then_decide_with_ticks(runs: Runs, service: HistoryService) -> None:
    review = service.review_items()
    assert [(i.image.run_id, i.reason) for i in review] == [
        (runs.best, ReviewReason.BEST_NOT_APPROVED),
        (runs.approved, ReviewReason.UNSURE_MUSTS),
    ]
    assert review[1].misses == "unsure: mountains"
    assert review[0].run_prompt == DEMO_CHECKLIST_PROMPT
    image = service.decide(review[1].image.image_id, Decision.APPROVED, {"c1": True, "c3": True})
    assert image.human_items == {"c1": True, "c3": True} and image.effective_approved
    assert [i.image.run_id for i in service.review_items()] == [runs.best]
    service.decide(review[0].image.image_id, Decision.REJECTED)
    assert service.review_items() == []


def test_agreement_and_labels(runs: Runs, service: HistoryService, tmp_path: Path) -> None:
    approved = _images(service.session(runs.approved))
    [best] = _images(service.session(runs.best))
    [plain] = _images(service.session(runs.verdict))
    service.decide(approved[0].image_id, Decision.REJECTED)  # NO / rejected: agreed
    service.decide(approved[2].image_id, Decision.APPROVED, {"c1": True})  # REVIEW: no claim
    service.decide(best.image_id, Decision.REJECTED, {"c3": False, "c1": True})  # agreed
    service.decide(plain.image_id, Decision.APPROVED)  # NO / approved: disagreed
    [pair] = service.agreement()
    assert (pair.decided, pair.agreed, pair.judge_no_person_yes) == (3, 2, 1)
    assert pair.judge_no_person_no == 2 and pair.rate == pytest.approx(2 / 3)
    tree = service.session(runs.best)
    assert (pair.judge_model_id, pair.image_model_id) == (tree.judge_model_id, tree.image_model_id)

    dest = tmp_path / "labels" / "set.jsonl"
    assert service.export_labels(dest) == 4
    lines = [json.loads(line) for line in dest.read_text("utf-8").splitlines()]
    assert [Path(line["image"]) for line in lines] == [
        approved[0].path,
        approved[2].path,
        best.path,
        plain.path,
    ]
    assert all(Path(line["image"]).is_absolute() for line in lines)
    assert lines[1] == {
        "image": str(approved[2].path),
        "prompt": DEMO_CHECKLIST_PROMPT,
        "checklist": WRITTEN.to_json(),
        "labels": {"c1": True},
        "approved": True,
        "judge_model_id": tree.judge_model_id,
        "image_model_id": tree.image_model_id,
    }
    assert lines[0]["labels"] == {} and lines[0]["approved"] is False
    assert lines[2]["labels"] == {"c1": True, "c3": False}
    assert lines[3]["checklist"] is None and lines[3]["approved"] is True
    assert not list(dest.parent.glob(".*.part"))  # written whole, through a temp file

    plain.path.unlink()  # a label without its image measures nothing: left out
    assert service.export_labels(dest) == 3
    assert len(dest.read_text("utf-8").splitlines()) == 3


def test_a_given_checklist_is_recorded_as_given(
    isolated_env: Path, bedrock_sim: BedrockSimulator
) -> None:
    """A checklist given in the parameters is recorded as given; the run judges with it."""
    given = WRITTEN.without("c5")
    run_id = _run(bedrock_sim, max_retry_attempts=1, max_prompt_revisions=0, checklist=given)
    with HistoryService.open() as service:
        tree = service.session(run_id)
    assert [(c.origin, c.checklist) for c in tree.checklist_changes] == [("given", given)]
    assert tree.checklist == given
    [image] = _images(tree)
    assert image.verdict is not None and image.verdict.checklist == given
    assert image.verdict.badge == "3/4 \u2717"
    assert Outcome.NOT_APPROVED.value == tree.outcome.value


def test_run_again_takes_the_checklist_the_run_ended_with(
    runs: Runs, service: HistoryService
) -> None:
    again = service.run_again_params(runs.best)
    assert again.judge_mode == "checklist" and again.checklist == WRITTEN  # no call to pay
    assert again.prompt == DEMO_CHECKLIST_PROMPT and again.max_retry_attempts == 1
    assert service.run_again_params(runs.verdict).checklist is None


def test_the_review_list_of_some_runs_only(runs: Runs, service: HistoryService) -> None:
    everything = service.review_items()
    assert {i.image.run_id for i in everything} >= {runs.best}
    only = service.review_items(run_ids=[runs.best])
    assert only and {i.image.run_id for i in only} == {runs.best}
    assert [i.image.image_id for i in only] == [
        i.image.image_id for i in everything if i.image.run_id == runs.best
    ]
    assert service.review_items(run_ids=[]) == []  # an item with no run yet: nothing
