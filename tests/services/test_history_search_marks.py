"""The history search's mark words (issue 16): ``is:fav`` and ``rating:N`` / ``rating>=N``
come out of the typed text into ``SessionFilter.favourites`` / ``.min_rating``, combine with
the window's check box and list (or the command's options), and a bad one is refused naming
the field, the value and what is allowed."""

from __future__ import annotations

import pytest

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.records import SessionFilter
from imgloop_desktop.services.history import (
    SEARCH_TOKENS_ALLOWED,
    SearchTerms,
    make_filter,
    parse_search,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("a red fox", SearchTerms("a red fox")),
        ("  two  spaces kept ", SearchTerms("  two  spaces kept ")),  # no words: as typed
        ("is:fav", SearchTerms("", favourites=True)),
        ("red is:fav fox", SearchTerms("red fox", favourites=True)),
        ("Is:Favourite 猫", SearchTerms("猫", favourites=True)),
        ("is:favorite", SearchTerms("", favourites=True)),
        ("rating:3", SearchTerms("", min_rating=3)),
        ("rating>=4 lighthouse", SearchTerms("lighthouse", min_rating=4)),
        ("rating:>=2", SearchTerms("", min_rating=2)),
        ("rating:2 rating>=5", SearchTerms("", min_rating=5)),  # the stricter
        ("is:fav rating>=1 夕焼け", SearchTerms("夕焼け", favourites=True, min_rating=1)),
        ("this:is rating", SearchTerms("this:is rating")),  # not a mark word
        ("marking:5 isfav", SearchTerms("marking:5 isfav")),  # only whole words
    ],
)
def test_mark_words_come_out_of_the_search(typed: str, expected: SearchTerms) -> None:
    assert parse_search(typed) == expected


@pytest.mark.parametrize(
    "typed", ["is:great", "rating:6", "rating>=0", "rating:", "rating>=x", "is>=fav", "rating:٣"]
)
def test_a_bad_mark_word_names_itself_and_what_is_allowed(typed: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_search(f"fox {typed}")
    [problem] = raised.value.problems
    assert (problem.field, problem.value, problem.allowed) == (
        "search",
        typed,
        SEARCH_TOKENS_ALLOWED,
    )


def test_make_filter_combines_words_and_options() -> None:
    assert make_filter(search="fox is:fav") == SessionFilter(search="fox", favourites=True)
    assert make_filter(favourites=True, min_rating="3") == SessionFilter(
        favourites=True, min_rating=3
    )
    assert make_filter(search="rating>=2", min_rating=4).min_rating == 4
    assert make_filter(search="rating>=5", min_rating=4).min_rating == 5
    assert make_filter(search="is:fav", favourites=False).favourites is True
    assert make_filter(min_rating=None) == SessionFilter()


@pytest.mark.parametrize("value", ["0", "6", "three", " ", "2.5", 0, 9, True])
def test_a_bad_min_rating_names_the_option(value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        make_filter(min_rating=value)  # type: ignore[arg-type]
    [problem] = raised.value.problems
    assert problem.field == "min-rating" and problem.value == value
    assert problem.allowed == "a whole number from 1 to 5"


def test_every_bad_field_is_reported_together() -> None:
    with pytest.raises(ValidationError) as raised:
        make_filter(search="is:nothing", min_rating="7", outcomes=["great"])
    assert [p.field for p in raised.value.problems] == ["outcome", "search", "min-rating"]
