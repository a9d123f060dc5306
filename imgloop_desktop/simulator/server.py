"""A loopback stand-in for Amazon Bedrock Runtime, answering what boto3's
``bedrock-runtime`` client sends when its endpoint points here.

It exists so the whole app (loop, providers, history, UI) runs end to end, offline and
for free, with scripted verdicts, faults and delays. It speaks the wire format rather
than patching boto3, so the code under test is exactly the code that talks to AWS:
request serialisation, signing, rest-json error parsing and retries all happen for real.

Only InvokeModel (image models) and Converse (judge, reviser, checklist) are served, plus the
control plane's GetFoundationModel (``control_plane``) so the app can ask what a model is,
and Service Quotas' two list calls (``service_quotas``, told by ``X-Amz-Target``).
Which Converse call is which is told by the content: issue 12's calls by their requests'
first lines (``checklist_answers.classify``: "checklist" writes a checklist, text only;
"check" judges one image against it; "compare" compares two images); otherwise a judge
call carries an image block, a revise call does not. The region is the request's own (its
SigV4 credential scope), so one simulator stands for every regional endpoint.

This module keeps routing, the order of checks and the transport. What the service checks
lives beside it, one module per source read against it (issue 11 split them out of this
file, which had grown to 1,100 lines as the rules got stricter): ``front_door`` (model ids,
regions, lifecycle, from ``served``'s table), ``image_bodies`` (each image family's body)
and ``converse_checks`` (Converse's limits).

Beyond Bedrock's documented errors it can misbehave the ways issue 17 found (see
``script.Fault``): hang without answering (until ``stop()``, which never waits on a hung
call), trickle or reset the answer, send absurd bodies, undecodable images or 40 images
for one. ``arrivals(op)`` counts requests received, so a test can prove a client sent
exactly one.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import math
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from imgloop_desktop.simulator import service_quotas
from imgloop_desktop.simulator.checklist_answers import (
    classify,
    render_checklist,
    render_checks,
    render_comparison,
)
from imgloop_desktop.simulator.control_plane import get_foundation_model
from imgloop_desktop.simulator.converse_checks import (
    check_inference,
    check_top_k,
    converse_content,
    has_image,
    image_tokens,
    max_tokens,
    request_shape,
)
from imgloop_desktop.simulator.errors import BedrockError, malformed
from imgloop_desktop.simulator.front_door import admit
from imgloop_desktop.simulator.image_bodies import Family, generation, model_family
from imgloop_desktop.simulator.images import bad_png, image_size, make_image
from imgloop_desktop.simulator.script import (
    CONVERSE_UNSUPPORTED_MESSAGE,
    DEEP_NESTING_LEVELS,
    ERROR_STATUS,
    HUGE_INT_DIGITS,
    HUGE_TEXT_BYTES,
    OPS,
    Fault,
    Raw,
    SimScript,
)

log = logging.getLogger(__name__)

_PATH_RE = re.compile(r"^/model/(?P<model>[^/]+)/(?P<action>invoke|converse)$")
_GFM_PATH_RE = re.compile(r"^/foundation-models/(?P<model>[^/]+)$")
# SigV4: Credential=AKID/20261130/us-west-2/bedrock/aws4_request
_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/")
_SCOPE_RE = re.compile(r"Credential=[^/,\s]+/\d{8}/(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)/")

_YES_REASONS = (
    "The image shows the requested subject with the described composition.",
    "Every element named in the prompt is present and clearly visible.",
    "The scene, colours and style match the prompt.",
)
_NO_REASONS = (
    "The main subject of the prompt is missing from the image.",
    "The image shows the subject but not the requested setting.",
    "The style and colours do not match what the prompt describes.",
)
# The app's reviser request tags the last prompt <latest>; other tag styles for hand use.
_PROMPT_TAG_RE = re.compile(
    r"<(latest|(?:original_|previous_|current_)?prompt)>\s*(.*?)\s*</\1>",
    re.IGNORECASE | re.DOTALL,
)
_PROMPT_LINE_RE = re.compile(
    r"\b(?:original |previous |current )?prompt\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE
)


@dataclass(frozen=True)
class CallRecord:
    """One request as the simulator saw it; appended just before the answer is written,
    so a caller that has its response can already find the record.

    ``latency`` is the scripted delay that was applied (seconds) and ``duration`` the
    measured time from arrival to answer, so tests check delays without timing themselves.
    ``region`` is the one the request was signed for (its SigV4 credential scope; "" for
    an unsigned request). ``op`` is "generate", "judge", "revise", "checklist", "check",
    "compare" or "get_foundation_model".
    """

    op: str
    model_id: str
    body: dict[str, Any]
    access_key_id: str | None
    timestamp: float
    status: int = 200
    error_code: str | None = None
    latency: float = 0.0
    duration: float = 0.0
    input_tokens: int | None = None
    output_tokens: int | None = None
    image_sizes: tuple[tuple[int, int], ...] = ()
    reply_text: str | None = None
    fault: str = ""
    region: str = ""


@dataclass
class _Reply:
    status: int
    payload: dict[str, Any]
    error_code: str | None = None
    latency: float = 0.0
    input_tokens: int | None = None
    output_tokens: int | None = None
    image_sizes: tuple[tuple[int, int], ...] = ()
    reply_text: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    # Sent instead of ``payload`` when set (absurd bodies).
    raw_body: bytes | None = None
    # hang, trickle or reset: how the answer goes out (or does not).
    transport: Fault | None = None
    fault: str = ""


class BedrockSimulator:
    """Serves Bedrock Runtime on 127.0.0.1 from a background thread.

    ``start()`` returns the base URL to hand boto3 as ``endpoint_url`` (or
    ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``); ``stop()`` shuts the server, closes every
    kept-alive connection and joins every thread it started.
    """

    def __init__(
        self, script: SimScript | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.script = script if script is not None else SimScript()
        self._host = host
        self._port = port
        self._state_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._cond = threading.Condition()
        self._calls: list[CallRecord] = []
        self._arrivals: dict[str, int] = dict.fromkeys(OPS, 0)
        self._hanging = 0
        self._url = ""

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> str:
        with self._state_lock:
            if self._server is not None:
                return self._url
            self._stopping = threading.Event()
            server = _Server((self._host, self._port), _Handler, self)
            host, port = server.server_address[:2]
            self._url = f"http://{host!s}:{port}"
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="bedrock-sim-server",
                daemon=True,
            )
            self._server, self._thread = server, thread
            thread.start()
            return self._url

    def stop(self) -> None:
        with self._state_lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        thread.join()
        server.server_close()
        server.close_connections(timeout=10.0)

    def __enter__(self) -> BedrockSimulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        with self._state_lock:
            return self._thread is not None and self._thread.is_alive()

    @property
    def url(self) -> str:
        if not self._url:
            raise RuntimeError("the simulator has not been started")
        return self._url

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def env(self) -> dict[str, str]:
        """Environment that points boto3 (and the app) here."""
        return {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": self.url}

    def control_plane_env(self) -> dict[str, str]:
        """Environment that points boto3's ``bedrock`` (control plane) client here too, for
        GetFoundationModel."""
        return {"AWS_ENDPOINT_URL_BEDROCK": self.url}

    def service_quotas_env(self) -> dict[str, str]:
        """Environment that points boto3's ``service-quotas`` client here, for the quota
        table (``service_quotas``)."""
        return {"AWS_ENDPOINT_URL_SERVICE_QUOTAS": self.url}

    # -- what happened ------------------------------------------------------------------

    @property
    def calls(self) -> list[CallRecord]:
        """A snapshot, oldest first; later calls do not change a list already returned."""
        with self._cond:
            return list(self._calls)

    def count(self, op: str | None = None) -> int:
        """Answered calls of ``op`` ("generate", "judge", "revise", "checklist", "check",
        "compare", "get_foundation_model"), or of all ops."""
        with self._cond:
            return sum(1 for c in self._calls if op is None or c.op == op)

    def last(self, op: str | None = None) -> CallRecord:
        with self._cond:
            for call in reversed(self._calls):
                if op is None or call.op == op:
                    return call
        raise LookupError(f"no {op or 'recorded'} call yet")

    def arrivals(self, op: str) -> int:
        """Calls of ``op`` received so far, including ones still being answered."""
        with self._cond:
            return self._arrivals.get(op, 0)

    def hanging(self) -> int:
        """Calls accepted under a ``hang`` fault and still held open (never answered; they
        count in ``arrivals`` but never in ``calls``/``count``)."""
        with self._cond:
            return self._hanging

    def clear_calls(self) -> None:
        with self._cond:
            self._calls.clear()
            self._arrivals = dict.fromkeys(OPS, 0)

    def wait_for(self, op: str, n: int = 1, timeout: float = 10.0) -> bool:
        """Block until ``n`` calls of ``op`` have been answered; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self.count(op) >= n, timeout)

    def wait_for_arrival(self, op: str, n: int = 1, timeout: float = 10.0) -> bool:
        """Block until ``n`` calls of ``op`` have arrived (e.g. one now sitting in its
        scripted latency); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._arrivals.get(op, 0) >= n, timeout)

    # -- request handling (handler threads) --------------------------------------------

    def _handle(self, handler: _Handler) -> None:
        started = time.monotonic()
        timestamp = time.time()
        path = urlsplit(handler.path).path
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length > 0 else b""
        authorization = handler.headers.get("Authorization", "")
        access_key_id = _access_key_id(authorization)
        region = _region(authorization)
        quota_operation = service_quotas.serves(handler.headers.get("X-Amz-Target", ""))
        if quota_operation is not None:
            self._handle_quotas(handler, quota_operation, raw, access_key_id, region, started)
            return
        if handler.command == "GET":
            gfm = _GFM_PATH_RE.match(path)
            if gfm is None:
                _write_error(handler, 404, "UnknownOperationException", "Unknown operation")
                return
            self._handle_gfm(handler, unquote(gfm["model"]), access_key_id, region, started)
            return
        match = _PATH_RE.match(path)
        if match is None:
            _write_error(handler, 404, "UnknownOperationException", "Unknown operation")
            return
        model_id = unquote(match["model"])
        body, parse_error = _parse_json(raw)
        op = "generate" if match["action"] == "invoke" else _converse_op(body)
        with self._cond:
            self._arrivals[op] = self._arrivals.get(op, 0) + 1
            self._cond.notify_all()
        try:
            reply = self._answer(op, model_id, body, parse_error, region)
        except BedrockError as exc:
            reply = _error_reply(exc.code, exc.message)
        except Exception:
            log.exception("simulator failed answering %s for %s", op, model_id)
            reply = _error_reply("InternalServerException", "The simulator failed.")
        if reply.transport is not None and reply.transport.kind == "hang":
            self._hang(handler)
            return
        record = CallRecord(
            op=op,
            model_id=model_id,
            body=body,
            access_key_id=access_key_id,
            timestamp=timestamp,
            status=reply.status,
            error_code=reply.error_code,
            latency=reply.latency,
            duration=time.monotonic() - started,
            input_tokens=reply.input_tokens,
            output_tokens=reply.output_tokens,
            image_sizes=reply.image_sizes,
            reply_text=reply.reply_text,
            fault=reply.fault,
            region=region,
        )
        with self._cond:
            self._calls.append(record)
            self._cond.notify_all()
        headers = {"Content-Type": "application/json", **reply.extra_headers}
        data = reply.raw_body if reply.raw_body is not None else json.dumps(reply.payload).encode()
        transport = reply.transport
        if transport is not None and transport.kind == "trickle":
            _write_trickle(handler, reply.status, data, headers, transport, self._stopping)
        elif transport is not None and transport.kind == "reset":
            _write_reset(handler, reply.status, data, headers, transport)
        else:
            _write(handler, reply.status, data, headers)

    def _handle_gfm(
        self,
        handler: _Handler,
        model_id: str,
        access_key_id: str | None,
        region: str,
        started: float,
    ) -> None:
        """GetFoundationModel (control plane): scripted error faults, then the table."""
        op = "get_foundation_model"
        with self._cond:
            self._arrivals[op] = self._arrivals.get(op, 0) + 1
            self._cond.notify_all()
        fault = self.script.take_fault(op)
        try:
            if fault is not None and fault.kind == "error":
                raise BedrockError(fault.code, fault.message)
            reply = _Reply(200, get_foundation_model(model_id, region, self.script))
        except BedrockError as exc:
            reply = _error_reply(exc.code, exc.message)
        record = CallRecord(
            op=op,
            model_id=model_id,
            body={},
            access_key_id=access_key_id,
            timestamp=time.time(),
            status=reply.status,
            error_code=reply.error_code,
            duration=time.monotonic() - started,
            region=region,
        )
        with self._cond:
            self._calls.append(record)
            self._cond.notify_all()
        headers = {"Content-Type": "application/json", **reply.extra_headers}
        _write(handler, reply.status, json.dumps(reply.payload).encode(), headers)

    def _handle_quotas(
        self,
        handler: _Handler,
        operation: str,
        raw: bytes,
        access_key_id: str | None,
        region: str,
        started: float,
    ) -> None:
        """Service Quotas (``service_quotas``): the script's quota table, JSON 1.1."""
        op = service_quotas.OP_NAMES[operation]
        with self._cond:
            self._arrivals[op] = self._arrivals.get(op, 0) + 1
            self._cond.notify_all()
        body, parse_error = _parse_json(raw)
        try:
            if parse_error is not None:
                raise service_quotas.QuotaError("IllegalArgumentException", parse_error)
            status, data, headers = service_quotas.ok_answer(
                self.script.service_quotas.answer(operation, body, region)
            )
            code = None
        except service_quotas.QuotaError as exc:
            status, data, headers = service_quotas.error_answer(exc)
            code = exc.code
        record = CallRecord(
            op=op,
            model_id="",
            body=body,
            access_key_id=access_key_id,
            timestamp=time.time(),
            status=status,
            error_code=code,
            duration=time.monotonic() - started,
            region=region,
        )
        with self._cond:
            self._calls.append(record)
            self._cond.notify_all()
        _write(handler, status, data, headers)

    def _hang(self, handler: _Handler) -> None:
        """Hold the request unanswered until the simulator stops, then drop the connection.

        Waiting on the stop event (not a sleep) is what lets ``stop()`` and every test's
        teardown end at once however many calls hang."""
        stopping = self._stopping
        with self._cond:
            self._hanging += 1
        try:
            stopping.wait()
        finally:
            with self._cond:
                self._hanging -= 1
            handler.close_connection = True

    def _answer(
        self, op: str, model_id: str, body: dict[str, Any], parse_error: str | None, region: str
    ) -> _Reply:
        """Order mirrors Bedrock's: a retired model or a front-door error (throttling,
        access) answers at once; then the body is checked; only a call that reaches the
        model waits out the scripted latency."""
        script = self.script
        served = admit(model_id, region, script)
        fault = script.take_fault(op)
        if fault is not None and fault.kind == "error":
            raise BedrockError(fault.code, fault.message)
        if fault is not None and fault.kind == "hang":
            # A stuck path answers nothing at all, valid request or not.
            return _Reply(0, {}, transport=fault, fault="hang")
        if parse_error is not None:
            raise BedrockError("ValidationException", parse_error)
        if op == "generate":
            family = model_family(served.model_id) if served.is_image else None
            if family is None:
                # The simulator answers InvokeModel for image models only; text models are
                # reached through Converse here.
                raise BedrockError(
                    "ValidationException",
                    "The simulator answers InvokeModel for image models only.",
                )
            reply = self._generate(family, model_id, body, fault)
        else:
            if served.is_image:
                # Converse on a model that does not chat. Bedrock's wording, as reported
                # for image models: see CONVERSE_UNSUPPORTED_MESSAGE.
                raise BedrockError("ValidationException", CONVERSE_UNSUPPORTED_MESSAGE)
            check_inference(served, body)
            inference = body.get("inferenceConfig")
            refusal = script.sampling_refusal(
                model_id, inference if isinstance(inference, Mapping) else {}
            )
            if refusal is not None:
                raise BedrockError("ValidationException", refusal)
            check_top_k(served, body)
            reply = self._converse(op, body)
        if fault is not None and fault.kind == "absurd" and reply.status == 200:
            reply.raw_body = _absurd_body(op, fault.variant, reply.payload)
            reply.fault = f"absurd:{fault.variant}"
        if fault is not None and fault.kind in ("trickle", "reset"):
            reply.transport = fault
            reply.fault = fault.kind
        return reply

    def _wait_latency(self, op: str) -> float:
        gate = self.script.gate(op)
        while gate is not None and not gate.wait(0.05) and not self._stopping.is_set():
            pass  # held by the script (``SimScript.hold``) until released or stopped
        delay = self.script.latency(op)
        if delay > 0:
            # An Event rather than time.sleep so stop() cuts a long scripted delay short.
            self._stopping.wait(delay)
        return delay

    def _generate(
        self, family: Family, model_id: str, body: dict[str, Any], fault: Fault | None
    ) -> _Reply:
        gen = generation(family, body, model_id)
        refusal = fault if fault is not None and fault.kind == "refuse" else None
        failure = fault if fault is not None and fault.kind == "model_error" else None
        titan_like = family in (Family.TITAN, Family.NOVA)
        if refusal is not None and titan_like:
            # The input filter answers before the model runs.
            raise BedrockError("ValidationException", refusal.message)
        latency = self._wait_latency("generate")

        bad = fault.variant if fault is not None and fault.kind == "bad_image" else ""
        count = gen.count
        label = ""
        if fault is not None and fault.kind == "extra_images":
            count, label = fault.count, f"extra_images:{fault.count}"
        elif bad:
            label = f"bad_image:{bad}"

        def image(i: int, *, filtered: bool = False) -> str:
            if bad:
                data = bad_png(bad, gen.seed + i)
            else:
                data = make_image(
                    gen.prompt, gen.seed, i, gen.width, gen.height, fmt=gen.fmt, filtered=filtered
                )
            return base64.b64encode(data).decode("ascii")

        payload: dict[str, Any]
        if titan_like:
            images = [image(i) for i in range(count)]
            if failure is not None and len(images) > 1:
                images = images[:-1]  # "some of the images were blocked"
            payload = {"images": images, "error": failure.message if failure else None}
        elif family is Family.STABILITY:
            if refusal is not None:
                payload = {"finish_reasons": [refusal.finish_reason]}
            elif failure is not None:
                payload = {"finish_reasons": ["Inference error"]}
            else:
                payload = {
                    "seeds": [gen.seed + i for i in range(count)],
                    "finish_reasons": [None] * count,
                    "images": [image(i) for i in range(count)],
                }
        else:
            artifacts: list[dict[str, Any]]
            if refusal is not None:
                artifacts = [
                    {
                        "seed": gen.seed,
                        "base64": image(0, filtered=True),
                        "finishReason": "CONTENT_FILTERED",
                    }
                ]
            elif failure is not None:
                artifacts = [{"seed": gen.seed, "base64": "", "finishReason": "ERROR"}]
            else:
                artifacts = [
                    {"seed": gen.seed + i, "base64": image(i), "finishReason": "SUCCESS"}
                    for i in range(count)
                ]
            payload = {"result": "success", "artifacts": artifacts}
        return _Reply(200, payload, latency=latency, fault=label)

    def _converse(self, op: str, body: dict[str, Any]) -> _Reply:
        texts, images = converse_content(body)
        sizes = tuple(image_size(data) for data in images)
        latency = self._wait_latency(op)
        prompt_text = "\n".join(texts)
        cut = False
        if op == "judge":
            reply_text = _render_verdict(self.script.take_verdict(), prompt_text)
        elif op == "revise":
            reply_text = _render_revision(self.script.take_revision(), prompt_text)
        else:
            reply_text, cut = self._checklist_reply(op, prompt_text)
        input_tokens = sum(image_tokens(w, h) for w, h in sizes) + max(
            1, math.ceil(len(prompt_text) / 4)
        )
        # A cut-off answer is one the model stopped at its token limit.
        stop_reason = "max_tokens" if cut else "end_turn"
        cap = max_tokens(body)
        if cap is not None and math.ceil(len(reply_text) / 4) > cap:
            reply_text = reply_text[: cap * 4]
            stop_reason = "max_tokens"
        output_tokens = max(1, math.ceil(len(reply_text) / 4))
        payload = {
            "output": {"message": {"role": "assistant", "content": [{"text": reply_text}]}},
            "stopReason": stop_reason,
            "usage": {
                "inputTokens": input_tokens,
                "outputTokens": output_tokens,
                "totalTokens": input_tokens + output_tokens,
            },
            "metrics": {"latencyMs": int(latency * 1000) + 1},
        }
        return _Reply(
            200,
            payload,
            latency=latency,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            image_sizes=sizes,
            reply_text=reply_text,
        )

    def _checklist_reply(self, op: str, prompt_text: str) -> tuple[str, bool]:
        """Issue 12's answers: the text, and whether it is cut off (style "cut")."""
        if op == "checklist":
            written = self.script.take_checklist()
            if isinstance(written, Raw):
                return written.text, False
            return render_checklist(written, prompt_text)
        if op == "check":
            checks = self.script.take_check()
            if isinstance(checks, Raw):
                return checks.text, False
            return render_checks(checks, prompt_text, self.script.check_default())
        compared = self.script.take_comparison()
        if isinstance(compared, Raw):
            return compared.text, False
        return render_comparison(compared, prompt_text)


def _converse_op(body: Mapping[str, Any]) -> str:
    """Issue 12's calls by their first lines and images, else the seed's judge (an image)
    or revise (none)."""
    texts, images = request_shape(body)
    return classify(texts, images) or ("judge" if has_image(body) else "revise")


# -- HTTP plumbing ------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    """Keeps every connection's socket and thread, because keep-alive connections outlive
    requests: stop() must wake their reader threads and join them, or a test would leave
    threads (and sockets) behind."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        simulator: BedrockSimulator,
    ) -> None:
        super().__init__(address, handler)
        self.simulator = simulator
        self._conn_lock = threading.Lock()
        self._conns: dict[threading.Thread, socket.socket] = {}

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name="bedrock-sim-conn",
            daemon=True,
        )
        with self._conn_lock:
            self._conns[thread] = request
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self._conn_lock:
                self._conns.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection from %s ended with an error", client_address, exc_info=True)

    def close_connections(self, timeout: float) -> None:
        with self._conn_lock:
            conns = list(self._conns.items())
        for _, sock in conns:
            with contextlib.suppress(OSError):  # already closed by its own thread
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread, _ in conns:
            thread.join(max(0.0, deadline - time.monotonic()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BedrockSimulator/1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK (~40 ms a call), which would swamp scripted latencies.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        cast(_Server, self.server).simulator._handle(self)

    def do_GET(self) -> None:
        cast(_Server, self.server).simulator._handle(self)

    def do_PUT(self) -> None:
        self._unknown()

    def do_DELETE(self) -> None:
        self._unknown()

    def _unknown(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(length)
        _write_error(self, 404, "UnknownOperationException", "Unknown operation")

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


def _write(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: Mapping[str, str]
) -> None:
    _write_head(handler, status, len(body), headers)
    handler.wfile.write(body)


def _write_head(
    handler: BaseHTTPRequestHandler, status: int, length: int, headers: Mapping[str, str]
) -> None:
    handler.send_response(status)
    handler.send_header("x-amzn-RequestId", str(uuid.uuid4()))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(length))
    handler.end_headers()


def _write_trickle(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    fault: Fault,
    stopping: threading.Event,
) -> None:
    """The whole answer, ``fault.chunk_bytes`` every ``fault.interval`` seconds: each socket
    read gets data before any read timeout, so only a deadline on the whole call ends it.
    Stops early (connection dropped) when the simulator stops or the client goes away."""
    try:
        _write_head(handler, status, len(body), headers)
        handler.wfile.flush()
        for start in range(0, len(body), fault.chunk_bytes):
            if stopping.wait(fault.interval):
                handler.close_connection = True
                return
            handler.wfile.write(body[start : start + fault.chunk_bytes])
    except OSError:  # the client gave up and closed the connection
        handler.close_connection = True


def _write_reset(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    fault: Fault,
) -> None:
    """Headers and part of the body (or nothing), then a TCP reset (SO_LINGER 0 and
    close), as a middlebox or a crashed front end does; the client sees "connection reset
    by peer" mid-body, or before any answer."""
    after = fault.after_bytes
    sent = len(body) // 2 if after < 0 else min(after, len(body))
    handler.close_connection = True
    if not fault.before_headers:
        try:
            _write_head(handler, status, len(body), headers)
            handler.wfile.write(body[:sent])
            handler.wfile.flush()
        except OSError:
            return
    sock = handler.connection
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # The request's reader holds a reference that would defer the real close.
        handler.rfile.close()
        sock.close()


def _absurd_body(op: str, variant: str, payload: Mapping[str, Any]) -> bytes:
    """The bodies that broke the app in issue 17, each around the normal ``payload``."""
    if variant == "json_array":
        return json.dumps([payload]).encode()
    if variant == "deep_nesting":
        return b"[" * DEEP_NESTING_LEVELS + b"]" * DEEP_NESTING_LEVELS
    if variant == "not_json":
        return b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    marker = "__imgloop_sim_marker__"
    if variant == "huge_int":
        if op == "generate":
            shaped: dict[str, Any] = {**payload, "seeds": [marker]}
        else:
            shaped = {**payload, "usage": {**payload.get("usage", {}), "inputTokens": marker}}
        return json.dumps(shaped).replace(f'"{marker}"', "9" * HUGE_INT_DIGITS).encode()
    if variant == "bad_usage":
        return json.dumps(
            {**payload, "usage": {**payload.get("usage", {}), "inputTokens": "lots"}}
        ).encode()
    if variant == "huge_text":
        # Well formed and on topic, just 30 MB long: a verdict whose reason, or a revision
        # whose prompt, never ends.
        filler = "A" * HUGE_TEXT_BYTES
        if op == "judge":
            text = f'{{"result": "YES", "reason": "{filler}"}}'
        elif op == "checklist":
            text = f'{{"checklist": [{{"text": "{filler}", "must": true}}]}}'
        elif op == "check":
            text = f'{{"checks": [{{"id": "c1", "result": "yes", "evidence": "{filler}"}}]}}'
        elif op == "compare":
            text = f'{{"better": "first", "reason": "{filler}"}}'
        else:
            text = f'{{"revised_prompt": "{filler}"}}'
        message = {"role": "assistant", "content": [{"text": text}]}
        return json.dumps({**payload, "output": {"message": message}}).encode()
    raise ValueError(f"unknown absurd variant {variant!r}")


def _write_error(handler: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
    body = json.dumps({"message": message}).encode()
    _write(handler, status, body, {"Content-Type": "application/json", "x-amzn-ErrorType": code})


def _error_reply(code: str, message: str) -> _Reply:
    """rest-json errors: botocore reads the code from ``x-amzn-ErrorType`` and the text
    from the body's ``message``."""
    return _Reply(
        ERROR_STATUS.get(code, 400),
        {"message": message},
        error_code=code,
        extra_headers={"x-amzn-ErrorType": code},
    )


def _access_key_id(authorization: str) -> str | None:
    match = _CREDENTIAL_RE.search(authorization)
    return match[1] if match else None


def _region(authorization: str) -> str:
    """The region of the SigV4 credential scope; "" for an unsigned request."""
    match = _SCOPE_RE.search(authorization)
    return match["region"] if match else ""


def _parse_json(raw: bytes) -> tuple[dict[str, Any], str | None]:
    try:
        data = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}, malformed(["the body is not valid JSON"]).message
    if not isinstance(data, dict):
        return {}, malformed(["#: expected type: JSONObject"]).message
    return data, None


def _pick(options: tuple[str, ...], text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return options[digest[0] % len(options)]


def _render_verdict(answer: str | Raw, prompt_text: str) -> str:
    if isinstance(answer, str) and answer.strip().upper() in ("YES", "NO"):
        result = answer.strip().upper()
        reasons = _YES_REASONS if result == "YES" else _NO_REASONS
        return json.dumps({"result": result, "reason": _pick(reasons, prompt_text)})
    return answer.text if isinstance(answer, Raw) else answer


def _render_revision(answer: str | Raw | None, prompt_text: str) -> str:
    if answer is None:
        return _default_revision(prompt_text)
    if isinstance(answer, Raw):
        return answer.text
    return json.dumps({"revised_prompt": answer})


def _default_revision(prompt_text: str) -> str:
    """Deterministic stand-in for a reviser: the previous prompt as found in the request
    (tagged, or on a "Prompt:" line, else the whole text), restated."""
    tagged = _PROMPT_TAG_RE.search(prompt_text)
    line = _PROMPT_LINE_RE.search(prompt_text)
    source = tagged[2] if tagged else line[1] if line else prompt_text
    words = " ".join(source.split()).strip("\"'")
    while words.lower().startswith("an image of "):
        words = words[len("an image of ") :]
    detail = ", highly detailed, soft natural light"
    if words.endswith(detail):
        words = words[: -len(detail)]
    return json.dumps({"revised_prompt": "An image of " + words[:200] + detail})
