"""The batch service against the simulator: shared clients, the image-call gate, throttling,
items that fail alone, cancellation, and reading a batch file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.events import Outcome
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers.session import Clients, CredentialsSource, DefaultChain, make_clients
from imgloop_desktop.services import batch, batch_engine
from imgloop_desktop.services.batch import BatchItem, CallLimits, ItemResult, run_batch
from imgloop_desktop.simulator.server import BedrockSimulator, CallRecord

SMALL = RunParams(
    prompt="a red fox in snow", titan_img_width=512, titan_img_height=512, max_retry_attempts=2
)


def prompts(n: int) -> list[RunParams]:
    return [SMALL.with_changes(prompt=f"a red fox in snow, take {i}") for i in range(n)]


def test_items_run_concurrently_on_one_client_set(
    bedrock_sim: BedrockSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Clients] = []

    def counting(source: CredentialsSource, region: str | None) -> Clients:
        clients = make_clients(source, region)
        made.append(clients)
        return clients

    monkeypatch.setattr(batch_engine, "make_clients", counting)
    bedrock_sim.script.set_latency("generate", 0.2)
    seen: list[ItemResult] = []
    summary = run_batch(
        prompts(4), concurrency=4, credentials=DefaultChain(), emit_item=seen.append
    )
    assert len(made) == 1
    assert sorted(i.index for i in seen) == [0, 1, 2, 3]
    assert all(i.outcome is Outcome.APPROVED for i in seen)
    assert (summary.items, summary.done, summary.approved, summary.failed) == (4, 4, 4, 0)
    generations = [c for c in bedrock_sim.calls if c.op == "generate"]
    assert _peak_overlap(generations) > 1  # they did run at once


def test_concurrency_one_runs_in_order_of_submission(bedrock_sim: BedrockSimulator) -> None:
    seen: list[int] = []
    run_batch(
        prompts(3),
        concurrency=1,
        credentials=DefaultChain(),
        emit_item=lambda i: seen.append(i.index),
    )
    assert seen == [0, 1, 2]


def test_the_gate_caps_image_calls_across_items(bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.script.set_latency("generate", 0.15)
    summary = run_batch(
        prompts(3),
        concurrency=3,
        credentials=DefaultChain(),
        limits=CallLimits(concurrent_calls=1, calls_per_minute=6000.0),
    )
    assert summary.approved == 3
    generations = [c for c in bedrock_sim.calls if c.op == "generate"]
    assert len(generations) == 3
    assert _peak_overlap(generations) == 1


def test_throttling_is_absorbed_and_counted(bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.script.fail("generate", "ThrottlingException", times=3)
    summary = run_batch(prompts(4), concurrency=2, credentials=DefaultChain())
    assert (summary.approved, summary.failed) == (4, 0)
    assert summary.throttles == 3


def test_an_item_that_cannot_start_fails_alone(bedrock_sim: BedrockSimulator) -> None:
    events = prompts(3)
    events[1] = events[1].with_changes(max_retry_attempts=0)  # refused by the run's check
    seen: dict[int, ItemResult] = {}
    summary = run_batch(
        events,
        concurrency=2,
        credentials=DefaultChain(),
        emit_item=lambda i: seen.update({i.index: i}),
    )
    assert seen[1].outcome is Outcome.ERROR and seen[1].result is None
    assert "max_retry_attempts" in seen[1].error
    assert seen[0].outcome is seen[2].outcome is Outcome.APPROVED
    assert (summary.approved, summary.failed) == (2, 1)


def test_a_cancelled_batch_starts_nothing_new(bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.script.set_latency("generate", 0.3)  # a started item is still running
    cancel = CancelToken()
    seen: list[ItemResult] = []

    def first_then_cancel(item: ItemResult) -> None:
        seen.append(item)
        cancel.cancel()

    summary = run_batch(
        prompts(4),
        concurrency=1,
        credentials=DefaultChain(),
        emit_item=first_then_cancel,
        cancel=cancel,
    )
    assert seen[0].outcome is Outcome.APPROVED
    # The next item may have started before the cancel reached it; none after it did.
    by_index = {i.index: i for i in seen}
    assert [by_index[2].started, by_index[3].started] == [False, False]
    assert by_index[2].outcome is by_index[3].outcome is Outcome.CANCELLED
    assert summary.done == 4 and summary.not_started >= 2
    assert bedrock_sim.arrivals("generate") <= 2  # at most the item already under way


def test_cancel_before_the_start_makes_no_call(bedrock_sim: BedrockSimulator) -> None:
    cancel = CancelToken()
    cancel.cancel()
    summary = run_batch(prompts(2), concurrency=2, credentials=DefaultChain(), cancel=cancel)
    assert summary.not_started == 2
    assert bedrock_sim.arrivals("generate") == 0


def _peak_overlap(calls: list[CallRecord]) -> int:
    edges = sorted(
        [(c.timestamp, 1) for c in calls] + [(c.timestamp + c.duration, -1) for c in calls],
        key=lambda e: (e[0], e[1]),
    )
    peak = active = 0
    for _, step in edges:
        active += step
        peak = max(peak, active)
    return peak


# -- reading a batch file ------------------------------------------------------------------


def test_jsonl_problems_name_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "prompts.jsonl"
    path.write_text(
        json.dumps({"prompt": "a cat"})
        + "\n\n"
        + json.dumps({"prompt": "a dog", "max_retry_attempts": 0})
        + "\n{not json\n"
        + json.dumps({"prompt": "ok", "colour": "red"})
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        batch.read_batch(path)
    fields = [p.field for p in caught.value.problems]
    assert "line 3: max_retry_attempts" in fields
    assert any(f.startswith("line 4: ") for f in fields)
    assert any(f.startswith("line 5: ") for f in fields)
    assert not any(f.startswith("line 1") for f in fields)


def test_jsonl_reads_with_overrides(tmp_path: Path) -> None:
    path = tmp_path / "prompts.jsonl"
    path.write_text(
        "\n".join(json.dumps({"prompt": p, "max_retry_attempts": 2}) for p in ("a", "b")) + "\n",
        encoding="utf-8",
    )
    items = batch.read_batch(path, overrides={"s3_enabled": False})
    assert [(i.line, i.params.prompt, i.params.s3_enabled) for i in items] == [
        (1, "a", False),
        (2, "b", False),
    ]


def test_csv_reads_typed_cells_and_names_lines(tmp_path: Path) -> None:
    path = tmp_path / "prompts.csv"
    path.write_text(
        'prompt,max_retry_attempts,speculative_next\n"a cat, sitting",3,true\na dog,,\n',
        encoding="utf-8",
    )
    items = batch.read_batch(path)
    assert [(i.line, i.params.prompt) for i in items] == [(2, "a cat, sitting"), (3, "a dog")]
    assert items[0].params.max_retry_attempts == 3 and items[0].params.speculative_next is True
    assert items[1].params.max_retry_attempts == RunParams().max_retry_attempts
    bad = tmp_path / "bad.csv"
    bad.write_text("prompt,max_retry_attempts\nfine,2\nbad,lots\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        batch.read_batch(bad)
    assert [p.field for p in caught.value.problems] == ["line 3: max_retry_attempts"]


def test_empty_or_missing_files_are_invalid(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        batch.read_batch(empty)
    with pytest.raises(ValidationError) as caught:
        batch.read_batch(tmp_path / "missing.jsonl")
    assert caught.value.problems[0].field == "batch file"


def test_items_keep_their_lines() -> None:
    item = BatchItem(SMALL, 7)
    assert item.line == 7


def test_a_base_fills_the_fields_a_line_leaves_out(tmp_path: Path) -> None:
    base = SMALL.with_changes(max_retry_attempts=5, claude_validate_temperature=0.3)
    path = tmp_path / "items.jsonl"
    path.write_text(
        '{"prompt": "a cat"}\n{"prompt": "a dog", "max_retry_attempts": 2}\n', encoding="utf-8"
    )
    first, second = batch.read_batch(path, base=base)
    assert (first.params.prompt, first.params.max_retry_attempts) == ("a cat", 5)
    assert (second.params.prompt, second.params.max_retry_attempts) == ("a dog", 2)
    assert (
        first.params.claude_validate_temperature == second.params.claude_validate_temperature == 0.3
    )
    csv_path = tmp_path / "items.csv"
    csv_path.write_text("prompt,max_prompt_revisions\na bird,0\n", encoding="utf-8")
    (only,) = batch.read_batch(csv_path, base=base)
    assert (only.params.max_prompt_revisions, only.params.max_retry_attempts) == (0, 5)
