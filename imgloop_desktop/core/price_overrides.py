"""A person's own prices (issue 13): rows from Preferences, read and checked like an
event's fields (each bad value a Problem naming it), put in place of the shipped rows by
``PriceTable.with_overrides``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from imgloop_desktop.core.cost import (
    QUALITIES,
    ZERO,
    ImagePrice,
    ImageTier,
    Scope,
    TextPrice,
)
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP
from imgloop_desktop.core.param_values import ONE_OF, Words, problem, says, short
from imgloop_desktop.core.params import REGION_RE

# -- the person's prices ----------------------------------------------------------------------

MAX_USD_PER_MTOK = Decimal(1000)
MAX_USD_PER_IMAGE = Decimal(100)
MAX_TIER_PIXELS = 100_000_000
MAX_NOTE_CHARS = 500

# What each value allows, in the validator's words (shown translated in Preferences).
# core.cost's SCOPE_ALLOWED, marked here for the window's catalogue.
_SCOPE = QT_TRANSLATE_NOOP(
    "Validation",
    '"" (every region and profile), "global" (the global. profile), "regional" (geographic '
    "profiles like us. and eu., and calls in one region), or a region name like us-east-1",
)
_EITHER = QT_TRANSLATE_NOOP("Validation", "{first} or {second}")
_AMOUNT = QT_TRANSLATE_NOOP(
    "Validation", "an amount of US dollars from 0 to {most} {unit}, as a number or text"
)
_PER_MTOK = QT_TRANSLATE_NOOP("Validation", "per million tokens")
_PER_IMAGE = QT_TRANSLATE_NOOP("Validation", "an image")
OVERRIDE_SOURCE = "settings"
_TEXT_KEYS = frozenset(
    {
        "kind",
        "model",
        "scope",
        "input",
        "output",
        "cache_write",
        "cache_read",
        "image_tokens",
        "as_of",
        "note",
    }
)
MAX_IMAGE_TOKENS = 100_000
_IMAGE_TOKENS = QT_TRANSLATE_NOOP(
    "Validation", "a whole number of tokens per image from 1 to {most}, or left out (by its size)"
)
_IMAGE_KEYS = frozenset({"kind", "model", "scope", "per_image", "tiers", "as_of", "note"})
_TIER_KEYS = frozenset({"per_image", "max_pixels", "quality"})


@dataclass(frozen=True)
class Overrides:
    """Rows a person set in Preferences (negotiated or newer prices), kept in the settings
    and put in place of the shipped rows for the same model and scope."""

    images: tuple[ImagePrice, ...] = ()
    texts: tuple[TextPrice, ...] = ()

    @classmethod
    def from_settings(
        cls, value: object, *, field: str = "price_overrides", today: date | None = None
    ) -> Overrides:
        """Read the settings' list of rows. Raises ValidationError naming every bad field
        (``price_overrides[2].input``), its value and what is allowed.

        A text row: ``{"kind": "text", "model", "input", "output"}`` and optionally
        ``cache_write``, ``cache_read``, ``image_tokens`` (the tokens each image counts,
        where the model bills images at a flat rate), ``scope``, ``as_of`` (YYYY-MM-DD),
        ``note``; an
        image row: ``{"kind": "image", "model", "per_image"}`` or ``"tiers"``: a list of
        ``{per_image, max_pixels, quality}``. Amounts are USD (per million tokens, per
        image) as a number or as text ("3.30"), so no float rounding is forced on them.
        """
        reader = _OverrideReader(field, today or date.today())
        images, texts = reader.rows(value)
        if reader.problems:
            raise ValidationError(reader.problems)
        return cls(tuple(images), tuple(texts))

    def to_settings(self) -> list[dict[str, object]]:
        """The rows as ``from_settings`` reads them (amounts as exact text)."""
        rows: list[dict[str, object]] = []
        for txt in self.texts:
            row: dict[str, object] = {
                "kind": "text",
                "model": txt.model,
                "scope": txt.scope,
                "input": str(txt.input),
                "output": str(txt.output),
                "as_of": txt.as_of.isoformat(),
                "note": txt.note,
            }
            if txt.cache_write is not None:
                row["cache_write"] = str(txt.cache_write)
            if txt.cache_read is not None:
                row["cache_read"] = str(txt.cache_read)
            if txt.image_tokens is not None:
                row["image_tokens"] = txt.image_tokens
            rows.append(row)
        for img in self.images:
            rows.append(
                {
                    "kind": "image",
                    "model": img.model,
                    "scope": img.scope,
                    "tiers": [
                        {"per_image": str(t.usd), "max_pixels": t.max_pixels, "quality": t.quality}
                        for t in img.tiers
                    ],
                    "as_of": img.as_of.isoformat(),
                    "note": img.note,
                }
            )
        return rows


class _OverrideReader:
    """Collects every problem of one settings value instead of stopping at the first."""

    def __init__(self, field: str, today: date) -> None:
        self.field = field
        self.today = today
        self.problems: list[Problem] = []

    def bad(self, where: str, value: object, allowed: Words) -> None:
        self.problems.append(problem(where, short(value), allowed))

    def rows(self, value: object) -> tuple[list[ImagePrice], list[TextPrice]]:
        images: list[ImagePrice] = []
        texts: list[TextPrice] = []
        if value is None:
            return images, texts
        if not isinstance(value, Sequence) or isinstance(value, str | bytes):
            self.bad(
                self.field,
                value,
                says(QT_TRANSLATE_NOOP("Validation", "a list of price rows (or empty)")),
            )
            return images, texts
        seen: dict[tuple[str, str, str], int] = {}
        for i, row in enumerate(value):
            where = f"{self.field}[{i}]"
            if not isinstance(row, Mapping):
                self.bad(
                    where,
                    row,
                    says(
                        QT_TRANSLATE_NOOP("Validation", 'an object with "kind": "text" or "image"')
                    ),
                )
                continue
            kind = row.get("kind")
            if kind == "text":
                parsed: ImagePrice | TextPrice | None = self.text_row(where, row)
            elif kind == "image":
                parsed = self.image_row(where, row)
            else:
                self.bad(f"{where}.kind", kind, says(_EITHER, first='"text"', second='"image"'))
                continue
            if parsed is None:
                continue
            key = (str(kind), parsed.model, parsed.scope)
            if key in seen:
                self.bad(
                    f"{where}.model",
                    parsed.model,
                    says(
                        QT_TRANSLATE_NOOP(
                            "Validation", "a model and scope no other row has ({other} has them)"
                        ),
                        other=f"{self.field}[{seen[key]}]",
                    ),
                )
                continue
            seen[key] = i
            if isinstance(parsed, TextPrice):
                texts.append(parsed)
            else:
                images.append(parsed)
        return images, texts

    def unknown_keys(
        self, where: str, row: Mapping[object, object], allowed: frozenset[str]
    ) -> None:
        for key in row:
            if key not in allowed:
                choices = ", ".join(sorted(allowed))
                self.bad(f"{where}.{short(key)}", row[key], says(ONE_OF, choices=choices))

    def common(self, where: str, row: Mapping[object, object]) -> tuple[str, str, date, str] | None:
        before = len(self.problems)
        model = row.get("model")
        if (
            not isinstance(model, str)
            or not model
            or len(model) > 2048
            or any(c.isspace() or ord(c) < 32 for c in model)
        ):
            self.bad(
                f"{where}.model",
                model,
                says(
                    QT_TRANSLATE_NOOP("Validation", "a model id, profile id or ARN without spaces")
                ),
            )
        scope = row.get("scope", "")
        if not isinstance(scope, str) or not (
            scope in (Scope.ANY, Scope.GLOBAL, Scope.REGIONAL) or REGION_RE.fullmatch(scope)
        ):
            self.bad(f"{where}.scope", scope, says(_SCOPE))
        as_of = self.today
        raw_date = row.get("as_of")
        if raw_date is not None:
            try:
                if not isinstance(raw_date, str):
                    raise ValueError
                as_of = date.fromisoformat(raw_date)
            except ValueError:
                self.bad(
                    f"{where}.as_of",
                    raw_date,
                    says(QT_TRANSLATE_NOOP("Validation", "a date as YYYY-MM-DD")),
                )
        note = row.get("note", "")
        if not isinstance(note, str) or len(note) > MAX_NOTE_CHARS or "\x00" in note:
            self.bad(
                f"{where}.note",
                note,
                says(
                    QT_TRANSLATE_NOOP("Validation", "text of at most {most} characters"),
                    most=MAX_NOTE_CHARS,
                ),
            )
        if len(self.problems) != before:
            return None
        assert isinstance(model, str) and isinstance(scope, str) and isinstance(note, str)
        return model, scope, as_of, note

    def amount(
        self, where: str, value: object, most: Decimal, unit: str, *, required: bool = True
    ) -> Decimal | None:
        """``unit`` is marked ``QT_TRANSLATE_NOOP("Validation", ...)``."""
        allowed = says(_AMOUNT, most=most, unit=says(unit))
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.bad(where, value, allowed)
            return None
        try:
            number = Decimal(str(value).strip()) if not isinstance(value, int) else Decimal(value)
        except (InvalidOperation, ValueError):
            self.bad(where, value, allowed)
            return None
        if not number.is_finite() or not ZERO <= number <= most:
            self.bad(where, value, allowed)
            return None
        return number

    def text_row(self, where: str, row: Mapping[object, object]) -> TextPrice | None:
        self.unknown_keys(where, row, _TEXT_KEYS)
        common = self.common(where, row)
        unit = _PER_MTOK
        values = {
            key: self.amount(f"{where}.{key}", row.get(key), MAX_USD_PER_MTOK, unit, required=req)
            for key, req in (
                ("input", True),
                ("output", True),
                ("cache_write", False),
                ("cache_read", False),
            )
        }
        given_input, given_output = values["input"], values["output"]
        given_tokens = row.get("image_tokens")
        per_image: int | None = None
        if isinstance(given_tokens, int) and not isinstance(given_tokens, bool):
            per_image = given_tokens if 1 <= given_tokens <= MAX_IMAGE_TOKENS else None
        if given_tokens is not None and per_image is None:
            allowed = says(_IMAGE_TOKENS, most=MAX_IMAGE_TOKENS)
            self.bad(f"{where}.image_tokens", given_tokens, allowed)
        if common is None or given_input is None or given_output is None:
            return None
        model, scope, as_of, note = common
        return TextPrice(
            model,
            given_input,
            given_output,
            as_of,
            OVERRIDE_SOURCE,
            cache_write=values["cache_write"],
            cache_read=values["cache_read"],
            scope=scope,
            note=note,
            image_tokens=per_image,
        )

    def image_row(self, where: str, row: Mapping[object, object]) -> ImagePrice | None:
        self.unknown_keys(where, row, _IMAGE_KEYS)
        common = self.common(where, row)
        tiers: list[ImageTier] = []
        if ("per_image" in row) == ("tiers" in row):
            self.bad(
                where,
                dict(row),
                says(
                    QT_TRANSLATE_NOOP(
                        "Validation", 'either "per_image" (one price) or "tiers" (a list)'
                    )
                ),
            )
            return None
        if "per_image" in row:
            usd = self.amount(f"{where}.per_image", row["per_image"], MAX_USD_PER_IMAGE, _PER_IMAGE)
            if usd is not None:
                tiers.append(ImageTier(usd))
        else:
            tiers = self.tiers(f"{where}.tiers", row["tiers"])
        if common is None or not tiers:
            return None
        model, scope, as_of, note = common
        return ImagePrice(model, tuple(tiers), as_of, OVERRIDE_SOURCE, scope=scope, note=note)

    def tiers(self, where: str, value: object) -> list[ImageTier]:
        if not isinstance(value, Sequence) or isinstance(value, str | bytes) or not value:
            self.bad(
                where,
                value,
                says(
                    QT_TRANSLATE_NOOP("Validation", "a list of 1 or more {tier}"),
                    tier="{per_image, max_pixels, quality}",
                ),
            )
            return []
        tiers: list[ImageTier] = []
        before = len(self.problems)
        for i, tier in enumerate(value):
            at = f"{where}[{i}]"
            if not isinstance(tier, Mapping):
                self.bad(
                    at,
                    tier,
                    says(
                        QT_TRANSLATE_NOOP("Validation", "an object {tier}"),
                        tier="{per_image, max_pixels, quality}",
                    ),
                )
                continue
            self.unknown_keys(at, tier, _TIER_KEYS)
            usd = self.amount(
                f"{at}.per_image", tier.get("per_image"), MAX_USD_PER_IMAGE, _PER_IMAGE
            )
            pixels = tier.get("max_pixels")
            if pixels is not None and (
                isinstance(pixels, bool)
                or not isinstance(pixels, int)
                or not 1 <= pixels <= MAX_TIER_PIXELS
            ):
                self.bad(
                    f"{at}.max_pixels",
                    pixels,
                    says(
                        QT_TRANSLATE_NOOP(
                            "Validation",
                            "a whole number of pixels from 1 to {most}, or null for any size",
                        ),
                        most=f"{MAX_TIER_PIXELS:,}",
                    ),
                )
                continue
            quality = tier.get("quality", "standard")
            if quality not in QUALITIES:
                first, second = (f'"{q}"' for q in QUALITIES)
                self.bad(f"{at}.quality", quality, says(_EITHER, first=first, second=second))
                continue
            if usd is not None:
                assert isinstance(quality, str)
                tiers.append(ImageTier(usd, pixels, quality))
        return tiers if len(self.problems) == before else []
