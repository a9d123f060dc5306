"""What the simulator will answer next: queued judge verdicts and reviser answers, the
checklist calls' answers (written checklists, item verdicts, comparisons), faults,
latencies and retired models.

A test (or a person driving the app by hand) changes the script while the server runs,
from another thread, so every compound step takes the lock. The queues are plain deques
so ``script.verdicts.extend([...])`` works as well as the helper methods.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeGuard

from imgloop_desktop.simulator.checklist_answers import (
    COMPARISONS,
    ITEM_RESULTS,
    CheckAnswer,
    ChecklistAnswer,
    CompareAnswer,
    item_answers,
)
from imgloop_desktop.simulator.service_quotas import QuotaTable

OPS: tuple[str, ...] = (
    "generate",
    "judge",
    "revise",
    "checklist",
    "check",
    "compare",
    "get_foundation_model",
)
# The runtime's operations: InvokeModel -> generate; Converse -> judge / revise (the seed's
# calls) or checklist / check / compare (issue 12's, told apart by their requests' first
# lines, see checklist_answers.classify). The control plane's GetFoundationModel is counted
# as "get_foundation_model".
RUNTIME_OPS: tuple[str, ...] = ("generate", "judge", "revise", "checklist", "check", "compare")

# HTTP status per error code, as botocore's bedrock-runtime model declares them; boto3
# finds the code in the ``x-amzn-ErrorType`` header either way, but clients that retry
# decide by status too.
ERROR_STATUS: dict[str, int] = {
    "ValidationException": 400,
    "ServiceQuotaExceededException": 400,
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ModelTimeoutException": 408,
    "ModelErrorException": 424,
    "ThrottlingException": 429,
    "ModelNotReadyException": 429,
    "InternalServerException": 500,
    "ServiceUnavailableException": 503,
}

DEFAULT_ERROR_MESSAGES: dict[str, str] = {
    "ValidationException": "The provided request is not valid.",
    "ServiceQuotaExceededException": "Your request exceeds the service quota for your account.",
    "AccessDeniedException": "You don't have access to the model with the specified model ID.",
    "ResourceNotFoundException": "The requested resource could not be found.",
    "ModelTimeoutException": (
        "The request took too long to process. Processing time exceeded the model timeout length."
    ),
    "ModelErrorException": (
        "The system encountered an unexpected error during processing. Try your request again."
    ),
    "ThrottlingException": "Too many requests, please wait before trying again.",
    "ModelNotReadyException": "The model is not ready to serve inference requests.",
    "InternalServerException": (
        "The server encountered an internal error while processing the request."
    ),
    "ServiceUnavailableException": "The service isn't currently available. Try again later.",
}

# Bedrock's wording for a prompt its input filter blocks (Nova Canvas docs; Titan answers
# the same), and for images its output filter removed (sent in the 200 body's ``error``).
CONTENT_FILTER_MESSAGE = (
    "This request has been blocked by our content filters. "
    "Please adjust your text prompt to submit a new request."
)
OUTPUT_FILTER_MESSAGE = "Some of the generated images have been blocked by our content filters."
STABILITY_FILTER_REASON = "Filter reason: prompt"
# * An id Bedrock does not serve: unknown, not offered in the request's region, or an
#   inference-profile prefix the model has no profile for (ValidationException, 400):
#   iOfficeAI/AionCore#377 (2026, HTTP 400 body quoted), anomalyco/opencode#11037 (2026, a
#   ``us.`` Claude Sonnet 4.5 profile). Older reports (2023-24) show ResourceNotFoundException
#   "Could not resolve the foundation model from the provided model identifier." (truera/
#   trulens#779, aws-samples/bedrock-chat#91); current reports show this one.
INVALID_MODEL_MESSAGE = "The provided model identifier is invalid."
# * A profile-only model called by its base id (ValidationException, 400). Note the curly
#   apostrophe (U+2019) in "isn't", as Bedrock sends it: terricain/aioboto3#352 (boto3),
#   anthropics/anthropic-sdk-python#894, cline/cline#2482, stackblitz-labs/bolt.diy#1102.
ON_DEMAND_MESSAGE = (
    "Invocation of model ID {model_id} with on-demand throughput isn\u2019t supported. "
    "Retry your request with the ID or ARN of an inference profile that contains this model."
)
# * Converse ``inferenceConfig.maxTokens`` above the model's ceiling (ValidationException):
#   vercel/ai#2772, sigoden/aichat#813 (Claude 3.5 Sonnet, 4096),
#   aws-samples/bedrock-access-gateway#41 (ConverseStream, 2048),
#   aws-samples/generative-ai-use-cases#594 (Titan Text Premier, 3000).
MAX_TOKENS_MESSAGE = (
    "The maximum tokens you requested exceeds the model limit of {limit}. "
    "Try again with a maximum tokens value that is lower than {limit}."
)
# * Claude's ``top_k`` above 500 in additionalModelRequestFields. Anthropic documents top_k
#   for Claude on Bedrock as 0-500 (docs.aws.amazon.com/bedrock/latest/userguide/
#   model-parameters-anthropic-claude-messages-request-response.html). Claude's refusals
#   of top_k come back as "The model returned the following errors: top_k: Input should be
#   a valid integer" (aws-solutions-library-samples/accelerated-intelligent-document-
#   processing-on-aws#133, Sonnet 4.5, Converse); the words for a value above 500 follow the
#   same validator's "less than or equal to" form and were NOT found in a public report.
TOP_K_LIMIT = 500
TOP_K_MESSAGE = (
    "The model returned the following errors: top_k: Input should be less than or equal to 500"
)
# * Converse on a model that does not chat (an image model here), ValidationException: the
#   text as several public repositories quote it (a 2026 Nova 2 Sonic status note, notes on
#   Custom Model Import); found by exact-text search, without an issue URL to cite.
CONVERSE_UNSUPPORTED_MESSAGE = (
    "This action doesn't support the model that you provided. "
    "Try again with a supported text or chat model."
)
EOL_MESSAGE = (
    "This model version has reached the end of its life. "
    "Please refer to the AWS documentation for more details."
)

# Answers real accounts meet, word for word as public reports quote them (HTTP status from
# ERROR_STATUS). Script them with ``fail(op, code, message=...)``.
# * ValidationException, InvokeModel and Converse, on an account Bedrock will not yet let run
#   models: aws/aws-cli#8717, langchain-ai/langchain#19215, kirodotdev/Kiro#11191 (2026,
#   "valid payment method and full account permissions").
OPERATION_NOT_ALLOWED_MESSAGE = "Operation not allowed"
# * ValidationException for a body the model does not take: aws-samples/
#   amazon-bedrock-client-for-mac#12 (Titan Image Generator); with the schema detail, e.g.
#   BerriAI/litellm#6722 (Stable Image Ultra: "#: required key [prompt] not found").
MALFORMED_INPUT_MESSAGE = "Malformed input request, please reformat your input and try again."
# * AccessDeniedException (403) on first use of a model sold through AWS Marketplace
#   (Anthropic, Stability) by credentials that may not subscribe: CloudTrail errorMessage in
#   aws-samples/sample-host-openclaw-on-amazon-bedrock-agentcore#41 (2026, "2 minutes") and
#   ministryofjustice/modernisation-platform-environments#18323 (2026, "5 minutes").
MARKETPLACE_MESSAGE = (
    "Model access is denied due to IAM user or service role is not authorized to perform the "
    "required AWS Marketplace actions (aws-marketplace:ViewSubscriptions, "
    "aws-marketplace:Subscribe) to enable access to this model. Refer to the Amazon Bedrock "
    "documentation for further details. Your AWS Marketplace subscription for this model "
    "cannot be completed at this time. If you recently fixed this issue, try again after "
    "2 minutes."
)
# * Anthropic's one-time use-case form not submitted (obot-platform/obot#6747, 2026); reported
#   as ResourceNotFoundException (404).
USE_CASE_FORM_MESSAGE = (
    "Model use case details have not been submitted for this account. Fill out the Anthropic "
    "use case details form before using the model. If you have already filled out the form, "
    "try again in 15 minutes."
)
# * A Legacy model this account has not used lately, as ResourceNotFoundException (404):
#   aws-samples/amazon-bedrock-workshop#386 and awslabs/llmeter#35 (2026, InvokeModel and
#   Converse); fourTheorem/podwhisperer#24 quotes the same with "30 days". Older reports
#   answer it as AccessDeniedException (403).
LEGACY_MESSAGE = (
    "Access denied. This Model is marked by provider as Legacy and you have not been actively "
    "using the model in the last 15 days. Please upgrade to an active model on Amazon Bedrock"
)
# * Claude models refusing sampling settings in Converse (ValidationException, 400):
#   cline/cline#10572 (Opus 4.7, 2026) and promptfoo/promptfoo#10307 (Opus 5) for
#   temperature; aws-samples/bedrock-access-gateway#191 (Haiku 4.5) and
#   CherryHQ/cherry-studio#10984 (Sonnet 4.5, Haiku 4.5) for temperature with top_p.
TEMPERATURE_DEPRECATED_MESSAGE = (
    "The model returned the following errors: `temperature` is deprecated for this model."
)
TEMPERATURE_WITH_TOP_P_MESSAGE = (
    "The model returned the following errors: `temperature` and `top_p` cannot both be "
    "specified for this model. Please use only one."
)
# Which sampling settings a Claude model refuses, by base id prefix (see the reports above):
# "no_temperature" refuses temperature at all; "temperature_or_top_p" refuses both at once.
SAMPLING_RULES = ("no_temperature", "temperature_or_top_p")
# Sonnet 4.6's refusal is quoted from Anthropic's own API (Vali-98/ChatterUI#564, 2026).
DEFAULT_SAMPLING_RULES: dict[str, str] = {
    "anthropic.claude-sonnet-4-5": "temperature_or_top_p",
    "anthropic.claude-haiku-4-5": "temperature_or_top_p",
    "anthropic.claude-sonnet-4-6": "temperature_or_top_p",
    "anthropic.claude-opus-4-7": "no_temperature",
    "anthropic.claude-opus-4-8": "no_temperature",
    "anthropic.claude-opus-5": "no_temperature",
}

# Leading segments of cross-region inference profile ids ("us.amazon.nova-canvas-v1:0").
_PROFILE_PREFIXES = frozenset({"us", "eu", "apac", "global", "us-gov", "ca", "jp", "au"})


@dataclass(frozen=True)
class Raw:
    """An answer sent verbatim, so tests can feed the parser fenced, wrapped, truncated or
    non-JSON text."""

    text: str


Answer = str | Raw
ChecklistQueued = ChecklistAnswer | Raw
CheckQueued = CheckAnswer | Raw
CompareQueued = CompareAnswer | Raw


# Misbehaviour beyond what Bedrock documents, learnt from issue 17's trials against a
# misbehaving service (what a broken proxy, a stuck network path or a service bug does).
# Real Bedrock, where known:
# * hang - the documented bound is the service's own ModelTimeoutException (HTTP 408,
#   "Processing time exceeded the model timeout length"); public reports show boto3's
#   ReadTimeoutError against bedrock-runtime when the client's read timeout is shorter
#   than the call (AWS re:Post "bedrock large model read timeouts"). A service that never
#   answers at all is a stuck proxy or network path.
# * trickle, reset - transport failures; Bedrock's own answers come in one piece.
# * absurd bodies - the API reference types every Converse field (usage.inputTokens is an
#   Integer, output.message.content a list of blocks) and every model documents a JSON
#   object body; none of these is a real answer, each is what broke the app in issue 17.
# * bad images / extra images - the model pages promise base64 PNGs (or the requested
#   output_format) and numberOfImages images; there is no public report of Bedrock
#   breaking either, so these stand for a model bug or a corrupting middlebox.
TRANSPORT_KINDS = ("hang", "trickle", "reset")
_CONVERSE_ABSURD = ("json_array", "deep_nesting", "huge_int", "bad_usage", "huge_text", "not_json")
ABSURD_VARIANTS: dict[str, tuple[str, ...]] = {
    "generate": ("json_array", "deep_nesting", "huge_int", "not_json"),
    "judge": _CONVERSE_ABSURD,
    "revise": _CONVERSE_ABSURD,
    "checklist": _CONVERSE_ABSURD,
    "check": _CONVERSE_ABSURD,
    "compare": _CONVERSE_ABSURD,
}
BAD_IMAGE_VARIANTS = ("truncated", "random_after_signature", "bomb")
# Sizes of the absurd bodies, as in issue 17's trials.
DEEP_NESTING_LEVELS = 50_000
HUGE_INT_DIGITS = 5_000
HUGE_TEXT_BYTES = 30 * 1024 * 1024


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour for one call.

    ``error`` answers with ``code``; ``refuse`` is the content filter in each family's own
    shape; ``model_error`` is a 200 that reports a model-side failure in its body.
    ``hang`` accepts the request and never answers (until the simulator stops);
    ``trickle`` sends the normal answer ``chunk_bytes`` at a time every ``interval``
    seconds; ``reset`` sends the headers and ``after_bytes`` of the body (half when -1),
    then resets the connection, or resets it before any byte when ``before_headers``.
    ``absurd`` answers 200 with the ``variant`` body (see ABSURD_VARIANTS); ``bad_image``
    puts an undecodable PNG of ``variant`` (see BAD_IMAGE_VARIANTS) in place of every
    image; ``extra_images`` returns ``count`` images whatever was asked.
    """

    kind: Literal[
        "error",
        "refuse",
        "model_error",
        "hang",
        "trickle",
        "reset",
        "absurd",
        "bad_image",
        "extra_images",
    ]
    code: str = ""
    message: str = ""
    finish_reason: str = ""
    variant: str = ""
    count: int = 0
    chunk_bytes: int = 0
    interval: float = 0.0
    after_bytes: int = -1
    before_headers: bool = False


def base_model_id(model_id: str) -> str:
    """The foundation model behind an id, profile id or ARN, so one ``end_of_life`` entry
    covers every way of naming the model."""
    resource = model_id.rsplit("/", 1)[-1]
    head, sep, rest = resource.partition(".")
    if sep and head in _PROFILE_PREFIXES and "." in rest:
        return rest
    return resource


class RateLimit:
    """A token bucket in front of one operation, as Bedrock's per-model quota is: a call
    beyond it is answered ThrottlingException before any latency (the front door refuses
    it), so a client's adaptive pacing is exercised against a real limit."""

    def __init__(self, per_minute: float, burst: float = 1.0) -> None:
        if not per_minute > 0 or not burst >= 1:
            raise ValueError("a rate limit needs per_minute > 0 and burst >= 1")
        self.per_minute = per_minute
        self.burst = burst
        self._tokens = burst
        self._stamp = time.monotonic()
        self.admitted = 0
        self.throttled = 0

    def admit(self) -> bool:
        """Whether a call arriving now is within the limit (the caller holds the lock)."""
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.per_minute / 60)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            self.admitted += 1
            return True
        self.throttled += 1
        return False


class SimScript:
    """The simulator's behaviour; safe to change from any thread while the server runs."""

    def __init__(
        self,
        *,
        default_verdict: Answer = "YES",
        latency_scale: float = 1.0,
        serve_retired: bool = False,
        legacy_in_use: tuple[str, ...] = (),
    ) -> None:
        self._lock = threading.RLock()
        self.verdicts: deque[Answer] = deque()
        self.revisions: deque[Answer] = deque()
        self.default_verdict: Answer = default_verdict
        # Issue 12's calls. An empty queue answers the default: a checklist derived from the
        # request, ``default_check`` for every item, ``default_comparison``.
        self.checklists: deque[ChecklistQueued] = deque()
        self.checks: deque[CheckQueued] = deque()
        self.comparisons: deque[CompareQueued] = deque()
        self.default_check = "yes"
        self.default_comparison = "tie"
        self.latencies: dict[str, float] = dict.fromkeys(OPS, 0.0)
        self.latency_scale = latency_scale
        # Calls of a held op wait at its gate until released (a test's "mid-call" moment,
        # without guessing a latency long enough for a loaded machine).
        self._gates: dict[str, threading.Event] = {}
        self.faults: dict[str, deque[Fault]] = {op: deque() for op in OPS}
        self.end_of_life: set[str] = set()
        # The brief's code; one live report (2026) shows ResourceNotFoundException with
        # the same message, so a test can switch to that.
        self.eol_error_code = "ValidationException"
        # Base model id prefix -> one of SAMPLING_RULES (Converse calls only).
        self.sampling_rules: dict[str, str] = dict(DEFAULT_SAMPLING_RULES)
        # Serve the end-of-life image models (Titan G1/v2, Nova Canvas, SDXL) as Bedrock did
        # in 2024, in their old regions: for tests that still need their request bodies.
        self.serve_retired = serve_retired
        # Legacy models this account has used lately: they answer normally; any other
        # Legacy model answers LEGACY_MESSAGE.
        self.legacy_in_use: set[str] = {base_model_id(m) for m in legacy_in_use}
        # Operation -> its quota; a call over it is throttled (after any queued fault).
        self.rate_limits: dict[str, RateLimit] = {}
        # Service Quotas' table for Bedrock (ListServiceQuotas, ListAWSDefaultServiceQuotas).
        self.service_quotas = QuotaTable()

    # -- building ------------------------------------------------------------------

    @staticmethod
    def raw(text: str) -> Raw:
        return Raw(text)

    def queue_verdicts(self, *answers: Answer) -> None:
        """ "YES"/"NO" become the JSON verdict; anything else is sent as written."""
        with self._lock:
            self.verdicts.extend(answers)

    def queue_revisions(self, *answers: Answer) -> None:
        """Plain text becomes ``{"revised_prompt": text}``; ``Raw`` is sent as written."""
        with self._lock:
            self.revisions.extend(answers)

    def queue_checklists(
        self,
        *answers: str | Sequence[str | Mapping[str, Any]] | ChecklistQueued | None,
        style: str = "json",
    ) -> None:
        """Answers to the next checklist-writing calls, one each: a list of items (texts,
        each a must, or ``{"text", "must", "kind", "depends_on"}`` objects), None (derived
        from the request, as the default is), a ``ChecklistAnswer`` (its own style), or
        raw text (a ``str`` or ``Raw``, sent as written). ``style`` (see
        checklist_answers.STYLES) applies to the lists and Nones given here."""
        queued = [_checklist_answer(a, style) for a in answers]
        with self._lock:
            self.checklists.extend(queued)

    def queue_checks(
        self, *answers: Mapping[str, Any] | str | CheckQueued, style: str = "json"
    ) -> None:
        """Item verdicts for the next judged images, one answer per image: a mapping of item
        id (or exact text) to "yes"/"no"/"unsure", ``(result, evidence)`` or
        ``{"result", "evidence"}``; items not named answer ``default_check``. "yes", "no"
        or "unsure" alone answers every item so; any other ``str`` (or ``Raw``) is sent as
        written; a ``CheckAnswer`` keeps its own style and ``omit``. ``style`` applies to
        the mappings and words given here."""
        queued = [_check_answer(a, style) for a in answers]
        with self._lock:
            self.checks.extend(queued)

    def queue_comparisons(self, *answers: str | CompareQueued, style: str = "json") -> None:
        """Answers to the next pairwise comparisons: "first", "second" or "tie" (any other
        ``str``, or ``Raw``, is sent as written), or a ``CompareAnswer``."""
        queued = [_compare_answer(a, style) for a in answers]
        with self._lock:
            self.comparisons.extend(queued)

    def fail(self, op: str, code: str, *, times: int = 1, message: str | None = None) -> None:
        _check_op(op)
        if code not in ERROR_STATUS:
            raise ValueError(f"unknown error code {code!r}; known: {', '.join(ERROR_STATUS)}")
        fault = Fault("error", code=code, message=message or DEFAULT_ERROR_MESSAGES[code])
        self._add_faults(op, fault, times)

    def refuse_next_generation(
        self,
        message: str | None = None,
        *,
        finish_reason: str = STABILITY_FILTER_REASON,
        times: int = 1,
    ) -> None:
        """Titan/Nova: 400 ValidationException with ``message``; Stability: 200 with
        ``finish_reason``; SDXL: 200 with finishReason CONTENT_FILTERED."""
        fault = Fault(
            "refuse", message=message or CONTENT_FILTER_MESSAGE, finish_reason=finish_reason
        )
        self._add_faults("generate", fault, times)

    def titan_error_next(self, message: str = OUTPUT_FILTER_MESSAGE, *, times: int = 1) -> None:
        """Titan/Nova: 200 whose ``error`` is ``message`` with an image still present.
        Stability answers finish_reasons ["Inference error"], SDXL finishReason ERROR."""
        self._add_faults("generate", Fault("model_error", message=message), times)

    def hang_next(self, op: str, *, times: int = 1) -> None:
        """Accept the next ``op`` call(s) and never answer; ``stop()`` releases them."""
        _check_op(op)
        self._add_faults(op, Fault("hang"), times)

    def trickle_next(
        self, op: str, *, chunk_bytes: int = 64, interval: float = 0.5, times: int = 1
    ) -> None:
        """Send the next answer(s) ``chunk_bytes`` at a time, ``interval`` seconds apart:
        every read gets data in time, so only a deadline on the whole call ends it."""
        _check_op(op)
        if chunk_bytes < 1 or interval < 0:
            raise ValueError("chunk_bytes must be at least 1 and interval not negative")
        self._add_faults(
            op, Fault("trickle", chunk_bytes=chunk_bytes, interval=float(interval)), times
        )

    def reset_next(
        self, op: str, *, after_bytes: int = -1, before_headers: bool = False, times: int = 1
    ) -> None:
        """Send the headers and ``after_bytes`` of the next answer's body (half of it when
        -1), then reset the connection (TCP RST); with ``before_headers`` reset it before
        sending anything, once the request has been read."""
        _check_op(op)
        if after_bytes < -1:
            raise ValueError("after_bytes must be -1 (half the body) or a byte count")
        fault = Fault("reset", after_bytes=after_bytes, before_headers=before_headers)
        self._add_faults(op, fault, times)

    def absurd_next(self, op: str, variant: str, *, times: int = 1) -> None:
        """Answer the next ``op`` call(s) 200 with an absurd body (ABSURD_VARIANTS[op])."""
        _check_op(op)
        if variant not in ABSURD_VARIANTS.get(op, ()):
            raise ValueError(
                f"unknown absurd variant {variant!r} for {op}; "
                f"known: {', '.join(ABSURD_VARIANTS.get(op, ()))}"
            )
        self._add_faults(op, Fault("absurd", variant=variant), times)

    def bad_image_next(self, variant: str, *, times: int = 1) -> None:
        """Return undecodable PNGs from the next generation(s) (BAD_IMAGE_VARIANTS)."""
        if variant not in BAD_IMAGE_VARIANTS:
            raise ValueError(
                f"unknown bad image {variant!r}; known: {', '.join(BAD_IMAGE_VARIANTS)}"
            )
        self._add_faults("generate", Fault("bad_image", variant=variant), times)

    def extra_images_next(self, count: int = 40, *, times: int = 1) -> None:
        """Return ``count`` images from the next generation(s), whatever was asked."""
        if count < 1:
            raise ValueError("count must be at least 1")
        self._add_faults("generate", Fault("extra_images", count=count), times)

    def set_latency(self, op: str, seconds: float) -> None:
        _check_op(op)
        if seconds < 0:
            raise ValueError("latency must not be negative")
        with self._lock:
            self.latencies[op] = float(seconds)

    def hold(self, op: str) -> None:
        """Keep every ``op`` call that arrives from now on waiting until ``release(op)``
        (or the simulator stops); ``wait_for_arrival`` says when one is waiting."""
        _check_op(op)
        with self._lock:
            self._gates.setdefault(op, threading.Event())

    def release(self, op: str) -> None:
        """Let the held ``op`` calls go on, and the ones after them pass straight through."""
        _check_op(op)
        with self._lock:
            gate = self._gates.pop(op, None)
        if gate is not None:
            gate.set()

    def gate(self, op: str) -> threading.Event | None:
        """The event a held ``op`` call waits for, or None when ``op`` is not held."""
        with self._lock:
            return self._gates.get(op)

    def reject_sampling(self, model_prefix: str, rule: str) -> None:
        """Make Converse calls to models whose base id starts with ``model_prefix`` refuse
        sampling settings the way ``rule`` (one of SAMPLING_RULES) says."""
        if rule not in SAMPLING_RULES:
            raise ValueError(f"unknown sampling rule {rule!r}; known: {', '.join(SAMPLING_RULES)}")
        with self._lock:
            self.sampling_rules[model_prefix] = rule

    def sampling_refusal(self, model_id: str, inference: Mapping[str, Any]) -> str | None:
        """Bedrock's message refusing ``inference`` (a Converse inferenceConfig) for
        ``model_id``, or None when the model takes it."""
        base = base_model_id(model_id)
        with self._lock:
            rules = [r for prefix, r in self.sampling_rules.items() if base.startswith(prefix)]
        if "no_temperature" in rules and "temperature" in inference:
            return TEMPERATURE_DEPRECATED_MESSAGE
        if "temperature_or_top_p" in rules and "temperature" in inference and "topP" in inference:
            return TEMPERATURE_WITH_TOP_P_MESSAGE
        return None

    def use_legacy(self, *model_ids: str) -> None:
        """Record that this account used these Legacy models lately (they answer)."""
        with self._lock:
            self.legacy_in_use.update(base_model_id(m) for m in model_ids)

    def uses_legacy(self, model_id: str) -> bool:
        with self._lock:
            return base_model_id(model_id) in self.legacy_in_use

    def mark_end_of_life(self, *model_ids: str) -> None:
        with self._lock:
            self.end_of_life.update(model_ids)

    def reset(self) -> None:
        with self._lock:
            self.verdicts.clear()
            self.revisions.clear()
            self.checklists.clear()
            self.checks.clear()
            self.comparisons.clear()
            self.default_check = "yes"
            self.default_comparison = "tie"
            for queue in self.faults.values():
                queue.clear()
            self.end_of_life.clear()
            self.latencies = dict.fromkeys(OPS, 0.0)
            self.latency_scale = 1.0
            gates, self._gates = self._gates, {}
            for gate in gates.values():
                gate.set()
            self.default_verdict = "YES"
            self.eol_error_code = "ValidationException"
            self.sampling_rules = dict(DEFAULT_SAMPLING_RULES)
            self.serve_retired = False
            self.legacy_in_use.clear()
            self.service_quotas.reset()

    def _add_faults(self, op: str, fault: Fault, times: int) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self.faults[op].extend([fault] * times)

    # -- consuming (the server's side) --------------------------------------------------

    def take_verdict(self) -> Answer:
        with self._lock:
            return self.verdicts.popleft() if self.verdicts else self.default_verdict

    def take_revision(self) -> Answer | None:
        """None when the queue is empty: the server then derives a revision itself."""
        with self._lock:
            return self.revisions.popleft() if self.revisions else None

    def take_checklist(self) -> ChecklistQueued | None:
        """None when the queue is empty: the server derives a checklist from the request."""
        with self._lock:
            return self.checklists.popleft() if self.checklists else None

    def take_check(self) -> CheckQueued:
        """The next item verdicts; an empty queue answers ``default_check`` to every item."""
        with self._lock:
            if self.checks:
                return self.checks.popleft()
            return CheckAnswer(default=self.default_check)

    def check_default(self) -> str:
        with self._lock:
            return self.default_check

    def take_comparison(self) -> CompareQueued:
        with self._lock:
            if self.comparisons:
                return self.comparisons.popleft()
            return CompareAnswer(self.default_comparison)

    def set_rate_limit(self, op: str, per_minute: float | None, burst: float = 1.0) -> None:
        """Throttle ``op`` beyond ``per_minute`` calls (a bucket of ``burst``); None lifts it."""
        _check_op(op)
        with self._lock:
            if per_minute is None:
                self.rate_limits.pop(op, None)
            else:
                self.rate_limits[op] = RateLimit(per_minute, burst)

    def take_fault(self, op: str) -> Fault | None:
        with self._lock:
            queue = self.faults.get(op)
            if queue:
                return queue.popleft()
            limit = self.rate_limits.get(op)
            if limit is not None and not limit.admit():
                code = "ThrottlingException"
                return Fault("error", code=code, message=DEFAULT_ERROR_MESSAGES[code])
            return None

    def latency(self, op: str) -> float:
        with self._lock:
            return max(0.0, self.latencies.get(op, 0.0) * self.latency_scale)

    def is_end_of_life(self, model_id: str) -> bool:
        with self._lock:
            retired = {base_model_id(m) for m in self.end_of_life}
            return model_id in self.end_of_life or base_model_id(model_id) in retired

    # -- files ------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SimScript:
        """Build from the JSON shape the CLI reads; unknown keys are errors so a typo does
        not silently leave the simulator doing something else."""
        script = cls()
        script.update(data)
        return script

    @classmethod
    def load(cls, path: Path) -> SimScript:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object")
        return cls.from_dict(data)

    def update(self, data: Mapping[str, Any]) -> None:
        """Apply a script fragment, e.g. ``{"verdicts": ["NO"], "latencies": {...}}``.

        Shape::

            {"default_verdict": "YES", "verdicts": ["NO", {"raw": "..."}],
             "revisions": ["text", {"raw": "..."}],
             "checklists": [["a dog", {"text": "the dog is brown", "must": true,
                                       "kind": "attribute", "depends_on": ["c1"]}],
                            {"items": ["a dog"], "style": "fenced"},
                            {"items": null, "style": "prose"}, null, "raw text",
                            {"raw": "..."}],
             "checks": [{"c1": "no", "c2": {"result": "unsure", "evidence": "..."}},
                        {"results": {"c2": "no"}, "style": "partial", "omit": ["c3"],
                         "default": "yes"},
                        "no", {"raw": "..."}],
             "comparisons": ["first", {"better": "tie", "reason": "...", "style": "prose"},
                             {"raw": "..."}],
             "default_check": "yes", "default_comparison": "tie",
             "latencies": {"generate": 2.0}, "latency_scale": 0.5,
             "faults": {"generate": [{"kind": "error", "code": "ThrottlingException",
                                      "times": 2, "message": "..."},
                                     {"kind": "refuse"}, {"kind": "titan_error"},
                                     {"kind": "hang"},
                                     {"kind": "trickle", "chunk_bytes": 64, "interval": 0.5},
                                     {"kind": "reset", "after_bytes": 100},
                                     {"kind": "reset", "before_headers": true},
                                     {"kind": "absurd", "variant": "deep_nesting"},
                                     {"kind": "bad_image", "variant": "bomb"},
                                     {"kind": "extra_images", "count": 40}],
                        "judge": [{"kind": "absurd", "variant": "huge_text"}]},
             "end_of_life": ["amazon.titan-image-generator-v1"],
             "eol_error_code": "ValidationException",
             "sampling_rules": {"anthropic.claude-opus-4-7": "no_temperature"},
             "serve_retired": true,
             "legacy_in_use": ["amazon.nova-premier-v1:0"],
             "rate_limits": {"generate": {"per_minute": 30, "burst": 2}}}

        ``checklists``, ``checks`` and ``comparisons`` queue issue 12's answers as
        ``queue_checklists``, ``queue_checks`` and ``queue_comparisons`` do; a ``style``
        is one of checklist_answers.STYLES. A ``checks`` entry is either an object of item
        id: result or, with a ``results`` key, ``{"results", "style", "omit", "default"}``.
        ``serve_retired`` answers the end-of-life image models (Titan, Nova Canvas, SDXL)
        as Bedrock did in 2024, in their old regions; by default they answer as retired.
        ``legacy_in_use`` lists Legacy models this account has used lately (they answer;
        other Legacy models answer LEGACY_MESSAGE). Faults may also target
        "get_foundation_model" (error kinds only).
        """
        known = {
            "default_verdict",
            "verdicts",
            "revisions",
            "checklists",
            "checks",
            "comparisons",
            "default_check",
            "default_comparison",
            "latencies",
            "latency_scale",
            "faults",
            "end_of_life",
            "eol_error_code",
            "sampling_rules",
            "serve_retired",
            "legacy_in_use",
            "rate_limits",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown script keys: {', '.join(unknown)}")
        with self._lock:
            if "default_verdict" in data:
                self.default_verdict = _answer(data["default_verdict"], "default_verdict")
            self.queue_verdicts(*(_answer(a, "verdicts") for a in _list(data, "verdicts")))
            self.queue_revisions(*(_answer(a, "revisions") for a in _list(data, "revisions")))
            self.queue_checklists(*(_checklist_json(a) for a in _list(data, "checklists")))
            self.queue_checks(*(_check_json(a) for a in _list(data, "checks")))
            self.queue_comparisons(*(_compare_json(a) for a in _list(data, "comparisons")))
            if "default_check" in data:
                if data["default_check"] not in ITEM_RESULTS:
                    raise ValueError(f"default_check must be one of {', '.join(ITEM_RESULTS)}")
                self.default_check = data["default_check"]
            if "default_comparison" in data:
                if data["default_comparison"] not in COMPARISONS:
                    raise ValueError(f"default_comparison must be one of {', '.join(COMPARISONS)}")
                self.default_comparison = data["default_comparison"]
            latencies = data.get("latencies", {})
            if not isinstance(latencies, dict):
                raise ValueError("latencies must be an object of operation: seconds")
            for op, seconds in latencies.items():
                if not isinstance(seconds, int | float) or isinstance(seconds, bool):
                    raise ValueError(f"latencies.{op} must be a number of seconds")
                self.set_latency(op, float(seconds))
            if "latency_scale" in data:
                scale = data["latency_scale"]
                if not isinstance(scale, int | float) or isinstance(scale, bool) or scale < 0:
                    raise ValueError("latency_scale must be a non-negative number")
                self.latency_scale = float(scale)
            faults = data.get("faults", {})
            if not isinstance(faults, dict):
                raise ValueError("faults must be an object of operation: [fault, ...]")
            for op, entries in faults.items():
                _check_op(op)
                if not isinstance(entries, list):
                    raise ValueError(f"faults.{op} must be a list")
                for entry in entries:
                    self._add_fault_entry(op, entry)
            eol = _list(data, "end_of_life")
            if not all(isinstance(m, str) for m in eol):
                raise ValueError("end_of_life must be a list of model ids")
            self.mark_end_of_life(*eol)
            if "eol_error_code" in data:
                code = data["eol_error_code"]
                if code not in ERROR_STATUS:
                    raise ValueError(f"eol_error_code {code!r} is not a known error code")
                self.eol_error_code = code
            rules = data.get("sampling_rules", {})
            if not isinstance(rules, dict) or not all(isinstance(k, str) for k in rules):
                raise ValueError("sampling_rules must be an object of model id prefix: rule")
            for prefix, rule in rules.items():
                self.reject_sampling(prefix, rule)
            if "serve_retired" in data:
                if not isinstance(data["serve_retired"], bool):
                    raise ValueError("serve_retired must be true or false")
                self.serve_retired = data["serve_retired"]
            legacy = _list(data, "legacy_in_use")
            if not all(isinstance(m, str) for m in legacy):
                raise ValueError("legacy_in_use must be a list of model ids")
            self.use_legacy(*legacy)
            limits = data.get("rate_limits", {})
            if not isinstance(limits, dict):
                raise ValueError("rate_limits must be an object of operation: limit")
            for op, limit in limits.items():
                if not isinstance(limit, dict) or set(limit) - {"per_minute", "burst"}:
                    raise ValueError(f"rate_limits.{op} must be {{per_minute, burst}}")
                per_minute, burst = limit.get("per_minute"), limit.get("burst", 1)
                if not (_is_number(per_minute) and _is_number(burst)):
                    raise ValueError(f"rate_limits.{op}: per_minute and burst must be numbers")
                self.set_rate_limit(op, float(per_minute), float(burst))

    def _add_fault_entry(self, op: str, entry: object) -> None:
        if not isinstance(entry, dict):
            raise ValueError(f"faults.{op}: each fault must be an object")
        kind = entry.get("kind", "error")
        times = entry.get("times", 1)
        message = entry.get("message")
        if not isinstance(times, int) or isinstance(times, bool):
            raise ValueError(f"faults.{op}: times must be a whole number")
        if message is not None and not isinstance(message, str):
            raise ValueError(f"faults.{op}: message must be a string")
        if kind == "error":
            code = entry.get("code")
            if not isinstance(code, str):
                raise ValueError(f"faults.{op}: an error fault needs a code")
            self.fail(op, code, times=times, message=message)
        elif kind in ("refuse", "titan_error") and op != "generate":
            raise ValueError(f"faults.{op}: {kind} applies to generate only")
        elif kind == "refuse":
            reason = entry.get("finish_reason", STABILITY_FILTER_REASON)
            if not isinstance(reason, str):
                raise ValueError(f"faults.{op}: finish_reason must be a string")
            self.refuse_next_generation(message, finish_reason=reason, times=times)
        elif kind == "titan_error":
            self.titan_error_next(message or OUTPUT_FILTER_MESSAGE, times=times)
        elif kind == "hang":
            self.hang_next(op, times=times)
        elif kind == "trickle":
            chunk = _number(entry, "chunk_bytes", 64, op, whole=True)
            interval = _number(entry, "interval", 0.5, op)
            self.trickle_next(op, chunk_bytes=int(chunk), interval=interval, times=times)
        elif kind == "reset":
            after = _number(entry, "after_bytes", -1, op, whole=True)
            before_headers = entry.get("before_headers", False)
            if not isinstance(before_headers, bool):
                raise ValueError(f"faults.{op}: before_headers must be true or false")
            self.reset_next(op, after_bytes=int(after), before_headers=before_headers, times=times)
        elif kind == "absurd":
            self.absurd_next(op, _text(entry, "variant", op), times=times)
        elif kind in ("bad_image", "extra_images") and op != "generate":
            raise ValueError(f"faults.{op}: {kind} applies to generate only")
        elif kind == "bad_image":
            self.bad_image_next(_text(entry, "variant", op), times=times)
        elif kind == "extra_images":
            count = _number(entry, "count", 40, op, whole=True)
            self.extra_images_next(int(count), times=times)
        else:
            raise ValueError(
                f"faults.{op}: unknown kind {kind!r} (error, refuse, titan_error, hang, "
                "trickle, reset, absurd, bad_image, extra_images)"
            )


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_op(op: str) -> None:
    if op not in OPS:
        raise ValueError(f"unknown operation {op!r}; known: {', '.join(OPS)}")


def _number(
    entry: Mapping[str, Any], key: str, default: float, op: str, *, whole: bool = False
) -> float:
    value = entry.get(key, default)
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ValueError(f"faults.{op}: {key} must be a {'whole ' if whole else ''}number")
    return float(value)


def _text(entry: Mapping[str, Any], key: str, op: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str):
        raise ValueError(f"faults.{op}: this fault needs a {key}")
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"{key} must be a list")
    return value


def _answer(value: object, key: str) -> Answer:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"raw"} and isinstance(value["raw"], str):
        return Raw(value["raw"])
    raise ValueError(f'{key}: each answer must be a string or {{"raw": "..."}}')


# -- issue 12's answers -------------------------------------------------------------------


def _checklist_answer(
    answer: str | Sequence[str | Mapping[str, Any]] | ChecklistQueued | None, style: str
) -> ChecklistQueued:
    if isinstance(answer, ChecklistAnswer | Raw):
        return answer
    if isinstance(answer, str):
        return Raw(answer)
    if answer is None:
        return ChecklistAnswer(None, style)
    if isinstance(answer, Sequence):
        return ChecklistAnswer(tuple(answer), style)
    raise ValueError("a checklist answer is a list of items, None, a ChecklistAnswer or text")


def _check_answer(answer: Mapping[str, Any] | str | CheckQueued, style: str) -> CheckQueued:
    if isinstance(answer, CheckAnswer | Raw):
        return answer
    if isinstance(answer, str):
        word = answer.strip().lower()
        return CheckAnswer(style=style, default=word) if word in ITEM_RESULTS else Raw(answer)
    if isinstance(answer, Mapping):
        return CheckAnswer(item_answers(answer), style)
    raise ValueError("a check answer is an object of item id: result, a word, or text")


def _compare_answer(answer: str | CompareQueued, style: str) -> CompareQueued:
    if isinstance(answer, CompareAnswer | Raw):
        return answer
    if isinstance(answer, str):
        word = answer.strip().lower()
        return CompareAnswer(word, style=style) if word in COMPARISONS else Raw(answer)
    raise ValueError('a comparison is "first", "second", "tie", a CompareAnswer or text')


def _style_of(value: Mapping[str, Any], key: str) -> str:
    style = value.get("style", "json")
    if not isinstance(style, str):
        raise ValueError(f"{key}: style must be a string")
    return style


def _checklist_json(value: object) -> ChecklistQueued:
    if value is None or isinstance(value, str | list):
        return _checklist_answer(value, "json")
    if isinstance(value, dict) and set(value) == {"raw"} and isinstance(value["raw"], str):
        return Raw(value["raw"])
    if isinstance(value, dict) and "items" in value and set(value) <= {"items", "style"}:
        items = value["items"]
        if items is not None and not isinstance(items, list):
            raise ValueError("checklists: items must be a list of items or null")
        listed = None if items is None else tuple(items)
        return ChecklistAnswer(listed, _style_of(value, "checklists"))
    raise ValueError(
        'checklists: each answer is a list of items, null, text, {"raw": "..."} or '
        '{"items": [...], "style": "..."}'
    )


def _check_json(value: object) -> CheckQueued:
    if isinstance(value, str):
        return _check_answer(value, "json")
    if not isinstance(value, dict):
        raise ValueError('checks: each answer is an object, a word or {"raw": "..."}')
    if set(value) == {"raw"} and isinstance(value["raw"], str):
        return Raw(value["raw"])
    if "results" not in value:
        return CheckAnswer(item_answers(value))
    extra = set(value) - {"results", "style", "omit", "default"}
    if extra:
        raise ValueError(f"checks: unknown keys {', '.join(sorted(extra))}")
    omit = value.get("omit", [])
    if not isinstance(omit, list) or not all(isinstance(i, str) for i in omit):
        raise ValueError("checks: omit must be a list of item ids")
    default = value.get("default")
    if default is not None and not isinstance(default, str):
        raise ValueError("checks: default must be yes, no or unsure")
    return CheckAnswer(
        item_answers(value["results"]), _style_of(value, "checks"), tuple(omit), default
    )


_COMPARE_KEYS = frozenset({"better", "reason", "style"})


def _compare_json(value: object) -> CompareQueued:
    if isinstance(value, str):
        return _compare_answer(value, "json")
    if isinstance(value, dict) and set(value) == {"raw"} and isinstance(value["raw"], str):
        return Raw(value["raw"])
    if isinstance(value, dict) and "better" in value and set(value) <= _COMPARE_KEYS:
        better, reason = value["better"], value.get("reason", "")
        if not isinstance(better, str) or not isinstance(reason, str):
            raise ValueError("comparisons: better and reason must be strings")
        return CompareAnswer(better, reason, _style_of(value, "comparisons"))
    raise ValueError(
        'comparisons: each answer is "first", "second", "tie", {"raw": "..."} or '
        '{"better": ..., "reason": ..., "style": ...}'
    )
