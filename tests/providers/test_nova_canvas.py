"""Nova Canvas: free sizes by rule, Titan's body and answer, its own (smaller) seed range."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from imgloop_desktop.core.errors import PromptRefusedError, ServiceError
from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest
from imgloop_desktop.providers import nova_canvas

SPEC = nova_canvas.SPEC


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, format="PNG")
    return out.getvalue()


def test_body_matches_titan_shape() -> None:
    request = GenerationRequest(
        prompt="a lighthouse at dusk",
        width=1280,
        height=720,
        cfg_scale=6.5,
        number_of_images=1,
        seed=858_993_459,
    )
    assert nova_canvas.build_body(SPEC, request) == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a lighthouse at dusk"},
        "imageGenerationConfig": {
            "numberOfImages": 1,
            "height": 720,
            "width": 1280,
            "cfgScale": 6.5,
            "seed": 858_993_459,
        },
    }


def test_limits() -> None:
    assert SPEC.model_id == "amazon.nova-canvas-v1:0"
    assert SPEC.prompt_max_chars == 1024
    assert SPEC.cfg_range == (1.1, 10.0)
    assert SPEC.max_images == 5
    assert SPEC.seed_max == 858_993_459
    assert SPEC.free_size is not None


@pytest.mark.parametrize("size", nova_canvas.RECOMMENDED_SIZES)
def test_every_recommended_size_passes_the_rule(size: tuple[int, int]) -> None:
    assert SPEC.free_size is not None
    assert SPEC.free_size.problem(*size) is None


@pytest.mark.parametrize(
    ("width", "height", "word"),
    [
        (304, 1024, "320-4096"),
        (4112, 1024, "320-4096"),
        (1000, 1024, "multiple of 16"),
        (4096, 4096, "4194304"),
        (2064, 2048, "4194304"),
        (1600, 320, "aspect ratio"),
    ],
)
def test_sizes_outside_the_rule_are_explained(width: int, height: int, word: str) -> None:
    problem = SPEC.size_problem(width, height)
    assert problem is not None and word in problem


def test_sizes_by_rule_beyond_the_list_are_accepted() -> None:
    assert (1600, 912) not in SPEC.sizes
    assert SPEC.size_problem(1600, 912) is None
    assert SPEC.size_problem(2048, 2048) is None  # exactly 4,194,304 pixels


def test_guide_warns_against_negation() -> None:
    assert "1024" in nova_canvas.PROMPT_GUIDE
    assert "negation" in nova_canvas.PROMPT_GUIDE


def test_parse_and_refusals() -> None:
    data = png()
    ok = {"images": [base64.b64encode(data).decode()], "error": None}
    assert nova_canvas.parse_response(SPEC, ok) == [GeneratedImage(data, None)]
    with pytest.raises(PromptRefusedError, match="content filters"):
        nova_canvas.parse_response(SPEC, {"images": [], "error": "blocked by content filters"})
    with pytest.raises(PromptRefusedError):
        nova_canvas.parse_response(SPEC, {"images": []})
    with pytest.raises(ServiceError, match="Nova Canvas"):
        nova_canvas.parse_response(SPEC, {"images": None})
