"""Real runs through the run service against the simulator, read back from the history
(issue 13): what the loop's meter spent is what the history says, call by call, per run,
per month and per approved image; a capped run is recorded with the outcome 'budget'."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.cost import Cost
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.records import HistoryOutcome
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services.history import HistoryService, make_filter
from imgloop_desktop.services.run import execute
from imgloop_desktop.simulator.server import BedrockSimulator

PARAMS = RunParams(
    prompt="a red fox in snow",
    titan_img_width=512,
    titan_img_height=512,
    max_retry_attempts=2,
    max_prompt_revisions=1,
    judge_mode="verdict",
)


def _db(isolated_env: Path) -> Path:
    return isolated_env / "history.sqlite3"


def test_a_capped_run_is_recorded_as_budget_with_every_call(
    bedrock_sim: BedrockSimulator, isolated_env: Path
) -> None:
    bedrock_sim.script.default_verdict = "NO"
    params = PARAMS.with_changes(max_retry_attempts=5, max_cost_usd=0.2)
    spent: list[ev.Spent] = []

    def keep(event: ev.Event) -> None:
        if isinstance(event, ev.Spent):
            spent.append(event)

    with execute(params, credentials=DefaultChain(), emit=keep) as run:
        result = run.result
    assert result.outcome is ev.Outcome.BUDGET and result.spent is not None
    with closing(sqlite3.connect(_db(isolated_env))) as conn:
        rows = conn.execute(
            "SELECT kind, model_id, revision, attempt, idx, usd FROM spend ORDER BY id"
        ).fetchall()
    assert rows == [
        (str(s.kind), s.model_id, s.revision, s.attempt, s.index, format(s.cost.known, "f"))
        for s in spent
    ]
    assert sum((Decimal(row[-1]) for row in rows), Decimal(0)) == result.spent.known
    with HistoryService.open(_db(isolated_env)) as service:
        [summary] = service.list_sessions(make_filter(outcomes=["budget"])).sessions
        tree = service.session(result.run_id)
        month = service.month_spend()
        stats = service.spend_stats()
    assert summary.outcome is HistoryOutcome.BUDGET is tree.outcome
    assert summary.cost == tree.cost == result.spent == month
    assert tree.cost is not None and tree.cost.complete and tree.cost.known <= Decimal("0.2")
    images = list(tree.images())
    assert len(images) == 2 and all(i.cost is not None and i.cost.complete for i in images)
    # The images carry every call of this run (no revision was reached).
    assert Cost.total(i.cost or Cost() for i in images) == tree.cost
    assert stats.total == result.spent and stats.per_approved_image is None
    assert {line.key for line in stats.by_model} == {s.model_id for s in spent}


def test_an_approved_run_gives_a_cost_per_approved_image_and_a_median(
    bedrock_sim: BedrockSimulator, isolated_env: Path
) -> None:
    bedrock_sim.script.queue_verdicts("NO", "YES")
    with execute(PARAMS, credentials=DefaultChain()) as run:
        result = run.result
    assert result.outcome is ev.Outcome.APPROVED and result.spent is not None
    with HistoryService.open(_db(isolated_env)) as service:
        stats = service.spend_stats()
        tree = service.session(result.run_id)
        median = service.median_attempts(tree.image_model_id, tree.judge_model_id)
    assert stats.approved == 1 and stats.per_approved_image == result.spent
    assert median == 2.0  # approved at the second generation
