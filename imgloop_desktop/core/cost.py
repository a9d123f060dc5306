"""What a run costs: price rows and the cost of one call (issue 13). The estimate before Run
is ``core.cost_estimate``, budgets ``core.budget``, a person's rows ``core.price_overrides``.

Plain types and arithmetic only. The shipped price table lives in ``providers.prices`` and
is passed in (``PriceTable``), so this module knows no model and imports nothing outside
core; how a typed id (profile id, ARN) becomes a table key is the table's ``resolve``.

Money is ``Decimal``: a float cannot hold $0.003 exactly, and a budget compared in floats
could let a call through that the person's cap forbids by a rounding error. A price the
table does not know is *unknown*, never zero: a ``Cost`` keeps the known part and names what
is missing, and a sum with an unknown part stays incomplete.

How the estimate is counted (``estimate``), from ``core.loop``:

* per prompt version, at most ``max_retry_attempts`` generations, whatever the concurrency
  settings (speculation and candidates in flight start generations earlier, never more);
* a generation is ``ceil(images / spec.max_images)`` image calls returning
  ``titan_img_number_of_images`` images between them;
* one judge call per image, asked once more for an unreadable answer (verdict mode) or for
  the items the answer left out (checklist mode): at most 2;
* one revision call per revision, at most 2 (an unreadable answer is asked again);
* checklist mode without a given checklist: one checklist-writing call, at most 2;
* checklist mode, no image approved: one comparison asked in both orders, 2 calls of two
  images each.

Text calls are priced before they start at their worst case: the input tokens estimated
from the request's text and images (``estimate_text_tokens``, ``image_tokens``) and the
whole ``max_tokens`` as output. After a call, its cost comes from what the service reported
(``call_cost``), and that is what the meter counts.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the person's rows are read in their own module, which imports this one
    from imgloop_desktop.core.price_overrides import Overrides

ZERO = Decimal(0)
MILLION = Decimal(1_000_000)

# -- token estimates ------------------------------------------------------------------------

# Anthropic has long documented that a Claude token is "approximately 3.5 English
# characters"; English prompts and our templates average closer to 4, so 3.5 errs high, as
# a bound should. A character outside ASCII (accented Latin, CJK, emoji) is counted as a
# whole token of its own: byte-level tokenizers split such text far finer, and the prompt
# may be in any language.
CHARS_PER_TOKEN = Decimal("3.5")
# Converse wraps the text in a message (role markers, the image block): a few tokens that
# the service counts and the text does not show.
MESSAGE_OVERHEAD_TOKENS = 16
# Claude's published rule (the simulator uses the same, simulator/converse_checks.py): an
# image costs about width*height/750 tokens after it is scaled to fit 1568 px on the long
# side and about 1.15 megapixels. Other vision models count differently; the rule is then an
# estimate, and the meter counts what the service reports.
IMAGE_TOKEN_PIXELS = 750
IMAGE_MAX_EDGE = 1568
IMAGE_MAX_PIXELS = 1_150_000
# Converse's per-image side limit (core/judge_image.py CONVERSE_MAX_IMAGE_SIDE); the judge's
# copy is never larger. Repeated, not imported: judge_image loads Pillow.
JUDGE_MAX_SIDE = 8000


def estimate_text_tokens(text: str) -> int:
    """Input tokens of ``text`` as a bound: ASCII at 3.5 characters a token, any other
    character a token of its own, plus the message's framing."""
    ascii_chars = len(text) if text.isascii() else sum(1 for c in text if ord(c) < 128)
    other = len(text) - ascii_chars
    return math.ceil(Decimal(ascii_chars) / CHARS_PER_TOKEN) + other + MESSAGE_OVERHEAD_TOKENS


def image_tokens(width: int, height: int) -> int:
    """Claude's image token count for a ``width`` x ``height`` image (at least 1)."""
    if width <= 0 or height <= 0:
        return 1
    scale = min(
        1.0, IMAGE_MAX_EDGE / max(width, height), math.sqrt(IMAGE_MAX_PIXELS / (width * height))
    )
    return max(1, math.ceil(width * scale * height * scale / IMAGE_TOKEN_PIXELS))


def judge_image_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The size of the copy the judge is sent (``judge_image.judge_copy``): scaled so its
    long side is at most ``max_side`` (0: no setting) and Converse's 8000 px."""
    limit = max_side if 0 < max_side < JUDGE_MAX_SIDE else JUDGE_MAX_SIDE
    long_side = max(width, height, 1)
    if long_side <= limit:
        return (max(width, 1), max(height, 1))
    factor = limit / long_side
    return (max(1, round(width * factor)), max(1, round(height * factor)))


# -- money that may be unknown ----------------------------------------------------------------


@dataclass(frozen=True)
class Cost:
    """A USD amount, or the known part of one with what could not be priced.

    ``missing`` names each price that was not known ("image price of X"); while it is not
    empty the cost is incomplete and ``usd`` is None, so an unknown price can never be
    shown, summed or compared as zero.
    """

    known: Decimal = ZERO
    missing: tuple[str, ...] = ()

    @classmethod
    def of(cls, amount: Decimal | int | str) -> Cost:
        return cls(Decimal(amount))

    @classmethod
    def unknown(cls, why: str) -> Cost:
        return cls(ZERO, (why,))

    @classmethod
    def total(cls, costs: Iterable[Cost]) -> Cost:
        result = cls()
        for cost in costs:
            result = result + cost
        return result

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def usd(self) -> Decimal | None:
        """The amount when every part is priced, else None (never a partial sum)."""
        return self.known if self.complete else None

    def __add__(self, other: Cost) -> Cost:
        missing = tuple(sorted(set(self.missing) | set(other.missing)))
        return Cost(self.known + other.known, missing)

    def times(self, count: int | Decimal) -> Cost:
        """``count`` of this cost; a count of 0 is free whatever the price (nothing is
        called), so nothing is missing then."""
        if count == 0:
            return Cost()
        return Cost(self.known * Decimal(count), self.missing)

    def __str__(self) -> str:
        if self.complete:
            return money(self.known)
        what = "; ".join(self.missing)
        if self.known == 0:
            return f"unknown ({what})"
        return f"at least {money(self.known)} (incomplete: {what})"

    def to_json(self) -> dict[str, object]:
        """For ``--estimate``, the history and the GUI: the amount as text (exact)."""
        return {
            "usd": str(self.known) if self.complete else None,
            "known_usd": str(self.known),
            "complete": self.complete,
            "missing": list(self.missing),
        }


def money(amount: Decimal) -> str:
    """``$0.0123``: cents and below as a person reads them (4 decimals; 6 under a cent).
    An absurd amount (a service reporting 10**30 tokens) is shown in scientific notation
    rather than raising."""
    small = amount != 0 and abs(amount) < Decimal("0.01")
    places = Decimal("0.000001") if small else Decimal("0.0001")
    try:
        return f"${amount.quantize(places, rounding=ROUND_HALF_UP)}"
    except InvalidOperation:
        return f"${amount:.4E}"


# -- price rows -------------------------------------------------------------------------------


class Scope(StrEnum):
    """Where a row's price applies. AWS prices the newer Claude models' global profile below
    their geographic profiles and in-region calls, so one model can have two rows."""

    ANY = ""  # every region and profile
    GLOBAL = "global"  # the global. cross-region profile
    REGIONAL = "regional"  # geographic profiles (us., eu., jp., ...) and in-region calls


SCOPE_ALLOWED = (
    '"" (every region and profile), "global" (the global. profile), "regional" (geographic '
    "profiles like us. and eu., and calls in one region), or a region name like us-east-1"
)
QUALITIES = ("standard", "premium")


@dataclass(frozen=True)
class ImageTier:
    """One per-image price: images of at most ``max_pixels`` (None: any size) at
    ``quality``."""

    usd: Decimal
    max_pixels: int | None = None
    quality: str = "standard"


@dataclass(frozen=True)
class ImagePrice:
    """An image model's price per image returned, by size and quality tier."""

    model: str  # the base model id (no profile prefix, no ARN)
    tiers: tuple[ImageTier, ...]
    as_of: date
    source: str
    scope: str = Scope.ANY
    note: str = ""

    def per_image(self, width: int, height: int, quality: str = "standard") -> Decimal | None:
        """The price of one ``width`` x ``height`` image: the smallest tier it fits, or None
        when no tier of that quality is large enough."""
        pixels = max(width, 0) * max(height, 0)
        fitting = [
            t
            for t in self.tiers
            if t.quality == quality and (t.max_pixels is None or pixels <= t.max_pixels)
        ]
        if not fitting:
            return None
        return min(fitting, key=lambda t: (t.max_pixels is None, t.max_pixels or 0)).usd


@dataclass(frozen=True)
class TextPrice:
    """A text model's USD per million tokens. A cache price of None: the model offers no
    such tokens on Bedrock (any reported are then priced unknown, not free)."""

    model: str
    input: Decimal
    output: Decimal
    as_of: date
    source: str
    cache_write: Decimal | None = None
    cache_read: Decimal | None = None
    scope: str = Scope.ANY
    note: str = ""
    image_tokens: int | None = None
    """The input tokens each image counts where the model bills images at a flat rate; None:
    by its size (Claude's rule, ``image_tokens``), which estimates other models too."""


Resolver = Callable[[str], tuple[str, str]]
"""A typed model id (base id, profile id, ARN) -> (base id, profile geography or "")."""


def plain_resolver(model_id: str) -> tuple[str, str]:
    """The id as its own key: what a table without the catalog's normalisation uses."""
    return model_id.strip(), ""


def _scope_order(geography: str, region: str) -> tuple[str, ...]:
    """The row scopes that apply to a call, most specific first."""
    kind = Scope.GLOBAL if geography == "global" else Scope.REGIONAL
    order: list[str] = [region] if region else []
    return (*order, kind, Scope.ANY)


@dataclass(frozen=True)
class PriceTable:
    """Price rows and how a typed id finds its row. Lookups answer None for a model the
    table does not know: the caller shows that price as unknown."""

    images: tuple[ImagePrice, ...] = ()
    texts: tuple[TextPrice, ...] = ()
    resolve: Resolver = field(default=plain_resolver, compare=False)

    def image_price(self, model_id: str, region: str = "") -> ImagePrice | None:
        base, geography = self.resolve(model_id)
        rows = {(r.model, r.scope): r for r in self.images}
        for scope in _scope_order(geography, region):
            row = rows.get((base, scope))
            if row is not None:
                return row
        return None

    def text_price(self, model_id: str, region: str = "") -> TextPrice | None:
        base, geography = self.resolve(model_id)
        rows = {(r.model, r.scope): r for r in self.texts}
        for scope in _scope_order(geography, region):
            row = rows.get((base, scope))
            if row is not None:
                return row
        return None

    def with_overrides(self, overrides: Overrides) -> PriceTable:
        """This table with the person's rows in place of shipped rows for the same model
        and scope (an override's model id may be typed any way a model id is)."""
        images = {(r.model, r.scope): r for r in self.images}
        for img in overrides.images:
            keyed = self._keyed(img.model, img.scope)
            images[keyed] = dataclasses.replace(img, model=keyed[0], scope=keyed[1])
        texts = {(r.model, r.scope): r for r in self.texts}
        for txt in overrides.texts:
            keyed = self._keyed(txt.model, txt.scope)
            texts[keyed] = dataclasses.replace(txt, model=keyed[0], scope=keyed[1])
        return PriceTable(tuple(images.values()), tuple(texts.values()), self.resolve)

    def _keyed(self, model_id: str, scope: str) -> tuple[str, str]:
        base, geography = self.resolve(model_id)
        if scope or not geography:
            return base, scope
        return base, Scope.GLOBAL if geography == "global" else Scope.REGIONAL


# -- one call ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageCall:
    """One InvokeModel image call: ``images`` asked (before) or returned (after)."""

    model_id: str
    width: int
    height: int
    images: int
    region: str = ""
    quality: str = "standard"


@dataclass(frozen=True)
class TokenUsage:
    """Converse's ``usage`` as the service reported it; None where it did not report."""

    input_tokens: int | None
    output_tokens: int | None
    cache_write_tokens: int | None = 0
    cache_read_tokens: int | None = 0


@dataclass(frozen=True)
class TextCall:
    """A finished Converse call and its reported usage."""

    model_id: str
    usage: TokenUsage
    region: str = ""


@dataclass(frozen=True)
class TextRequest:
    """A Converse call before it starts: its text, the sizes of the images it sends (as
    sent, after any judge-size scaling) and its ``max_tokens``."""

    model_id: str
    text: str
    max_tokens: int
    images: tuple[tuple[int, int], ...] = ()
    region: str = ""


def _image_cost(call: ImageCall, prices: PriceTable) -> Cost:
    count = max(call.images, 0)
    if count == 0:
        return Cost()
    row = prices.image_price(call.model_id, call.region)
    if row is None:
        return Cost.unknown(f"no price for image model {call.model_id}")
    each = row.per_image(call.width, call.height, call.quality)
    if each is None:
        return Cost.unknown(
            f"no {call.quality} price for {call.width}x{call.height} images of {call.model_id}"
        )
    return Cost(each * count)


def _tokens_cost(
    model_id: str, label: str, tokens: int | None, per_million: Decimal | None
) -> Cost:
    if tokens is not None and tokens <= 0:
        return Cost()
    if tokens is None:
        return Cost.unknown(f"{label} tokens of {model_id} not reported")
    if per_million is None:
        return Cost.unknown(f"no {label} token price for {model_id}")
    return Cost(Decimal(tokens) * per_million / MILLION)


def _text_cost(model_id: str, region: str, usage: TokenUsage, prices: PriceTable) -> Cost:
    row = prices.text_price(model_id, region)
    if row is None:
        return Cost.unknown(f"no price for text model {model_id}")
    return Cost.total(
        (
            _tokens_cost(model_id, "input", usage.input_tokens, row.input),
            _tokens_cost(model_id, "output", usage.output_tokens, row.output),
            _tokens_cost(model_id, "cache-write", usage.cache_write_tokens, row.cache_write),
            _tokens_cost(model_id, "cache-read", usage.cache_read_tokens, row.cache_read),
        )
    )


def call_cost(call: ImageCall | TextCall, prices: PriceTable) -> Cost:
    """What one finished call cost: the images it returned, or the tokens the service
    reported. Unknown (never zero) where a price or a count is missing."""
    if isinstance(call, ImageCall):
        return _image_cost(call, prices)
    return _text_cost(call.model_id, call.region, call.usage, prices)


def request_tokens(request: TextRequest, per_image: int | None = None) -> int:
    """The input tokens ``request`` is estimated to cost: its text and its images, each
    ``per_image`` tokens where the model bills images at a flat rate, else by its size."""
    images = (per_image if per_image is not None else image_tokens(w, h) for w, h in request.images)
    return estimate_text_tokens(request.text) + sum(images)


def worst_case_call(call: ImageCall | TextRequest, prices: PriceTable) -> Cost:
    """The most one call can cost, before it starts: an image call's images asked (exact);
    a text call's estimated input tokens and its whole ``max_tokens`` as output."""
    if isinstance(call, ImageCall):
        return _image_cost(call, prices)
    row = prices.text_price(call.model_id, call.region)
    per_image = row.image_tokens if row is not None else None
    usage = TokenUsage(request_tokens(call, per_image), max(call.max_tokens, 0))
    return _text_cost(call.model_id, call.region, usage, prices)
