"""The models a run can use, for front ends: the window's choice lists, spec look-ups and
each model's lifecycle.

The catalog itself lives with the providers (each entry is tied to a request format), but
which models exist is a question front ends ask, and they reach providers only through
services (the import contracts in pyproject.toml). These names are re-exported unchanged,
so the window, the headless command and ``services.run`` resolve a model the same way.

Lifecycle (issue 11): ``lifecycle(model_id)`` answers at once, without a network call, from
what Bedrock last said (kept in the data folder with the day it was read, by
``refresh_lifecycle`` and by the connection check) or else from the catalog; its
``source_text`` says which ("from Bedrock, checked 2026-11-30" / "from the app's
catalog"). ``refresh_lifecycle`` asks Bedrock's control plane for entries missing or older
than a week; it blocks on the network, so callers run it off the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from imgloop_desktop import __version__
from imgloop_desktop.core.errors import ImgloopError
from imgloop_desktop.core.models import Lifecycle
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers import lifecycle as _lifecycle
from imgloop_desktop.providers.catalog import (
    IMAGE_MODELS,
    TEXT_MODELS,
    current_replacement,
    image_spec,
    model_notes,
    text_spec,
)
from imgloop_desktop.providers.lifecycle import LifecycleInfo

if TYPE_CHECKING:
    from botocore.config import Config

    from imgloop_desktop.providers.session import CredentialsSource

__all__ = [
    "IMAGE_MODELS",
    "TEXT_MODELS",
    "LifecycleInfo",
    "image_spec",
    "lifecycle",
    "model_notes",
    "refresh_lifecycle",
    "text_spec",
    "with_current_models",
]

log = logging.getLogger(__name__)


def lifecycle(model_id: str, region: str | None = None) -> LifecycleInfo:
    """``model_id``'s lifecycle from what is kept or the catalog: no network, fast enough to
    ask for every model a picker lists. With ``region``, the answer read for the region a
    run would call the model in from there is preferred; otherwise the latest of any."""
    return _lifecycle.known(model_id, region=region)


def _control_config() -> Config:
    """A person may be waiting (the picker refreshes while the window is open): few retries,
    short timeouts."""
    from botocore.config import Config  # here, so the picker's imports stay light

    return Config(
        retries={"mode": "standard", "max_attempts": 2},
        connect_timeout=5,
        read_timeout=15,
        user_agent_extra=f"imgloop-desktop/{__version__} lifecycle",
    )


def refresh_lifecycle(
    credentials: CredentialsSource, region: str | None, model_ids: Iterable[str]
) -> dict[str, LifecycleInfo]:
    """Each model's lifecycle, read from Bedrock where what is kept is missing or older than
    7 days (and kept), else from what is kept or the catalog. Network: call it off the GUI
    thread. Never raises for credentials, AWS or the network: what cannot be asked is
    answered without asking. ``AWS_ENDPOINT_URL_BEDROCK`` is honoured (no endpoint is
    passed), as boto3 does everywhere else in the app."""
    from botocore.exceptions import BotoCoreError

    from imgloop_desktop.providers.session import FALLBACK_REGION

    ids = list(dict.fromkeys(model_ids))
    try:
        session = credentials.session()
    except (ImgloopError, BotoCoreError) as exc:
        log.info("lifecycle not refreshed, no credentials: %s", exc)
        return {m: _lifecycle.known(m, region=region) for m in ids}
    home = region or session.region_name or FALLBACK_REGION
    made: list[object] = []

    def client_for(where: str) -> _lifecycle.ControlPlane:
        client = session.client("bedrock", region_name=where, config=_control_config())
        made.append(client)
        return cast(_lifecycle.ControlPlane, client)

    try:
        return _lifecycle.refresh(client_for, home, ids)
    finally:
        for client in made:
            close = getattr(client, "close", None)
            if callable(close):
                close()


def with_current_models(params: RunParams) -> tuple[RunParams, list[str]]:
    """``params`` with each end-of-life model replaced by the current one to use, and what
    was replaced, in words.

    For what the window remembers from an earlier version (the seed's defaults, retired
    since): reopening the app must not greet a person with a form that can only fail. An
    event or preset the person opens is not changed; it loads as written and its models are
    marked in the pickers.
    """
    said: list[str] = []
    changes: dict[str, str] = {}
    for field, model_id in (
        ("image_model_id", params.image_model_id),
        ("judge_model_id", params.judge_model_id),
    ):
        known = lifecycle(model_id)
        replacement = current_replacement(model_id)
        if known.status is Lifecycle.END_OF_LIFE and replacement:
            changes[field] = replacement
            said.append(
                f"{model_id} has reached its end of life on Bedrock; {replacement} is used."
            )
    return (params.with_changes(**changes) if changes else params), said
