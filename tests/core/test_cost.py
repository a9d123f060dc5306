"""Costs (issue 13): call prices, the estimate before Run, the meter and overrides.

The estimate's cases are computed by hand against a small table with round prices (text
input free, so a text call's bound is its ``max_tokens`` times the output price), and once
with every price set against the worst-case calls built from the loop's real prompts.
"""

from __future__ import annotations

import math
import threading
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imgloop_desktop.core.budget import Meter
from imgloop_desktop.core.checklist import Checklist, ChecklistItem
from imgloop_desktop.core.cost import (
    Cost,
    ImageCall,
    ImagePrice,
    ImageTier,
    PriceTable,
    Scope,
    TextCall,
    TextPrice,
    TextRequest,
    TokenUsage,
    call_cost,
    estimate_text_tokens,
    image_tokens,
    judge_image_size,
    money,
    worst_case_call,
)
from imgloop_desktop.core.cost_estimate import Line, estimate, expected
from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.events import CallKind
from imgloop_desktop.core.models import ImageModelSpec
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.core.prompts import judge_prompt, revise_prompt
from imgloop_desktop.core.text_limits import MAX_REASON_CHARS

D = Decimal
DAY = date(2026, 12, 1)
SRC = "https://example.com/prices"
IMAGE_ID = "test.one-image-v1"
MULTI_ID = "test.five-images-v1"
TEXT_ID = "test.judge-v1"


def _spec(model_id: str, max_images: int) -> ImageModelSpec:
    return ImageModelSpec(
        model_id=model_id,
        name=model_id,
        family="test",
        prompt_max_chars=1000,
        sizes=((1024, 1024), (512, 512)),
        cfg_range=None,
        max_images=max_images,
        seed_max=1000,
        prompt_guide="Write plainly.",
    )


ONE = _spec(IMAGE_ID, 1)
FIVE = _spec(MULTI_ID, 5)
# $0.10 an image; text input free and output $1 per million tokens: a text call's bound
# is then exactly max_tokens / 1,000,000 dollars.
ROUND = PriceTable(
    images=(
        ImagePrice(IMAGE_ID, (ImageTier(D("0.10")),), DAY, SRC),
        ImagePrice(MULTI_ID, (ImageTier(D("0.10")),), DAY, SRC),
    ),
    texts=(TextPrice(TEXT_ID, D(0), D(1), DAY, SRC),),
)


def _params(**changes: object) -> RunParams:
    base = RunParams(
        prompt="a red fox on a mossy log",
        image_model_id=IMAGE_ID,
        judge_model_id=TEXT_ID,
        max_retry_attempts=2,
        max_prompt_revisions=1,
        claude_validate_max_tokens=1000,
        claude_revise_max_tokens=2000,
    )
    return base.with_changes(**changes)


def _checklist() -> Checklist:
    return Checklist(
        (ChecklistItem("fox", "a red fox", True), ChecklistItem("log", "a log", False))
    )


# -- Cost ---------------------------------------------------------------------------------


def test_unknown_is_never_zero_and_stays_incomplete_in_sums() -> None:
    unknown = Cost.unknown("no price for X")
    assert unknown.usd is None and not unknown.complete
    total = Cost.of("0.25") + unknown + Cost.of("0.05")
    assert total.usd is None
    assert total.known == D("0.30")
    assert total.missing == ("no price for X",)
    assert str(total) == "at least $0.3000 (incomplete: no price for X)"
    assert str(unknown) == "unknown (no price for X)"
    assert unknown.times(0) == Cost()  # nothing called, nothing missing
    assert unknown.times(3).missing == ("no price for X",)


def test_money_shows_fractions_of_a_cent_and_absurd_amounts() -> None:
    assert money(D("0.0123")) == "$0.0123"
    assert money(D("0.000123")) == "$0.000123"
    assert money(D(0)) == "$0.0000"
    assert money(D(10) ** 40).startswith("$1.0000E+40")


def test_cost_json_carries_the_exact_amount_as_text() -> None:
    assert Cost.of("0.1").to_json() == {
        "usd": "0.1",
        "known_usd": "0.1",
        "complete": True,
        "missing": [],
    }
    assert Cost.unknown("x").to_json()["usd"] is None


# -- single calls ---------------------------------------------------------------------------


def test_image_call_costs_the_images_returned_by_tier() -> None:
    tiers = (
        ImageTier(D("0.008"), 512 * 512),
        ImageTier(D("0.01"), 1024 * 1024),
        ImageTier(D("0.01"), 512 * 512, "premium"),
        ImageTier(D("0.012"), 1024 * 1024, "premium"),
    )
    table = PriceTable(images=(ImagePrice("tiered", tiers, DAY, SRC),))
    assert call_cost(ImageCall("tiered", 512, 512, 3), table).usd == D("0.024")
    assert call_cost(ImageCall("tiered", 768, 768, 2), table).usd == D("0.02")
    assert call_cost(ImageCall("tiered", 1024, 1024, 1, quality="premium"), table).usd == D("0.012")
    assert call_cost(ImageCall("tiered", 1024, 1024, 0), table) == Cost()
    too_big = call_cost(ImageCall("tiered", 2048, 2048, 1), table)
    assert too_big.usd is None and "2048x2048" in too_big.missing[0]
    assert call_cost(ImageCall("nobody", 512, 512, 1), table).missing == (
        "no price for image model nobody",
    )


def test_text_call_costs_the_tokens_reported() -> None:
    table = PriceTable(
        texts=(TextPrice("m", D(3), D(15), DAY, SRC, cache_write=D("3.75"), cache_read=D("0.3")),)
    )
    usage = TokenUsage(1_000, 200, cache_write_tokens=100, cache_read_tokens=1_000)
    assert call_cost(TextCall("m", usage), table).usd == D("0.006675")
    missing = call_cost(TextCall("m", TokenUsage(None, 200)), table)
    assert missing.usd is None and missing.known == D("0.003")
    no_cache = PriceTable(texts=(TextPrice("m", D(3), D(15), DAY, SRC),))
    cached = call_cost(TextCall("m", TokenUsage(10, 10, cache_read_tokens=5)), no_cache)
    assert cached.missing == ("no cache-read token price for m",)
    # Cache tokens the service did not report are taken as none: nothing to price.
    assert call_cost(TextCall("m", TokenUsage(10, 10, 0, 0)), no_cache).complete


def test_worst_case_text_call_is_estimated_input_plus_max_tokens() -> None:
    table = PriceTable(texts=(TextPrice("m", D(3), D(15), DAY, SRC),))
    request = TextRequest("m", "x" * 35, 100, ((1000, 1000),))
    tokens = 10 + 16 + math.ceil(1_000_000 / 750)  # text, framing, one image
    assert worst_case_call(request, table).usd == (D(tokens) * 3 + D(100) * 15) / D(1_000_000)
    assert worst_case_call(ImageCall("m", 512, 512, 2), table).missing  # no image price


def test_a_model_billing_images_at_a_flat_rate_is_estimated_so() -> None:
    flat = PriceTable(texts=(TextPrice("m", D(3), D(15), DAY, SRC, image_tokens=1_800),))
    request = TextRequest("m", "x" * 35, 100, ((1000, 1000), (64, 64)))
    tokens = 10 + 16 + 2 * 1_800  # text, framing, two images whatever their size
    assert worst_case_call(request, flat).usd == (D(tokens) * 3 + D(100) * 15) / D(1_000_000)
    row = {"kind": "text", "model": "m", "input": 3, "output": 15, "image_tokens": 1_800}
    overrides = Overrides.from_settings([row], today=DAY)
    assert overrides.texts[0].image_tokens == 1_800
    assert Overrides.from_settings(overrides.to_settings(), today=DAY) == overrides


def test_token_estimates() -> None:
    assert estimate_text_tokens("") == 16
    assert estimate_text_tokens("abcdefg") == 2 + 16
    assert estimate_text_tokens("狐狸") == 2 + 16  # a token per non-ASCII character
    assert image_tokens(1024, 1024) == math.ceil(1024 * 1024 / 750)
    # Scaled to 1.15 megapixels first: a 4096 x 4096 image costs what ~1072 x 1072 does.
    assert image_tokens(4096, 4096) == math.ceil(1_150_000 / 750)
    assert judge_image_size(2048, 1024, 512) == (512, 256)
    assert judge_image_size(1024, 1024, 0) == (1024, 1024)


# -- the estimate ---------------------------------------------------------------------------


def _by_kind(lines: tuple[Line, ...]) -> dict[str, int]:
    return {str(line.kind): line.calls for line in lines}


def test_verdict_worst_case_by_hand() -> None:
    # 2 versions x 2 attempts = 4 generations ($0.40); 4 images judged at most twice each
    # (8 x $0.001); 1 revision asked at most twice (2 x $0.002).
    result = estimate(_params(), ONE, ROUND)
    assert result.worst_case.usd == D("0.412")
    assert _by_kind(result.breakdown) == {
        "generate": 4,
        "judge": 4,
        "judge again": 4,
        "revise": 1,
        "revise again": 1,
    }
    assert result.first_attempt.usd == D("0.101")  # one generation, one judgement


def test_checklist_worst_case_by_hand() -> None:
    given_list = estimate(_params(judge_mode="checklist", checklist=_checklist()), ONE, ROUND)
    # The verdict case plus the comparison asked in both orders (2 x $0.001).
    assert given_list.worst_case.usd == D("0.414")
    assert CallKind.CHECKLIST not in {line.kind for line in given_list.breakdown}
    written = estimate(_params(judge_mode="checklist"), ONE, ROUND)
    # ... plus the checklist written, asked at most twice (2 x $0.002).
    assert written.worst_case.usd == D("0.418")
    assert written.first_attempt.usd == D("0.103")  # checklist, generation, judgement


def test_several_images_on_a_one_image_per_call_model_by_hand() -> None:
    params = _params(titan_img_number_of_images=3, max_prompt_revisions=0)
    result = estimate(params, ONE, ROUND)
    # 2 attempts x 3 calls x $0.10 + 6 images x 2 judge calls x $0.001
    assert result.worst_case.usd == D("0.612")
    generate = next(line for line in result.breakdown if line.kind is CallKind.GENERATE)
    assert (generate.calls, generate.units) == (6, 2)
    assert result.first_attempt.usd == D("0.303")
    # A model taking five per call makes one call of three: the same images, one call.
    multi = estimate(params.with_changes(image_model_id=MULTI_ID), FIVE, ROUND)
    assert multi.worst_case.usd == D("0.612")
    generate = next(line for line in multi.breakdown if line.kind is CallKind.GENERATE)
    assert (generate.calls, generate.units) == (2, 2)


def test_speculation_and_candidates_in_flight_by_hand() -> None:
    plain = _params(max_retry_attempts=3, max_prompt_revisions=0)
    ahead = plain.with_changes(speculative_next=True)
    # Never more than 3 generations per prompt version: the worst case does not move.
    assert estimate(plain, ONE, ROUND).worst_case.usd == D("0.306")
    assert estimate(ahead, ONE, ROUND).worst_case.usd == D("0.306")
    # The first attempt pays for the generation started while it is judged.
    assert estimate(plain, ONE, ROUND).first_attempt.usd == D("0.101")
    assert estimate(ahead, ONE, ROUND).first_attempt.usd == D("0.202")
    wide = plain.with_changes(candidates_in_flight=8, speculative_next=True)
    assert estimate(wide, ONE, ROUND).first_attempt.usd == D("0.303")  # capped at 3


def test_worst_case_equals_the_sum_of_worst_case_calls_with_real_prompts() -> None:
    table = PriceTable(
        images=(ImagePrice(IMAGE_ID, (ImageTier(D("0.08")),), DAY, SRC),),
        texts=(TextPrice(TEXT_ID, D("3.3"), D("16.5"), DAY, SRC),),
    )
    params = _params(max_retry_attempts=3, max_prompt_revisions=2, judge_image_max_side=512)
    judge = worst_case_call(
        TextRequest(TEXT_ID, judge_prompt(params.prompt), 1000, ((512, 512),)), table
    )
    reasons = ["R" * MAX_REASON_CHARS] * 3
    revise = worst_case_call(
        TextRequest(
            TEXT_ID,
            revise_prompt(original=params.prompt, latest="P" * 1000, reasons=reasons, spec=ONE),
            2000,
        ),
        table,
    )
    image = worst_case_call(ImageCall(IMAGE_ID, 1024, 1024, 1), table)
    generations = 3 * 3
    by_hand = image.times(generations) + judge.times(2 * generations) + revise.times(2 * 2)
    assert estimate(params, ONE, table).worst_case == by_hand


def test_unknown_prices_make_the_estimate_incomplete_never_zero() -> None:
    images_only = PriceTable(images=ROUND.images)
    result = estimate(_params(), ONE, images_only)
    assert result.worst_case.usd is None
    assert result.worst_case.known == D("0.40")
    assert result.worst_case.missing == (f"no price for text model {TEXT_ID}",)
    nothing = estimate(_params(), ONE, PriceTable())
    assert nothing.first_attempt.usd is None and nothing.first_attempt.known == 0
    assert str(nothing.worst_case).startswith("unknown (")


def test_expected_from_the_median_attempts() -> None:
    params = _params(max_retry_attempts=2, max_prompt_revisions=1)
    assert expected(params, ONE, ROUND, 1) == estimate(params, ONE, ROUND).first_attempt
    # Attempt 3 is the new prompt's first: 3 generations, 3 judgements, 1 revision.
    assert expected(params, ONE, ROUND, 3).usd == D("0.305")
    assert expected(params, ONE, ROUND, 2.5).usd == (D("0.202") + D("0.305")) / 2
    assert expected(params, ONE, ROUND, 99).usd == expected(params, ONE, ROUND, 4).usd
    with pytest.raises(ValueError):
        expected(params, ONE, ROUND, 0.5)
    with pytest.raises(ValueError):
        expected(params, ONE, ROUND, float("nan"))


def test_estimate_json_shape() -> None:
    data = estimate(_params(), ONE, ROUND).to_json()
    assert data["worst_case"] == {
        "usd": "0.412",
        "known_usd": "0.412",
        "complete": True,
        "missing": [],
    }
    breakdown = data["breakdown"]
    assert isinstance(breakdown, list)
    assert {line["kind"] for line in breakdown} >= {"generate", "judge"}


_MODEL_IDS = st.sampled_from([IMAGE_ID, MULTI_ID, "unknown.model-v1"])
_TEXT_IDS = st.sampled_from([TEXT_ID, "unknown.text-v1", "us." + TEXT_ID])


@settings(max_examples=200, deadline=None)
@given(
    prompt=st.text(min_size=1, max_size=300),
    image_model=_MODEL_IDS,
    judge_model=_TEXT_IDS,
    mode=st.sampled_from(["verdict", "checklist"]),
    with_checklist=st.booleans(),
    attempts=st.integers(-2, 100),
    revisions=st.integers(-2, 20),
    images=st.integers(-1, 5),
    width=st.integers(320, 4096),
    height=st.integers(320, 4096),
    in_flight=st.integers(0, 8),
    ahead=st.booleans(),
    judge_tokens=st.integers(-1, 64_000),
    revise_tokens=st.integers(-1, 64_000),
    judge_side=st.one_of(st.just(0), st.integers(200, 8000)),
    median=st.one_of(st.integers(1, 3000), st.floats(1, 3000)),
)
def test_estimate_never_raises_never_negative_never_zero_for_unknown(
    prompt: str,
    image_model: str,
    judge_model: str,
    mode: str,
    with_checklist: bool,
    attempts: int,
    revisions: int,
    images: int,
    width: int,
    height: int,
    in_flight: int,
    ahead: bool,
    judge_tokens: int,
    revise_tokens: int,
    judge_side: int,
    median: float,
) -> None:
    params = RunParams(
        prompt=prompt,
        image_model_id=image_model,
        judge_model_id=judge_model,
        judge_mode=mode,
        checklist=_checklist() if mode == "checklist" and with_checklist else None,
        max_retry_attempts=attempts,
        max_prompt_revisions=revisions,
        titan_img_number_of_images=images,
        titan_img_width=width,
        titan_img_height=height,
        candidates_in_flight=in_flight,
        speculative_next=ahead,
        claude_validate_max_tokens=judge_tokens,
        claude_revise_max_tokens=revise_tokens,
        judge_image_max_side=judge_side,
    )
    spec = FIVE if image_model == MULTI_ID else ONE
    table = PriceTable(
        ROUND.images, (*ROUND.texts, TextPrice("us." + TEXT_ID, D(3), D(15), DAY, SRC))
    )
    result = estimate(params, spec, table)
    guess = expected(params, spec, table, median)
    priced = image_model != "unknown.model-v1" and judge_model != "unknown.text-v1"
    for cost in (result.first_attempt, result.worst_case, guess):
        assert cost.known >= 0
        assert (cost.usd is None) == bool(cost.missing)
        if attempts < 1:  # out of range (the form mid-typing): no generation is counted
            continue
        if priced:
            assert cost.complete and cost.usd is not None and cost.usd > 0
        else:
            assert not cost.complete and cost.usd is None and cost.missing
    assert result.worst_case.known >= result.first_attempt.known
    assert result.worst_case.known >= guess.known
    assert result.worst_case == Cost.total(line.total for line in result.breakdown)


# -- the meter ------------------------------------------------------------------------------


def test_meter_refuses_a_call_that_would_pass_a_cap() -> None:
    meter = Meter(run_cap=D("0.25"))
    first = meter.reserve(Cost.of("0.10"), "image")
    second = meter.reserve(Cost.of("0.10"), "image")
    third = meter.reserve(Cost.of("0.10"), "image")
    assert first and second and not third
    assert "run cap of $0.2500" in third.reason
    meter.settle(first, Cost.of("0.02"))  # it cost less than its bound
    fourth = meter.reserve(Cost.of("0.10"), "image")
    assert fourth
    state = meter.state()
    assert state.spent.usd == D("0.02") and state.reserved == D("0.20")
    meter.release(second)
    meter.settle(fourth, Cost.of("0.10"))
    assert meter.spent.usd == D("0.12")
    with pytest.raises(ValueError):
        meter.settle(fourth, Cost.of("0.10"))  # twice
    with pytest.raises(ValueError):
        meter.settle(third, Cost.of("0.10"))  # refused


def test_meter_monthly_allowance_and_unknown_prices() -> None:
    meter = Meter(monthly_left=D("0.05"))
    refused = meter.reserve(Cost.of("0.06"), "judge")
    assert not refused and "monthly budget" in refused.reason
    unknown = meter.reserve(Cost.unknown("no price for text model X"), "judge")
    assert not unknown and "unknown" in unknown.reason
    free = Meter()  # no caps: an unknown price is allowed, and the spend says so
    held = free.reserve(Cost.unknown("no price for X"))
    assert held
    free.settle(held, Cost.unknown("no price for X"))
    assert free.spent.usd is None and free.spent.missing == ("no price for X",)
    with pytest.raises(ValueError):
        Meter(run_cap=D(-1))


def test_meter_counts_what_settled_above_its_reservation() -> None:
    meter = Meter(run_cap=D(1))
    held = meter.reserve(Cost.of("0.10"))
    meter.settle(held, Cost.of("0.15"))
    assert meter.state().overshoot == D("0.05")


def test_concurrent_reservations_never_exceed_the_cap() -> None:
    cap = D("1.00")
    meter = Meter(run_cap=cap, monthly_left=D("5"))
    threads_count = 64
    start = threading.Barrier(threads_count)
    granted: list[bool] = []
    lock = threading.Lock()

    def call() -> None:
        start.wait()  # every thread asks at once
        for _ in range(20):
            held = meter.reserve(Cost.of("0.07"), "image")
            with lock:
                granted.append(bool(held))
            if held:
                state = meter.state()
                assert state.spent.known + state.reserved <= cap
                meter.settle(held, Cost.of("0.07"))

    threads = [threading.Thread(target=call) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not any(t.is_alive() for t in threads)
    state = meter.state()
    assert state.spent.usd == D("0.07") * 14  # 14 x 0.07 = 0.98; a 15th would pass $1
    assert sum(granted) == 14
    assert state.reserved == 0


def test_concurrent_holds_are_atomic() -> None:
    meter = Meter(run_cap=D("0.50"))
    count = 40
    start = threading.Barrier(count)
    results: list[bool] = []
    lock = threading.Lock()

    def hold() -> None:
        start.wait()
        held = meter.reserve(Cost.of("0.10"))
        with lock:
            results.append(bool(held))

    threads = [threading.Thread(target=hold) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 5
    assert meter.state().reserved == D("0.50")


# -- overrides ------------------------------------------------------------------------------


def _keyed(model_id: str) -> tuple[str, str]:
    geography = model_id.split(".", 1)[0] if model_id.startswith(("us.", "global.")) else ""
    return model_id.split(".", 1)[1] if geography else model_id, geography


SHIPPED = PriceTable(
    images=(ImagePrice("img", (ImageTier(D("0.08")),), DAY, SRC),),
    texts=(
        TextPrice("txt", D(3), D(15), DAY, SRC, scope=Scope.GLOBAL),
        TextPrice("txt", D("3.3"), D("16.5"), DAY, SRC, scope=Scope.REGIONAL),
    ),
    resolve=_keyed,
)


def test_overrides_replace_shipped_rows() -> None:
    overrides = Overrides.from_settings(
        [
            {"kind": "text", "model": "us.txt", "input": "2.5", "output": 12, "note": "deal"},
            {"kind": "image", "model": "img", "per_image": 0.05, "as_of": "2026-11-01"},
            {
                "kind": "image",
                "model": "new-img",
                "tiers": [
                    {"per_image": "0.04", "max_pixels": 1048576},
                    {"per_image": "0.06", "max_pixels": None},
                ],
            },
        ],
        today=DAY,
    )
    table = SHIPPED.with_overrides(overrides)
    regional = table.text_price("us.txt")
    assert regional is not None and regional.input == D("2.5") and regional.source == "settings"
    assert regional.scope == Scope.REGIONAL  # "us." typed: the regional row is replaced
    shipped_global = table.text_price("global.txt")
    assert shipped_global is not None and shipped_global.input == D(3)
    image = table.image_price("img")
    assert image is not None and image.tiers[0].usd == D("0.05")
    assert image.as_of == date(2026, 11, 1)
    new = table.image_price("new-img")
    assert new is not None and new.per_image(2048, 2048) == D("0.06")
    assert new.per_image(1024, 1024) == D("0.04")
    again = Overrides.from_settings(overrides.to_settings(), today=DAY)
    assert again == overrides


@pytest.mark.parametrize(
    ("rows", "field", "allowed"),
    [
        ("nope", "price_overrides", "a list of price rows"),
        ([{"kind": "video"}], "price_overrides[0].kind", '"text" or "image"'),
        ([{"kind": "text", "model": "m", "input": -1, "output": 1}], ".input", "0 to 1000"),
        ([{"kind": "text", "model": "m", "input": "NaN", "output": 1}], ".input", "0 to 1000"),
        ([{"kind": "text", "model": "m", "input": True, "output": 1}], ".input", "a number"),
        ([{"kind": "text", "model": "m", "input": 1}], ".output", "US dollars"),
        ([{"kind": "text", "model": "a b", "input": 1, "output": 1}], ".model", "without spaces"),
        (
            [{"kind": "text", "model": "m", "input": 1, "output": 1, "scope": "mars"}],
            ".scope",
            "region",
        ),
        (
            [{"kind": "text", "model": "m", "input": 1, "output": 1, "as_of": "May"}],
            ".as_of",
            "YYYY",
        ),
        (
            [{"kind": "text", "model": "m", "input": 1, "output": 1, "colour": 1}],
            ".colour",
            "one of",
        ),
        ([{"kind": "image", "model": "m"}], "price_overrides[0]", '"per_image"'),
        ([{"kind": "image", "model": "m", "per_image": 1000}], ".per_image", "0 to 100"),
        (
            [{"kind": "image", "model": "m", "tiers": [{"per_image": 1, "quality": "ultra"}]}],
            ".quality",
            '"standard" or "premium"',
        ),
        (
            [{"kind": "image", "model": "m", "tiers": [{"per_image": 1, "max_pixels": 0}]}],
            ".max_pixels",
            "whole number of pixels",
        ),
        (
            [
                {"kind": "image", "model": "m", "per_image": 1},
                {"kind": "image", "model": "m", "per_image": 2},
            ],
            "price_overrides[1].model",
            "price_overrides[0] has them",
        ),
        (
            [{"kind": "text", "model": "m", "input": 3, "output": 15, "image_tokens": 0}],
            ".image_tokens",
            "tokens per image from 1 to 100000",
        ),
    ],
)
def test_bad_overrides_name_the_field_value_and_what_is_allowed(
    rows: object, field: str, allowed: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Overrides.from_settings(rows, today=DAY)
    problems = caught.value.problems
    assert any(p.field.endswith(field) and allowed in p.allowed for p in problems), problems


def test_no_overrides_is_an_empty_set() -> None:
    assert Overrides.from_settings(None) == Overrides()
    assert Overrides.from_settings([]) == Overrides()


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["kind", "model", "input", "output", "per_image", "tiers", "x"]),
                inner,
                max_size=5,
            )
        ),
        max_leaves=20,
    )
)
def test_any_settings_value_is_read_or_refused_with_problems(value: object) -> None:
    try:
        Overrides.from_settings(value, today=DAY)
    except ValidationError as exc:
        assert exc.problems
