"""Writing a prompt's requirement checklist with the judge's model (issue 12), kept per
(prompt, judge model) so writing it again costs nothing.

One Converse call turns the person's prompt into atomic requirements, asked and read as a
run asks (``checklist_prompts.ask_for_checklist``: an unreadable answer is asked for once
more), and a checklist that could not be written is reported, not cached. The cache
(``services.checklist_cache``) is shared with runs: a run whose checklist was written here
(the window's "Write from prompt", ``imgloop-cli checklist``) starts from it, and one the
loop writes is kept for the next.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from imgloop_desktop.core.checklist import Checklist
from imgloop_desktop.core.checklist_prompts import ask_for_checklist
from imgloop_desktop.core.errors import Problem, ServiceError, ValidationError
from imgloop_desktop.core.param_values import short, text_problem
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers import catalog
from imgloop_desktop.providers.bedrock import ConverseChat
from imgloop_desktop.providers.session import CredentialsSource, close_clients, make_clients
from imgloop_desktop.services import checklist_cache

log = logging.getLogger(__name__)

MAX_PROMPT_CHARS = 10_000  # the longest prompt any catalog image model takes


@dataclass(frozen=True)
class Written:
    checklist: Checklist
    judge_model_id: str
    region: str  # "" when it came from the cache
    cached: bool


def write_checklist(
    params: RunParams, *, credentials: CredentialsSource, use_cache: bool = True
) -> Written:
    """The checklist for ``params.prompt`` written by ``params.judge_model_id`` with the
    reviser's sampling settings, from the cache when it was written before.

    Raises ValidationError (a prompt or model no run would take), ServiceError (Bedrock
    refused or timed out, or the model's answer was unreadable twice) before anything is
    cached.
    """
    problem = _prompt_problem(params.prompt)
    if problem:
        raise ValidationError([Problem("prompt", short(params.prompt), problem)])
    judge = params.judge_model_id
    # Only the offline demo's credentials name an endpoint (its simulator).
    simulated = getattr(credentials, "bedrock_endpoint_url", None) is not None
    key = checklist_cache.key_for(params.prompt, judge, simulated=simulated)
    if use_cache:
        kept = checklist_cache.cached(key)
        if kept is not None:
            return Written(kept, judge, "", cached=True)
    pinned = bool(params.aws_region)
    catalog.call_region("judge_model_id", judge, params.aws_region or "us-east-1", pinned=pinned)
    clients = make_clients(credentials, params.aws_region or None)
    try:
        region = catalog.call_region("judge_model_id", judge, clients.region, pinned=pinned)
        client, region = clients.runtime(region)
        chat = ConverseChat(client, judge, region=region)
        # A plain call per ask: nothing to cancel or bill here, unlike a run's.
        answer = ask_for_checklist(
            params.prompt, lambda request: chat.ask(request, params.revise_settings)
        )
    finally:
        close_clients(clients)
    if answer.checklist is None:
        raise ServiceError(
            f"{judge} in {region} did not write a usable checklist: {answer.error}",
            model_id=judge,
            region=region,
            hint="Try again, or pick another judge model.",
        )
    checklist_cache.keep(key, answer.checklist)
    return Written(answer.checklist, judge, region, cached=False)


def _prompt_problem(prompt: str) -> str | None:
    if not prompt.strip():
        return "a prompt that is not empty or only spaces"
    if len(prompt) > MAX_PROMPT_CHARS:
        return f"at most {MAX_PROMPT_CHARS:,} characters (this one has {len(prompt):,})"
    return text_problem(prompt)
