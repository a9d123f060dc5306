"""The words we send to the judge and the reviser.

Judging is always against the person's original prompt: a revised prompt is our guess at
how to ask the image model, not a new requirement. The JSON template shows the real
allowed values (the seed's template showed a stray sentence where "YES"/"NO" belonged).
"""

from __future__ import annotations

from collections.abc import Sequence

from imgloop_desktop.core.models import ImageModelSpec

JUDGE_TEMPLATE = """You are checking whether a generated image satisfies a request.

Request (it may be in any language):
<request>
{prompt}
</request>

Look at the attached image. Check every subject, attribute, count, relation and style the
request asks for. Approve only when all of them are clearly present and nothing contradicts
the request; small aesthetic flaws do not matter.

Answer with one JSON object and nothing else:
{{"result": "YES" or "NO", "reason": "one or two sentences: what matches, what is missing"}}"""

# What every revision request starts with, whole-prompt or per requirement
# (``checklist_prompts.REVISE_TEMPLATE``): one wording for the person's words and the last
# prompt, so both revisers read the same context.
REVISE_HEAD = """You rewrite prompts for the image model {model_name}.

What the person wants (their original words, any language):
<original>
{original}
</original>

The prompt used last, which did not produce an acceptable image:
<latest>
{latest}
</latest>

"""

REVISE_TEMPLATE = (
    REVISE_HEAD
    + """Why a reviewer rejected the images it produced:
{reasons}

How to write prompts for {model_name}:
{guide}

Write an improved prompt that keeps every requirement of the original and fixes what the
reviewer found missing. Write it in English, at most {max_chars} characters, as plain
prompt text.

Answer with one JSON object and nothing else:
{{"revised_prompt": "the new prompt"}}"""
)


def judge_prompt(original_prompt: str) -> str:
    return JUDGE_TEMPLATE.format(prompt=original_prompt)


def revise_prompt(
    *, original: str, latest: str, reasons: Sequence[str], spec: ImageModelSpec
) -> str:
    listed = "\n".join(f"- {r}" for r in reasons if r.strip()) or "- (no reason was given)"
    return REVISE_TEMPLATE.format(
        model_name=spec.name,
        original=original,
        latest=latest,
        reasons=listed,
        guide=spec.prompt_guide,
        max_chars=spec.prompt_max_chars,
    )


def fit_to_limit(prompt: str, max_chars: int) -> str:
    """Shorten an over-long revision at a sentence or phrase boundary rather than mid-word."""
    if len(prompt) <= max_chars:
        return prompt
    cut = prompt[:max_chars]
    boundary = max(cut.rfind(". "), cut.rfind(", "), cut.rfind("; "))
    if boundary > max_chars // 2:
        return cut[: boundary + 1].rstrip()
    space = cut.rfind(" ")
    return (cut[:space] if space > max_chars // 2 else cut).rstrip()
