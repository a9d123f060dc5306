"""Keep credentials out of every log record, whoever logs it.

``providers.aws_errors.redact`` knows the shapes AWS material takes in text (key ids, SigV4
``Credential=``/``Signature=``, security tokens, a secret after the word "secret"). Log
records can still carry a secret in a shape no pattern knows (a header dict repr, a
traceback's locals, a third-party message), so the secrets this process actually loaded
are also registered here and scrubbed wherever they appear, byte for byte.

Why a record factory as well as a filter: a filter on the root *logger* only sees records
logged on the root logger itself; records from ``botocore.endpoint`` and friends propagate
to the root's *handlers* without passing its filters. Redacting at record creation covers
every logger and every handler, including handlers added after installation (a log file
opened later, pytest's capture).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import Any

from imgloop_desktop.providers.aws_errors import redact

REDACTED = "[REDACTED]"
_MARK = "_imgloop_redacted"
# Shorter strings are too likely to occur by chance for a literal scrub to be safe.
_MIN_SECRET_LENGTH = 16

_lock = threading.Lock()
_known: frozenset[str] = frozenset()
_installed: list[tuple[logging.Logger, logging.Filter, Callable[..., logging.LogRecord]]] = []


def register_secret(value: str | None) -> None:
    """Scrub ``value`` literally from log records from now on (secret keys, tokens)."""
    global _known
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _known = _known | {value}


# Shapes ``redact`` does not cover yet: botocore's DEBUG line "Sending http request" prints
# the headers as a dict of bytes (``'X-Amz-Security-Token': b'IQoJ...'``), and response
# bodies from STS/SSO carry ``"sessionToken": "..."`` in JSON.
_EXTRA: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"""(X-Amz-Security-Token['"]?\s*[:=]\s*b?['"]?)[^'"&\s,;]+""", re.I),
        rf"\1{REDACTED}",
    ),
    (
        re.compile(
            r"""((?:session|security)[_-]?token['"]?\s*[:=]\s*b?['"]?)[A-Za-z0-9/+=]{16,}""",
            re.I,
        ),
        rf"\1{REDACTED}",
    ),
)


def scrub(text: str) -> str:
    """``text`` with AWS credential shapes and every registered secret removed."""
    for secret in _known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _EXTRA:
        text = pattern.sub(replacement, text)
    return redact(text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message, exception text and stack in place; never drops it.

    The formatted message replaces ``msg`` and ``args`` are cleared, because the arguments
    are where a secret most often hides (``log.debug("%s", headers)``). The traceback is
    formatted here, redacted into ``exc_text``, and ``exc_info`` dropped so no handler
    formats the raw traceback again.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record, self._formatter)
        return True


def redact_record(record: logging.LogRecord, formatter: logging.Formatter | None = None) -> None:
    if getattr(record, _MARK, False):
        return
    try:
        message = record.getMessage()
    except Exception:
        # Formatting would fail in the handler too, and logging's error report prints the
        # raw arguments to stderr: keep only the template.
        message = f"{record.msg} [log arguments could not be formatted]"
    record.msg = scrub(message)
    record.args = None
    fmt = formatter or logging.Formatter()
    if record.exc_info:
        record.exc_text = fmt.formatException(record.exc_info)
        record.exc_info = None
    if record.exc_text:
        record.exc_text = scrub(record.exc_text)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    setattr(record, _MARK, True)  # LogRecord has no such attribute to type


def install_redaction(logger: logging.Logger | None = None) -> Callable[[], None]:
    """Redact every log record from now on; returns a function that undoes it (for tests).

    Installs a ``RedactingFilter`` on ``logger`` (the root logger by default) and each of
    its current handlers, and wraps the log record factory. Installing twice is harmless.
    """
    target = logging.getLogger() if logger is None else logger
    with _lock:
        for installed_logger, _, _ in _installed:
            if installed_logger is target:
                return lambda: None
        flt = RedactingFilter()
        target.addFilter(flt)
        for handler in target.handlers:
            handler.addFilter(flt)
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed.append((target, flt, previous))

    def uninstall() -> None:
        with _lock:
            for i, (installed_logger, installed_filter, _) in enumerate(_installed):
                if installed_logger is target and installed_filter is flt:
                    del _installed[i]
                    break
            else:
                return
            target.removeFilter(flt)
            for handler in target.handlers:
                handler.removeFilter(flt)
            if logging.getLogRecordFactory() is factory:
                logging.setLogRecordFactory(previous)

    return uninstall
