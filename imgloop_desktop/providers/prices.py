"""The price table shipped with the app: what Bedrock charges for each catalog model.

Each row is dated and cites the public page its figures come from; ``docs/costs.md`` holds
the same table (``markdown_table``; a test keeps the two equal). A model without a row here
is priced *unknown*, never zero: its runs still work and their estimates say they are
incomplete. A person's own rows (Preferences, ``core.cost.Overrides``) replace these.

Checked 2026-12-01 against stored copies of the pages named in each row:

* Claude: Anthropic's pricing page lists base input, 5-minute cache write, cache hit and
  output prices per million tokens; Bedrock charges the same list prices. From Claude
  Sonnet 4.5 and Haiku 4.5 on, AWS prices the ``global.`` cross-region profile about 10%
  below the geographic profiles (``us.``, ``eu.``, ``jp.``, ``au.``, ``apac.``) and in-region
  calls (AWS's "Global cross-Region inference" page: "approximately 10% savings on both
  input and output token pricing"); the regional rows are the list price x 1.10, the
  figures public copies of the Bedrock page quote ($3.30 / $16.50 for Sonnet). Older
  Claude models have one price in every region.
* Amazon Nova Lite and Pro, and the three Stability models: the stored copy of the Bedrock
  pricing page holds its overview but not its rate tables, so the figures are the ones
  public copies of that page quote (named in each row's note); Nova prices are the
  us-east-1 ones.
* Not priced (unknown): Claude 3.5 Sonnet v1 and v2 (end of life; AWS moved them to
  extended-access pricing before retiring them, and that price could not be confirmed),
  Amazon Nova Premier (Legacy; no confirmed figure), and the retired image models (Titan
  Image Generator G1 and v2, Nova Canvas, SDXL 1.0), whose resolution-tier prices could not
  be confirmed. Calls to the retired models fail at Bedrock anyway.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from imgloop_desktop.core.cost import (
    ImagePrice,
    ImageTier,
    PriceTable,
    Scope,
    TextPrice,
    money,
)
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.providers import catalog, stability, titan

AS_OF = date(2026, 12, 1)
ANTHROPIC_PRICING = "https://platform.claude.com/docs/en/about-claude/pricing"
BEDROCK_PRICING = "https://aws.amazon.com/bedrock/pricing/"
GLOBAL_CROSS_REGION = (
    "https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html"
)
# The regional premium of the newer Claude models over their global profile.
REGIONAL_PREMIUM = Decimal("1.10")

# Ids Bedrock lists with an explicit ":0" for the same model (catalog's aliases).
_ALIASES = {"amazon.titan-image-generator-v1:0": titan.G1_ID}

SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"
SONNET_46 = "anthropic.claude-sonnet-4-6"
HAIKU_45 = "anthropic.claude-haiku-4-5-20251001-v1:0"


def price_key(model_id: str) -> tuple[str, str]:
    """The table key of whatever id a person typed: its base model id (profile prefix and
    ARN removed, by the catalog's rules) and its profile's geography ("global", "us", ...;
    "" for a base id)."""
    text = model_id.strip()
    base = catalog.base_model_id(text)
    base = _ALIASES.get(base, base)
    inner = text.rsplit("/", 1)[-1] if text.startswith("arn:") else text
    return base, catalog.profile_geography(inner)


def _d(text: str) -> Decimal:
    return Decimal(text)


def _claude(
    model: str,
    prices: tuple[str, str, str | None, str | None],
    note: str,
    scope: str = Scope.ANY,
    source: str = ANTHROPIC_PRICING,
) -> TextPrice:
    given, output, write, read = prices
    return TextPrice(
        model,
        _d(given),
        _d(output),
        AS_OF,
        source,
        cache_write=_d(write) if write is not None else None,
        cache_read=_d(read) if read is not None else None,
        scope=scope,
        note=note,
    )


def _global_and_regional(
    model: str, prices: tuple[str, str, str, str], name: str
) -> tuple[TextPrice, TextPrice]:
    """A newer Claude model's two rows: the list price for the global profile, and the
    list price x 1.10 for geographic profiles and in-region calls."""
    regional = tuple(str((_d(p) * REGIONAL_PREMIUM).normalize()) for p in prices)
    assert len(regional) == 4
    return (
        _claude(
            model,
            prices,
            f"{name}, global. profile: Anthropic's list price, which Bedrock charges.",
            Scope.GLOBAL,
        ),
        _claude(
            model,
            (regional[0], regional[1], regional[2], regional[3]),
            f"{name}, geographic profiles (us., eu., jp., au., apac.) and in-region calls: "
            "the list price plus AWS's 10% regional premium.",
            Scope.REGIONAL,
            GLOBAL_CROSS_REGION,
        ),
    )


TEXT_PRICES: tuple[TextPrice, ...] = (
    _claude(
        "anthropic.claude-3-7-sonnet-20250219-v1:0",
        ("3", "15", "3.75", "0.30"),
        "Claude 3.7 Sonnet (end of life on Bedrock since 2026-04-28): Anthropic's list "
        "price, which Bedrock matched; same in all regions.",
    ),
    _claude(
        "anthropic.claude-sonnet-4-20250514-v1:0",
        ("3", "15", "3.75", "0.30"),
        "Claude Sonnet 4 (end of life on Bedrock since 2026-10-14): Anthropic's list price, "
        "which Bedrock matched; same in all regions.",
    ),
    *_global_and_regional(SONNET_45, ("3", "15", "3.75", "0.30"), "Claude Sonnet 4.5"),
    *_global_and_regional(SONNET_46, ("3", "15", "3.75", "0.30"), "Claude Sonnet 4.6"),
    *_global_and_regional(HAIKU_45, ("1", "5", "1.25", "0.10"), "Claude Haiku 4.5"),
    _claude(
        "anthropic.claude-3-haiku-20240307-v1:0",
        ("0.25", "1.25", None, None),
        "Claude 3 Haiku (retired): Anthropic's list price, which Bedrock matched; same in "
        "all regions. Cache prices left out: caching on Bedrock was not confirmed for it, "
        "and the app does not cache.",
    ),
    TextPrice(
        "amazon.nova-lite-v1:0",
        _d("0.06"),
        _d("0.24"),
        AS_OF,
        BEDROCK_PRICING,
        note="Amazon Nova Lite, us-east-1 on-demand price as public copies of the Bedrock "
        "page quote it (tokenmix.ai, 2026-04; atonementlicensing.pages.dev, 2026-Q1); other "
        "regions may differ. Cache prices not confirmed (the app does not cache).",
    ),
    TextPrice(
        "amazon.nova-pro-v1:0",
        _d("0.80"),
        _d("3.20"),
        AS_OF,
        BEDROCK_PRICING,
        note="Amazon Nova Pro, us-east-1 on-demand price as public copies of the Bedrock "
        "page quote it (swfte.com, 2026-05; tokenmix.ai, 2026-04); other regions may differ. "
        "Cache prices not confirmed (the app does not cache).",
    ),
)


def _flat(model: str, usd: str, name: str) -> ImagePrice:
    return ImagePrice(
        model,
        (ImageTier(_d(usd)),),
        AS_OF,
        BEDROCK_PRICING,
        note=f"{name}: one price per image at any size; served only in us-west-2. The "
        "figure as public copies of the Bedrock page quote it (LiteLLM's Bedrock price "
        "data; github.com price scripts citing the page).",
    )


IMAGE_PRICES: tuple[ImagePrice, ...] = (
    _flat(stability.SD35_LARGE_ID, "0.08", "Stable Diffusion 3.5 Large"),
    _flat(stability.CORE_ID, "0.04", "Stable Image Core"),
    _flat(stability.ULTRA_ID, "0.14", "Stable Image Ultra"),
)

SHIPPED = PriceTable(IMAGE_PRICES, TEXT_PRICES, resolve=price_key)
"""The shipped table, looking ids up by the catalog's normalisation."""


def price_table(overrides: Overrides | None = None) -> PriceTable:
    """The shipped table with a person's rows (from the settings) in place of its own."""
    return SHIPPED if overrides is None else SHIPPED.with_overrides(overrides)


def unknown_models(table: PriceTable = SHIPPED) -> tuple[str, ...]:
    """Catalog models (as the catalog names them) that ``table`` cannot price at all."""
    missing = [s.model_id for s in catalog.IMAGE_MODELS if table.image_price(s.model_id) is None]
    missing += [s.model_id for s in catalog.TEXT_MODELS if table.text_price(s.model_id) is None]
    return tuple(missing)


def _cell(value: Decimal | None) -> str:
    return "—" if value is None else money(value)


def markdown_table(table: PriceTable = SHIPPED) -> str:
    """The table as ``docs/costs.md`` shows it: image rows, then text rows, then the catalog
    models without a price. Generated, so the document cannot drift from the data."""
    lines = [
        "| Image model | Scope | Per image | As of | Source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for img in table.images:
        tiers = "; ".join(
            f"{_cell(t.usd)}"
            + (f" up to {t.max_pixels:,} px" if t.max_pixels is not None else "")
            + (f" ({t.quality})" if t.quality != "standard" else "")
            for t in img.tiers
        )
        lines.append(
            f"| `{img.model}` | {img.scope or 'all'} | {tiers} | {img.as_of} | {img.source} |"
        )
    lines += [
        "",
        "| Text model | Scope | Input | Output | Cache write | Cache read | As of | Source |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for txt in table.texts:
        lines.append(
            f"| `{txt.model}` | {txt.scope or 'all'} | {_cell(txt.input)} | "
            f"{_cell(txt.output)} | {_cell(txt.cache_write)} | {_cell(txt.cache_read)} | "
            f"{txt.as_of} | {txt.source} |"
        )
    lines += ["", "Text prices are USD per million tokens. Not priced (shown as unknown):", ""]
    lines += [f"- `{model}`" for model in unknown_models(table)]
    return "\n".join(lines) + "\n"


def notes_markdown(table: PriceTable = SHIPPED) -> str:
    """Each row's note, for the document: what the figure is and where it was read."""
    lines = [f"- `{r.model}` ({r.scope or 'all'}): {r.note}" for r in table.images]
    lines += [f"- `{r.model}` ({r.scope or 'all'}): {r.note}" for r in table.texts]
    return "\n".join(lines) + "\n"
