"""Model text kept in the history is bounded and encodable.

A model can answer 30 MB, or a reason holding a lone UTF-16 surrogate that no file,
database or terminal can encode. What the app keeps is capped with a note of the full
length, and surrogates become U+FFFD, so recording and printing can never fail on it.
"""

from __future__ import annotations

import re

# Enough for any judge or reviser answer we ask for (a few hundred words of JSON).
MAX_KEPT_CHARS = 16_000
# A reason is shown in a list; longer ones are a model ignoring the instructions.
MAX_REASON_CHARS = 2_000

_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def bounded(text: str, limit: int = MAX_KEPT_CHARS, *, total: int | None = None) -> str:
    """``text`` made encodable and cut at ``limit`` characters with a note of its length;
    ``total`` is the length before an earlier cut (the provider's), when there was one."""
    text = encodable(text)
    full = max(total or 0, len(text))
    if full <= limit:
        return text
    return f"{text[:limit]}\n[... cut: the answer had {full:,} characters]"
