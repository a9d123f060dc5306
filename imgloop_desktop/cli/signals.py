"""Ctrl-C and SIGTERM for the headless command, handled from its first instant.

Python's default turns Ctrl-C into a KeyboardInterrupt wherever the main thread happens to
be, so an early or a second Ctrl-C printed a traceback, or the process died by the signal
instead of the documented exit code. Here the first signal asks the run to cancel (it ends
within about two seconds, keeping everything made, with its result JSON), a second one
forces it to end at once; before a run exists, a signal stops the command with the same
result JSON and exit code. This module imports only the standard library and the cancel
flag, so the entry point installs it before anything slow is imported.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from types import FrameType

from imgloop_desktop.core.cancel import CancelToken


class StopBeforeRun(KeyboardInterrupt):
    """A signal arrived before there was a run to cancel."""


class Interrupts:
    """Routes SIGINT/SIGTERM to the current run's cancel token, or stops the command."""

    def __init__(self) -> None:
        self._token: CancelToken | None = None
        self._lock = threading.RLock()  # a handler may run while the main thread holds it
        self.received = 0

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signal handlers can only be set from the main thread (in-process tests)
        signal.signal(signal.SIGINT, self._handle)
        if hasattr(signal, "SIGTERM"):
            signal.signal(signal.SIGTERM, self._handle)

    def attach(self) -> CancelToken:
        """A cancel token for the run about to start; a signal already received cancels it."""
        with self._lock:
            self._token = CancelToken()
            if self.received:
                self._token.cancel()
            return self._token

    @property
    def forced(self) -> bool:
        return self._token is not None and self._token.forced

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        # Act before speaking: Python runs a handler again, on the same thread, when a signal
        # lands while it is still printing, so a handler that printed first and cancelled after
        # read a second Ctrl-C as a first one and never forced the stop.
        with self._lock:
            self.received += 1
            token = self._token
        if token is None:
            raise StopBeforeRun
        if token.cancelled:
            token.force()
            _say("stopping at once")
            return
        token.cancel()
        _say(
            "cancelling: no new Bedrock call will start; calls in flight get a moment, "
            "then are abandoned (Ctrl-C again to stop at once)"
        )


def _say(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr broken: the cancel matters more
        print(text, file=sys.stderr, flush=True)


INTERRUPTS = Interrupts()
