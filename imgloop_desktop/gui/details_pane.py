"""The selected image in full, with everything that made it and the judge's word on it, and
the person's own decision, which overrides the judge while keeping its verdict on record.

What the judge was actually given is said too: a note when it saw a smaller or re-encoded
copy (Converse's image limits), and a note when the judge model refused a sampling setting
and was asked again without it. A verdict read without them could be taken for a verdict
on the full image under the settings in the form. The regions the models ran in are shown
beside the models (they may differ).

A checklist verdict (issue 12) lists every requirement with the judge's finding (yes, no,
unsure, skipped because its parent failed, or error), whether it is a must or a should, and
the judge's evidence (elided in the table, whole on hover); the run's best image when none
was approved says so and what it still misses.

Content Credentials (a C2PA manifest; Amazon Nova Canvas signs every image) are verified on
the same worker and shown as "issued by …, valid / invalid", "none", or "unknown" with why (the
file is gone, or c2pa-python is not installed), so a person can tell an untouched signed
original from one whose signature no longer holds. The check is the one
``imgloop-cli history show`` and the history panel use
(``services.content_credentials.read_content_credentials``, the default ``read_credentials``);
tests may pass their own, or None to check nothing.

Everything shown is fetched by a worker (the row, its session's parameters, the decoded
image) and applied only if it is still the image asked for, so clicking quickly through
the gallery never shows one image's text under another's picture.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from PySide6.QtCore import QCoreApplication, QMimeData, QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.records import (
    Decision,
    ImageRecord,
    SessionTree,
    UploadState,
    VerdictRecord,
)
from imgloop_desktop.gui.badges import badge_for, badge_text
from imgloop_desktop.gui.cost_view import exact_cost
from imgloop_desktop.gui.folders import open_folder
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.gui.param_form.widgets import CaptionRows, ReflowGrid
from imgloop_desktop.gui.record_notes import judge_misses, judge_reason, regions_text
from imgloop_desktop.gui.workers import Workers
from imgloop_desktop.services.catalog import image_spec
from imgloop_desktop.services.content_credentials import read_content_credentials
from imgloop_desktop.services.history import HistoryService

log = logging.getLogger(__name__)

DETAILS = "details"
"""The workers' key for loading the shown image: a newer load drops the older answer."""

DEFAULT_REGION = "us-east-1"
MAX_PREVIEW_SIDE = 2048
"""Bigger images are scaled down on the worker: the pane never shows more than this."""

# What the fields say; the tests compare against these, so a wording change is one edit.
STATUS = QT_TRANSLATE_NOOP("DetailsPane", "{badge} ({approved})")
APPROVED = QT_TRANSLATE_NOOP("DetailsPane", "approved")
NOT_APPROVED = QT_TRANSLATE_NOOP("DetailsPane", "not approved")
NOT_JUDGED = QT_TRANSLATE_NOOP("DetailsPane", "not judged")
COST_WITH_JUDGING = QT_TRANSLATE_NOOP("DetailsPane", "{total} (judging {judging} of it)")
VERDICT = QT_TRANSLATE_NOOP("DetailsPane", "{result} by {model}{retried}")
ASKED_TWICE = QT_TRANSLATE_NOOP("DetailsPane", " (asked twice)")
NO_DECISION = QT_TRANSLATE_NOOP("DetailsPane", "none: the judge's verdict counts")
DECIDED_ON = QT_TRANSLATE_NOOP("DetailsPane", "{decision} on {at}")
SIZE = QT_TRANSLATE_NOOP("DetailsPane", "{width}x{height} px, {size:,} bytes")
UPLOAD_NONE = QT_TRANSLATE_NOOP("DetailsPane", "S3 was off for this run")
UPLOAD_PENDING = QT_TRANSLATE_NOOP("DetailsPane", "pending")
UPLOAD_DONE = QT_TRANSLATE_NOOP("DetailsPane", "done (s3://{bucket})")
UPLOAD_FAILED = QT_TRANSLATE_NOOP("DetailsPane", "failed: {error}")
FILE_MISSING = QT_TRANSLATE_NOOP("DetailsPane", "The image file is missing:\n{path}")
BEST = QT_TRANSLATE_NOOP("DetailsPane", "Best, not approved — {misses}")
BEST_NO_MISSES = QT_TRANSLATE_NOOP("DetailsPane", "Best, not approved (no image met every must)")
CHECK_COLUMNS = (
    QT_TRANSLATE_NOOP("DetailsPane", "Judge"),
    QT_TRANSLATE_NOOP("DetailsPane", "Requirement"),
    "",
    QT_TRANSLATE_NOOP("DetailsPane", "Evidence"),
)
RESULT_WORDS = {
    "yes": QT_TRANSLATE_NOOP("DetailsPane", "✓ yes"),
    "no": QT_TRANSLATE_NOOP("DetailsPane", "✗ no"),
    "unsure": QT_TRANSLATE_NOOP("DetailsPane", "? unsure"),
    "skipped": QT_TRANSLATE_NOOP("DetailsPane", "↷ skipped"),
    "error": QT_TRANSLATE_NOOP("DetailsPane", "⚠ error"),
}
NOT_ANSWERED = QT_TRANSLATE_NOOP("DetailsPane", "⚠ not answered")
SKIPPED_TIP = QT_TRANSLATE_NOOP(
    "DetailsPane", "Not judged: it only makes sense once the requirement it depends on is met."
)
MUST = QT_TRANSLATE_NOOP("DetailsPane", "must")
SHOULD = QT_TRANSLATE_NOOP("DetailsPane", "should")
YOU_SAID = QT_TRANSLATE_NOOP("DetailsPane", "{result} · you: {said}")
YOU_MET = QT_TRANSLATE_NOOP("DetailsPane", "met")
YOU_NOT_MET = QT_TRANSLATE_NOOP("DetailsPane", "not met")
CREDENTIALS_NONE = QT_TRANSLATE_NOOP("DetailsPane", "none")
CREDENTIALS_ISSUED = QT_TRANSLATE_NOOP("DetailsPane", "issued by {issuer}, {state}")
CREDENTIALS_STATE = QT_TRANSLATE_NOOP("DetailsPane", "{state}")
CREDENTIALS_UNKNOWN_ISSUER = QT_TRANSLATE_NOOP("DetailsPane", "an unnamed signer")
CREDENTIALS_NOT_CHECKED = QT_TRANSLATE_NOOP("DetailsPane", "not checked")

RESULTS = {
    "YES": QT_TRANSLATE_NOOP("DetailsPane", "YES"),
    "NO": QT_TRANSLATE_NOOP("DetailsPane", "NO"),
    "REVIEW": QT_TRANSLATE_NOOP("DetailsPane", "REVIEW"),
    "ERROR": QT_TRANSLATE_NOOP("DetailsPane", "ERROR"),
}
"""The judge's answer as the pane says it (the core's word in English)."""
DECISIONS = {
    Decision.APPROVED: QT_TRANSLATE_NOOP("DetailsPane", "approved"),
    Decision.REJECTED: QT_TRANSLATE_NOOP("DetailsPane", "rejected"),
}
CREDENTIAL_STATES = {
    "valid": QT_TRANSLATE_NOOP("DetailsPane", "valid"),
    "invalid": QT_TRANSLATE_NOOP("DetailsPane", "invalid"),
    "unchecked": QT_TRANSLATE_NOOP("DetailsPane", "unknown"),
}
WHERE = QT_TRANSLATE_NOOP(
    "DetailsPane", "prompt v{version}, attempt {attempt}, image {index} (history id {image_id})"
)
CFG_NOT_USED = QT_TRANSLATE_NOOP("DetailsPane", "{cfg}, not used ({model} has no CFG setting)")
FIELD_LABEL = QT_TRANSLATE_NOOP("DetailsPane", "{label}:")
SHOW_RAW = QT_TRANSLATE_NOOP("DetailsPane", "Show the judge's raw answer")
HIDE_RAW = QT_TRANSLATE_NOOP("DetailsPane", "Hide the judge's raw answer")
SAVE_FAILED = QT_TRANSLATE_NOOP("DetailsPane", "The decision could not be saved: {error}")
SHOW_FAILED = QT_TRANSLATE_NOOP("DetailsPane", "Image {image_id} could not be shown: {error}")


tr = in_context("DetailsPane")


def result_word(result: str) -> str:
    return tr(RESULTS[result]) if result in RESULTS else result


def decision_word(decision: Decision) -> str:
    return tr(DECISIONS[decision]) if decision in DECISIONS else decision.value


UrlOpener = Callable[[QUrl], Any]


class Credentials(Protocol):
    """What a Content Credentials check answers (``storage.provenance.ContentCredentials``
    has this shape; the pane names no storage type, so it takes anything that does)."""

    @property
    def state(self) -> str: ...
    @property
    def issuer(self) -> str: ...
    @property
    def detail(self) -> str: ...


CredentialsReader = Callable[[Path], Credentials]
_SHOWN_WHEN_SET = ("best", "judge_image", "judge_notes", "regions", "cost")
"""Rows shown only when they have something to say."""


def s3_console_url(bucket: str, key: str, region: str) -> str:
    return (
        f"https://s3.console.aws.amazon.com/s3/object/{quote(bucket, safe='')}"
        f"?region={quote(region or DEFAULT_REGION, safe='')}&prefix={quote(key, safe='/')}"
    )


@dataclass(frozen=True)
class ImageDetails:
    """Plain data for one image: its row and what its session says about how it was made."""

    image: ImageRecord
    original_prompt: str
    image_model_id: str
    judge_model_id: str
    cfg_scale: float | None
    region: str
    picture: QImage | None = None
    image_region: str = ""
    judge_region: str = ""
    best: bool = False
    """The run's best image when none was approved (``SessionTree.best_image_id``)."""
    best_misses: str = ""
    credentials: Credentials | None = None
    """None when no verifier was given (nothing is claimed either way)."""

    @property
    def s3_url(self) -> str | None:
        if not self.image.s3_bucket or not self.image.s3_key:
            return None
        return s3_console_url(self.image.s3_bucket, self.image.s3_key, self.region)


def load_details(
    history: HistoryService,
    image_id: int,
    *,
    picture: bool = True,
    read_credentials: CredentialsReader | None = None,
) -> ImageDetails:
    """Blocking (worker side): the C2PA check hashes the whole file, so it runs here too."""
    image = history.image(image_id)
    tree: SessionTree = history.session(image.run_id)
    cfg: float | None = None
    for version in tree.prompt_versions:
        for attempt in version.attempts:
            if (attempt.revision, attempt.attempt) == (image.revision, image.attempt):
                value = attempt.request.get("cfg_scale")
                cfg = float(value) if isinstance(value, int | float) else None
    if cfg is None:
        value = tree.params.get("titan_img_cfg_scale")
        cfg = float(value) if isinstance(value, int | float) else None
    region = tree.params.get("aws_region")
    qimage: QImage | None = None
    if picture:
        qimage = QImage(str(image.path))
        if qimage.isNull():
            qimage = None
        elif max(qimage.width(), qimage.height()) > MAX_PREVIEW_SIDE:
            qimage = qimage.scaled(
                QSize(MAX_PREVIEW_SIDE, MAX_PREVIEW_SIDE),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
    return ImageDetails(
        image=image,
        original_prompt=tree.prompt,
        image_model_id=tree.image_model_id,
        judge_model_id=tree.judge_model_id,
        cfg_scale=cfg,
        region=region if isinstance(region, str) and region else DEFAULT_REGION,
        picture=qimage,
        image_region=tree.image_region,
        judge_region=tree.judge_region,
        best=image.is_best or (tree.best_image_id is not None and tree.best_image_id == image_id),
        best_misses=tree.best_misses,
        credentials=read_credentials(image.path) if read_credentials is not None else None,
    )


def credentials_text(credentials: Credentials | None) -> str:
    """The "Content Credentials" row: who signed and whether it still holds, with the
    verifier's detail (which check failed, or that the signer is not on a trust list)."""
    if credentials is None:
        return tr(CREDENTIALS_NOT_CHECKED)
    if credentials.state == "none":
        return tr(CREDENTIALS_NONE)
    state = CREDENTIAL_STATES.get(credentials.state)
    state = tr(state) if state is not None else credentials.state
    if credentials.issuer or credentials.state in ("valid", "invalid"):
        issuer = credentials.issuer or tr(CREDENTIALS_UNKNOWN_ISSUER)
        text = tr(CREDENTIALS_ISSUED).format(issuer=issuer, state=state)
    else:
        text = tr(CREDENTIALS_STATE).format(state=state)
    return f"{text} ({credentials.detail})" if credentials.detail else text


def check_rows(verdict: VerdictRecord | None, human: dict[str, bool]) -> list[tuple[str, ...]]:
    """(result, requirement, must/should, evidence, tooltip of the result) per item of a
    checklist verdict, in the checklist's order; [] for a whole-prompt verdict."""
    if verdict is None or verdict.checklist is None or verdict.checks is None:
        return []
    rows: list[tuple[str, ...]] = []
    for item in verdict.checklist.items:
        found = verdict.checks.get(item.id)
        result = tr(RESULT_WORDS[found.result] if found is not None else NOT_ANSWERED)
        if item.id in human:
            said = tr(YOU_MET if human[item.id] else YOU_NOT_MET)
            result = tr(YOU_SAID).format(result=result, said=said)
        evidence = found.evidence if found is not None else ""
        tip = tr(SKIPPED_TIP) if found is not None and found.result == "skipped" else ""
        rows.append((result, item.text, tr(MUST if item.must else SHOULD), evidence, tip))
    return rows


class _Picture(QLabel):
    """Scales the full image to fit whenever the pane is resized (from the kept pixmap)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._full: QPixmap | None = None

    def set_picture(self, pixmap: QPixmap | None, text: str = "") -> None:
        self._full = pixmap
        if pixmap is None:
            self.setPixmap(QPixmap())
            self.setText(text)
        else:
            self.setText("")
            self._rescale()

    def has_picture(self) -> bool:
        return self._full is not None

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._full is None:
            return
        self.setPixmap(
            self._full.scaled(
                self.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )


class DetailsPane(QWidget):
    """``show_image(id)`` (-1 clears). ``decisionChanged(id)`` after the history recorded a
    person's approve / reject / clear. ``loaded(id)`` once an image's details are shown.

    ``open_url`` opens folders and the S3 console; tests pass their own so nothing is
    launched.
    """

    decisionChanged = Signal(int)
    loaded = Signal(int)
    failed = Signal(str)

    def __init__(
        self,
        history: HistoryService,
        parent: QWidget | None = None,
        *,
        open_url: UrlOpener | None = None,
        read_credentials: CredentialsReader | None = read_content_credentials,
    ) -> None:
        super().__init__(parent)
        self.history = history
        self.read_credentials = read_credentials
        self.open_url: UrlOpener = open_url or QDesktopServices.openUrl
        self._jobs = Workers("details", max_threads=1, parent=self)
        self._image_id = -1
        self._busy = False
        self.details: ImageDetails | None = None

        self.picture = _Picture(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)

        self.approve_button = QPushButton(
            QCoreApplication.translate("DetailsPane", "&Approve"), self
        )
        self.reject_button = QPushButton(QCoreApplication.translate("DetailsPane", "Re&ject"), self)
        self.clear_button = QPushButton(
            QCoreApplication.translate("DetailsPane", "C&lear decision"), self
        )
        self.approve_button.setToolTip(
            QCoreApplication.translate("DetailsPane", "Approve this image, whatever the judge said")
        )
        self.reject_button.setToolTip(
            QCoreApplication.translate("DetailsPane", "Reject this image, whatever the judge said")
        )
        self.clear_button.setToolTip(
            QCoreApplication.translate(
                "DetailsPane", "Forget your decision; the judge's verdict counts again"
            )
        )

        self.copy_button = QPushButton(
            QCoreApplication.translate("DetailsPane", "&Copy image"), self
        )
        self.folder_button = QPushButton(
            QCoreApplication.translate("DetailsPane", "Open fol&der"), self
        )
        self.s3_button = QPushButton(
            QCoreApplication.translate("DetailsPane", "Open in S&3 console"), self
        )
        # Three a row when the pane is wide, fewer when it is not (deciding above acting
        # either way): two rows of three set the pane's least width (331 px), too wide for
        # three columns at 2x scale.
        self.buttons = ReflowGrid(
            [
                self.approve_button,
                self.reject_button,
                self.clear_button,
                self.copy_button,
                self.folder_button,
                self.s3_button,
            ],
            wide=([(i // 3, i % 3, 1, 1) for i in range(6)], {0: 1, 1: 1, 2: 1}),
            narrow=(
                [
                    (0, 0, 1, 1),
                    (0, 1, 1, 1),
                    (1, 0, 1, 2),
                    (2, 0, 1, 1),
                    (2, 1, 1, 1),
                    (3, 0, 1, 2),
                ],
                {0: 1, 1: 1},
            ),
            parent=self,
        )
        self.buttons.setObjectName("detailsButtons")

        self.fields: dict[str, QLabel] = {}
        form = CaptionRows()
        self._form = form
        for name, label in (
            ("status", QT_TRANSLATE_NOOP("DetailsPane", "Status")),
            ("verdict", QT_TRANSLATE_NOOP("DetailsPane", "Judge")),
            ("reason", QT_TRANSLATE_NOOP("DetailsPane", "Reason")),
            ("best", QT_TRANSLATE_NOOP("DetailsPane", "Best")),
            ("decision", QT_TRANSLATE_NOOP("DetailsPane", "Your decision")),
            ("prompt", QT_TRANSLATE_NOOP("DetailsPane", "Prompt used")),
            ("original_prompt", QT_TRANSLATE_NOOP("DetailsPane", "Original prompt")),
            ("seed", QT_TRANSLATE_NOOP("DetailsPane", "Seed")),
            ("size", QT_TRANSLATE_NOOP("DetailsPane", "Size")),
            ("cfg_scale", QT_TRANSLATE_NOOP("DetailsPane", "CFG scale")),
            ("image_model", QT_TRANSLATE_NOOP("DetailsPane", "Image model")),
            ("judge_model", QT_TRANSLATE_NOOP("DetailsPane", "Judge model")),
            ("judge_image", QT_TRANSLATE_NOOP("DetailsPane", "Judge saw")),
            ("judge_notes", QT_TRANSLATE_NOOP("DetailsPane", "Judge settings")),
            ("regions", QT_TRANSLATE_NOOP("DetailsPane", "Regions")),
            ("credentials", QT_TRANSLATE_NOOP("DetailsPane", "Content Credentials")),
            ("cost", QT_TRANSLATE_NOOP("DetailsPane", "Cost")),
            ("upload", QT_TRANSLATE_NOOP("DetailsPane", "S3 upload")),
            ("s3_key", QT_TRANSLATE_NOOP("DetailsPane", "S3 key")),
            ("file", QT_TRANSLATE_NOOP("DetailsPane", "File")),
            ("where", QT_TRANSLATE_NOOP("DetailsPane", "Position")),
        ):
            value = QLabel(self)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setTextFormat(Qt.TextFormat.PlainText)
            self.fields[name] = value
            form.addRow(tr(FIELD_LABEL).format(label=tr(label)), value)

        self.checks = QTableWidget(0, len(CHECK_COLUMNS), self)
        self.checks.setObjectName("checksTable")
        self.checks.setHorizontalHeaderLabels([tr(c) for c in CHECK_COLUMNS])
        self.checks.verticalHeader().setVisible(False)
        self.checks.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.checks.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.checks.setWordWrap(False)
        self.checks.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.checks.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        # Small minimum: a long checklist scrolls inside the table, not the pane.
        self.checks.setMinimumHeight(40)
        self.checks.setMaximumHeight(200)
        self.checks.setVisible(False)

        self.raw_toggle = QToolButton(self)
        self.raw_toggle.setText(tr(SHOW_RAW))
        self.raw_toggle.setCheckable(True)
        self.raw_text = QPlainTextEdit(self)
        self.raw_text.setReadOnly(True)
        self.raw_text.setVisible(False)
        self.raw_text.setMaximumHeight(160)

        # The picture (size policy Ignored) takes what the buttons leave; the fields, the
        # requirement table and the raw answer scroll below it, so a checklist verdict never
        # makes the window taller than the screen. Only vertically: the fields wrap to the
        # pane's width (the scroll area passes its width down for their height-for-width).
        below = QWidget(self)
        below_layout = QVBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        below_layout.addLayout(form)
        below_layout.addWidget(self.checks)
        below_layout.addWidget(self.raw_toggle)
        below_layout.addWidget(self.raw_text)
        below_layout.addStretch(1)
        self.fields_scroll = QScrollArea(self)
        self.fields_scroll.setObjectName("detailsFields")
        self.fields_scroll.setWidgetResizable(True)
        self.fields_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.fields_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fields_scroll.setWidget(below)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture, 2)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        layout.addWidget(self.fields_scroll, 3)

        self.approve_button.clicked.connect(lambda: self.decide(Decision.APPROVED))
        self.reject_button.clicked.connect(lambda: self.decide(Decision.REJECTED))
        self.clear_button.clicked.connect(lambda: self.decide(None))
        self.copy_button.clicked.connect(self.copy_image)
        self.folder_button.clicked.connect(self.open_folder)
        self.s3_button.clicked.connect(self.open_s3_console)
        self.raw_toggle.toggled.connect(self._toggle_raw)
        app = QCoreApplication.instance()
        if app is not None:  # the window should call close_workers(); this is the backstop
            app.aboutToQuit.connect(self.close_workers)
        self._show(None)

    # -- contract --------------------------------------------------------------------------

    @property
    def image_id(self) -> int:
        return self._image_id

    @Slot(int)
    def show_image(self, image_id: int) -> None:
        self._image_id = image_id
        self._jobs.supersede(DETAILS)  # another image was asked for
        if image_id < 0:
            self._show(None)
            return
        self.status.setText(QCoreApplication.translate("DetailsPane", "Loading…"))
        self._set_enabled(False)
        self._load(image_id, picture=True)

    @Slot(int)
    def on_image_updated(self, image_id: int) -> None:
        """The gallery saw this image change (a verdict arrived, an upload finished)."""
        if image_id == self._image_id and image_id >= 0 and not self._busy:
            self._load(image_id, picture=self._picture_for(image_id) is None)

    def _picture_for(self, image_id: int) -> QImage | None:
        """The picture on show, if it is ``image_id``'s (a fast image switch can leave the
        previous image's picture up while the new details load)."""
        details = self.details
        if details is None or details.image.image_id != image_id:
            return None
        return details.picture

    def decide(self, decision: Decision | None) -> None:
        """Record the person's decision (None clears it) off the GUI thread."""
        image_id = self._image_id
        if image_id < 0 or self._busy:
            return
        self._busy = True
        self._set_enabled(False)
        self.status.setText(QCoreApplication.translate("DetailsPane", "Saving your decision…"))
        history = self.history

        def failed(error: BaseException) -> None:
            self._busy = False
            self.status.setText(tr(SAVE_FAILED).format(error=error))
            self.failed.emit(str(error))
            self._set_enabled(True)

        def done(record: ImageRecord) -> None:
            self._busy = False
            if image_id == self._image_id and self.details is not None:
                self._show(replace(self.details, image=record), keep_picture=True)
            self.decisionChanged.emit(image_id)

        self._jobs.start(lambda: history.decide(image_id, decision), returned=done, errored=failed)

    def copy_image(self) -> None:
        details = self.details
        if details is None:
            return
        mime = QMimeData()
        if details.picture is not None:
            mime.setImageData(details.picture)
        mime.setUrls([QUrl.fromLocalFile(str(details.image.path))])
        QGuiApplication.clipboard().setMimeData(mime)
        self.status.setText(QCoreApplication.translate("DetailsPane", "Image copied."))

    def open_folder(self) -> None:
        if self.details is not None:
            open_folder(self, self.details.image.path.parent, self.open_url)

    def open_s3_console(self) -> None:
        url = self.details.s3_url if self.details is not None else None
        if url:
            self.open_url(QUrl(url))

    def wait_idle(self, msecs: int = 10_000) -> bool:
        return self._jobs.wait(msecs / 1000)

    def close_workers(self) -> None:
        self._jobs.close()
        self._jobs.wait()

    # -- internals -------------------------------------------------------------------------

    def _load(self, image_id: int, *, picture: bool) -> None:
        history = self.history
        read_credentials = self.read_credentials

        def failed(error: BaseException) -> None:
            self.details = None
            self._show(None)
            self.status.setText(tr(SHOW_FAILED).format(image_id=image_id, error=error))
            self.failed.emit(str(error))

        def done(details: ImageDetails) -> None:
            if not picture:  # only this image's own picture may be reused
                details = replace(details, picture=self._picture_for(image_id))
            self._show(details, keep_picture=not picture)
            self.loaded.emit(image_id)

        # Each load supersedes the one before: only the latest question's answer is shown.
        self._jobs.start(
            lambda: load_details(
                history, image_id, picture=picture, read_credentials=read_credentials
            ),
            returned=done,
            errored=failed,
            supersede=DETAILS,
        )

    def _set_enabled(self, on: bool) -> None:
        details = self.details if on else None
        has = details is not None
        decision = details.image.human_decision if details is not None else None
        self.approve_button.setEnabled(has and decision is not Decision.APPROVED)
        self.reject_button.setEnabled(has and decision is not Decision.REJECTED)
        self.clear_button.setEnabled(has and decision is not None)
        self.copy_button.setEnabled(has)
        self.folder_button.setEnabled(has)
        self.s3_button.setEnabled(details is not None and details.s3_url is not None)

    def _show(self, details: ImageDetails | None, *, keep_picture: bool = False) -> None:
        self.details = details
        if details is None:
            self.picture.set_picture(
                None, QCoreApplication.translate("DetailsPane", "No image selected")
            )
            for value in self.fields.values():
                value.setText("")
            for name in _SHOWN_WHEN_SET:
                self._form.setRowVisible(self.fields[name], False)
            self.raw_text.setPlainText("")
            self._show_checks([])
            self.status.setText("")
            self._set_enabled(False)
            return
        image = details.image
        if not keep_picture:
            if details.picture is not None:
                self.picture.set_picture(QPixmap.fromImage(details.picture))
            else:
                self.picture.set_picture(None, tr(FILE_MISSING).format(path=image.path))
        verdict = image.verdict
        badge = badge_for(
            verdict=verdict.result if verdict else None,
            human=image.human_decision,
            attempt_failed=False,
            judging=False,
        )
        approved = tr(APPROVED if image.effective_approved else NOT_APPROVED)
        f = self.fields
        score = verdict.badge if verdict else ""
        f["status"].setText(tr(STATUS).format(badge=badge_text(badge, score), approved=approved))
        if details.best:
            misses = judge_misses(image.verdict, details.best_misses)
            f["best"].setText(tr(BEST).format(misses=misses) if misses else tr(BEST_NO_MISSES))
        else:
            f["best"].setText("")
        self._show_checks(check_rows(verdict, image.human_items))
        if verdict is None:
            f["verdict"].setText(tr(NOT_JUDGED))
            f["reason"].setText("")
        else:
            retried = tr(ASKED_TWICE) if verdict.retried else ""
            f["verdict"].setText(
                tr(VERDICT).format(
                    result=result_word(verdict.result), model=verdict.model_id, retried=retried
                )
            )
            f["reason"].setText(judge_reason(verdict))
        if image.human_decision is None:
            f["decision"].setText(tr(NO_DECISION))
        elif image.decided_at is None:
            f["decision"].setText(decision_word(image.human_decision))
        else:
            at = f"{image.decided_at.astimezone():%Y-%m-%d %H:%M}"
            decision = decision_word(image.human_decision)
            f["decision"].setText(tr(DECIDED_ON).format(decision=decision, at=at))
        f["prompt"].setText(image.prompt)
        f["original_prompt"].setText(details.original_prompt)
        f["seed"].setText("" if image.seed is None else str(image.seed))
        f["size"].setText(
            tr(SIZE).format(width=image.width, height=image.height, size=image.size_bytes)
        )
        f["cfg_scale"].setText(cfg_text(details.cfg_scale, details.image_model_id))
        f["image_model"].setText(details.image_model_id)
        f["judge_model"].setText(details.judge_model_id)
        f["judge_image"].setText(verdict.judge_image if verdict else "")
        f["judge_notes"].setText(verdict.notes if verdict else "")
        f["regions"].setText(regions_text(details.image_region, details.judge_region))
        f["credentials"].setText(credentials_text(details.credentials))
        f["cost"].setText(cost_line(image))
        upload = {
            UploadState.NONE: tr(UPLOAD_NONE),
            UploadState.PENDING: tr(UPLOAD_PENDING),
            UploadState.DONE: tr(UPLOAD_DONE).format(bucket=image.s3_bucket),
            UploadState.FAILED: tr(UPLOAD_FAILED).format(error=image.upload_error),
        }[image.upload_state]
        f["upload"].setText(upload)
        f["s3_key"].setText(image.s3_key)
        f["file"].setText(str(image.path))
        f["where"].setText(
            tr(WHERE).format(
                version=image.revision + 1,
                attempt=image.attempt + 1,
                index=image.index + 1,
                image_id=image.image_id,
            )
        )
        self.raw_text.setPlainText(verdict.raw if verdict else "")
        for value in f.values():  # a narrow pane clips long values; the whole text on hover
            value.setToolTip(value.text())
        for name in _SHOWN_WHEN_SET:  # most verdicts have none: no empty rows for them
            self._form.setRowVisible(f[name], bool(f[name].text()))
        self.status.setText("")
        self._set_enabled(True)

    def _show_checks(self, rows: list[tuple[str, ...]]) -> None:
        """Every requirement of a checklist verdict; hidden for a whole-prompt one."""
        self.checks.setRowCount(len(rows))
        for r, (result, text, must, evidence, tip) in enumerate(rows):
            for c, value in enumerate((result, text, must, evidence)):
                cell = QTableWidgetItem(value)
                cell.setToolTip(tip if c == 0 and tip else value)
                self.checks.setItem(r, c, cell)
        self.checks.setVisible(bool(rows))

    @Slot(bool)
    def _toggle_raw(self, on: bool) -> None:
        self.raw_text.setVisible(on)
        self.raw_toggle.setText(tr(HIDE_RAW if on else SHOW_RAW))


def link_gallery_and_details(gallery: Any, details: DetailsPane) -> None:
    """Wire a ``GalleryPanel`` and a ``DetailsPane``: selection shows the image, a decision
    refreshes the gallery's badge, a live change refreshes the pane."""
    gallery.imageSelected.connect(details.show_image)
    details.decisionChanged.connect(gallery.refresh_image)
    gallery.imageUpdated.connect(details.on_image_updated)


def cost_line(image: ImageRecord) -> str:
    """What the image cost with what its judging cost, "" when the run recorded no spend
    (recorded before costs, or without a price table)."""
    if image.cost is None:
        return ""
    judged = image.verdict.cost if image.verdict is not None else None
    if judged is None:
        return exact_cost(image.cost)
    return tr(COST_WITH_JUDGING).format(total=exact_cost(image.cost), judging=exact_cost(judged))


def cfg_text(cfg_scale: float | None, image_model_id: str) -> str:
    """The CFG scale as the image was made: a model without the setting did not use it,
    whatever the run's parameters said (the seed's events always carry one)."""
    if cfg_scale is None:
        return ""
    try:
        spec = image_spec(image_model_id)
    except ValidationError:  # an id this version's catalog does not know
        return f"{cfg_scale:g}"
    if spec.cfg_range is None:
        return tr(CFG_NOT_USED).format(cfg=f"{cfg_scale:g}", model=spec.name)
    return f"{cfg_scale:g}"
