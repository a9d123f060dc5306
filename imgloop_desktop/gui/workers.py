"""One way to move work off the GUI thread and bring its answer back.

The shape is superqt's ``create_worker`` / ``WorkerBase`` (``src/superqt/utils/_qthreading.py``):
a plain function runs on a worker; its return value goes to ``returned``, its exception to
``errored``, and ``finished`` follows either; ``cancel()`` sets a flag the function may check
(``cancelled()``). Two additions the window needs:

- ``close()`` (at window close) cancels everything, drops queued jobs and every late
  result: nothing reaches a callback afterwards, so no widget being torn down is touched.
- ``supersede=key``: starting a job with a key drops the earlier jobs of that key (their late
  results never arrive). A newer question makes the older answer stale — the session shown,
  the filter of the history list, the selection being dragged — and this is what used to be
  four hand-written generation counters. ``key=`` marks a job as belonging to a key without
  dropping its peers (a page of the current list), and ``supersede(key)`` drops a key's jobs
  without starting another (the shown session was cleared).

**Python threads, not QThread / QThreadPool.** Python 3.11 registers a never-ending "dummy"
thread for every foreign thread that logs or asks for ``threading.current_thread()`` (botocore
and keyring do both), so pool threads could not log; a Python thread may log freely and ends
visibly, so the tests' no-thread-left check sees it joined. A ``Workers`` runs at most
``max_threads`` threads; each takes queued jobs until none is left and then ends, so an idle
``Workers`` holds no thread at all.

**Delivery.** A worker emits one signal of the ``Workers`` object, which lives on the GUI
thread; the connection is explicitly queued, so every callback runs on the GUI thread, in
the order the jobs ended. Callbacks are typed: ``start(fn: () -> T, returned: (T) -> None)``.

**Errors and logging.** Worker functions may log. An exception goes to ``errored`` as the
exception object. Expected failures (``ImgloopError``, ``OSError``: a refused credential, a
missing file) are the callback's to report and are not logged here; anything else is logged
once, with its traceback, when it is delivered — whether or not ``errored`` is connected.
A job that is dropped (superseded or closed) delivers nothing, not even ``finished``.

``RunController`` is the streaming member of this family: one long job that emits many
events; it uses ``emit_safely`` and ``log_unexpected`` from here.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

from imgloop_desktop.core.errors import ImgloopError

log = logging.getLogger(__name__)

T = TypeVar("T")

JOIN_SECONDS = 10.0
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (ImgloopError, OSError)
"""Failures a callback reports to the person; anything else is a bug and is logged."""

_current = threading.local()


def cancelled() -> bool:
    """Inside a worker function: whether its job was cancelled, superseded or closed, so a
    long function can stop early. Outside a worker: always False."""
    job: Worker[Any] | None = getattr(_current, "job", None)
    return job is not None and job.abort_requested


def emit_safely(signal: Any, *args: object) -> None:
    """Emit from a worker; the receiver may be deleted already (the application quitting)."""
    try:
        signal.emit(*args)
    except RuntimeError:
        log.debug("a worker finished after its receiver was deleted")


def log_unexpected(error: BaseException, doing: str) -> None:
    """Log ``error`` with its traceback unless it is an expected failure (see module doc)."""
    if not isinstance(error, EXPECTED_ERRORS):
        log.error("%s failed unexpectedly", doing, exc_info=error)


@dataclass(eq=False)
class Worker(Generic[T]):
    """One job. The handle ``Workers.start`` returns; the callbacks run on the GUI thread."""

    fn: Callable[[], T]
    name: str
    returned: Callable[[T], None] | None = None
    errored: Callable[[BaseException], None] | None = None
    finished: Callable[[], None] | None = None
    key: Hashable | None = None
    _cancel: threading.Event = field(default_factory=threading.Event)
    _dropped: bool = False
    _ended: threading.Event = field(default_factory=threading.Event)
    _value: Any = None
    _error: BaseException | None = None

    def cancel(self) -> None:
        """Ask the function to stop (it sees ``cancelled()``); its result is still delivered."""
        self._cancel.set()

    quit = cancel  # superqt's name

    def drop(self) -> None:
        """Cancel and never deliver: the answer is no longer wanted."""
        self._dropped = True
        self._cancel.set()

    @property
    def abort_requested(self) -> bool:
        return self._cancel.is_set()

    @property
    def dropped(self) -> bool:
        return self._dropped

    @property
    def done(self) -> bool:
        """The function has returned or raised (or will never run)."""
        return self._ended.is_set()

    def _run(self) -> None:
        _current.job = self
        try:
            if not self._dropped:
                self._value = self.fn()
        except Exception as exc:  # carried to the GUI thread, reported there
            self._error = exc
        finally:
            _current.job = None
            self._ended.set()


class Workers(QObject):
    """A small pool of Python worker threads owned by one widget or service."""

    _delivered = Signal(object)

    def __init__(
        self,
        name: str = "worker",
        *,
        max_threads: int = 2,
        thread_prefix: str = "imgloop-",
        parent: QObject | None = None,
    ) -> None:
        """Threads are named ``<thread_prefix><job name>`` (logs, crash reports, tests)."""
        super().__init__(parent)
        self.name = name
        self.thread_prefix = thread_prefix
        self.max_threads = max(1, max_threads)
        self._lock = threading.Lock()
        self._queue: deque[Worker[Any]] = deque()
        self._threads: list[threading.Thread] = []
        self._draining = 0
        """Threads still taking jobs (under the lock); a thread that found the queue empty
        has left this count even if it has not ended yet."""
        self._outstanding: list[Worker[Any]] = []
        """Started and not yet delivered (or dropped); GUI thread only."""
        self._closed = False
        self._delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    # -- starting -------------------------------------------------------------------------------

    def start(
        self,
        fn: Callable[[], T],
        *,
        returned: Callable[[T], None] | None = None,
        errored: Callable[[BaseException], None] | None = None,
        finished: Callable[[], None] | None = None,
        supersede: Hashable | None = None,
        key: Hashable | None = None,
        name: str | None = None,
    ) -> Worker[T]:
        """Queue ``fn`` and return its handle. ``supersede=k`` first drops the jobs of key
        ``k`` and files this one under ``k``; ``key=k`` files it without dropping others.
        After ``close()`` the job is dropped at once and never runs."""
        worker: Worker[T] = Worker(
            fn,
            name or self.name,
            returned,
            errored,
            finished,
            key=supersede if supersede is not None else key,
        )
        if self._closed:
            worker.drop()
            worker._ended.set()
            return worker
        if supersede is not None:
            self.supersede(supersede)
        self._outstanding.append(worker)
        with self._lock:
            self._queue.append(worker)
            self._threads = [t for t in self._threads if t.is_alive()]
            thread: threading.Thread | None = None
            if self._draining < self.max_threads:
                thread = threading.Thread(
                    target=self._drain, name=f"{self.thread_prefix}{worker.name}", daemon=True
                )
                self._threads.append(thread)
                self._draining += 1
        if thread is not None:
            thread.start()
        return worker

    def supersede(self, key: Hashable) -> None:
        """Drop every outstanding job of ``key``: queued ones never run, running ones are
        told to stop (``cancelled()``), and none of them delivers."""
        for worker in self._outstanding:
            if worker.key == key:
                worker.drop()
        self._outstanding = [w for w in self._outstanding if not w.dropped]

    def cancel_all(self) -> None:
        for worker in self._outstanding:
            worker.cancel()

    # -- state --------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Some job has not delivered yet."""
        return bool(self._outstanding)

    @property
    def pending(self) -> int:
        return len(self._outstanding)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Cancel and drop everything; later ``start``s are dropped too. Does not block:
        call ``wait()`` to join the threads (a running function finishes its current call)."""
        self._closed = True
        for worker in self._outstanding:
            worker.drop()
        self._outstanding.clear()
        with self._lock:
            for worker in self._queue:
                worker.drop()
                worker._ended.set()
            self._queue.clear()

    def wait(self, timeout: float = JOIN_SECONDS) -> bool:
        """Block until no worker thread is left (shutdown and tests; never in a slot during
        normal work). True when every thread has ended. Results still arrive afterwards,
        through the event loop, unless closed."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            return not self._threads

    # -- internals ----------------------------------------------------------------------------

    def _drain(self) -> None:
        """A worker thread's life: take queued jobs until none is left, then end."""
        while True:
            with self._lock:
                if not self._queue:
                    self._draining -= 1
                    return
                worker = self._queue.popleft()
            worker._run()
            if not worker.dropped:
                emit_safely(self._delivered, worker)

    @Slot(object)
    def _deliver(self, worker: Worker[Any]) -> None:
        with contextlib.suppress(ValueError):
            self._outstanding.remove(worker)
        if worker.dropped or self._closed:
            return
        error = worker._error
        try:
            if error is not None:
                log_unexpected(error, f"{worker.name} worker")
                if worker.errored is not None:
                    worker.errored(error)
            elif worker.returned is not None:
                worker.returned(worker._value)
        finally:  # bookkeeping in ``finished`` (a busy count) holds even if a callback raised
            if worker.finished is not None:
                worker.finished()
