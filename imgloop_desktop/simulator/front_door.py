"""Bedrock Runtime's front door: which model ids a request may name, from which region, at
which point in the model's life. Runs before any scripted fault or body check, as the
service refuses a bad id before it looks at the body.

The region is the one the request is signed for (the SigV4 credential scope), so one
simulator serves every region, as ``bedrock-runtime.<region>.amazonaws.com`` does.
Checks, in order:

1. a model id the scripted ``end_of_life`` set names -> EOL_MESSAGE (``eol_error_code``);
2. an id Bedrock does not know -> "The provided model identifier is invalid.";
3. an end-of-life model (unless ``serve_retired`` answers it as in 2024) -> EOL_MESSAGE;
4. a profile-only model by its base id -> the on-demand refusal;
5. a base id not served on demand in the region, a profile prefix the model has no profile
   for, or a profile whose geography does not take the region -> the invalid-id text;
6. a Legacy model the account has not used lately -> LEGACY_MESSAGE.
"""

from __future__ import annotations

from imgloop_desktop.simulator.errors import BedrockError
from imgloop_desktop.simulator.script import (
    EOL_MESSAGE,
    INVALID_MODEL_MESSAGE,
    LEGACY_MESSAGE,
    ON_DEMAND_MESSAGE,
    SimScript,
)
from imgloop_desktop.simulator.served import SERVED, Lifecycle, ServedModel, parse_model_id

# The Legacy refusal's code as 2026 reports show it (script.LEGACY_MESSAGE's sources).
LEGACY_ERROR_CODE = "ResourceNotFoundException"


def _invalid() -> BedrockError:
    return BedrockError("ValidationException", INVALID_MODEL_MESSAGE)


def admit(model_id: str, region: str, script: SimScript) -> ServedModel:
    """The served model a request names, or the BedrockError the service answers.

    ``region`` "" (an unsigned request, only from hand-made test calls) skips the region
    checks."""
    if script.is_end_of_life(model_id):
        raise BedrockError(script.eol_error_code, EOL_MESSAGE)
    ref = parse_model_id(model_id)
    model = SERVED.get(ref.base_id)
    if model is None:
        raise _invalid()
    retired = model.lifecycle is Lifecycle.END_OF_LIFE
    revived = retired and script.serve_retired and model.is_image
    if retired and not revived:
        raise BedrockError(script.eol_error_code, EOL_MESSAGE)
    if ref.arn_region and region and ref.arn_region != region:
        raise _invalid()  # an ARN names one region's model; another region does not know it
    if ref.geography is None:
        if not model.on_demand:
            raise BedrockError(
                "ValidationException", ON_DEMAND_MESSAGE.format(model_id=model.model_id)
            )
        regions = model.retired_regions if revived else model.regions
        if region and region not in regions:
            raise _invalid()
    else:
        sources = model.profiles.get(ref.geography)
        if sources is None or (region and region not in sources):
            raise _invalid()
    if model.lifecycle is Lifecycle.LEGACY and not script.uses_legacy(model.model_id):
        raise BedrockError(LEGACY_ERROR_CODE, LEGACY_MESSAGE)
    return model
