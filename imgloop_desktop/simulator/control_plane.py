"""The Bedrock control plane's ``GetFoundationModel``, answered from the served table.

The same loopback server answers it (boto3's ``bedrock`` client reaches it through
``AWS_ENDPOINT_URL_BEDROCK``) so a test can check what the app learns about a model, its
lifecycle and how it may be invoked, against the same facts the runtime side enforces.

Response shape: botocore's ``bedrock`` 2023-04-20 model, ``GetFoundationModelResponse``
(``modelDetails``: modelArn, modelId, modelName, providerName, input/outputModalities,
responseStreamingSupported, customizationsSupported, inferenceTypesSupported,
modelLifecycle {status, startOfLifeTime, legacyTime, endOfLifeTime}). Timestamps go out as
epoch seconds, which botocore's rest-json parser reads.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from imgloop_desktop.simulator.errors import BedrockError
from imgloop_desktop.simulator.script import INVALID_MODEL_MESSAGE, SimScript
from imgloop_desktop.simulator.served import Lifecycle, ServedModel, model_arn, parse_model_id
from imgloop_desktop.simulator.served import lookup as lookup_model


def _epoch(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def listed_in(model: ServedModel, region: str, script: SimScript) -> bool:
    """Whether ``region``'s ListFoundationModels / GetFoundationModel knows the model: where
    it runs on demand, or where one of its profiles may be called from."""
    if model.lifecycle is Lifecycle.END_OF_LIFE:
        return script.serve_retired and model.is_image and region in model.retired_regions
    if region in model.regions:
        return True
    return any(region in sources for sources in model.profiles.values())


def get_foundation_model(model_identifier: str, region: str, script: SimScript) -> dict[str, Any]:
    """``GetFoundationModel``'s answer, or the BedrockError the service gives.

    An unknown id, an end-of-life model or a model not offered in ``region`` answer
    ValidationException "The provided model identifier is invalid." (the runtime's wording
    for the same ids; the control plane's own text for them was not found in a public
    report, so this is an assumption). A profile id (``us.``...) is not a foundation-model
    identifier: the same answer."""
    ref = parse_model_id(model_identifier)
    model = lookup_model(model_identifier)
    if (
        model is None
        or ref.geography is not None
        or not listed_in(model, region, script)
        or script.is_end_of_life(model.model_id)
    ):
        raise BedrockError("ValidationException", INVALID_MODEL_MESSAGE)
    lifecycle: dict[str, Any] = {
        # A retired model served under serve_retired shows as it did in 2024: ACTIVE.
        "status": "LEGACY" if model.lifecycle is Lifecycle.LEGACY else "ACTIVE",
    }
    if model.launch_date is not None:
        lifecycle["startOfLifeTime"] = _epoch(model.launch_date)
    if model.legacy_date is not None and model.lifecycle is Lifecycle.LEGACY:
        lifecycle["legacyTime"] = _epoch(model.legacy_date)
    if model.eol_date is not None and model.lifecycle is Lifecycle.LEGACY:
        lifecycle["endOfLifeTime"] = _epoch(model.eol_date)
    details: dict[str, Any] = {
        "modelArn": model_arn(model, region),
        "modelId": model.model_id,
        "modelName": model.name,
        "providerName": model.provider,
        "inputModalities": list(model.input_modalities),
        "outputModalities": list(model.output_modalities),
        "responseStreamingSupported": model.streaming,
        "customizationsSupported": [],
        "inferenceTypesSupported": list(model.inference_types),
        "modelLifecycle": lifecycle,
    }
    return {"modelDetails": details}
