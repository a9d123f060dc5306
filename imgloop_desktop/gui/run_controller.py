"""Runs happen off the GUI thread; their events come back to it through queued signals.

``RunController`` runs ``services.run.execute`` (the same call the headless command makes)
on one Python worker thread per run. The loop's events, emitted on its own threads, are
re-emitted by a small parentless relay object; Qt queues them to the GUI thread because
the relay lives there, so every slot connected to ``RunController.event`` runs on the GUI
thread, in the order the loop emitted. Nothing here touches a widget.

This is the streaming member of the ``gui.workers`` family. One-shot calls (open the
history, export, count uploads, thumbnails, ...) go through ``gui.workers.Workers``: one
function, one answer. A run is one long job that reports many events before its answer and
owns its clients, so it keeps its own thread and relay, built the same way: a Python thread
(not a QThread: it ends visibly, so the tests' no-thread-left check sees it joined, and
boto3, sqlite3 and logging need nothing from Qt), a relay on the GUI thread with explicitly
queued connections, ``workers.emit_safely`` for the reports (the window may be gone) and
``workers.log_unexpected`` for a failure nobody expected. Which credentials a run uses is
``services.backends``.

A run's checklist can be edited while it goes (issue 12): ``set_checklist`` hands the edit to
the running loop (``ImageLoop.set_checklist``, thread-safe), which uses it from the next
judgement and says so with a ``ChecklistSet`` event. The loop is built inside
``services.run.execute``; an execute function that takes ``loop_ready`` calls it with the
loop before the run starts, and an edit made before that is kept and handed over then.

Costs (issue 13): ``start`` takes the person's price rows and a function that says what the
monthly budget still allows; that function reads the history, so it is called on the run's
own thread, just before the run, never on the GUI thread.
"""

from __future__ import annotations

import inspect
import logging
import threading
import traceback
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.checklist import Checklist
from imgloop_desktop.core.errors import ImgloopError, ValidationError
from imgloop_desktop.core.events import Event
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.price_overrides import Overrides
from imgloop_desktop.gui.error_box import describe
from imgloop_desktop.gui.workers import emit_safely, log_unexpected
from imgloop_desktop.services import run_check
from imgloop_desktop.services.credentials import CredentialsSource

if TYPE_CHECKING:
    # The run machinery (the loop, the clients, the history recorder) is imported at the
    # first run, not while the window opens (issue 15).
    from imgloop_desktop.core.loop import RunResult
    from imgloop_desktop.services import run as run_service

log = logging.getLogger(__name__)

JOIN_SECONDS = 5.0


class ExecuteFn(Protocol):
    def __call__(
        self,
        params: RunParams,
        *,
        credentials: CredentialsSource,
        emit: Callable[[Event], None] | None = ...,
        cancel: CancelToken | None = ...,
    ) -> run_service.Execution: ...


class ChecklistTarget(Protocol):
    """What a running loop offers for edits (``ImageLoop.set_checklist``)."""

    def set_checklist(self, checklist: Checklist) -> None: ...


LOOP_READY = "loop_ready"
"""The keyword an execute function takes to hand over its loop (``services.run.execute``)."""
PRICE_OVERRIDES = "price_overrides"
MONTHLY_LEFT = "monthly_left"
"""The keywords ``services.run.execute`` takes for the person's prices and what their
monthly budget still allows (issue 13)."""

MonthlyLeft = Callable[[], Decimal | None]
"""Asked on the run's thread just before it starts: what the monthly budget still allows
(None: no monthly cap). It reads the history, so it must not run on the GUI thread."""


def takes_keyword(execute: Callable[..., object], name: str) -> bool:
    """Whether ``execute`` accepts ``name`` (an execute function written before a keyword
    existed, a test's fake, keeps working without it)."""
    try:
        parameters = inspect.signature(execute).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def takes_loop_ready(execute: Callable[..., object]) -> bool:
    """Whether ``execute`` hands over its loop, so edits can reach a run."""
    try:
        return LOOP_READY in inspect.signature(execute).parameters
    except (TypeError, ValueError):
        return False


class _LiveRun:
    """The running loop once ``execute`` has built it, and an edit made before that.

    ``attach`` runs on the run's thread, ``send`` on the GUI thread; the lock orders them so
    an edit is never lost between the two."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._target: ChecklistTarget | None = None
        self._pending: Checklist | None = None

    def attach(self, target: ChecklistTarget) -> None:
        with self._lock:
            self._target = target
            pending, self._pending = self._pending, None
        if pending is not None:
            _apply(target, pending)

    def send(self, checklist: Checklist) -> bool:
        with self._lock:
            target = self._target
            if target is None:
                self._pending = checklist
                return True
        return _apply(target, checklist)


def _apply(target: ChecklistTarget, checklist: Checklist) -> bool:
    try:
        target.set_checklist(checklist)
    except ValueError as exc:  # the run judges the whole prompt: no list to edit
        log.info("checklist edit not applied: %s", exc)
        return False
    return True


class _Relay(QObject):
    """Lives on the GUI thread; emitted from workers, so its connections are queued."""

    event = Signal(object)  # type: ignore[assignment]  # see RunController.event
    finished = Signal(object)
    failed = Signal(str, str)


class RunController(QObject):
    """One run at a time. ``start`` returns at once; the outcome arrives as ``finished``
    (a RunResult: approved, not approved, error or cancelled, everything kept) or
    ``failed(message, details)`` when the run could not start at all."""

    # The name the window's contract asks for. It hides QObject.event() from Python only;
    # Qt's own event dispatch (queued calls, timers) still reaches the C++ method.
    event = Signal(object)  # type: ignore[assignment]
    finished = Signal(object)
    failed = Signal(str, str)
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, execute: ExecuteFn | None = None) -> None:
        """``execute``: how a run is carried out (``services.run.execute`` when None)."""
        super().__init__(parent)
        self._execute = execute
        self._thread: threading.Thread | None = None
        self._token: CancelToken | None = None
        self._live: _LiveRun | None = None
        self._params: RunParams | None = None
        self._relay = _Relay()
        queued = Qt.ConnectionType.QueuedConnection
        self._relay.event.connect(self.event, queued)
        self._relay.finished.connect(self._on_finished, queued)
        self._relay.failed.connect(self._on_failed, queued)
        self.last_result: RunResult | None = None

    @property
    def is_running(self) -> bool:
        return self._thread is not None

    @property
    def cancelling(self) -> bool:
        return self._token is not None and self._token.cancelled

    def start(
        self,
        params: RunParams,
        credentials: CredentialsSource,
        *,
        price_overrides: Overrides | None = None,
        monthly_left: MonthlyLeft | None = None,
    ) -> bool:
        """Validate (quick, pure Python) and start the worker. False, with ``failed``
        emitted, when the parameters are invalid or a run is already going.

        ``price_overrides``: the person's own price rows; ``monthly_left``: asked on the
        run's thread for what the monthly budget still allows (a history query), so a
        cap is checked against this month's spend as it stands when the run starts."""
        if self._thread is not None:
            self.failed.emit(
                self.tr("A run is already in progress."),
                self.tr("Cancel it or wait for it to end."),
            )
            return False
        try:
            run_check.check(params)
        except ValidationError as exc:
            self.failed.emit(*describe(exc))
            return False
        token = CancelToken()
        relay = self._relay
        execute = self._execute
        if execute is None:  # the loop and the clients: loaded at the first run
            from imgloop_desktop.services.run import execute as run_execute

            execute = run_execute
        live = _LiveRun()
        extra: dict[str, Any] = {}
        if takes_loop_ready(execute):
            extra[LOOP_READY] = live.attach
        if price_overrides is not None and takes_keyword(execute, PRICE_OVERRIDES):
            extra[PRICE_OVERRIDES] = price_overrides
        budget = monthly_left if takes_keyword(execute, MONTHLY_LEFT) else None
        thread = threading.Thread(
            target=_work,
            args=(execute, params, credentials, token, relay, extra, budget),
            name="imgloop-run",
        )
        self._token = token
        self._thread = thread
        self._params = params
        self._live = live if LOOP_READY in extra else None
        thread.start()
        self.runningChanged.emit(True)
        return True

    def cancel(self) -> None:
        """Ask the run to stop: no new Bedrock call starts; calls in flight get a moment to
        land (what they return is kept), then are abandoned, so the run ends within about
        two seconds whatever the service does."""
        if self._token is not None:
            self._token.cancel()

    @property
    def can_edit_checklist(self) -> bool:
        """Whether an edit made now reaches the run: one judging by checklist, on an
        execute function that hands over its loop."""
        params = self._params
        return self._live is not None and params is not None and params.uses_checklist

    def set_checklist(self, checklist: Checklist) -> bool:
        """Send a person's edit to the running loop (any time during the run; thread-safe).
        It applies from the next judgement; the loop confirms with ``ChecklistSet``
        (origin "edited"). False when no run could take it."""
        live = self._live
        if live is None or not self.can_edit_checklist:
            return False
        return live.send(checklist)

    def wait(self, timeout: float = JOIN_SECONDS) -> bool:
        """Block until the worker has ended (shutdown and tests only, never a slot). True
        when no worker is left."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def shutdown(self, timeout: float = JOIN_SECONDS) -> bool:
        self.cancel()
        return self.wait(timeout)

    def _reap(self) -> None:
        thread, self._thread, self._token = self._thread, None, None
        self._live = self._params = None
        if thread is not None:
            # The worker's last act was the emit that brought us here: it is returning.
            thread.join(JOIN_SECONDS)
            if thread.is_alive():
                log.warning("run worker still alive after reporting its end")
        self.runningChanged.emit(False)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        from imgloop_desktop.core.loop import RunResult  # loaded by the run that ended

        self._reap()
        if isinstance(result, RunResult):
            self.last_result = result
        self.finished.emit(result)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self._reap()
        self.failed.emit(message, details)


def _work(
    execute: ExecuteFn,
    params: RunParams,
    credentials: CredentialsSource,
    token: CancelToken,
    relay: _Relay,
    extra: dict[str, Any],
    monthly_left: MonthlyLeft | None = None,
) -> None:
    """The worker thread's whole life: what the monthly budget allows, the run (its clients
    closed on leaving), one report."""
    try:
        if monthly_left is not None:
            # The process's allowance for the month, shared with the queue's items.
            from imgloop_desktop.services.batch_engine import monthly_allowance

            extra = {**extra, MONTHLY_LEFT: monthly_allowance(monthly_left)}
        with execute(
            params, credentials=credentials, emit=relay.event.emit, cancel=token, **extra
        ) as run:
            result = run.result
    except ImgloopError as exc:  # invalid input, unusable profile or credentials
        emit_safely(relay.failed, *describe(exc))
    except OSError as exc:  # the image folder cannot be created, the disk is full, ...
        message, details = describe(exc)
        text = QCoreApplication.translate(
            "RunController", "The image folder cannot be used: {reason}"
        )
        emit_safely(relay.failed, text.format(reason=message), details)
    except Exception as exc:
        log_unexpected(exc, "starting the run")
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        text = QCoreApplication.translate("RunController", "Unexpected error: {error}")
        emit_safely(relay.failed, text.format(error=f"{type(exc).__name__}: {exc}"), details)
    else:
        emit_safely(relay.finished, result)
