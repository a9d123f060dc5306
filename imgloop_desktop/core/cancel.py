"""A cancel flag shared between the thread that asks and the thread that runs."""

from __future__ import annotations

import threading


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class Cancelled(Exception):
    """Raised inside the loop where a cancel was seen, so every step unwinds the same way."""
