"""A cancel flag shared between the thread that asks and the thread that runs.

Two strengths: ``cancel()`` asks the run to stop starting calls and to end within a couple
of seconds (calls still in flight get a short grace, then are abandoned); ``force()`` (a
second Ctrl-C) ends it at once, with no grace and no wait for uploads.
"""

from __future__ import annotations

import threading


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()
        self._forced = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def force(self) -> None:
        self._forced.set()
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    @property
    def forced(self) -> bool:
        return self._forced.is_set()

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds, waking at once on cancel; True when cancelled."""
        return self._event.wait(timeout)


class Cancelled(Exception):
    """Raised inside the loop where a cancel was seen, so every step unwinds the same way."""
