"""Errors a person can read: one plain sentence up front, the technical part behind
"Show Details…".

Expected failures (invalid input, no credentials, a model not enabled, throttling, S3
refusing) are ``ImgloopError``s whose message already says what happened and what to do, so
they are shown as is, never as a traceback. Only a real bug gets a traceback, and only in
the details.

Boxes are opened with ``open()`` (window-modal, no nested event loop), so showing one from a
slot never blocks the asyncio loop qasync shares with Qt.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from imgloop_desktop.core.errors import ImgloopError, Problem, ServiceError, ValidationError
from imgloop_desktop.gui.i18n import shown

TITLE = "imgloop desktop"


def problems_text(problems: Iterable[Problem]) -> str:
    """One line per problem, each naming the field, the value and what is allowed, in the
    window's language."""
    return "\n".join(f"• {shown(problem.sentence())}" for problem in problems)


def service_text(exc: ServiceError) -> str:
    """What went wrong and what to do about it, in the window's language (the English is
    ``str(exc)``, word for word)."""
    message = shown(exc.explanation)
    if not exc.advice:
        return message
    joined = QCoreApplication.translate("ErrorBox", "{message} {hint}")
    return joined.format(message=message, hint=shown(exc.advice)).strip()


def describe(exc: BaseException) -> tuple[str, str]:
    """(message, details) for any exception: plain words for ours, a traceback for bugs."""
    if isinstance(exc, ValidationError):
        count = len(exc.problems)
        if count == 1:
            message = QCoreApplication.translate("ErrorBox", "{count} value is not allowed.")
        else:
            message = QCoreApplication.translate("ErrorBox", "{count} values are not allowed.")
        return message.format(count=count), problems_text(exc.problems)
    if isinstance(exc, ServiceError):
        text = service_text(exc)
        lines = [text]
        if exc.model_id:
            lines.append(
                QCoreApplication.translate("ErrorBox", "Model: {model}").format(model=exc.model_id)
            )
        if exc.region:
            lines.append(
                QCoreApplication.translate("ErrorBox", "Region: {region}").format(region=exc.region)
            )
        return text, "\n".join(lines)
    if isinstance(exc, ImgloopError):
        return str(exc), f"{type(exc).__name__}: {exc}"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or exc}{where}", f"{type(exc).__name__}: {exc}"
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    message = QCoreApplication.translate("ErrorBox", "Unexpected error: {kind}: {error}").format(
        kind=type(exc).__name__, error=exc
    )
    return message, details


def show_error(
    parent: QWidget | None,
    message: str,
    details: str = "",
    *,
    title: str = TITLE,
    informative: str = "",
    icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
    modal: bool = True,
) -> QMessageBox:
    """Open a message box and return it at once (tests find and close it): window-modal,
    or with ``modal`` False a box that leaves the window usable (reports to read later)."""
    box = QMessageBox(parent)
    box.setObjectName("errorBox")
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(message)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if informative:
        box.setInformativeText(informative)
    if details and details.strip() != message.strip():
        box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if modal:
        box.open()  # window-modal, without a nested event loop
    else:
        box.setModal(False)
        box.show()
    return box


def show_exception(parent: QWidget | None, exc: BaseException, *, doing: str = "") -> QMessageBox:
    """``doing`` is the headline ("Could not read the event file"); the error's own words
    follow under it."""
    message, details = describe(exc)
    if not doing:
        return show_error(parent, message, details)
    return show_error(parent, doing, details, informative=message)


def show_info(
    parent: QWidget | None, message: str, details: str = "", *, modal: bool = True
) -> QMessageBox:
    return show_error(parent, message, details, icon=QMessageBox.Icon.Information, modal=modal)
