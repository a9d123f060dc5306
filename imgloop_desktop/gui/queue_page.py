"""Preferences → Queue: how hard the run queue may press the account.

Three numbers with the ranges ``services.queue_limits`` checks, so a value the file would
refuse cannot be typed; Save writes ``<data dir>/queue.json`` and the queue uses them from
its next start (a running queue keeps the limits it started with, said under the fields).

"Use my account's quota" reads the account's requests-per-minute quota for the form's image
model from Service Quotas (``services.queue_limits.account_quota``) on the page's worker
(``gui.workers``: a network call never runs on the GUI thread) and fills the fields with
``suggested_limits``; nothing is saved until the person saves. Whose quota, which model
and which region come from ``quota_target``, a callable the Preferences dialog passes (asked
at each click, so a change of account while the dialog is open is followed); without one
the button is hidden. The offline demo has no AWS account: the button says so instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core.errors import ServiceError, ValidationError
from imgloop_desktop.gui.error_box import service_text
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context, shown
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services.queue_limits import (
    RANGES,
    ImageQuota,
    QueueLimits,
    QuotaTarget,
    account_quota,
    limits_file,
    load_limits,
    save_limits,
    suggested_limits,
)

NOTE = QT_TRANSLATE_NOOP(
    "QueuePage",
    "Bedrock's quotas are per model and per Region, and new accounts often get less than "
    "the published defaults; these start modest. When Bedrock answers that calls are too "
    "many, the queue slows down by itself and speeds up again as calls succeed, up to the "
    "rate set here. Service Quotas in the AWS console shows your account's values. Changes "
    "apply from the queue's next start.",
)
LABELS = {
    "items_at_once": QT_TRANSLATE_NOOP("QueuePage", "&Items running at once:"),
    "image_calls_at_once": QT_TRANSLATE_NOOP("QueuePage", "Image calls at &once:"),
    "image_calls_per_minute": QT_TRANSLATE_NOOP("QueuePage", "Image calls per &minute (at most):"),
}
DEFAULTS = QT_TRANSLATE_NOOP("QueuePage", "&Defaults")
SAVE = QT_TRANSLATE_NOOP("QueuePage", "&Save queue limits")
BAD_FILE = QT_TRANSLATE_NOOP(
    "QueuePage", "{path} could not be used ({problems}); showing the defaults."
)
NOT_SAVED = QT_TRANSLATE_NOOP("QueuePage", "Not saved: {error}")
SAVED = QT_TRANSLATE_NOOP("QueuePage", "Saved; the queue uses these from its next start.")
USE_QUOTA = QT_TRANSLATE_NOOP("QueuePage", "Use my account's &quota")
USE_QUOTA_TIP = QT_TRANSLATE_NOOP(
    "QueuePage",
    "Read the image model's requests-per-minute quota from Service Quotas with the "
    "credentials runs use (needs servicequotas:ListServiceQuotas) and fill the fields.",
)
READING_QUOTA = QT_TRANSLATE_NOOP("QueuePage", "Reading the quota of {model} from Service Quotas…")
QUOTA_READ = QT_TRANSLATE_NOOP(
    "QueuePage",
    "{model} in {region}: {count} requests per minute ({kind}). The fields now use it; "
    "save to keep them.",
)
APPLIED_QUOTA = QT_TRANSLATE_NOOP("QueuePage", "applied quota")
DEFAULT_QUOTA = QT_TRANSLATE_NOOP(
    "QueuePage", "AWS default quota; your account has no applied value"
)
QUOTA_FAILED = QT_TRANSLATE_NOOP("QueuePage", "Could not read the quota: {error}")
QUOTA_UNEXPECTED = QT_TRANSLATE_NOOP(
    "QueuePage", "Could not read the quota: unexpected error ({kind}: {error})"
)
NOT_IN_DEMO = QT_TRANSLATE_NOOP(
    "QueuePage",
    "Not available in the offline demo: its simulated Bedrock has no AWS account whose "
    "quotas could be read. Choose an AWS account or profile for runs first.",
)


_tr = in_context("QueuePage")


class QueuePage(QWidget):
    """``saved(QueueLimits)`` after a save."""

    saved = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        quota_target: Callable[[], QuotaTarget] | None = None,
    ) -> None:
        super().__init__(parent)
        self._quota_target = quota_target
        self._jobs = Workers("queue-quota", max_threads=1, thread_prefix="queue-", parent=self)
        self.quota: ImageQuota | None = None
        """The quota last read (shown in ``status``), or None."""
        self.setObjectName("queuePage")
        column = QVBoxLayout(self)
        form = QFormLayout()
        self.spins: dict[str, QSpinBox] = {}
        for name, (low, high) in RANGES.items():
            spin = QSpinBox()
            spin.setObjectName(name)
            spin.setRange(low, high)
            spin.valueChanged.connect(self._edited)
            label = QLabel(_tr(LABELS[name]))
            label.setBuddy(spin)
            form.addRow(label, spin)
            self.spins[name] = spin
        column.addLayout(form)
        note = QLabel(_tr(NOTE))
        note.setWordWrap(True)
        column.addWidget(note)
        self.status = QLabel()
        self.status.setObjectName("queueLimitsStatus")
        self.status.setWordWrap(True)
        column.addWidget(self.status)
        row = QHBoxLayout()
        self.quota_button = QPushButton(_tr(USE_QUOTA))
        self.quota_button.setObjectName("useAccountQuota")
        self.quota_button.setToolTip(_tr(USE_QUOTA_TIP))
        self.quota_button.clicked.connect(self.read_quota)
        self.quota_button.setVisible(quota_target is not None)
        row.addWidget(self.quota_button)
        row.addStretch(1)
        self.defaults_button = QPushButton(_tr(DEFAULTS))
        self.defaults_button.clicked.connect(lambda: self.show_limits(QueueLimits()))
        self.save_button = QPushButton(_tr(SAVE))
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.defaults_button)
        row.addWidget(self.save_button)
        column.addLayout(row)
        column.addStretch(1)
        self._saved = QueueLimits()
        self.load()

    def load(self) -> None:
        try:
            self._saved = load_limits()
            self.status.setText("")
        except ValidationError as exc:
            self._saved = QueueLimits()
            problems = "; ".join(shown(p.sentence()) for p in exc.problems)
            self.status.setText(_tr(BAD_FILE).format(path=limits_file(), problems=problems))
        self.show_limits(self._saved)
        self.save_button.setEnabled(False)

    def show_limits(self, limits: QueueLimits) -> None:
        for name, spin in self.spins.items():
            spin.setValue(getattr(limits, name))

    def limits(self) -> QueueLimits:
        return replace(QueueLimits(), **{n: s.value() for n, s in self.spins.items()})

    def dirty(self) -> bool:
        return self.limits() != self._saved

    @Slot()
    def _edited(self) -> None:
        self.save_button.setEnabled(self.dirty())

    @Slot()
    def save(self) -> bool:
        limits = self.limits()
        try:
            save_limits(limits)
        except (ValidationError, OSError) as exc:
            self.status.setText(_tr(NOT_SAVED).format(error=exc))
            return False
        self._saved = limits
        self.save_button.setEnabled(False)
        self.status.setText(_tr(SAVED))
        self.saved.emit(limits)
        return True

    # -- the account's quota ------------------------------------------------------------

    @Slot()
    def read_quota(self) -> None:
        """Read the quota on the page's worker; the demo (no account) is said instead."""
        if self._quota_target is None:
            return
        target = self._quota_target()
        if target.source is None:
            self.status.setText(_tr(NOT_IN_DEMO))
            return
        self.quota_button.setEnabled(False)
        self.status.setText(_tr(READING_QUOTA).format(model=target.image_model_id))
        self._jobs.start(
            lambda: account_quota(target),
            returned=self._quota_read,
            errored=self._quota_failed,
            finished=lambda: self.quota_button.setEnabled(True),
            supersede="quota",
            name="quota",
        )

    def _quota_read(self, quota: ImageQuota) -> None:
        self.quota = quota
        self.show_limits(suggested_limits(quota, self.limits()))
        count = quota.requests_per_minute
        self.status.setText(
            _tr(QUOTA_READ).format(
                model=quota.model_name,
                region=quota.region,
                count=int(count) if count.is_integer() else f"{count:g}",
                kind=_tr(APPLIED_QUOTA if quota.applied else DEFAULT_QUOTA),
            )
        )

    def _quota_failed(self, error: BaseException) -> None:
        if isinstance(error, ServiceError):
            text = _tr(QUOTA_FAILED).format(error=service_text(error))
        elif isinstance(error, ValidationError):
            problems = "; ".join(shown(p.sentence()) for p in error.problems)
            text = _tr(QUOTA_FAILED).format(error=problems)
        else:  # logged with its traceback by gui.workers when it is unexpected
            text = _tr(QUOTA_UNEXPECTED).format(kind=type(error).__name__, error=error)
        self.status.setText(text)

    def wait_for_workers(self, timeout: float = 30.0) -> bool:
        """Join the quota read's thread (tests, shutdown)."""
        return self._jobs.wait(timeout)

    def close_workers(self) -> None:
        """Drop a quota read still running (the dialog closes): its answer is not wanted,
        and its thread ends by itself within the client's timeouts."""
        self._jobs.close()
