"""Amazon Titan Image Generator G1 (v1 and v2): limits, prompt guide, request body, response.

Sources checked (November 2026):

* "Amazon Titan Image Generator G1 models" (docs.aws.amazon.com/bedrock/latest/userguide/
  titan-image-models.html): model id ``amazon.titan-image-generator-v1``, "Max input
  characters - 512 char".
* "Amazon Titan Image Generator G1" inference parameters (docs.aws.amazon.com/bedrock/latest/
  userguide/model-parameters-titan-image.html): the TEXT_IMAGE body with ``textToImageParams``
  and the shared ``imageGenerationConfig``; the width x height table (25 sizes), cfgScale
  1.1-10 (default 8), numberOfImages 1-5, seed 0-2,147,483,646. The same table and ranges are
  repeated by public client code that cites the page.
* "Titan Image Generator G1 v2" model card (docs.aws.amazon.com/bedrock/latest/userguide/
  model-card-amazon-titan-image-generator-g1-v2.html): "Model lifecycle: Legacy", "Model EOL
  date: June 30, 2026". The v1 card is no longer listed among the model cards, and public bug
  reports from August 2026 show Bedrock answering the Titan image ids with "This model
  version has reached the end of its life". Both are therefore marked end-of-life here; they
  stay in the catalog so seed events naming them still load and explain themselves.

The response is ``{"images": [base64 PNG, ...], "error": str | null}``. The seed printed a
non-null ``error`` and used the image anyway; here a non-null error is a refusal.

Pure Python on purpose: the form and validation import this without boto3. The base64/PNG
helpers below are shared with ``nova_canvas`` and ``stability`` because every family returns
base64 PNG strings that must be checked the same way.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from imgloop_desktop.core.errors import PromptRefusedError, ServiceError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase
from imgloop_desktop.core.models import ImageModelSpec, Lifecycle
from imgloop_desktop.core.pngs import PNG_SIGNATURE
from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest

FAMILY = "titan"

G1_ID = "amazon.titan-image-generator-v1"
V2_ID = "amazon.titan-image-generator-v2:0"
# Titan, Nova Canvas and SDXL are gone; Stable Diffusion 3.5 Large, the app's default image
# model (the closest prompt adherence of the Stability models Bedrock serves), replaces them.
REPLACEMENT_ID = "stability.sd3-5-large-v1:0"

# (width, height) from the documented table, largest of each aspect ratio first.
SIZES: tuple[tuple[int, int], ...] = (
    (1024, 1024),
    (768, 768),
    (512, 512),
    (768, 1152),
    (384, 576),
    (1152, 768),
    (576, 384),
    (768, 1280),
    (384, 640),
    (1280, 768),
    (640, 384),
    (896, 1152),
    (448, 576),
    (1152, 896),
    (576, 448),
    (768, 1408),
    (384, 704),
    (1408, 768),
    (704, 384),
    (640, 1408),
    (320, 704),
    (1408, 640),
    (704, 320),
    (1152, 640),
    (1173, 640),
)

PROMPT_MAX_CHARS = 512
CFG_RANGE = (1.1, 10.0)
MAX_IMAGES = 5
SEED_MAX = 2_147_483_646

PROMPT_GUIDE = """\
Rules for Amazon Titan Image Generator prompts:
- Hard limit: 512 characters including spaces. Aim for one to three sentences.
- Write in English only; other languages are not supported.
- Open with the medium and the main subject ("A photograph of ...", "A watercolor \
illustration of ..."), then the subject's look and action, then the setting, then lighting, \
colour palette and mood, and end with style, camera or composition words.
- Be concrete and visual: name colours, materials, time of day, lens or art style. Vague \
praise such as "beautiful" or "amazing" adds little.
- Describe what must be in the picture, never what must be absent. This app sends no \
negative prompt, and words like "no", "not" or "without" tend to bring the named thing into \
the image, so rephrase exclusions positively ("an empty beach", not "a beach without people").
- One clear focal subject works best; keep secondary objects few and named.
- Any lettering that must appear goes in double quotes and should be only a word or two.
"""


def _spec(model_id: str, name: str, notes: str) -> ImageModelSpec:
    return ImageModelSpec(
        model_id=model_id,
        name=name,
        family=FAMILY,
        prompt_max_chars=PROMPT_MAX_CHARS,
        sizes=SIZES,
        cfg_range=CFG_RANGE,
        max_images=MAX_IMAGES,
        seed_max=SEED_MAX,
        prompt_guide=PROMPT_GUIDE,
        lifecycle=Lifecycle.END_OF_LIFE,
        replacement=REPLACEMENT_ID,
        regions=("us-east-1", "us-west-2"),
        default_size=(1024, 1024),
        notes=notes,
    )


G1 = _spec(
    G1_ID,
    "Titan Image Generator G1",
    QT_TRANSLATE_NOOP(
        "CatalogNotes",
        "The seed's model. Past its end of life on Bedrock; kept so old events still load.",
    ),
)
V2 = _spec(
    V2_ID,
    "Titan Image Generator G1 v2",
    QT_TRANSLATE_NOOP("CatalogNotes", "Legacy, end of life June 30, 2026 per its model card."),
)

SPECS: tuple[ImageModelSpec, ...] = (G1, V2)


def text_image_body(request: GenerationRequest) -> dict[str, object]:
    """The TEXT_IMAGE body Titan and Nova Canvas share, with exactly the seed's fields."""
    return {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": request.prompt},
        "imageGenerationConfig": {
            "numberOfImages": request.number_of_images,
            "height": request.height,
            "width": request.width,
            "cfgScale": request.cfg_scale,
            "seed": request.seed,
        },
    }


def build_body(spec: ImageModelSpec, request: GenerationRequest) -> dict[str, object]:
    return text_image_body(request)


def parse_response(spec: ImageModelSpec, payload: Mapping[str, object]) -> list[GeneratedImage]:
    return parse_images_payload(spec, payload)


# How an image model's answer declines (``PromptRefusedError``), for Titan, Nova Canvas and
# Stability alike: English in logs and the history, the window's language in the window.
DECLINED = QT_TRANSLATE_NOOP("ImageAnswers", "{model} declined the request: {reasons}")
NO_IMAGE = QT_TRANSLATE_NOOP("ImageAnswers", "{model} returned no image and gave no reason.")


def declined(template: str, **values: object) -> PromptRefusedError:
    """The refusal ``template`` (one of the "ImageAnswers" texts) says, with its values."""
    return PromptRefusedError(Phrase("ImageAnswers", template, values))


def parse_images_payload(
    spec: ImageModelSpec, payload: Mapping[str, object]
) -> list[GeneratedImage]:
    """Read ``{"images": [...], "error": ...}`` as Titan and Nova Canvas return it.

    Neither model reports a seed, so images carry ``seed=None`` and the generator fills in
    the request's seed, which is what made them.
    """
    error = payload.get("error")
    if error is not None and error != "":
        raise declined(DECLINED, model=spec.name, reasons=_short(error))
    return [
        GeneratedImage(data=decode_png(spec, item, index), seed=None)
        for index, item in enumerate(image_list(spec, payload))
    ]


def image_list(spec: ImageModelSpec, payload: Mapping[str, object]) -> list[object]:
    """The payload's non-empty ``images`` list (Titan, Nova and Stability share the key)."""
    images = payload.get("images")
    if images is None:
        raise ServiceError(
            f"{spec.name} answered without an 'images' list.", model_id=spec.model_id
        )
    if not isinstance(images, list):
        raise ServiceError(
            f"{spec.name} answered with 'images' of type {type(images).__name__}, not a list.",
            model_id=spec.model_id,
        )
    if not images:
        raise declined(NO_IMAGE, model=spec.name)
    return images


def decode_png(spec: ImageModelSpec, item: object, index: int) -> bytes:
    """Strict base64 decode plus a PNG signature check: response bytes are untrusted.

    A malformed image means Bedrock (or something between us and it) is not speaking the
    documented format, which retrying the prompt will not fix, hence ServiceError.
    """
    if not isinstance(item, str):
        raise ServiceError(
            f"{spec.name} image {index} is a {type(item).__name__}, not a base64 string.",
            model_id=spec.model_id,
        )
    try:
        data = base64.b64decode(item.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ServiceError(
            f"{spec.name} image {index} is not valid base64 ({exc}).", model_id=spec.model_id
        ) from exc
    if not data.startswith(PNG_SIGNATURE):
        raise ServiceError(
            f"{spec.name} image {index} is not a PNG (it starts with {data[:8]!r}).",
            model_id=spec.model_id,
        )
    return data


def _short(value: object, limit: int = 300) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
