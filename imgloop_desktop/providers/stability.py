"""Stability AI models on Bedrock: limits, prompt guides, request bodies, responses.

Two body styles live here, told apart by ``spec.family``:

* ``stability`` - SD3.5 Large, Stable Image Core and Stable Image Ultra take
  ``{"prompt", "aspect_ratio", "seed", "output_format"}`` and answer
  ``{"seeds", "finish_reasons", "images"}``.
* ``stability-sdxl`` - the old SDXL 1.0 takes ``text_prompts``/``cfg_scale``/``steps``/
  ``width``/``height``/``samples`` and answers ``{"artifacts": [{"base64", "seed",
  "finishReason"}]}``.

Sources checked (November 2026):

* "Stability.ai Stable Diffusion 3.5 Large" (docs.aws.amazon.com/bedrock/latest/userguide/
  model-parameters-diffusion-3-5-large.html): prompt at most 10,000 characters; aspect_ratio
  one of 16:9, 1:1, 21:9, 2:3, 3:2, 4:5, 5:4, 9:16, 9:21; ``mode`` text-to-image or
  image-to-image (it decides which fields are required, so we always send it); seed
  0-4,294,967,294; the response and its finish reasons ("Filter reason: prompt",
  "Filter reason: output image", "Filter reason: input image", "Inference error", null).
  "1 megapixel resolution output". No CFG setting is documented, so ``cfg_range`` is None.
* "Stable Image Ultra request and response" and "Stable Image Core request and response"
  (docs.aws.amazon.com/bedrock/latest/userguide/
  model-parameters-diffusion-stable-ultra-text-image-request-response.html and
  ...-stable-image-core-text-image-request-response.html): same prompt limit, aspect ratios,
  output_format and response. Core's page lists ``mode`` with the single value text-to-image
  in one revision and not at all in another, and Ultra's does not list it, so neither gets
  it: Bedrock's Stability endpoints reject keys they do not know.
* "Diffusion 1.0 text to image" (docs.aws.amazon.com/bedrock/latest/userguide/
  model-parameters-diffusion-1-0-text-image.html): the SDXL body and its nine sizes.
  The page's min/max figures did not survive in the copy checked; cfg_scale 0-35, steps
  10-50 (default 30), seed 0-4,294,967,295, one sample per call and a 2,000-character prompt
  come from earlier readings of that page and could not be re-checked. The model is gone,
  so they only matter for old events that name it.
* Lifecycle: AWS's notice quoted in aws-samples/document-translation#110 ("As of May 20,
  2025, this model will no longer be operational") for SDXL 1.0; Stable Image Core v1:0,
  Ultra v1:0 and SD3 Large v1:0 were retired in 2025, which is why only the v1:1 ids and
  SD3.5 Large are offered.

Pixel sizes per aspect ratio are not documented on Bedrock ("1 megapixel"); the ones below
are the sizes Stability's SD3-family models produce for each ratio and are what the form
shows. Bedrock decides the real size; the loop reads it from the PNG.
"""

from __future__ import annotations

from collections.abc import Mapping

from imgloop_desktop.core.errors import ServiceError, ValidationError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP
from imgloop_desktop.core.models import ImageModelSpec, Lifecycle
from imgloop_desktop.core.param_values import problem, says
from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest
from imgloop_desktop.providers.titan import DECLINED, NO_IMAGE, declined, decode_png, image_list

FILTERED = QT_TRANSLATE_NOOP("ImageAnswers", "{model} filtered image {index} (CONTENT_FILTERED).")
FAILED = QT_TRANSLATE_NOOP("ImageAnswers", "{model} failed to generate image {index} (ERROR).")

FAMILY = "stability"
SDXL_FAMILY = "stability-sdxl"

SD35_LARGE_ID = "stability.sd3-5-large-v1:0"
CORE_ID = "stability.stable-image-core-v1:1"
ULTRA_ID = "stability.stable-image-ultra-v1:1"
SDXL_ID = "stability.stable-diffusion-xl-v1"

# Pixel size -> the aspect_ratio value Bedrock takes.
ASPECT_RATIOS: dict[tuple[int, int], str] = {
    (1024, 1024): "1:1",
    (1344, 768): "16:9",
    (768, 1344): "9:16",
    (1536, 640): "21:9",
    (640, 1536): "9:21",
    (1216, 832): "3:2",
    (832, 1216): "2:3",
    (1088, 896): "5:4",
    (896, 1088): "4:5",
}
SIZES: tuple[tuple[int, int], ...] = tuple(ASPECT_RATIOS)

SEED_MAX = 4_294_967_294
PROMPT_MAX_CHARS = 10_000

SDXL_SIZES: tuple[tuple[int, int], ...] = (
    (1024, 1024),
    (1152, 896),
    (1216, 832),
    (1344, 768),
    (1536, 640),
    (640, 1536),
    (768, 1344),
    (832, 1216),
    (896, 1152),
)
SDXL_STEPS = 30
SDXL_SEED_MAX = 4_294_967_295

PROMPT_GUIDE = """\
Rules for Stability AI prompts (Stable Diffusion 3.5, Stable Image Core and Ultra):
- The model accepts up to 10,000 characters, but it follows a focused description of one to \
four sentences far better than a long one; stay well under 1,000 characters.
- Write in English.
- Use plain descriptive sentences; keyword lists and weight syntax such as (word:1.3) are \
not needed and are read literally.
- Start with the main subject and its action, then its surroundings, then the style or \
medium (photograph, oil painting, 3D render, line art), then composition, lighting and \
colour palette.
- Name the style explicitly; without one the model picks its own.
- Describe only what should be visible. This app sends no negative prompt, and phrases like \
"no people" tend to add people; say "an empty street" instead.
- Text to be drawn in the image goes in double quotes and should be short.
"""

SDXL_PROMPT_GUIDE = """\
Rules for Stable Diffusion XL prompts:
- The text encoder reads only about the first 75 tokens (roughly 300 characters); anything \
later has little or no effect, so put the most important words first. The request itself is \
limited to 2,000 characters.
- Write in English.
- Lead with the subject, then a few comma-separated descriptors: setting, style or medium, \
lighting, colour palette, camera or composition terms.
- Name an art style or photographic look; quality words such as "highly detailed" help a \
little, lists of them do not.
- Describe only what should appear; this app sends no negative prompt, and words like "no" \
or "without" tend to add the thing named.
- SDXL renders lettering poorly; avoid asking for text in the image.
"""


def _spec(model_id: str, name: str, notes: str) -> ImageModelSpec:
    return ImageModelSpec(
        model_id=model_id,
        name=name,
        family=FAMILY,
        prompt_max_chars=PROMPT_MAX_CHARS,
        sizes=SIZES,
        cfg_range=None,
        max_images=1,
        seed_max=SEED_MAX,
        prompt_guide=PROMPT_GUIDE,
        regions=("us-west-2",),
        default_size=(1024, 1024),
        notes=notes,
    )


# Notes are shown in the window translated (``catalog.model_notes``).
SD35_LARGE = _spec(
    SD35_LARGE_ID,
    "Stable Diffusion 3.5 Large",
    QT_TRANSLATE_NOOP("CatalogNotes", "8B parameters, about 1 MP."),
)
CORE = _spec(
    CORE_ID,
    "Stable Image Core",
    QT_TRANSLATE_NOOP("CatalogNotes", "Fast and the cheapest Stability model."),
)
ULTRA = _spec(
    ULTRA_ID,
    "Stable Image Ultra",
    QT_TRANSLATE_NOOP("CatalogNotes", "Highest quality Stability model."),
)
SDXL = ImageModelSpec(
    model_id=SDXL_ID,
    name="Stable Diffusion XL 1.0",
    family=SDXL_FAMILY,
    prompt_max_chars=2000,
    sizes=SDXL_SIZES,
    cfg_range=(0.0, 35.0),
    max_images=1,
    seed_max=SDXL_SEED_MAX,
    prompt_guide=SDXL_PROMPT_GUIDE,
    lifecycle=Lifecycle.END_OF_LIFE,
    replacement=SD35_LARGE_ID,
    regions=("us-east-1", "us-west-2"),
    default_size=(1024, 1024),
    notes=QT_TRANSLATE_NOOP("CatalogNotes", "No longer operational on Bedrock since May 20, 2025."),
)

SPECS: tuple[ImageModelSpec, ...] = (SD35_LARGE, CORE, ULTRA, SDXL)

# Models whose docs make ``mode`` decide which other fields are required.
_NEEDS_MODE = frozenset({"stability.sd3-5-large", "stability.sd3-large"})


def build_body(spec: ImageModelSpec, request: GenerationRequest) -> dict[str, object]:
    if spec.family == SDXL_FAMILY:
        return _sdxl_body(request)
    ratio = ASPECT_RATIOS.get((request.width, request.height))
    if ratio is None:
        raise ValidationError(
            [
                problem(
                    "width x height",
                    f"{request.width}x{request.height}",
                    # The model's own rule (core.models, English) or, failing that, ours.
                    spec.size_problem(request.width, request.height)
                    or says(QT_TRANSLATE_NOOP("Validation", "a listed size")),
                )
            ]
        )
    body: dict[str, object] = {"prompt": request.prompt}
    if any(marker in spec.model_id for marker in _NEEDS_MODE):
        body["mode"] = "text-to-image"
    body["aspect_ratio"] = ratio
    body["seed"] = request.seed
    body["output_format"] = "png"
    return body


def _sdxl_body(request: GenerationRequest) -> dict[str, object]:
    return {
        "text_prompts": [{"text": request.prompt}],
        "cfg_scale": request.cfg_scale,
        "steps": SDXL_STEPS,
        "seed": request.seed,
        "width": request.width,
        "height": request.height,
        "samples": request.number_of_images,
    }


def parse_response(spec: ImageModelSpec, payload: Mapping[str, object]) -> list[GeneratedImage]:
    if spec.family == SDXL_FAMILY:
        return _parse_sdxl(spec, payload)
    reasons = payload.get("finish_reasons")
    if reasons is not None:
        if not isinstance(reasons, list):
            raise ServiceError(
                f"{spec.name} answered with 'finish_reasons' that is not a list.",
                model_id=spec.model_id,
            )
        reasons_given = [str(reason)[:200] for reason in reasons[:10] if reason is not None]
        if reasons_given:
            raise declined(DECLINED, model=spec.name, reasons="; ".join(reasons_given))
    images = image_list(spec, payload)
    seeds = payload.get("seeds")
    seed_list = seeds if isinstance(seeds, list) else []
    return [
        GeneratedImage(
            data=decode_png(spec, item, index), seed=_seed_at(seed_list, index, spec.seed_max)
        )
        for index, item in enumerate(images)
    ]


def _parse_sdxl(spec: ImageModelSpec, payload: Mapping[str, object]) -> list[GeneratedImage]:
    artifacts = payload.get("artifacts")
    if not isinstance(artifacts, list):
        raise ServiceError(
            f"{spec.name} answered without an 'artifacts' list.", model_id=spec.model_id
        )
    if not artifacts:
        raise declined(NO_IMAGE, model=spec.name)
    result: list[GeneratedImage] = []
    for index, artifact in enumerate(artifacts):
        if not isinstance(artifact, dict):
            raise ServiceError(
                f"{spec.name} artifact {index} is not an object.", model_id=spec.model_id
            )
        reason = artifact.get("finishReason")
        if reason == "CONTENT_FILTERED":
            raise declined(FILTERED, model=spec.name, index=index)
        if reason == "ERROR":
            raise declined(FAILED, model=spec.name, index=index)
        if reason != "SUCCESS":
            shown = repr(reason)[:100]
            raise ServiceError(
                f"{spec.name} artifact {index} has an unknown finishReason {shown}.",
                model_id=spec.model_id,
            )
        data = decode_png(spec, artifact.get("base64"), index)
        seed = _seed_at([artifact.get("seed")], 0, spec.seed_max)
        result.append(GeneratedImage(data=data, seed=seed))
    return result


def _seed_at(seeds: list[object], index: int, seed_max: int) -> int | None:
    """The response's seed for image ``index`` when it gave one the model could have used;
    anything else (a float, a 40-digit number) is not recorded as a seed."""
    if index >= len(seeds):
        return None
    seed = seeds[index]
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= seed_max:
        return None
    return seed
