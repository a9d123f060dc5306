"""The loop's spend and budgets (issue 13), synchronously against the shared fakes.

Prices are a small table of the test's own, so every figure is hand-computable: an image
costs $0.10 and a text token $1 per million in and out.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.budget import Meter
from imgloop_desktop.core.cost import Cost, ImagePrice, ImageTier, PriceTable, TextPrice
from imgloop_desktop.core.cost_estimate import estimate
from imgloop_desktop.core.loop import ImageLoop
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.storage.local import LocalImageStore
from tests.fakes import SPEC, FakeChat, FakeGenerator

TODAY = date(2026, 12, 1)
SOURCE = "https://example.com/test-prices"
PRICES = PriceTable(
    images=(ImagePrice("test.image-model", (ImageTier(Decimal("0.10")),), TODAY, SOURCE),),
    texts=(TextPrice("test.judge", Decimal(1), Decimal(1), TODAY, SOURCE),),
)
PARAMS = RunParams(
    prompt="a red fox in snow",
    titan_img_width=64,
    titan_img_height=64,
    max_retry_attempts=2,
    max_prompt_revisions=1,
    image_model_id="test.image-model",  # the fakes' ids, so the estimate prices the same
    judge_model_id="test.judge",
)
# FakeChat reports 100 in / 10 out per judge call and 50 / 20 per revision.
JUDGE = Decimal(110) / 1_000_000
REVISE = Decimal(70) / 1_000_000
IMAGE = Decimal("0.10")


class Runner:
    """Runs a loop on the test's store with the test's prices."""

    def __init__(self, store: LocalImageStore) -> None:
        self.store = store

    def __call__(
        self,
        chat: FakeChat,
        *,
        meter: Meter | None = None,
        prices: PriceTable | None = PRICES,
        **changes: object,
    ) -> tuple[ImageLoop, list[ev.Event]]:
        events: list[ev.Event] = []
        loop = ImageLoop(
            PARAMS.with_changes(**changes),
            SPEC,
            generator=FakeGenerator(),
            chat=chat,
            store=self.store,
            emit=events.append,
            prices=prices,
            meter=meter,
        )
        loop.run()
        return loop, events


@pytest.fixture
def run(store: LocalImageStore) -> Runner:
    return Runner(store)


def test_every_call_is_counted_from_what_the_service_reported(run: Runner) -> None:
    loop, events = run(FakeChat(verdicts=["NO", "NO", "YES"]))
    result = loop.result

    assert result.outcome is ev.Outcome.APPROVED
    spent = [e for e in events if isinstance(e, ev.Spent)]
    kinds = [e.kind for e in spent]
    assert kinds == ["generate", "judge", "generate", "judge", "revise", "generate", "judge"]
    assert result.spent == Cost(3 * IMAGE + 3 * JUDGE + REVISE)
    assert spent[-1].total == result.spent
    assert (spent[1].revision, spent[1].attempt, spent[1].index) == (0, 0, 0)
    finished = events[-1]
    assert isinstance(finished, ev.RunFinished) and finished.spent == result.spent


def test_the_estimates_worst_case_covers_a_run_that_goes_all_the_way(run: Runner) -> None:
    """Every call the worst case counts is made (all NO), and no more is spent than it says;
    image calls are priced exactly, so their part matches to the cent."""
    loop, events = run(FakeChat(verdicts=["NO"] * 4))
    figures = estimate(loop.params, SPEC, PRICES)

    spent = [e for e in events if isinstance(e, ev.Spent)]
    by_line = {line.kind: line for line in figures.breakdown}
    generated = [e for e in spent if e.kind == "generate"]
    assert len(generated) == by_line["generate"].calls == 4
    assert Cost.total(e.cost for e in generated) == by_line["generate"].total
    assert loop.result.spent is not None and figures.worst_case.usd is not None
    assert loop.result.spent.known <= figures.worst_case.known


def test_a_run_cap_stops_before_the_call_that_would_pass_it(run: Runner) -> None:
    # Room for two attempts (2 x $0.10 plus judging), not a third image.
    meter = Meter(run_cap=Decimal("0.25"))
    chat = FakeChat(verdicts=["NO"] * 10)
    loop, events = run(chat, meter=meter)
    result = loop.result

    assert result.outcome is ev.Outcome.BUDGET
    assert "run cap of $0.25" in result.message
    assert len(result.candidates) == 2  # everything made is kept
    assert all(c.path.is_file() for c in result.candidates)
    assert result.spent is not None and result.spent.known <= Decimal("0.25")
    assert len(chat.judge_calls) == 2
    assert meter.state().reserved == 0  # nothing left held
    assert events[-1].outcome is ev.Outcome.BUDGET  # type: ignore[union-attr]


def test_an_unknown_price_is_unknown_and_a_cap_refuses_it(run: Runner) -> None:
    no_judge_price = PriceTable(images=PRICES.images)
    loop, _ = run(FakeChat(verdicts=["YES"]), prices=no_judge_price)
    spent = loop.result.spent
    assert spent is not None and not spent.complete and spent.usd is None
    assert spent.known == IMAGE  # the known part is kept, never shown as the whole
    assert "at least $0.1000 (incomplete" in str(spent)

    capped, _ = run(
        FakeChat(verdicts=["YES"]), prices=no_judge_price, meter=Meter(run_cap=Decimal(5))
    )
    assert capped.result.outcome is ev.Outcome.BUDGET
    assert "price is unknown" in capped.result.message
    assert len(capped.result.candidates) == 1  # the image was made, its judging refused


def test_a_monthly_allowance_is_a_cap_too(run: Runner) -> None:
    loop, _ = run(FakeChat(verdicts=["NO"] * 10), meter=Meter(monthly_left=Decimal("0.15")))
    assert loop.result.outcome is ev.Outcome.BUDGET
    assert "monthly budget" in loop.result.message
    assert len(loop.result.candidates) == 1


def test_without_a_price_table_nothing_is_counted(run: Runner) -> None:
    loop, events = run(FakeChat(verdicts=["YES"]), prices=None)
    assert loop.result.spent is None
    assert not [e for e in events if isinstance(e, ev.Spent)]
    with pytest.raises(ValueError, match="price table"):
        run(FakeChat(), prices=None, meter=Meter(run_cap=Decimal(1)))
