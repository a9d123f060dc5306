"""The approval contract of issue 12: checklist model and validation, the model calls'
prompts and tolerant readers, dependency skipping, the approval rule, ranking, ties and the
reviser's brief."""

from __future__ import annotations

import json
from typing import Any

import pytest

from imgloop_desktop.core.checklist import (
    MAX_EVIDENCE_CHARS,
    MAX_ITEMS,
    MAX_TEXT_CHARS,
    Approval,
    Checklist,
    ChecklistItem,
    Decision,
    ItemVerdict,
    ItemVerdicts,
    cache_key,
    decide,
    leaders,
    rank_key,
    resolve_tie,
    settle,
)
from imgloop_desktop.core.checklist_prompts import (
    MAX_ANSWER_CHARS,
    checklist_prompt,
    judge_checklist_prompt,
    pairwise_prompt,
    parse_checklist,
    parse_item_verdicts,
    parse_pairwise,
    revise_checklist_prompt,
    revision_brief,
)
from imgloop_desktop.core.errors import ModelOutputError, Problem, ValidationError
from imgloop_desktop.core.parsing import parse_revision
from tests.fakes import SPEC

JA_PROMPT = "木のテーブルの上に赤いリンゴが三つ、水彩画で"


def item(
    item_id: str, text: str = "", must: bool = True, kind: str = "other", deps: tuple[str, ...] = ()
) -> ChecklistItem:
    return ChecklistItem(item_id, text or f"requirement {item_id}", must, kind, deps)


def apples() -> Checklist:
    """Three apples on a table: c2 (count) and c3 (colour) depend on the apples (c1)."""
    return Checklist(
        (
            item("c1", "apples", kind="subject"),
            item("c2", "exactly three apples", kind="count", deps=("c1",)),
            item("c3", "the apples are red", kind="attribute", deps=("c1",)),
            item("c4", "a wooden table", kind="subject"),
            item("c5", "watercolour style", must=False, kind="style"),
        )
    )


def verdicts(checklist: Checklist, **results: str) -> ItemVerdicts:
    return settle(
        checklist,
        {k: ItemVerdict(k, r, f"saw {k}") for k, r in results.items()},  # type: ignore[arg-type]
    )


def problems_of(value: object) -> list[Problem]:
    with pytest.raises(ValidationError) as info:
        Checklist.from_json(value)
    return info.value.problems


# The data model and a person's checklist ---------------------------------------------------


def test_event_checklist_of_text_and_must_gets_ids_and_kinds() -> None:
    checklist = Checklist.from_json(
        [
            {"text": "a dog", "must": True},
            {"text": "the dog is brown", "must": False, "depends_on": ["c1"]},
            {"id": "sign", "text": 'the sign reads "OPEN"', "must": True, "kind": "text"},
        ]
    )
    assert checklist.items == (
        ChecklistItem("c1", "a dog", True, "other", ()),
        ChecklistItem("c2", "the dog is brown", False, "other", ("c1",)),
        ChecklistItem("sign", 'the sign reads "OPEN"', True, "text", ()),
    )
    assert checklist.ids == ("c1", "c2", "sign")
    assert [i.id for i in checklist.musts] == ["c1", "sign"]
    assert [i.id for i in checklist.shoulds] == ["c2"]


def test_event_checklist_names_the_field_value_and_what_is_allowed() -> None:
    problems = problems_of(
        [
            {"text": "a dog", "must": True},
            {"text": "a cat", "must": True},
            {"text": "  ", "must": True},
            {"text": "x" * (MAX_TEXT_CHARS + 1), "must": "yes"},
        ]
    )
    by_field = {p.field: p for p in problems}
    assert set(by_field) == {"checklist[2].text", "checklist[3].text", "checklist[3].must"}
    assert by_field["checklist[2].text"].value == "  "
    assert "1-300 characters" in by_field["checklist[2].text"].allowed
    assert "not only spaces" in by_field["checklist[2].text"].allowed
    assert "1-300" in by_field["checklist[3].text"].allowed
    assert by_field["checklist[3].must"].value == "yes"
    assert "true" in by_field["checklist[3].must"].allowed
    # Problems print the way every other input's do.
    assert "checklist[2].text: '  ' is not allowed; text of 1-300" in str(ValidationError(problems))


@pytest.mark.parametrize(
    ("value", "field", "allowed"),
    [
        ("a dog", "checklist", "a list of 1-30 items"),
        ([], "checklist", "a list of 1-30 items"),
        ([{"text": "a", "must": True}] * (MAX_ITEMS + 1), "checklist", "a list of 1-30"),
        ([{"must": True}], "checklist[0].text", "text of 1-300"),
        ([{"text": "a"}], "checklist[0].must", "true"),
        ([{"text": "a\x00b", "must": True}], "checklist[0].text", "NUL"),
        ([{"text": "a\ud800", "must": True}], "checklist[0].text", "surrogates"),
        ([{"text": "a", "must": True, "kind": "colour"}], "checklist[0].kind", "one of subject"),
        ([{"text": "a", "must": True, "id": "has space"}], "checklist[0].id", "letters, digits"),
        ([{"text": "a", "must": True, "weight": 3}], "checklist[0].weight", "not a known"),
        ([{"text": "a", "must": True, "depends_on": "c2"}], "checklist[0].depends_on", "list"),
        (
            [{"text": "a", "must": True}, {"text": "b", "must": True, "depends_on": ["c9"]}],
            "checklist[1].depends_on",
            "ids of items in this checklist (c1, c2)",
        ),
        (
            [{"text": "a", "must": True, "depends_on": ["c1"]}],
            "checklist[0].depends_on",
            "ids of other items",
        ),
        (
            [{"id": "x", "text": "a", "must": True}, {"id": "x", "text": "b", "must": True}],
            "checklist[1].id",
            "checklist[0] has it too",
        ),
        (
            [{"text": "a", "must": False}, {"text": "b", "must": False}],
            "checklist",
            "at least one item with must true",
        ),
    ],
)
def test_bad_checklists_are_refused_naming_the_field(
    value: object, field: str, allowed: str
) -> None:
    problems = problems_of(value)
    assert field in [p.field for p in problems]
    assert any(allowed in p.allowed for p in problems if p.field == field), problems
    json.dumps([p.value for p in problems])  # every shown value can be written as JSON


def test_a_dependency_cycle_is_refused_with_its_path() -> None:
    problems = problems_of(
        [
            {"text": "a", "must": True, "depends_on": ["c3"]},
            {"text": "b", "must": True, "depends_on": ["c1"]},
            {"text": "c", "must": True, "depends_on": ["c2"]},
        ]
    )
    assert len(problems) == 1
    assert problems[0].field == "checklist[0].depends_on"
    assert "c1 -> c3 -> c2 -> c1" in problems[0].allowed


def test_a_checklist_built_in_code_is_validated_too() -> None:
    with pytest.raises(ValidationError) as info:
        Checklist((item("c1"), item("c1")))
    assert info.value.problems[0].field == "checklist[1].id"
    with pytest.raises(ValidationError) as info:
        Checklist((item("c1", kind="colour"), ChecklistItem("c2", 3, True)))  # type: ignore[arg-type]
    assert [p.field for p in info.value.problems] == ["checklist[0].kind", "checklist[1].text"]
    with pytest.raises(ValidationError):
        Checklist(())


def test_line_breaks_in_a_persons_text_become_spaces() -> None:
    checklist = Checklist.from_json([{"text": "  a red\r\n\tball ", "must": True}])
    assert checklist.items[0].text == "a red ball"


def test_japanese_checklist_round_trips_through_json() -> None:
    checklist = Checklist.from_json(
        [
            {"text": "赤いリンゴ", "must": True, "kind": "subject"},
            {"text": "リンゴが三つ", "must": True, "kind": "count", "depends_on": ["c1"]},
            {"text": "水彩画のスタイル", "must": False, "kind": "style"},
        ]
    )
    text = json.dumps(checklist.to_json(), ensure_ascii=False)
    assert "赤いリンゴ" in text
    assert Checklist.loads(text) == checklist
    assert Checklist.loads(text.encode("utf-8")) == checklist
    assert Checklist.from_json(json.loads(text)) == checklist


def test_loads_refuses_what_is_not_json_under_the_limits() -> None:
    with pytest.raises(ValidationError) as info:
        Checklist.loads("[" * 100 + "]" * 100)
    assert info.value.problems[0].field == "checklist"
    assert "nests" in info.value.problems[0].allowed
    with pytest.raises(ValidationError):
        Checklist.loads("{not json")


def test_edits_return_new_valid_checklists() -> None:
    checklist = apples()
    flipped = checklist.replaced(item("c5", "watercolour style", must=True, kind="style"))
    assert flipped.get("c5") == item("c5", "watercolour style", must=True, kind="style")
    assert checklist.get("c5") is not None and not checklist.get("c5").must  # type: ignore[union-attr]
    added = checklist.added("a blue\nvase", must=False)
    assert added.items[-1] == ChecklistItem("c6", "a blue vase", False, "other", ())
    without = checklist.without("c1")
    assert without.ids == ("c2", "c3", "c4", "c5")
    assert all(not i.depends_on for i in without.items)  # no one depends on c1 any more
    with pytest.raises(KeyError):
        checklist.without("nope")
    with pytest.raises(ValidationError):  # the last must cannot go
        Checklist((item("c1"), item("c2", must=False))).without("c1")


def test_cache_key_changes_with_prompt_model_and_wording() -> None:
    key = cache_key(JA_PROMPT, "judge-a")
    assert key == cache_key(JA_PROMPT, "judge-a")
    assert len({key, cache_key(JA_PROMPT, "judge-b"), cache_key("x", "judge-a")}) == 3
    assert cache_key(JA_PROMPT, "judge-a", version="2") != key
    assert cache_key("a\ud800", "m")  # a lone surrogate does not break hashing


# Writing the checklist -----------------------------------------------------------------


def test_checklist_prompt_asks_for_atomic_musts_shoulds_and_dependencies() -> None:
    text = checklist_prompt(JA_PROMPT)
    assert f"<request>\n{JA_PROMPT}\n</request>" in text
    for word in ("subject", "count", "attribute", "relation", "style", "composition"):
        assert f'"{word}"' in text
    assert '"must": true' in text and "depends_on" in text
    assert "language of the request" in text
    assert f"At most\n{MAX_ITEMS} requirements" in text


CHECKLIST_JSON = {
    "checklist": [
        {"id": "c1", "text": "赤いリンゴ", "must": True, "kind": "subject", "depends_on": []},
        {"id": "c2", "text": "リンゴが三つ", "must": True, "kind": "count", "depends_on": ["c1"]},
        {"id": "c3", "text": "水彩画", "must": False, "kind": "style", "depends_on": []},
    ]
}
EXPECTED = Checklist(
    (
        ChecklistItem("c1", "赤いリンゴ", True, "subject", ()),
        ChecklistItem("c2", "リンゴが三つ", True, "count", ("c1",)),
        ChecklistItem("c3", "水彩画", False, "style", ()),
    )
)


@pytest.mark.parametrize(
    "wrap",
    [
        "{}",
        "```json\n{}\n```",
        "Here is the checklist you asked for:\n\n{}\n\nLet me know if anything is missing.",
        'For example {{"checklist": "like this"}}. The answer: {}',
        '{{"note": {{"x": [1, 2]}}}} {}',
    ],
)
def test_checklist_found_wherever_the_model_puts_it(wrap: str) -> None:
    answer = wrap.format(json.dumps(CHECKLIST_JSON, ensure_ascii=False, indent=2))
    assert parse_checklist(answer) == EXPECTED


def test_checklist_read_from_a_bare_list_and_loose_fields() -> None:
    answer = json.dumps(
        [
            {"id": 7, "requirement": "a dog", "priority": "MUST", "type": "Object"},
            {"id": 8, "text": "the dog\nis brown", "priority": "should", "depends": 7},
            "a red ball",
            {"id": 9, "text": "", "must": True},  # no text: dropped
            {"id": 10, "text": "a blue sky", "kind": "weather"},
        ]
    )
    checklist = parse_checklist(answer)
    assert checklist.items == (
        ChecklistItem("c1", "a dog", True, "subject", ()),
        ChecklistItem("c2", "the dog is brown", False, "other", ("c1",)),
        ChecklistItem("c3", "a red ball", True, "other", ()),
        ChecklistItem("c4", "a blue sky", True, "other", ()),
    )


def test_checklist_dependencies_unknown_self_and_cyclic_are_dropped() -> None:
    answer = json.dumps(
        {
            "checklist": [
                {"id": "a", "text": "one", "must": True, "depends_on": ["a", "zz", "c"]},
                {"id": "b", "text": "two", "must": True, "depends_on": ["a"]},
                {"id": "c", "text": "three", "must": True, "depends_on": ["b"]},
            ]
        }
    )
    checklist = parse_checklist(answer)
    # c1 -> c3 -> c2 -> c1 was a cycle: the edge closing it, met last, is dropped.
    assert {i.id: i.depends_on for i in checklist.items} == {
        "c1": ("c3",),
        "c2": (),
        "c3": ("c2",),
    }


def test_checklist_all_shoulds_become_musts_and_unmarked_items_are_musts() -> None:
    answer = '{"checklist": [{"text": "a", "must": false}, {"text": "b", "must": "should"}]}'
    assert [i.must for i in parse_checklist(answer).items] == [True, True]
    answer = '{"checklist": [{"text": "a"}, {"text": "b", "must": false}]}'
    assert [i.must for i in parse_checklist(answer).items] == [True, False]


def test_checklist_over_the_limits_is_cut_keeping_musts() -> None:
    entries = [{"text": f"should {n}", "must": False} for n in range(20)]
    entries += [{"text": f"must {n}", "must": True} for n in range(20)]
    entries.append({"text": "word " * 200, "must": True})
    checklist = parse_checklist(json.dumps({"checklist": entries}))
    assert len(checklist.items) == MAX_ITEMS
    assert len(checklist.musts) == 21
    assert all(len(i.text) <= MAX_TEXT_CHARS for i in checklist.items)
    assert checklist.items[-1].text.startswith("word word")
    assert checklist.ids == tuple(f"c{n}" for n in range(1, MAX_ITEMS + 1))


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "I could not do that.",
        '{"checklist": []}',
        '{"checklist": [{"text": ""}, {"must": true}]}',
        '{"checklist": [{"text": "a dog", "must": true}, {"text": "cut off',
        '{"result": "YES", "reason": "looks fine"}',
        "[" * 200 + "]" * 200,
        "x" * (MAX_ANSWER_CHARS + 1),
    ],
)
def test_unusable_checklists_raise_model_output_error(answer: str) -> None:
    with pytest.raises(ModelOutputError) as info:
        parse_checklist(answer)
    assert len(str(info.value)) < 400


def test_checklist_cut_before_its_last_brace_is_still_read() -> None:
    answer = '```json\n{"checklist": [{"text": "a dog", "must": true}, {"text": "a ball"}]'
    assert parse_checklist(answer).ids == ("c1", "c2")


# Judging against it --------------------------------------------------------------------


def test_judge_prompt_lists_every_item_as_json_lines() -> None:
    checklist = Checklist.from_json(
        [
            {"text": '赤いリンゴ "quoted"\nnot a new line', "must": True},
            {"text": "三つ", "must": False, "depends_on": ["c1"]},
        ]
    )
    text = judge_checklist_prompt(JA_PROMPT, checklist)
    lines = [json.loads(line) for line in text.splitlines() if line.startswith('{"id"')]
    assert lines == [
        {"id": "c1", "text": '赤いリンゴ "quoted" not a new line', "must": True},
        {"id": "c2", "text": "三つ", "must": False, "depends_on": ["c1"]},
    ]
    assert '"yes" or "no" or "unsure"' in text and "evidence" in text
    assert JA_PROMPT in text


def test_judge_prompt_can_ask_for_only_the_missing_items() -> None:
    text = judge_checklist_prompt("p", apples(), only={"c4"})
    assert '"id": "c4"' in text and '"id": "c1"' not in text
    assert "only these" in text


def test_verdicts_read_with_evidence_in_checklist_order() -> None:
    checklist = apples()
    answer = json.dumps(
        {
            "checks": [
                {"id": "c4", "result": "yes", "evidence": "a wooden table"},
                {"id": "c1", "result": "YES", "evidence": "apples in the centre"},
                {"id": "c2", "result": "no", "evidence": "I count four apples"},
                {"id": "c3", "result": "unsure", "evidence": "they look orange-red"},
                {"id": "c5", "result": "Yes.", "evidence": "soft washes of colour"},
            ]
        }
    )
    found = parse_item_verdicts(f"```json\n{answer}\n```", checklist)
    assert found.complete
    assert [(v.item_id, v.result) for v in found.verdicts] == [
        ("c1", "yes"),
        ("c2", "no"),
        ("c3", "unsure"),
        ("c4", "yes"),
        ("c5", "yes"),
    ]
    assert found.get("c2") == ItemVerdict("c2", "no", "I count four apples")


@pytest.mark.parametrize(
    "answer",
    [
        'Checked.\n[{"item": 1, "verdict": "pass", "reason": "r"}, {"id": "C2", "answer": false}]',
        '{"c1": "yes", "c2": {"result": "no", "evidence": "four"}}',
        '{"checks": {"c1": true, "c2": "fail"}}',
        '{"results": [{"text": "apples", "status": "met"}, {"id": "2", "passed": "No"}]}',
        '{"checks": [{"requirement": "apples", "result": "yes"}, {"id": "c2", "result": "n"}]}',
    ],
)
def test_verdicts_read_from_loose_formats(answer: str) -> None:
    found = parse_item_verdicts(answer, apples())
    assert found.get("c1") is not None and found.get("c1").result == "yes"  # type: ignore[union-attr]
    assert found.get("c2") is not None and found.get("c2").result == "no"  # type: ignore[union-attr]
    assert found.missing == ("c3", "c4", "c5")


def test_cut_off_verdicts_keep_their_complete_entries() -> None:
    answer = (
        '{"checks": [{"id": "c1", "result": "yes", "evidence": "apples"}, '
        '{"id": "c4", "result": "no", "evidence": "a glass table"}, {"id": "c5", "resu'
    )
    found = parse_item_verdicts(answer, apples())
    assert [(v.item_id, v.result) for v in found.verdicts] == [("c1", "yes"), ("c4", "no")]
    assert found.missing == ("c2", "c3", "c5")


def test_verdicts_spread_over_several_json_values_are_gathered() -> None:
    answer = (
        'First the subjects: {"checks": [{"id": "c1", "result": "yes"}]}\n'
        'Then the rest: {"checks": [{"id": "c1", "result": "no"}, {"id": "c2", "result": "yes"},'
        ' {"id": "c3", "result": "yes"}, {"id": "c4", "result": "yes"}, {"id": "c5", "result":'
        ' "no"}]}'
    )
    found = parse_item_verdicts(answer, apples())
    assert found.complete
    assert found.get("c1") == ItemVerdict("c1", "yes", "")  # the first verdict stands


def test_child_of_a_failed_parent_is_skipped_even_when_answered() -> None:
    checklist = apples()
    answer = json.dumps(
        {
            "checks": [
                {"id": "c1", "result": "no", "evidence": "no apples, only pears"},
                {"id": "c2", "result": "yes", "evidence": "three"},
                {"id": "c3", "result": "yes", "evidence": "red"},
                {"id": "c4", "result": "yes", "evidence": "table"},
            ]
        }
    )
    found = parse_item_verdicts(answer, checklist)
    assert found.get("c2") == ItemVerdict(
        "c2", "skipped", "not judged: it depends on c1, which failed"
    )
    assert found.get("c3") is not None and found.get("c3").result == "skipped"  # type: ignore[union-attr]
    assert found.missing == ("c5",)


def test_skipping_goes_down_a_chain_and_not_past_an_unsure_parent() -> None:
    checklist = Checklist((item("c1"), item("c2", deps=("c1",)), item("c3", deps=("c2",))))
    skipped = verdicts(checklist, c1="no", c2="yes", c3="yes")
    assert [v.result for v in skipped.verdicts] == ["no", "skipped", "skipped"]
    kept = verdicts(checklist, c1="unsure", c2="yes", c3="no")
    assert [v.result for v in kept.verdicts] == ["unsure", "yes", "no"]


def test_parent_listed_after_its_child_still_skips_it() -> None:
    checklist = Checklist((item("c2", deps=("c1",)), item("c1")))
    found = verdicts(checklist, c1="no", c2="yes")
    assert [(v.item_id, v.result) for v in found.verdicts] == [("c2", "skipped"), ("c1", "no")]


def test_missing_items_asked_again_then_recorded_as_errors() -> None:
    checklist = apples()
    first = parse_item_verdicts(
        '{"checks": [{"id": "c2", "result": "yes", "evidence": "three"}]}', checklist
    )
    assert first.missing == ("c1", "c3", "c4", "c5")
    # The second answer judges the parent: "no" now skips the child answered "yes" before.
    second = parse_item_verdicts(
        'Sure: {"checks": [{"id": "c1", "result": "no"}, {"id": "c4", "result": "yes"}]}',
        checklist,
        earlier=first,
    )
    assert [(v.item_id, v.result) for v in second.verdicts] == [
        ("c1", "no"),
        ("c2", "skipped"),
        ("c3", "skipped"),
        ("c4", "yes"),
    ]
    assert second.missing == ("c5",)
    final = second.with_errors(checklist, "not judged in two answers")
    assert final.complete
    assert final.get("c5") == ItemVerdict("c5", "error", "not judged in two answers")


def test_first_answer_stands_over_the_second() -> None:
    checklist = apples()
    first = parse_item_verdicts('{"checks": [{"id": "c4", "result": "yes"}]}', checklist)
    second = parse_item_verdicts(
        '{"checks": [{"id": "c4", "result": "no"}, {"id": "c5", "result": "no"}]}',
        checklist,
        earlier=first,
    )
    assert second.get("c4") is not None and second.get("c4").result == "yes"  # type: ignore[union-attr]
    assert second.get("c5") is not None and second.get("c5").result == "no"  # type: ignore[union-attr]


def test_all_errors_when_no_answer_could_be_read() -> None:
    checklist = apples()
    found = ItemVerdicts.all_errors(checklist, "the judge answered nothing readable")
    assert {v.result for v in found.verdicts} == {"error"}
    assert decide(checklist, found).result is Approval.REVIEW


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "The image looks great!",
        '{"result": "YES", "reason": "all there"}',
        '{"checks": [{"id": "zz", "result": "yes"}]}',
        '{"checks": [{"id": "c1", "result": "probably"}]}',
        '{"checks": [{"id": "c1", "result": "yes", "evidence": "cut',
    ],
)
def test_unusable_verdicts_raise_model_output_error(answer: str) -> None:
    with pytest.raises(ModelOutputError):
        parse_item_verdicts(answer, apples())


def test_evidence_is_bounded_and_encodable() -> None:
    long = "x" * 10_000
    answer = json.dumps({"checks": [{"id": "c1", "result": "yes", "evidence": long}]})
    evidence = parse_item_verdicts(answer, apples()).verdicts[0].evidence
    assert evidence.startswith("x" * MAX_EVIDENCE_CHARS)
    assert "[... cut: the answer had 10,000 characters]" in evidence
    assert len(evidence) < MAX_EVIDENCE_CHARS + 60
    # Kept evidence read back is not cut again.
    assert ItemVerdict("c1", "yes", evidence).evidence == evidence
    lone = parse_item_verdicts('{"c1": {"result": "no", "evidence": "a\\ud800b\\u0000"}}', apples())
    assert lone.verdicts[0].evidence == "a\ufffdb\ufffd"
    as_object = parse_item_verdicts('{"c1": {"result": "no", "evidence": {"n": 4}}}', apples())
    assert as_object.verdicts[0].evidence == '{"n": 4}'


def test_item_verdict_refuses_an_unknown_result() -> None:
    with pytest.raises(ValueError, match="one of yes, no, unsure, skipped, error"):
        ItemVerdict("c1", "maybe")  # type: ignore[arg-type]


def test_verdicts_round_trip_through_json() -> None:
    checklist = apples()
    found = verdicts(checklist, c1="yes", c2="no", c3="unsure", c4="error").with_errors(
        checklist, "gone"
    )
    data = json.loads(json.dumps(found.to_json(), ensure_ascii=False))
    assert ItemVerdicts.from_json(data, checklist) == found
    with pytest.raises(ValidationError) as info:
        ItemVerdicts.from_json({"checks": [{"id": "zz", "result": "yes"}]}, checklist)
    assert info.value.problems[0].field == "verdicts.checks[0].id"
    with pytest.raises(ValidationError):
        ItemVerdicts.from_json({"checks": [{"id": "c1", "result": "maybe"}]}, checklist)


# The approval rule ---------------------------------------------------------------------


def test_every_must_yes_is_approved_whatever_the_shoulds() -> None:
    checklist = apples()
    decision = decide(
        checklist, verdicts(checklist, c1="yes", c2="yes", c3="yes", c4="yes", c5="no")
    )
    assert decision.result is Approval.APPROVED and decision.approved
    assert (decision.musts_passed, decision.musts_total) == (4, 4)
    assert (decision.shoulds_passed, decision.shoulds_total) == (0, 1)
    assert decision.badge == "4/5 \u2713"
    assert decision.misses(checklist) == ""


def test_unsure_must_goes_to_review_never_approved_or_rejected() -> None:
    checklist = apples()
    decision = decide(
        checklist, verdicts(checklist, c1="yes", c2="yes", c3="unsure", c4="yes", c5="yes")
    )
    assert decision.result is Approval.REVIEW
    assert decision.uncertain == ("c3",) and decision.unmet_musts == ("c3",)
    assert decision.badge == "4/5 ?"
    assert decision.misses(checklist) == "unsure: the apples are red"


def test_error_or_unjudged_must_goes_to_review() -> None:
    checklist = apples()
    errored = verdicts(checklist, c1="yes", c2="yes", c3="yes", c4="error", c5="yes")
    assert decide(checklist, errored).result is Approval.REVIEW
    unjudged = verdicts(checklist, c1="yes", c2="yes", c3="yes", c5="yes")
    assert decide(checklist, unjudged).result is Approval.REVIEW


def test_any_failed_must_rejects_even_beside_an_unsure_one() -> None:
    checklist = apples()
    decision = decide(
        checklist, verdicts(checklist, c1="yes", c2="no", c3="unsure", c4="yes", c5="yes")
    )
    assert decision.result is Approval.REJECTED
    assert decision.failed == ("c2",)
    assert decision.unmet_musts == ("c2", "c3")
    assert decision.badge == "3/5 \u2717"
    assert decision.misses(checklist) == (
        "misses: exactly three apples | unsure: the apples are red"
    )


def test_skipped_must_counts_as_failed() -> None:
    checklist = apples()
    decision = decide(checklist, verdicts(checklist, c1="no", c2="yes", c3="yes", c4="yes"))
    assert decision.result is Approval.REJECTED
    assert decision.failed == ("c1", "c2", "c3")
    assert decision.musts_failed == 3
    assert decision.to_json()["result"] == "rejected"
    json.dumps(decision.to_json())


# The best candidate --------------------------------------------------------------------


def test_rank_prefers_musts_then_fewer_failed_musts_then_shoulds() -> None:
    checklist = apples()
    three_musts = decide(checklist, verdicts(checklist, c1="yes", c2="yes", c3="yes", c4="no"))
    two_unsure = decide(
        checklist, verdicts(checklist, c1="yes", c2="unsure", c3="unsure", c4="yes", c5="no")
    )
    two_failed = decide(
        checklist, verdicts(checklist, c1="yes", c2="no", c3="no", c4="yes", c5="yes")
    )
    two_failed_no_should = decide(
        checklist, verdicts(checklist, c1="yes", c2="no", c3="no", c4="yes", c5="no")
    )
    ranked = sorted(
        [two_failed_no_should, two_failed, two_unsure, three_musts], key=rank_key, reverse=True
    )
    assert ranked == [three_musts, two_unsure, two_failed, two_failed_no_should]
    assert leaders([two_failed, three_musts, two_unsure]) == (1,)
    assert leaders([two_failed, two_failed, two_unsure]) == (2,)
    assert leaders([two_failed, two_failed_no_should, two_failed]) == (0, 2)
    assert leaders([]) == ()


def test_pairwise_prompt_and_answers() -> None:
    text = pairwise_prompt(JA_PROMPT, apples())
    assert '"first"' in text and '"second"' in text and '"tie"' in text
    assert '"id": "c5"' in text
    assert parse_pairwise('{"better": "first", "reason": "three apples"}') == "first"
    assert parse_pairwise('```json\n{"better": "Second.", "reason": "r"}\n```') == "second"
    assert parse_pairwise('I prefer... {"winner": "image 1"}') == "first"
    assert parse_pairwise('{"better": 2}') == "second"
    assert parse_pairwise('{"better": "tie", "reason": "same"}') == "tie"
    assert parse_pairwise("Second") == "second"
    for bad in ("", "Both are nice", '{"better": "the left one"}', '{"reason": "x"}'):
        with pytest.raises(ModelOutputError):
            parse_pairwise(bad)


@pytest.mark.parametrize(
    ("a_then_b", "b_then_a", "winner"),
    [
        ("first", "second", "a"),  # a first, then a second: a both times
        ("second", "first", "b"),
        ("first", "first", "tie"),  # always the first shown: position bias
        ("second", "second", "tie"),  # always the second shown
        ("tie", "tie", "tie"),
        ("first", "tie", "tie"),
        ("tie", "first", "tie"),
        ("tie", "second", "tie"),
    ],
)
def test_tie_resolved_only_when_both_orders_agree(
    a_then_b: Any, b_then_a: Any, winner: str
) -> None:
    assert resolve_tie(a_then_b, b_then_a) == winner


# Revision input ------------------------------------------------------------------------


def test_revision_brief_lists_failures_unsure_kept_and_history() -> None:
    checklist = apples()
    v1 = verdicts(checklist, c1="yes", c2="no", c3="yes", c4="no", c5="no")
    v2a = settle(
        checklist,
        {
            "c1": ItemVerdict("c1", "yes", "apples"),
            "c2": ItemVerdict("c2", "no", "I count four apples"),
            "c3": ItemVerdict("c3", "unsure", "orange-red"),
            "c4": ItemVerdict("c4", "yes", "table"),
            "c5": ItemVerdict("c5", "yes", "watercolour"),
        },
    )
    v2b = settle(
        checklist,
        {
            "c1": ItemVerdict("c1", "yes", "apples"),
            "c2": ItemVerdict("c2", "no", "two apples"),
            "c3": ItemVerdict("c3", "yes", "red"),
            "c4": ItemVerdict("c4", "yes", "table"),
        },
    )
    brief = revision_brief(
        checklist, [("three apples on a table", [v1]), ("3 red apples, wooden table", [v2a, v2b])]
    )
    assert brief.splitlines() == [
        "Failed (fix these):",
        '- [must] "exactly three apples" (2 of 2 images): "I count four apples" / "two apples"',
        "Unsure (make these unmistakable):",
        '- [must] "the apples are red" (1 of 2 images): "orange-red"',
        "Already met (keep these):",
        '- [must] "apples"',
        '- [must] "a wooden table"',
        '- [should] "watercolour style"',
        "Prompt versions so far, oldest first:",
        '1. "three apples on a table": best image met 2 of 5 requirements (2 of 4 musts), '
        "1 image(s)",
        '2. "3 red apples, wooden table": best image met 3 of 5 requirements '
        "(3 of 4 musts), 2 image(s)",
    ]


def test_revision_brief_takes_a_mapping_and_japanese_text() -> None:
    checklist = EXPECTED
    found = verdicts(checklist, c1="yes", c2="no", c3="yes")
    brief = revision_brief(checklist, {JA_PROMPT: [found]})
    assert '"リンゴが三つ"' in brief and f'"{JA_PROMPT}"' in brief


def test_revise_prompt_carries_brief_guide_and_limit() -> None:
    checklist = apples()
    brief = revision_brief(checklist, [("v1", [verdicts(checklist, c1="yes", c2="no")])])
    text = revise_checklist_prompt(original=JA_PROMPT, latest="v1", brief=brief, spec=SPEC)
    assert brief in text and SPEC.prompt_guide in text and JA_PROMPT in text
    assert f"at most {SPEC.prompt_max_chars} characters" in text
    assert "keeps every\nrequirement that already passed" in text
    # The answer it asks for is the one parse_revision already reads.
    assert parse_revision('{"revised_prompt": "three red apples"}') == "three red apples"
    assert '{"revised_prompt": "the new prompt"}' in text


def test_decision_fields_are_consistent() -> None:
    checklist = apples()
    decision: Decision = decide(checklist, verdicts(checklist, c1="yes"))
    assert decision.passed == 1 and decision.total == 5
    assert (
        decision.musts_passed
        + decision.musts_failed
        + len(
            [i for i in decision.uncertain if checklist.get(i).must]  # type: ignore[union-attr]
        )
        == decision.musts_total
    )


def test_repeated_dependencies_are_kept_once_and_bad_edits_name_the_field() -> None:
    checklist = Checklist.from_json(
        [{"text": "a", "must": True}, {"text": "b", "must": True, "depends_on": ["c1", "c1"]}]
    )
    assert checklist.items[1].depends_on == ("c1",)
    with pytest.raises(ValidationError) as info:
        checklist.added("   ", must=True)
    assert info.value.problems[0].field == "checklist[2].text"
