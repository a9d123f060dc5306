"""Catalog: any spelling of a supported id finds its family and keeps the id as given."""

from __future__ import annotations

import subprocess
import sys

import pytest

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.models import Lifecycle
from imgloop_desktop.core.params import (
    DEFAULT_IMAGE_MODEL,
    DEFAULT_JUDGE_MODEL,
    SEED_IMAGE_MODEL,
    SEED_JUDGE_MODEL,
)
from imgloop_desktop.providers import catalog, nova_canvas, stability, titan


def test_image_models_cover_every_family_once() -> None:
    ids = [spec.model_id for spec in catalog.IMAGE_MODELS]
    assert len(ids) == len(set(ids))
    assert set(ids) == {
        "amazon.titan-image-generator-v1",
        "amazon.titan-image-generator-v2:0",
        "amazon.nova-canvas-v1:0",
        "stability.sd3-5-large-v1:0",
        "stability.stable-image-core-v1:1",
        "stability.stable-image-ultra-v1:1",
        "stability.stable-diffusion-xl-v1",
    }


@pytest.mark.parametrize(
    "model_id",
    [
        "amazon.titan-image-generator-v1",
        "amazon.titan-image-generator-v1:0",
        "us.amazon.titan-image-generator-v1",
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-image-generator-v1",
    ],
)
def test_titan_g1_spellings(model_id: str) -> None:
    spec = catalog.image_spec(model_id)
    assert spec.model_id == model_id
    assert spec.name == titan.G1.name
    assert spec.sizes == titan.G1.sizes
    assert catalog.family_of(spec) is titan


@pytest.mark.parametrize(
    ("model_id", "name", "module"),
    [
        ("amazon.nova-canvas-v1:0", nova_canvas.SPEC.name, nova_canvas),
        ("eu.amazon.nova-canvas-v1:0", nova_canvas.SPEC.name, nova_canvas),
        ("apac.amazon.nova-canvas-v1:0", nova_canvas.SPEC.name, nova_canvas),
        ("us.stability.sd3-5-large-v1:0", stability.SD35_LARGE.name, stability),
        ("global.stability.stable-image-core-v1:1", stability.CORE.name, stability),
        (
            "arn:aws:bedrock:us-west-2::foundation-model/stability.stable-image-ultra-v1:1",
            stability.ULTRA.name,
            stability,
        ),
        (
            "arn:aws:bedrock:us-west-2:123456789012:inference-profile/"
            "us.stability.stable-image-core-v1:1",
            stability.CORE.name,
            stability,
        ),
        ("stability.stable-diffusion-xl-v1", stability.SDXL.name, stability),
        ("amazon.titan-image-generator-v2:0", titan.V2.name, titan),
    ],
)
def test_profiles_and_arns_resolve(model_id: str, name: str, module: object) -> None:
    spec = catalog.image_spec(model_id)
    assert spec.model_id == model_id
    assert spec.name == name
    assert catalog.family_of(spec) is module


@pytest.mark.parametrize(
    "model_id",
    [
        "",
        "amazon.titan-image-generator-v3",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "xx.amazon.nova-canvas-v1:0",
        "arn:aws:bedrock:us-east-1::custom-model/amazon.nova-canvas-v1:0",
        "stability.stable-image-core-v1:0",
    ],
)
def test_unknown_ids_are_validation_errors_listing_the_supported(model_id: str) -> None:
    with pytest.raises(ValidationError) as info:
        catalog.image_spec(model_id)
    (problem,) = info.value.problems
    assert problem.field == "image_model_id"
    assert problem.value == model_id
    assert "amazon.nova-canvas-v1:0" in problem.allowed
    assert "stability.stable-image-core-v1:1" in problem.allowed


def test_defaults_are_active_and_the_seeds_models_name_them_as_replacements() -> None:
    image = catalog.image_spec(DEFAULT_IMAGE_MODEL)
    judge = catalog.text_spec(DEFAULT_JUDGE_MODEL)
    assert image.lifecycle is Lifecycle.ACTIVE
    assert judge is not None and judge.lifecycle is Lifecycle.ACTIVE
    seed_judge = catalog.text_spec(SEED_JUDGE_MODEL)
    assert seed_judge is not None and seed_judge.lifecycle is Lifecycle.END_OF_LIFE
    assert catalog.image_spec(SEED_IMAGE_MODEL).lifecycle is Lifecycle.END_OF_LIFE
    assert catalog.current_replacement(SEED_IMAGE_MODEL) == DEFAULT_IMAGE_MODEL
    assert catalog.current_replacement(SEED_JUDGE_MODEL) == DEFAULT_JUDGE_MODEL


def test_text_spec() -> None:
    sonnet4 = catalog.text_spec("us.anthropic.claude-sonnet-4-20250514-v1:0")
    assert sonnet4 is not None and sonnet4.name == "Claude Sonnet 4"
    assert catalog.text_spec("anthropic.claude-sonnet-4-20250514-v1:0") is sonnet4
    assert catalog.text_spec("eu.anthropic.claude-sonnet-4-6") is not None
    nova = catalog.text_spec("amazon.nova-pro-v1:0")
    assert nova is not None and nova.lifecycle is Lifecycle.ACTIVE
    assert catalog.text_spec("meta.llama3-2-90b-instruct-v1:0") is None


def test_every_text_model_is_vision_and_replacements_are_active() -> None:
    for spec in catalog.TEXT_MODELS:
        assert spec.vision
        if spec.lifecycle is not Lifecycle.ACTIVE:
            target = catalog.text_spec(spec.replacement)
            assert target is not None and target.lifecycle is Lifecycle.ACTIVE


def test_image_replacements_are_active_catalog_models() -> None:
    for spec in catalog.IMAGE_MODELS:
        if spec.lifecycle is not Lifecycle.ACTIVE:
            target = catalog.image_spec(spec.replacement)
            assert target.lifecycle is Lifecycle.ACTIVE


def test_current_replacement() -> None:
    assert catalog.current_replacement("amazon.titan-image-generator-v1") == (
        "stability.sd3-5-large-v1:0"
    )
    assert catalog.current_replacement("us.amazon.nova-canvas-v1:0") == (
        "stability.sd3-5-large-v1:0"
    )
    assert catalog.current_replacement(SEED_JUDGE_MODEL) == "us.anthropic.claude-sonnet-4-6"
    assert catalog.current_replacement(DEFAULT_JUDGE_MODEL) == ""
    assert catalog.current_replacement("stability.sd3-5-large-v1:0") == ""
    assert catalog.current_replacement("somebody.unknown-v1") == ""


def test_base_model_id() -> None:
    assert catalog.base_model_id("us.anthropic.claude-sonnet-4-6") == "anthropic.claude-sonnet-4-6"
    assert catalog.base_model_id(" amazon.nova-lite-v1:0 ") == "amazon.nova-lite-v1:0"
    assert (
        catalog.base_model_id("arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-pro-v1:0")
        == "amazon.nova-pro-v1:0"
    )


def test_family_modules_and_catalog_import_without_boto3() -> None:
    """The form validates against specs before any AWS setup, so these stay pure Python."""
    code = (
        "import importlib, importlib.abc, sys\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'boto3', 'botocore'}:\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from imgloop_desktop.providers import catalog, nova_canvas, stability, titan\n"
        "print(len(catalog.IMAGE_MODELS))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(len(catalog.IMAGE_MODELS))


# -- which region each model is called in (issue 11) ------------------------------------------


def test_a_model_served_in_one_region_is_called_there_when_the_person_set_none() -> None:
    sd35 = "stability.sd3-5-large-v1:0"
    assert catalog.call_region("image_model_id", sd35, "us-east-1", pinned=False) == "us-west-2"
    assert catalog.call_region("image_model_id", sd35, "us-west-2", pinned=False) == "us-west-2"
    assert catalog.call_region("image_model_id", sd35, "eu-west-1", pinned=False) == "us-west-2"


def test_a_region_the_person_set_is_respected_and_refused_when_it_does_not_serve() -> None:
    with pytest.raises(ValidationError) as caught:
        catalog.call_region(
            "image_model_id", "stability.sd3-5-large-v1:0", "us-east-1", pinned=True
        )
    (problem,) = caught.value.problems
    assert problem.field == "aws_region" and problem.value == "us-east-1"
    assert "us-west-2" in problem.allowed


def test_a_profile_is_called_from_inside_its_geography() -> None:
    sonnet = "us.anthropic.claude-sonnet-4-6"
    assert catalog.call_region("judge_model_id", sonnet, "us-east-2", pinned=False) == "us-east-2"
    assert catalog.call_region("judge_model_id", sonnet, "eu-west-1", pinned=False) == "us-east-1"
    assert (
        catalog.call_region("judge_model_id", "eu." + sonnet[3:], "eu-west-1", pinned=True)
        == "eu-west-1"
    )
    assert (
        catalog.call_region("judge_model_id", "global." + sonnet[3:], "ap-south-1", pinned=True)
        == "ap-south-1"
    )
    with pytest.raises(ValidationError, match="aws_region"):
        catalog.call_region("judge_model_id", sonnet, "eu-west-1", pinned=True)


@pytest.mark.parametrize(
    ("model_id", "says"),
    [
        ("us.stability.sd3-5-large-v1:0", "has no 'us.' profile"),
        ("global.stability.stable-image-core-v1:1", "has no 'global.' profile"),
        ("anthropic.claude-sonnet-4-6", "us.anthropic.claude-sonnet-4-6"),
    ],
)
def test_profile_rules_are_checked_in_every_region(model_id: str, says: str) -> None:
    field = "judge_model_id" if "anthropic" in model_id else "image_model_id"
    for pinned in (False, True):
        with pytest.raises(ValidationError) as caught:
            catalog.call_region(field, model_id, "us-west-2", pinned=pinned)
        (problem,) = caught.value.problems
        assert problem.field == field and problem.value == model_id
        assert says in problem.allowed


def test_unknown_retired_and_arn_ids_go_to_the_persons_region() -> None:
    for model_id in (
        "somebody.new-model-v1:0",
        "amazon.titan-image-generator-v1",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "arn:aws:bedrock:us-west-2::foundation-model/stability.sd3-5-large-v1:0",
    ):
        assert catalog.call_region("judge_model_id", model_id, "us-east-1", pinned=True) == (
            "us-east-1"
        )
