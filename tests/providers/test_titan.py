"""Titan bodies and the parsing of its answers, including every way an answer can be wrong."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from imgloop_desktop.core.errors import PromptRefusedError, ServiceError
from imgloop_desktop.core.models import Lifecycle
from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest
from imgloop_desktop.providers import titan


def png(width: int = 4, height: int = 4) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


REQUEST = GenerationRequest(
    prompt="a red kite over a green hill",
    width=1152,
    height=768,
    cfg_scale=8.0,
    number_of_images=2,
    seed=12345,
)


def test_body_is_exactly_the_seed_shape() -> None:
    assert titan.build_body(titan.G1, REQUEST) == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a red kite over a green hill"},
        "imageGenerationConfig": {
            "numberOfImages": 2,
            "height": 768,
            "width": 1152,
            "cfgScale": 8.0,
            "seed": 12345,
        },
    }


def test_v2_uses_the_same_body() -> None:
    assert titan.build_body(titan.V2, REQUEST) == titan.build_body(titan.G1, REQUEST)


def test_g1_limits_match_the_docs() -> None:
    spec = titan.G1
    assert spec.model_id == "amazon.titan-image-generator-v1"
    assert spec.prompt_max_chars == 512
    assert spec.cfg_range == (1.1, 10.0)
    assert spec.max_images == 5
    assert spec.seed_max == 2_147_483_646
    assert len(spec.sizes) == 25
    assert (1173, 640) in spec.sizes and (1024, 1024) in spec.sizes
    assert spec.size_problem(1024, 1024) is None
    assert spec.size_problem(1000, 1000) is not None
    assert spec.free_size is None


def test_titan_is_marked_end_of_life_with_a_live_replacement() -> None:
    for spec in titan.SPECS:
        assert spec.lifecycle is Lifecycle.END_OF_LIFE
        assert spec.replacement == "stability.sd3-5-large-v1:0"


def test_prompt_guide_states_the_rules_the_reviser_needs() -> None:
    guide = titan.PROMPT_GUIDE
    assert "512" in guide
    assert "English" in guide
    assert "without" in guide  # the negative phrasing rule


def test_parses_every_image_without_a_seed_of_its_own() -> None:
    first, second = png(4, 4), png(8, 8)
    images = titan.parse_response(titan.G1, {"images": [b64(first), b64(second)], "error": None})
    assert images == [GeneratedImage(first, None), GeneratedImage(second, None)]


def test_missing_error_key_is_fine() -> None:
    assert len(titan.parse_response(titan.G1, {"images": [b64(png())]})) == 1


def test_non_null_error_is_a_refusal_even_with_images() -> None:
    payload = {"images": [b64(png())], "error": "This request has been blocked by our filters."}
    with pytest.raises(PromptRefusedError, match="blocked by our filters"):
        titan.parse_response(titan.G1, payload)


def test_zero_images_is_a_refusal() -> None:
    with pytest.raises(PromptRefusedError, match="no image"):
        titan.parse_response(titan.G1, {"images": [], "error": None})


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "without an 'images' list"),
        ({"error": None}, "without an 'images' list"),
        ({"images": "abc"}, "not a list"),
        ({"images": {"0": "abc"}}, "not a list"),
        ({"images": [42]}, "not a base64 string"),
        ({"images": [None]}, "not a base64 string"),
        ({"images": ["@@not base64@@"]}, "not valid base64"),
        ({"images": ["QUJ"]}, "not valid base64"),
        ({"images": [b64(b"GIF89a....")]}, "not a PNG"),
        ({"images": [b64(b"")]}, "not a PNG"),
    ],
)
def test_malformed_answers_raise_service_errors(payload: dict[str, object], message: str) -> None:
    with pytest.raises(ServiceError, match=message) as info:
        titan.parse_response(titan.G1, payload)
    assert info.value.model_id == titan.G1_ID


def test_one_bad_image_spoils_the_answer() -> None:
    with pytest.raises(ServiceError, match="image 1"):
        titan.parse_response(titan.G1, {"images": [b64(png()), "%%%"]})


def test_long_error_text_is_shortened() -> None:
    with pytest.raises(PromptRefusedError) as info:
        titan.parse_response(titan.G1, {"images": [], "error": "x" * 1000})
    assert len(str(info.value)) < 400
