"""Runs happen off the GUI thread; their events come back to it through queued signals.

``RunController`` runs ``services.run.execute`` (the same call the headless command makes)
on one Python worker thread per run. The loop's events, emitted on its own threads, are
re-emitted by a small parentless relay object; Qt queues them to the GUI thread because
the relay lives there, so every slot connected to ``RunController.event`` runs on the GUI
thread, in the order the loop emitted. Nothing here touches a widget.

Workers are Python threads, not QThreads, as in the accounts dialog: a Python thread ends
visibly (the tests' no-thread-left check sees it joined), and boto3, sqlite3 and logging
need nothing from Qt.

``BackgroundCalls`` is the same idea for one-shot blocking calls the window makes (opening
the history store with its crash recovery, exporting approved images), and ``Backends`` is
the one place that knows which credentials a run uses.
"""

from __future__ import annotations

import logging
import os
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import boto3
from PySide6.QtCore import QObject, Qt, Signal, Slot

from imgloop_desktop.accounts import KeyringAccount
from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.errors import ImgloopError, ServiceError, ValidationError
from imgloop_desktop.core.events import Event
from imgloop_desktop.core.loop import RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.error_box import describe
from imgloop_desktop.providers.session import (
    Clients,
    CredentialsSource,
    DefaultChain,
    make_clients,
)
from imgloop_desktop.services import run as run_service
from imgloop_desktop.simulator.demo import DemoBackend

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
        clients: Clients | None = ...,
    ) -> tuple[RunResult, Clients]: ...


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

    def __init__(
        self, parent: QObject | None = None, *, execute: ExecuteFn = run_service.execute
    ) -> None:
        super().__init__(parent)
        self._execute = execute
        self._thread: threading.Thread | None = None
        self._token: CancelToken | None = None
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

    def start(self, params: RunParams, credentials: CredentialsSource) -> bool:
        """Validate (quick, pure Python) and start the worker. False, with ``failed``
        emitted, when the parameters are invalid or a run is already going."""
        if self._thread is not None:
            self.failed.emit("A run is already in progress.", "Cancel it or wait for it to end.")
            return False
        try:
            run_service.check(params)
        except ValidationError as exc:
            self.failed.emit(*describe(exc))
            return False
        token = CancelToken()
        relay = self._relay
        execute = self._execute
        thread = threading.Thread(
            target=_work,
            args=(execute, params, credentials, token, relay),
            name="imgloop-run",
        )
        self._token = token
        self._thread = thread
        thread.start()
        self.runningChanged.emit(True)
        return True

    def cancel(self) -> None:
        """Ask the run to stop: no new Bedrock call starts; calls in flight get a moment to
        land (what they return is kept), then are abandoned, so the run ends within about
        two seconds whatever the service does."""
        if self._token is not None:
            self._token.cancel()

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
        if thread is not None:
            # The worker's last act was the emit that brought us here: it is returning.
            thread.join(JOIN_SECONDS)
            if thread.is_alive():
                log.warning("run worker still alive after reporting its end")
        self.runningChanged.emit(False)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
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
) -> None:
    """The worker thread's whole life: clients, the run, one report back."""
    clients: Clients | None = None
    try:
        clients = make_clients(credentials, params.aws_region or None)
        result, _ = execute(
            params, credentials=credentials, emit=relay.event.emit, cancel=token, clients=clients
        )
    except ImgloopError as exc:  # invalid input, unusable profile or credentials
        _report(relay.failed, *describe(exc))
    except OSError as exc:  # the image folder cannot be created, the disk is full, ...
        message, details = describe(exc)
        _report(relay.failed, f"The image folder cannot be used: {message}", details)
    except Exception as exc:
        log.exception("run failed before it could start")
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        _report(relay.failed, f"Unexpected error: {type(exc).__name__}: {exc}", details)
    else:
        _report(relay.finished, result)
    finally:
        if clients is not None:
            _close_clients(clients)


def _report(signal: Any, *args: object) -> None:
    try:
        signal.emit(*args)
    except RuntimeError:  # the window is gone (application quitting)
        log.debug("run ended after its controller was deleted")


def _close_clients(clients: Clients) -> None:
    """Close the connection pools now rather than leave sockets to the garbage collector."""
    for client in (clients.bedrock_runtime, clients.s3):
        try:
            client.close()
        except Exception:
            log.debug("closing a boto3 client failed", exc_info=True)


# -- one-shot background calls --------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    value: object = None
    error: BaseException | None = None


class BackgroundCalls(QObject):
    """Run a blocking callable on a short-lived worker; its result or exception comes back
    to a callback on the GUI thread."""

    _done = Signal(object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._threads: list[threading.Thread] = []
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def pending(self) -> int:
        return sum(1 for t in self._threads if t.is_alive())

    def submit(
        self,
        name: str,
        work: Callable[[], object],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        done = self._done

        def run() -> None:
            try:
                outcome = _Outcome(value=work())
            except Exception as exc:
                outcome = _Outcome(error=exc)
            _report(done, on_done, on_error, outcome)

        thread = threading.Thread(target=run, name=f"imgloop-{name}")
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def wait(self, timeout: float = JOIN_SECONDS) -> bool:
        for thread in list(self._threads):
            thread.join(timeout)
        return self.pending == 0

    @Slot(object, object, object)
    def _deliver(self, on_done: Any, on_error: Any, outcome: _Outcome) -> None:
        self._threads = [t for t in self._threads if t.is_alive()]
        if outcome.error is not None:
            on_error(outcome.error)
        else:
            on_done(outcome.value)


# -- backends ---------------------------------------------------------------------------------


DEFAULT_KEY = "aws-default"
DEMO_KEY = "demo"
PROFILE_PREFIX = "aws-profile:"
ACCOUNT_PREFIX = "aws-account:"


@dataclass(frozen=True)
class Backend:
    """One entry of the backend picker. ``key`` is what the settings remember (never a
    secret); ``synthetic`` means the images are made up by the local simulator."""

    key: str
    label: str
    kind: str
    profile: str = ""  # the AWS profile, or the keyring account's name

    @property
    def synthetic(self) -> bool:
        return self.kind == DEMO_KEY


def aws_profiles() -> list[str]:
    """Profile names from ~/.aws (no credentials resolved, no network); a broken config
    file gives none rather than an error, the picker is not where to debug it."""
    try:
        return sorted(boto3.Session().available_profiles)
    except Exception:
        log.debug("listing AWS profiles failed", exc_info=True)
        return []


def backend_choices(
    profiles: Iterable[str] | None = None, accounts: Iterable[str] = ()
) -> list[Backend]:
    """Every backend a run can use, in picker order: keyring accounts first (the way the
    app itself keeps keys), then the standard chain and profiles, then the demo."""
    names = aws_profiles() if profiles is None else list(profiles)
    choices = [
        Backend(f"{ACCOUNT_PREFIX}{name}", f"AWS account: {name} (OS keyring)", "account", name)
        for name in accounts
    ]
    choices.append(Backend(DEFAULT_KEY, "AWS (default credential chain)", "default"))
    choices += [
        Backend(f"{PROFILE_PREFIX}{name}", f"AWS profile: {name}", "profile", name)
        for name in names
    ]
    choices.append(Backend(DEMO_KEY, "Offline demo (simulated Bedrock)", DEMO_KEY))
    return choices


def has_aws_hint(profiles: Iterable[str] | None = None) -> bool:
    """Whether this machine looks set up for AWS, from the environment and config files
    alone (resolving credentials could wait on the network); picks the first-launch
    default between AWS and the demo."""
    if any(os.environ.get(v) for v in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_ROLE_ARN")):
        return True
    return bool(aws_profiles() if profiles is None else list(profiles))


class Backends:
    """The chosen backend, and the demo's simulator for as long as the demo is chosen."""

    def __init__(self, demo_factory: Callable[[], DemoBackend] = DemoBackend) -> None:
        self._demo_factory = demo_factory
        self._demo: DemoBackend | None = None
        self._demo_credentials: CredentialsSource | None = None
        self.current: Backend | None = None

    def select(self, backend: Backend) -> None:
        if self.current == backend:
            return
        if not backend.synthetic:
            self._stop_demo()
        elif self._demo is None:
            demo = self._demo_factory()
            self._demo_credentials = demo.start()
            self._demo = demo
        self.current = backend

    def credentials(self) -> CredentialsSource:
        backend = self.current
        if backend is None:
            raise ServiceError("No backend is chosen.", hint="Pick one in the toolbar.")
        if backend.synthetic:
            assert self._demo_credentials is not None
            return self._demo_credentials
        if backend.kind == "profile":
            return DefaultChain(profile=backend.profile)
        if backend.kind == "account":
            return KeyringAccount(backend.profile)
        return DefaultChain()

    @property
    def demo_running(self) -> bool:
        return self._demo is not None

    def _stop_demo(self) -> None:
        demo, self._demo, self._demo_credentials = self._demo, None, None
        if demo is not None:
            demo.stop()

    def close(self) -> None:
        self._stop_demo()
        self.current = None
