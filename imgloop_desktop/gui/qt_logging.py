"""Qt's own messages (a missing platform plugin, a font that failed to load, a bad
connection) into Python logging, so they land in the log file with everything else.

By default Qt prints them to stderr, which a double-clicked app does not have. Each message
goes to a logger named after its Qt category (``qt.qpa.xcb`` → ``qt.qpa.xcb``, the default
category → ``qt``), at the matching level.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def logger_for(category: str | None) -> logging.Logger:
    if not category or category == "default":
        return logging.getLogger("qt")
    return logging.getLogger(category if category.startswith("qt") else f"qt.{category}")


def qt_message_handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Never raises: an exception here would come back through Qt while it is reporting."""
    try:
        level = LEVELS.get(kind, logging.WARNING)
        logger = logger_for(context.category)
        if not logger.isEnabledFor(level):
            return
        where = f" ({context.file}:{context.line})" if context.file else ""
        logger.log(level, "%s%s", message, where)
    except Exception:  # pragma: no cover - logging itself failed; nothing better to do
        pass


def install_qt_message_handler() -> Callable[[], None]:
    """Route Qt messages into logging; returns a function that puts the old handler back."""
    previous = qInstallMessageHandler(qt_message_handler)

    def uninstall() -> None:
        qInstallMessageHandler(previous)

    return uninstall
