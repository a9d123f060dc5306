"""What the loop needs to know about an image model: its limits and how to write prompts for it.

The specs are plain data so validation and the form can use them without boto3; the
provider modules fill them in next to the request bodies they describe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum


class Lifecycle(StrEnum):
    ACTIVE = "active"
    LEGACY = "legacy"
    END_OF_LIFE = "end-of-life"


@dataclass(frozen=True)
class FreeSize:
    """Sizes allowed by rule rather than by list (Nova Canvas)."""

    min_side: int
    max_side: int
    multiple_of: int
    max_pixels: int
    max_aspect: float

    def problem(self, width: int, height: int) -> str | None:
        if not (
            self.min_side <= width <= self.max_side and self.min_side <= height <= self.max_side
        ):
            return f"each side must be {self.min_side}-{self.max_side} pixels"
        if width % self.multiple_of or height % self.multiple_of:
            return f"each side must be a multiple of {self.multiple_of}"
        if width * height > self.max_pixels:
            return f"width x height must be at most {self.max_pixels} pixels"
        if max(width, height) / min(width, height) > self.max_aspect:
            return f"the aspect ratio must be at most {self.max_aspect:g}:1"
        return None


def _fit_rule(rule: FreeSize, width: int, height: int) -> tuple[int, int] | None:
    """``width`` x ``height`` brought inside ``rule``: aspect ratio capped, area capped,
    sides clamped and rounded down to the multiple; None when no such size passes."""
    ratio = min(max(width / height, 1 / rule.max_aspect), rule.max_aspect)
    area = min(width * height, rule.max_pixels)
    w = math.sqrt(area * ratio)
    h = w / ratio
    step = rule.multiple_of
    fitted = tuple(
        max(rule.min_side, min(rule.max_side, int(side // step) * step)) for side in (w, h)
    )
    size = (fitted[0], fitted[1])
    return size if rule.problem(*size) is None else None


@dataclass(frozen=True)
class ImageModelSpec:
    """Limits of one image model as Bedrock documents them.

    ``sizes`` is what a picker offers; when ``free_size`` is set any size passing its
    rule is accepted too. ``cfg_range`` is None for models without a CFG setting.
    """

    model_id: str
    name: str
    family: str
    prompt_max_chars: int
    sizes: tuple[tuple[int, int], ...]
    cfg_range: tuple[float, float] | None
    max_images: int
    seed_max: int
    prompt_guide: str
    lifecycle: Lifecycle = Lifecycle.ACTIVE
    replacement: str = ""
    regions: tuple[str, ...] = ()
    free_size: FreeSize | None = None
    default_size: tuple[int, int] = (1024, 1024)
    notes: str = field(default="", compare=False)

    def nearest_size(self, width: int, height: int) -> tuple[int, int]:
        """The size this model makes that is closest to ``width`` x ``height``: the same
        size when it is allowed, else the closest aspect ratio (then area) among the
        listed sizes, or for a rule-based model the ratio and area brought inside its rule.

        The seed's event names Titan's width and height; every model must still run it, so
        a size a model does not offer is mapped, said and recorded rather than refused.
        """
        if width <= 0 or height <= 0 or self.size_problem(width, height) is None:
            return (width, height)
        if self.free_size is not None:
            fitted = _fit_rule(self.free_size, width, height)
            if fitted is not None:
                return fitted

        def distance(size: tuple[int, int]) -> tuple[float, float]:
            w, h = size
            return (
                abs(math.log((w / h) / (width / height))),
                abs(math.log((w * h) / (width * height))),
            )

        return min(self.sizes, key=distance)

    def size_problem(self, width: int, height: int) -> str | None:
        if (width, height) in self.sizes:
            return None
        if self.free_size is not None:
            return self.free_size.problem(width, height)
        listed = ", ".join(f"{w}x{h}" for w, h in self.sizes)
        return f"{self.name} supports {listed}"


@dataclass(frozen=True)
class TextModelSpec:
    """A Converse-capable model offered as judge and reviser."""

    model_id: str
    name: str
    vision: bool = True
    lifecycle: Lifecycle = Lifecycle.ACTIVE
    replacement: str = ""
    regions: tuple[str, ...] = ()
    # The geographies of its system-defined cross-region inference profiles ("us", "eu",
    # "global", ...) and whether its base id is also served on demand: Claude 4.x models
    # are served only through a profile.
    profiles: tuple[str, ...] = ()
    on_demand: bool = True
