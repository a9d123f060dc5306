"""The log redaction: every record, from any logger, to any handler, loses its credentials."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from imgloop_desktop.accounts.redaction import (
    REDACTED,
    RedactingFilter,
    install_redaction,
    register_secret,
    scrub,
)
from tests.accounts.conftest import redacted_root_logging
from tests.keyring_fixtures import KEY_ID, SECRET, SESSION_TOKEN

SIGNED_URL = (
    "https://bedrock-runtime.us-east-1.amazonaws.com/x?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    f"&X-Amz-Credential={KEY_ID}%2F20240101%2Fus-east-1&X-Amz-Signature=abc123def456"
    f"&X-Amz-Security-Token={SESSION_TOKEN}"
)
AUTH_HEADER = (
    f"Authorization: AWS4-HMAC-SHA256 Credential={KEY_ID}/20240101/us-east-1/bedrock/aws4_request,"
    " SignedHeaders=host;x-amz-date, Signature=0123456789abcdef0123456789abcdef"
)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """A handler on the root logger, as the app's log file will be, added before install."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    with redacted_root_logging(handler):
        yield stream


def assert_clean(text: str) -> None:
    for secret in (KEY_ID, SECRET, SESSION_TOKEN, "abc123def456", "0123456789abcdef0123"):
        assert secret not in text


def test_messages_and_arguments_from_child_loggers_are_redacted(captured: io.StringIO) -> None:
    log = logging.getLogger("botocore.endpoint")
    log.debug("Sending request to %s", SIGNED_URL)
    log.info("headers: %s", AUTH_HEADER)
    log.warning(f"aws_secret_access_key = {SECRET}")
    log.warning("headers=%r", {"X-Amz-Security-Token": SESSION_TOKEN.encode()})
    text = captured.getvalue()
    assert_clean(text)
    assert text.count("\n") == 4  # nothing dropped
    assert "[REDACTED-KEY-ID]" in text or REDACTED in text


def test_tracebacks_are_redacted(captured: io.StringIO) -> None:
    try:
        raise RuntimeError(f"request failed: {AUTH_HEADER}")
    except RuntimeError:
        logging.getLogger("imgloop_desktop.worker").exception("run failed")
    text = captured.getvalue()
    assert "Traceback" in text and "RuntimeError" in text
    assert_clean(text)


def test_handlers_added_later_are_covered_too(captured: io.StringIO) -> None:
    late = io.StringIO()
    handler = logging.StreamHandler(late)
    logging.getLogger("imgloop_desktop").addHandler(handler)
    try:
        logging.getLogger("imgloop_desktop.x").error("X-Amz-Security-Token=%s", SESSION_TOKEN)
    finally:
        logging.getLogger("imgloop_desktop").removeHandler(handler)
    assert SESSION_TOKEN not in late.getvalue()


def test_registered_secrets_are_scrubbed_in_any_shape() -> None:
    unusual = "Kx9/registeredSECRETnoKeywordNear+01234567"
    assert unusual in scrub(f"blob {unusual!r}")
    register_secret(unusual)
    assert scrub(f"blob {unusual!r} {unusual.encode()!r}") == (f"blob '{REDACTED}' b'{REDACTED}'")
    register_secret("short")  # too short to scrub safely; ignored
    assert scrub("short") == "short"


def test_the_filter_alone_works_on_a_handler() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    log = logging.getLogger("imgloop_desktop.filter_only")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.error("signed %s", SIGNED_URL)
    finally:
        log.removeHandler(handler)
        log.propagate = True
    assert_clean(stream.getvalue())


def test_install_twice_then_uninstall_restores_logging() -> None:
    factory = logging.getLogRecordFactory()
    uninstall = install_redaction()
    again = install_redaction()
    assert logging.getLogRecordFactory() is not factory
    again()
    uninstall()
    assert logging.getLogRecordFactory() is factory
    assert not any(isinstance(f, RedactingFilter) for f in logging.getLogger().filters)


def test_unformattable_arguments_do_not_leak_through_the_error_report(
    captured: io.StringIO,
) -> None:
    logging.getLogger("imgloop_desktop.bad").error("%d items", SECRET)
    text = captured.getvalue()
    assert SECRET not in text and "could not be formatted" in text
