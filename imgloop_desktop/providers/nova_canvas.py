"""Amazon Nova Canvas: limits, prompt guide, request body, response.

Sources checked (November 2026):

* "Request and response structure for image generation" (docs.aws.amazon.com/nova/latest/
  userguide/image-gen-req-resp-structure.html): the same TEXT_IMAGE body as Titan, ``text``
  1-1024 characters, and the advice to avoid negating words ("no", "not", "without").
* The same page and AWS's own code examples (docs.aws.amazon.com/nova/latest/userguide/
  code-examples-image.html: "Create a random seed between 0 and 858,993,459"): width and
  height 320-4096 in steps of 16, at most 4,194,304 pixels, aspect ratio within 4:1,
  cfgScale 1.1-10 (default 6.5), numberOfImages 1-5, seed 0-858,993,459. The seed range is
  smaller than Titan's 0-2,147,483,646, so a seed picked for Titan can fail validation here.
* "Model lifecycle (Legacy)" (docs.aws.amazon.com/bedrock/latest/userguide/
  model-lifecycle-legacy.html, as quoted by third parties): Legacy since March 30, 2026,
  end of life September 30, 2026, so it is marked end-of-life.

The response is Titan's: ``{"images": [...], "error": ...}``, parsed by the shared helper.
"""

from __future__ import annotations

from collections.abc import Mapping

from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP
from imgloop_desktop.core.models import FreeSize, ImageModelSpec, Lifecycle
from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest
from imgloop_desktop.providers import titan

FAMILY = "nova-canvas"
MODEL_ID = "amazon.nova-canvas-v1:0"

FREE_SIZE = FreeSize(
    min_side=320, max_side=4096, multiple_of=16, max_pixels=4_194_304, max_aspect=4.0
)

# A picker's short list; every entry passes FREE_SIZE (a test checks it).
RECOMMENDED_SIZES: tuple[tuple[int, int], ...] = (
    (1024, 1024),
    (512, 512),
    (2048, 2048),
    (1280, 720),
    (720, 1280),
    (1024, 576),
    (576, 1024),
    (1024, 672),
    (672, 1024),
    (1024, 816),
    (816, 1024),
    (1024, 512),
    (512, 1024),
    (1024, 336),
    (336, 1024),
    (2048, 512),
    (512, 2048),
    (4096, 1024),
    (1024, 4096),
)

PROMPT_GUIDE = """\
Rules for Amazon Nova Canvas prompts:
- Hard limit: 1024 characters including spaces.
- Write in English only.
- Write it like a caption describing a finished picture, not an instruction: "a red fox \
curled up on a mossy log" rather than "draw a fox".
- Order: main subject and what it is doing first, then the surroundings, then lighting and \
time of day, then the style or medium, then framing and camera position (close-up, wide \
shot, from above).
- Never use negation words such as "no", "not" or "without": the model tends to add the very \
thing named. This app sends no negative text, so describe only what should be visible.
- Be specific about colours, materials, textures and mood; name an art style or photographic \
look explicitly when it matters.
- Lettering that must appear goes in double quotes and should be short.
"""

SPEC = ImageModelSpec(
    model_id=MODEL_ID,
    name="Amazon Nova Canvas",
    family=FAMILY,
    prompt_max_chars=1024,
    sizes=RECOMMENDED_SIZES,
    cfg_range=(1.1, 10.0),
    max_images=5,
    seed_max=858_993_459,
    prompt_guide=PROMPT_GUIDE,
    lifecycle=Lifecycle.END_OF_LIFE,
    replacement=titan.REPLACEMENT_ID,
    regions=("us-east-1", "eu-west-1", "ap-northeast-1"),
    free_size=FREE_SIZE,
    default_size=(1024, 1024),
    notes=QT_TRANSLATE_NOOP(
        "CatalogNotes", "Legacy since March 30, 2026; end of life September 30, 2026."
    ),
)

SPECS: tuple[ImageModelSpec, ...] = (SPEC,)


def build_body(spec: ImageModelSpec, request: GenerationRequest) -> dict[str, object]:
    return titan.text_image_body(request)


def parse_response(spec: ImageModelSpec, payload: Mapping[str, object]) -> list[GeneratedImage]:
    return titan.parse_images_payload(spec, payload)
