"""Service Quotas' ``ListServiceQuotas`` and ``ListAWSDefaultServiceQuotas`` for Bedrock,
answered from a table a test (or the script) sets, so the app's quota reading
(``providers.quotas``) runs through boto3 over HTTP exactly as against AWS.

Wire format: botocore's ``service-quotas`` 2019-06-24 model, the JSON 1.1 protocol: every
call is a ``POST /`` with ``X-Amz-Target: ServiceQuotasV20190624.<Operation>`` and a JSON
body (``ServiceCode``, ``MaxResults``, ``NextToken``); answers carry ``Quotas`` (each with
ServiceCode, ServiceName, QuotaArn, QuotaCode, QuotaName, Value, Unit, Adjustable,
GlobalQuota, Period) and ``NextToken`` while more pages remain. Errors are JSON bodies with
``__type`` and ``message``. The same loopback server answers them; boto3's client reaches
it through ``AWS_ENDPOINT_URL_SERVICE_QUOTAS`` (``BedrockSimulator.service_quotas_env``).

What the table mirrors, and from where:

- Quota names follow the documented pattern "On-demand InvokeModel requests per minute for
  ${model}" and "Cross-Region InvokeModel requests per minute for ${model}" (Bedrock User
  Guide, "Request an increase for Amazon Bedrock quotas" and "Quotas for the
  bedrock-runtime endpoint"). The model part of the default rows is the model's display
  name; the real table's exact spelling per model could not be confirmed from public
  text, which is why the app matches on the name's words, case-insensitively.
- ListServiceQuotas "lists the applied quota values" and leaves out quotas that have no
  applied value (Service Quotas API reference), so an account that never had a quota
  changed may only have the AWS default (ListAWSDefaultServiceQuotas). Each row here has a
  default and, optionally, an applied value; only rows with one are listed as applied.
- The values of the default rows are placeholders, not Bedrock's published numbers (they
  vary per Region and per account, and new accounts often get less): tests set their own.
- Pages: both operations take ``MaxResults`` 1-100 (the model's range) and hand back an
  opaque ``NextToken``; ``page_size`` caps a page further, so a test can force paging.
- An IAM refusal answers ``AccessDeniedException`` with IAM's usual wording, "User: ... is
  not authorized to perform: servicequotas:ListServiceQuotas ...".
"""

from __future__ import annotations

import json
import threading
import zlib
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TARGET_PREFIX = "ServiceQuotasV20190624."
LIST_APPLIED = "ListServiceQuotas"
LIST_DEFAULTS = "ListAWSDefaultServiceQuotas"
OPERATIONS = (LIST_APPLIED, LIST_DEFAULTS)
# How the simulator counts these calls (``BedrockSimulator.count``).
OP_NAMES = {LIST_APPLIED: "list_service_quotas", LIST_DEFAULTS: "list_aws_default_service_quotas"}
SERVICE_CODE = "bedrock"
SERVICE_NAME = "Amazon Bedrock"
MAX_RESULTS = 100
ON_DEMAND_RPM = "On-demand InvokeModel requests per minute for {model}"
CROSS_REGION_RPM = "Cross-Region InvokeModel requests per minute for {model}"

# Service Quotas' error codes and their HTTP status (botocore's service-quotas model).
ERROR_STATUS: dict[str, int] = {
    "AccessDeniedException": 400,
    "IllegalArgumentException": 400,
    "InvalidPaginationTokenException": 400,
    "NoSuchResourceException": 400,
    "TooManyRequestsException": 400,
    "ServiceException": 500,
}
DENIED_MESSAGE = (
    "User: arn:aws:iam::123456789012:user/imgloop is not authorized to perform: "
    "servicequotas:{operation} because no identity-based policy allows the "
    "servicequotas:{operation} action"
)


@dataclass(frozen=True)
class QuotaRow:
    """One Bedrock quota in one Region: its AWS default, and the account's applied value
    (None: the account has none, so ListServiceQuotas leaves the quota out)."""

    name: str
    default: float
    applied: float | None = None
    region: str = "us-west-2"
    code: str = ""


# A current account's image-model rows where the app's Stability models run (us-west-2),
# with no applied values: placeholders, see the module docstring.
DEFAULT_ROWS: tuple[QuotaRow, ...] = (
    QuotaRow(ON_DEMAND_RPM.format(model="Stable Image Core"), 20.0, code="L-SIM00001"),
    QuotaRow(ON_DEMAND_RPM.format(model="Stable Image Ultra"), 20.0, code="L-SIM00002"),
    QuotaRow(ON_DEMAND_RPM.format(model="Stable Diffusion 3.5 Large"), 20.0, code="L-SIM00003"),
)


class QuotaError(Exception):
    """An answer Service Quotas gives as a JSON 1.1 error."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class QuotaTable:
    """The quotas the simulator lists, and faults for the next calls; safe to change from
    any thread while the server runs."""

    def __init__(self, rows: tuple[QuotaRow, ...] = DEFAULT_ROWS) -> None:
        self._lock = threading.Lock()
        self._rows: list[QuotaRow] = list(rows)
        self._faults: dict[str, deque[QuotaError]] = {op: deque() for op in OPERATIONS}
        self.page_size = MAX_RESULTS

    # -- scripting ------------------------------------------------------------------

    def set_rows(self, *rows: QuotaRow) -> None:
        """Replace the whole table (no rows: an account where nothing matches)."""
        with self._lock:
            self._rows = list(rows)

    def add(self, row: QuotaRow) -> None:
        with self._lock:
            self._rows.append(row)

    @property
    def rows(self) -> list[QuotaRow]:
        with self._lock:
            return list(self._rows)

    def deny(self, operation: str = LIST_APPLIED, *, times: int = 1) -> None:
        """The next ``times`` calls of ``operation`` are refused as IAM refuses them."""
        self.fail(
            operation,
            "AccessDeniedException",
            DENIED_MESSAGE.format(operation=operation),
            times=times,
        )

    def fail(self, operation: str, code: str, message: str, *, times: int = 1) -> None:
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; known: {', '.join(OPERATIONS)}")
        if code not in ERROR_STATUS:
            raise ValueError(f"unknown error code {code!r}; known: {', '.join(ERROR_STATUS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults[operation].extend([QuotaError(code, message)] * times)

    def reset(self) -> None:
        with self._lock:
            self._rows = list(DEFAULT_ROWS)
            for queue in self._faults.values():
                queue.clear()
            self.page_size = MAX_RESULTS

    # -- answering (the server's side) ----------------------------------------------

    def answer(self, operation: str, body: Mapping[str, Any], region: str) -> dict[str, Any]:
        """The operation's answer for ``region``, or the QuotaError Service Quotas gives."""
        with self._lock:
            fault = self._faults[operation].popleft() if self._faults[operation] else None
            rows = list(self._rows)
            page_size = self.page_size
        if fault is not None:
            raise fault
        service = body.get("ServiceCode")
        if not isinstance(service, str) or not service:
            raise QuotaError("IllegalArgumentException", "ServiceCode is required.")
        limit = body.get("MaxResults", MAX_RESULTS)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_RESULTS:
            raise QuotaError(
                "IllegalArgumentException",
                f"MaxResults must be between 1 and {MAX_RESULTS}.",
            )
        start = _start_of(body.get("NextToken"))
        if service != SERVICE_CODE:
            rows = []
        applied = operation == LIST_APPLIED
        listed = [r for r in rows if r.region == region and (r.applied is not None or not applied)]
        end = start + min(limit, page_size)
        page = [_quota(r, region, applied=applied) for r in listed[start:end]]
        answer: dict[str, Any] = {"Quotas": page}
        if end < len(listed):
            answer["NextToken"] = _token(end)
        return answer


def serves(target: str) -> str | None:
    """The operation an ``X-Amz-Target`` header names, when it is one answered here."""
    if not target.startswith(TARGET_PREFIX):
        return None
    operation = target[len(TARGET_PREFIX) :]
    return operation if operation in OPERATIONS else None


def error_answer(error: QuotaError) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers of a JSON 1.1 error (botocore reads ``__type``)."""
    body = json.dumps({"__type": error.code, "message": error.message}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": error.code}
    return ERROR_STATUS.get(error.code, 400), body, headers


def ok_answer(payload: Mapping[str, Any]) -> tuple[int, bytes, dict[str, str]]:
    return 200, json.dumps(payload).encode(), {"Content-Type": "application/x-amz-json-1.1"}


def _token(index: int) -> str:
    return f"sim-page-{index}"


def _start_of(token: object) -> int:
    if token is None:
        return 0
    if isinstance(token, str) and token.startswith("sim-page-"):
        tail = token[len("sim-page-") :]
        if tail.isdigit():
            return int(tail)
    raise QuotaError("InvalidPaginationTokenException", "Invalid pagination token.")


def _quota(row: QuotaRow, region: str, *, applied: bool) -> dict[str, Any]:
    code = row.code or "L-SIM" + format(zlib.crc32(row.name.encode()) % 10**5, "05d")
    value = row.applied if applied and row.applied is not None else row.default
    return {
        "ServiceCode": SERVICE_CODE,
        "ServiceName": SERVICE_NAME,
        "QuotaArn": f"arn:aws:servicequotas:{region}:123456789012:{SERVICE_CODE}/{code}",
        "QuotaCode": code,
        "QuotaName": row.name,
        "Value": value,
        "Unit": "None",
        "Adjustable": True,
        "GlobalQuota": False,
        "Period": {"PeriodValue": 1, "PeriodUnit": "MINUTE"},
    }
