"""A dock whose content is built when it is first shown: the docks a start leaves closed
(history, review, queue) cost the start nothing."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDockWidget, QWidget


class LazyDock(QDockWidget):
    """A dock whose content is built the first time the dock is shown or ``content()`` is
    called (issue 15: the docks a start leaves closed cost it nothing).

    The shell exists from the start with its object name, so ``QMainWindow.restoreState``
    places it and shows it when the person left it open, and ``tabifyDockWidget`` and the
    actions that toggle it work as with any dock. Every way a dock becomes visible (``show``,
    ``restoreState``, its toggle action) goes through the virtual ``setVisible``, which
    builds the content first, so a dock never paints empty. ``built`` fires once, after.
    """

    built = Signal()

    def __init__(self, title: str, name: str, build: Callable[[], QWidget], parent: QWidget):
        super().__init__(title, parent)
        self.setObjectName(name)
        self._build = build
        self._content: QWidget | None = None

    @property
    def is_built(self) -> bool:
        return self._content is not None

    def content(self) -> QWidget:
        """The dock's widget, built now if it was not yet."""
        if self._content is None:
            self._content = self._build()
            self.setWidget(self._content)
            self.built.emit()
        return self._content

    def setVisible(self, visible: bool, /) -> None:
        if visible:
            self.content()
        super().setVisible(visible)
