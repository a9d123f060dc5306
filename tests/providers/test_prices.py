"""The shipped price table: dated and sourced rows, every catalog model priced or named
unknown, lookups by any id a person types, and docs/costs.md equal to the data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from imgloop_desktop.core.cost import Cost, ImagePrice, Scope, TextPrice
from imgloop_desktop.core.cost_estimate import estimate
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.providers import catalog, prices

DOC = Path(__file__).resolve().parents[2] / "docs" / "costs.md"
ROWS = (*prices.SHIPPED.images, *prices.SHIPPED.texts)
# Checked in the module's docstring and docs/costs.md: what the table cannot price.
UNKNOWN = {
    "amazon.titan-image-generator-v1",
    "amazon.titan-image-generator-v2:0",
    "amazon.nova-canvas-v1:0",
    "stability.stable-diffusion-xl-v1",
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "anthropic.claude-3-5-sonnet-20241022-v2:0",
    "us.amazon.nova-premier-v1:0",
}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.model}/{r.scope or 'all'}")
def test_every_row_is_dated_and_cites_a_public_https_source(row: ImagePrice | TextPrice) -> None:
    assert isinstance(row.as_of, date)
    assert date(2026, 1, 1) <= row.as_of <= date(2027, 1, 1)
    assert row.source.startswith("https://")
    assert row.note


def test_every_row_names_a_catalog_model() -> None:
    images = {catalog.base_model_id(s.model_id) for s in catalog.IMAGE_MODELS}
    texts = {catalog.base_model_id(s.model_id) for s in catalog.TEXT_MODELS}
    assert {row.model for row in prices.SHIPPED.images} <= images
    assert {row.model for row in prices.SHIPPED.texts} <= texts


def test_every_price_is_positive() -> None:
    for img in prices.SHIPPED.images:
        assert all(t.usd > 0 for t in img.tiers)
    for txt in prices.SHIPPED.texts:
        assert txt.input > 0 and txt.output > 0


def test_every_catalog_model_is_priced_or_reported_unknown() -> None:
    assert set(prices.unknown_models()) == UNKNOWN
    for spec in catalog.IMAGE_MODELS:
        found = prices.SHIPPED.image_price(spec.model_id)
        assert (found is None) == (spec.model_id in UNKNOWN)
    for text in catalog.TEXT_MODELS:
        found_text = prices.SHIPPED.text_price(text.model_id)
        assert (found_text is None) == (text.model_id in UNKNOWN)


def test_the_default_models_are_priced() -> None:
    params = RunParams(prompt="a lighthouse at dusk")
    result = estimate(params, catalog.image_spec(params.image_model_id), prices.SHIPPED)
    assert result.first_attempt.complete and result.worst_case.complete
    sd35 = prices.SHIPPED.image_price(params.image_model_id)
    assert sd35 is not None and sd35.per_image(1024, 1024) == Decimal("0.08")


@pytest.mark.parametrize(
    "model_id",
    [
        "anthropic.claude-sonnet-4-6",
        "us.anthropic.claude-sonnet-4-6",
        "eu.anthropic.claude-sonnet-4-6",
        " us.anthropic.claude-sonnet-4-6 ",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-6",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6",
    ],
)
def test_regional_ids_find_the_regional_price(model_id: str) -> None:
    row = prices.SHIPPED.text_price(model_id)
    assert row is not None and row.scope == Scope.REGIONAL and row.input == Decimal("3.3")


@pytest.mark.parametrize(
    "model_id",
    [
        "global.anthropic.claude-sonnet-4-6",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-6",
    ],
)
def test_global_profiles_find_the_global_price(model_id: str) -> None:
    row = prices.SHIPPED.text_price(model_id)
    assert row is not None and row.scope == Scope.GLOBAL and row.input == Decimal(3)


def test_regional_rows_are_the_global_price_plus_ten_percent() -> None:
    by_key = {(r.model, r.scope): r for r in prices.SHIPPED.texts}
    pairs = [(m, by_key[(m, Scope.REGIONAL)]) for (m, s) in by_key if s == Scope.GLOBAL]
    assert {m for m, _ in pairs} == {prices.SONNET_45, prices.SONNET_46, prices.HAIKU_45}
    for model, regional in pairs:
        base = by_key[(model, Scope.GLOBAL)]
        for name in ("input", "output", "cache_write", "cache_read"):
            assert getattr(regional, name) == getattr(base, name) * Decimal("1.1"), name


def test_models_with_one_price_answer_for_every_profile() -> None:
    for model_id in (
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
        "eu.amazon.nova-pro-v1:0",
        "arn:aws:bedrock:us-west-2::foundation-model/stability.stable-image-core-v1:1",
    ):
        assert prices.SHIPPED.text_price(model_id) or prices.SHIPPED.image_price(model_id)


def test_an_unknown_model_costs_unknown_not_zero() -> None:
    params = RunParams(prompt="x", image_model_id="amazon.nova-canvas-v1:0")
    result = estimate(params, catalog.image_spec(params.image_model_id), prices.SHIPPED)
    assert result.worst_case.usd is None
    assert result.worst_case.missing == ("no price for image model amazon.nova-canvas-v1:0",)
    assert result.worst_case.known > 0  # the judge's part is still known
    assert isinstance(result.worst_case, Cost)


def test_overrides_apply_to_the_shipped_table() -> None:
    overrides = Overrides.from_settings(
        [
            {"kind": "image", "model": "amazon.nova-canvas-v1:0", "per_image": "0.04"},
            {"kind": "text", "model": "us.anthropic.claude-sonnet-4-6", "input": 2, "output": 10},
        ]
    )
    table = prices.price_table(overrides)
    assert "amazon.nova-canvas-v1:0" not in prices.unknown_models(table)
    regional = table.text_price("us.anthropic.claude-sonnet-4-6")
    assert regional is not None and regional.input == 2
    untouched = table.text_price("global.anthropic.claude-sonnet-4-6")
    assert untouched is not None and untouched.input == 3
    assert prices.price_table() is prices.SHIPPED


def _between(text: str, name: str) -> str:
    begin, end = f"<!-- {name}:begin -->\n", f"<!-- {name}:end -->"
    assert begin in text and end in text, f"docs/costs.md lacks the {name} markers"
    return text.split(begin, 1)[1].split(end, 1)[0]


def test_the_readme_shows_todays_table() -> None:
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert _between(readme, "prices") == prices.markdown_table()


def test_the_document_shows_the_shipped_table_and_its_notes() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert _between(text, "prices") == prices.markdown_table()
    assert _between(text, "price-notes") == prices.notes_markdown()
    for model in UNKNOWN:
        assert f"`{model}`" in text
