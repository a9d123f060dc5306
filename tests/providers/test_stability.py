"""Stability bodies (SD3.5 Large, Core, Ultra, SDXL) and parsing of their two answer shapes."""

from __future__ import annotations

import base64
import dataclasses
import io

import pytest
from PIL import Image

from imgloop_desktop.core.errors import PromptRefusedError, ServiceError, ValidationError
from imgloop_desktop.core.models import Lifecycle
from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest
from imgloop_desktop.providers import stability


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3, 3), (1, 2, 3)).save(out, format="PNG")
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def request(width: int = 1344, height: int = 768, n: int = 1) -> GenerationRequest:
    return GenerationRequest(
        prompt="a fox in snow", width=width, height=height, cfg_scale=7.0, number_of_images=n,
        seed=4_294_967_294,
    )  # fmt: skip


def test_sd35_large_body_has_mode() -> None:
    assert stability.build_body(stability.SD35_LARGE, request()) == {
        "prompt": "a fox in snow",
        "mode": "text-to-image",
        "aspect_ratio": "16:9",
        "seed": 4_294_967_294,
        "output_format": "png",
    }


@pytest.mark.parametrize("spec", [stability.CORE, stability.ULTRA])
def test_core_and_ultra_bodies_have_no_mode(spec: object) -> None:
    assert isinstance(spec, type(stability.CORE))
    assert stability.build_body(spec, request(640, 1536)) == {
        "prompt": "a fox in snow",
        "aspect_ratio": "9:21",
        "seed": 4_294_967_294,
        "output_format": "png",
    }


def test_profile_id_still_gets_mode() -> None:
    spec = dataclasses.replace(stability.SD35_LARGE, model_id="us.stability.sd3-5-large-v1:0")
    assert stability.build_body(spec, request())["mode"] == "text-to-image"


@pytest.mark.parametrize(
    ("size", "ratio"),
    [
        ((1024, 1024), "1:1"),
        ((1344, 768), "16:9"),
        ((768, 1344), "9:16"),
        ((1536, 640), "21:9"),
        ((640, 1536), "9:21"),
        ((1216, 832), "3:2"),
        ((832, 1216), "2:3"),
        ((1088, 896), "5:4"),
        ((896, 1088), "4:5"),
    ],
)
def test_every_listed_size_maps_to_its_aspect_ratio(size: tuple[int, int], ratio: str) -> None:
    assert size in stability.CORE.sizes
    assert stability.build_body(stability.CORE, request(*size))["aspect_ratio"] == ratio


def test_unlisted_size_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="1000x1000"):
        stability.build_body(stability.ULTRA, request(1000, 1000))


def test_modern_limits() -> None:
    for spec in (stability.SD35_LARGE, stability.CORE, stability.ULTRA):
        assert spec.cfg_range is None
        assert spec.max_images == 1
        assert spec.seed_max == 4_294_967_294
        assert spec.prompt_max_chars == 10_000
        assert spec.lifecycle is Lifecycle.ACTIVE
    assert stability.CORE.model_id == "stability.stable-image-core-v1:1"
    assert stability.ULTRA.model_id == "stability.stable-image-ultra-v1:1"
    assert stability.SD35_LARGE.model_id == "stability.sd3-5-large-v1:0"


def test_sdxl_body() -> None:
    assert stability.build_body(stability.SDXL, request(1152, 896)) == {
        "text_prompts": [{"text": "a fox in snow"}],
        "cfg_scale": 7.0,
        "steps": 30,
        "seed": 4_294_967_294,
        "width": 1152,
        "height": 896,
        "samples": 1,
    }


def test_sdxl_is_end_of_life_with_replacement() -> None:
    assert stability.SDXL.lifecycle is Lifecycle.END_OF_LIFE
    assert stability.SDXL.replacement == stability.SD35_LARGE_ID
    assert stability.SDXL.cfg_range == (0.0, 35.0)
    assert len(stability.SDXL.sizes) == 9


# -- SD3-style answers -------------------------------------------------------------------


def test_parses_images_with_their_seeds() -> None:
    data = png()
    payload = {"seeds": [2130420379], "finish_reasons": [None], "images": [b64(data)]}
    assert stability.parse_response(stability.CORE, payload) == [GeneratedImage(data, 2130420379)]


@pytest.mark.parametrize("seeds", [None, [], ["7"], [True], [-1], "123"])
def test_unusable_seeds_leave_the_seed_to_the_request(seeds: object) -> None:
    payload: dict[str, object] = {"finish_reasons": [None], "images": [b64(png())]}
    if seeds is not None:
        payload["seeds"] = seeds
    assert stability.parse_response(stability.CORE, payload)[0].seed is None


@pytest.mark.parametrize(
    "reason",
    ["Filter reason: prompt", "Filter reason: output image", "Inference error"],
)
def test_finish_reason_is_a_refusal(reason: str) -> None:
    with pytest.raises(PromptRefusedError, match=reason):
        stability.parse_response(stability.ULTRA, {"finish_reasons": [reason]})


def test_finish_reason_wins_over_images() -> None:
    payload = {"finish_reasons": ["Filter reason: output image"], "images": [b64(png())]}
    with pytest.raises(PromptRefusedError):
        stability.parse_response(stability.SD35_LARGE, payload)


def test_no_images_is_a_refusal() -> None:
    with pytest.raises(PromptRefusedError, match="no image"):
        stability.parse_response(stability.CORE, {"finish_reasons": [], "images": []})


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "without an 'images' list"),
        ({"finish_reasons": "null", "images": []}, "finish_reasons"),
        ({"finish_reasons": [None], "images": "x"}, "not a list"),
        ({"finish_reasons": [None], "images": [1]}, "not a base64 string"),
        ({"finish_reasons": [None], "images": ["***"]}, "not valid base64"),
        ({"finish_reasons": [None], "images": [b64(b"\xff\xd8\xff\xe0JFIF")]}, "not a PNG"),
    ],
)
def test_malformed_answers(payload: dict[str, object], message: str) -> None:
    with pytest.raises(ServiceError, match=message):
        stability.parse_response(stability.CORE, payload)


# -- SDXL answers ------------------------------------------------------------------------


def test_sdxl_success() -> None:
    data = png()
    payload = {
        "result": "success",
        "artifacts": [{"seed": 42, "base64": b64(data), "finishReason": "SUCCESS"}],
    }
    assert stability.parse_response(stability.SDXL, payload) == [GeneratedImage(data, 42)]


@pytest.mark.parametrize("reason", ["CONTENT_FILTERED", "ERROR"])
def test_sdxl_refusals(reason: str) -> None:
    payload = {"artifacts": [{"seed": 1, "base64": b64(png()), "finishReason": reason}]}
    with pytest.raises(PromptRefusedError, match=reason):
        stability.parse_response(stability.SDXL, payload)


def test_sdxl_no_artifacts_is_a_refusal() -> None:
    with pytest.raises(PromptRefusedError):
        stability.parse_response(stability.SDXL, {"artifacts": []})


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "'artifacts'"),
        ({"artifacts": {"a": 1}}, "'artifacts'"),
        ({"artifacts": ["x"]}, "not an object"),
        ({"artifacts": [{"base64": "", "finishReason": "MAYBE"}]}, "unknown finishReason"),
        ({"artifacts": [{"finishReason": "SUCCESS"}]}, "not a base64 string"),
        ({"artifacts": [{"finishReason": "SUCCESS", "base64": "!!"}]}, "not valid base64"),
    ],
)
def test_sdxl_malformed(payload: dict[str, object], message: str) -> None:
    with pytest.raises(ServiceError, match=message):
        stability.parse_response(stability.SDXL, payload)
