"""Listing, paging, search in English and Japanese, filters, the tree, and the override rules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from imgloop_desktop.core.errors import ServiceError, ValidationError
from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest
from imgloop_desktop.core.records import Decision, HistoryOutcome, SessionFilter
from imgloop_desktop.services.history import HistoryService, make_filter
from imgloop_desktop.storage.history import HistoryError
from tests.storage.history.fakes import Clock, FakeChat, params, run_recorded

DAY0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


class BrokenGenerator:
    model_id = "test.image-model"
    region = "us-west-2"

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        raise ServiceError("AccessDeniedException: model not enabled")


@dataclass
class Library:
    service: HistoryService
    ids: dict[str, str]


@pytest.fixture
def library(isolated_env: Path) -> Iterator[Library]:
    db = isolated_env / "history.sqlite3"
    ids: dict[str, str] = {}

    def run(name: str, day: int, prompt: str, **kw: object) -> None:
        clock = Clock(DAY0 + timedelta(days=day))
        ids[name] = run_recorded(db, params(prompt), clock=clock, **kw).run_id  # type: ignore[arg-type]

    run("fox", 0, "a red fox in the snow", chat=FakeChat(verdicts=["YES"]))
    run("cat", 1, "夕焼けの海辺を歩く猫")
    run(
        "lighthouse",
        2,
        "A lighthouse in a storm",
        chat=FakeChat(revisions=['{"revised_prompt": "灯台と嵐の夜、荒れた海"}']),
    )
    run("orange", 3, "100% pure_orange juice", chat=FakeChat(verdicts=["NO", "YES"]))
    run("broken", 4, "a broken run", generator=BrokenGenerator())
    run("owl", 5, "an owl at night")
    run("moon", 6, "the moon over Kyoto 京都の月")
    service = HistoryService.open(db)
    yield Library(service, ids)
    service.close()


def ids_of(library: Library, flt: SessionFilter | None = None, **kw: object) -> list[str]:
    names = {v: k for k, v in library.ids.items()}
    page = library.service.list_sessions(flt, page_size=100, **kw)  # type: ignore[arg-type]
    return [names[s.run_id] for s in page.sessions]


ALL_NEWEST_FIRST = ["moon", "owl", "broken", "orange", "lighthouse", "cat", "fox"]


def test_newest_first_with_keyset_and_offset_paging(library: Library) -> None:
    assert ids_of(library) == ALL_NEWEST_FIRST
    seen: list[str] = []
    cursor = None
    names = {v: k for k, v in library.ids.items()}
    while True:
        page = library.service.list_sessions(page_size=3, cursor=cursor)
        seen += [names[s.run_id] for s in page.sessions]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == ALL_NEWEST_FIRST
    third = library.service.list_sessions(page_size=3, page=3)
    assert [names[s.run_id] for s in third.sessions] == ["fox"] and third.next_cursor is None
    assert library.service.count_sessions() == 7


def test_summary_counts_and_thumbnail(library: Library) -> None:
    page = library.service.list_sessions(page_size=100)
    by = {s.run_id: s for s in page.sessions}
    fox = by[library.ids["fox"]]
    assert fox.outcome is HistoryOutcome.APPROVED
    assert (fox.image_count, fox.attempt_count, fox.approved_count) == (1, 1, 1)
    cat = by[library.ids["cat"]]
    assert cat.outcome is HistoryOutcome.NOT_APPROVED
    assert (cat.image_count, cat.attempt_count, cat.revision_count) == (4, 4, 1)
    assert cat.latest_prompt == "revised prompt 1" and cat.prompt == "夕焼けの海辺を歩く猫"
    tree = library.service.session(library.ids["cat"])
    assert cat.thumbnail_image_id == list(tree.images())[-1].image_id  # none approved: the last
    orange = by[library.ids["orange"]]
    tree = library.service.session(library.ids["orange"])
    assert orange.thumbnail_image_id == tree.approved_images()[0].image_id
    broken = by[library.ids["broken"]]
    assert broken.outcome is HistoryOutcome.ERROR and broken.thumbnail_image_id is None
    assert "model not enabled" in broken.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fox", ["fox"]),  # English, through the trigram index
        ("RED FOX", ["fox"]),  # case-insensitive
        ("海辺を歩く", ["cat"]),  # Japanese, 3+ characters: the index
        ("嵐の夜", ["lighthouse"]),  # found in a revised prompt only
        ("猫", ["cat"]),  # one CJK character: LIKE
        ("京都", ["moon"]),  # two characters: LIKE
        ("revised prompt", ["moon", "owl", "cat"]),
        ("100%", ["orange"]),  # LIKE wildcards are taken literally
        ("_or", ["orange"]),
        ('"quoted', []),  # FTS syntax in the query does no harm
        ("zebra", []),
    ],
)
def test_search_original_and_revised_prompts(
    library: Library, text: str, expected: list[str]
) -> None:
    assert ids_of(library, make_filter(search=text)) == expected


def test_filters_by_outcome_and_date(library: Library) -> None:
    assert ids_of(library, make_filter(outcomes=["approved"])) == ["orange", "fox"]
    assert ids_of(library, make_filter(outcomes=["error", "not-approved"])) == [
        "moon",
        "owl",
        "broken",
        "lighthouse",
        "cat",
    ]
    assert ids_of(library, make_filter(outcomes=["running", "interrupted"])) == []
    since = DAY0 + timedelta(days=2)
    until = DAY0 + timedelta(days=4)
    assert ids_of(library, SessionFilter(since=since, until=until)) == ["orange", "lighthouse"]
    both = SessionFilter(search="revised", outcomes=frozenset({HistoryOutcome.NOT_APPROVED}))
    assert ids_of(library, both) == ["moon", "owl", "cat"]
    assert library.service.count_sessions(both) == 3


def test_the_human_decision_overrides_the_judge(library: Library) -> None:
    service = library.service
    fox = service.session(library.ids["fox"])
    [judged_yes] = list(fox.images())
    assert judged_yes.verdict is not None and judged_yes.verdict.result == "YES"
    rejected = service.decide(judged_yes.image_id, Decision.REJECTED)
    assert not rejected.effective_approved
    assert rejected.verdict == judged_yes.verdict, "the judge's verdict is kept"
    assert rejected.human_decision is Decision.REJECTED and rejected.decided_at is not None

    cat_images = list(service.session(library.ids["cat"]).images())
    judged_no = cat_images[1]
    approved = service.decide(judged_no.image_id, Decision.APPROVED)
    assert approved.effective_approved and approved.verdict is not None
    assert approved.verdict.result == "NO"

    page = service.list_sessions(page_size=100)
    by = {s.run_id: s for s in page.sessions}
    assert by[library.ids["fox"]].approved_count == 0
    assert by[library.ids["cat"]].approved_count == 1
    assert by[library.ids["cat"]].thumbnail_image_id == judged_no.image_id
    gallery = {i.image_id for i in service.approved_images()}
    assert judged_no.image_id in gallery and judged_yes.image_id not in gallery

    cleared = service.decide(judged_yes.image_id, None)
    assert cleared.human_decision is None and cleared.decided_at is None
    assert cleared.effective_approved, "with no decision the judge's YES counts again"
    with pytest.raises(HistoryError, match="not in the history"):
        service.decide(999_999, Decision.APPROVED)


def test_bad_inputs_name_the_field(library: Library) -> None:
    with pytest.raises(ValidationError, match="cursor"):
        library.service.list_sessions(cursor="nonsense")
    with pytest.raises(ValidationError, match="page_size"):
        library.service.list_sessions(page_size=0)
    with pytest.raises(HistoryError, match="not in the history"):
        library.service.session("20990101000000-deadbeef")
