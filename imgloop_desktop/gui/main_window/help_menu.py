"""Help: keyboard shortcuts, the README's troubleshooting, the log folder, About.

Everything here works offline: the shortcuts table is rendered from the same action list
that builds the menus (so it cannot disagree with them), the troubleshooting text is the
README's own section (shipped in the bundle's resources), and About reads the licences of
the bundled components from their installed metadata rather than from a list of our own
that would go stale.

The log folder opens through ``gui.folders.open_folder`` (a desktop without a file manager
gets a message and the path to copy).
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from imgloop_desktop import __version__, logs
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP, in_context
from imgloop_desktop.gui.main_window.actions import ACTIONS
from imgloop_desktop.resources import resources_dir

# Distributions the app ships (the desktop extra and the core), as pip names them.
COMPONENTS = (
    "PySide6-Essentials",
    "shiboken6",
    "boto3",
    "botocore",
    "Pillow",
    "platformdirs",
    "keyring",
    "qasync",
    "c2pa-python",
)
NO_TROUBLESHOOTING = QT_TRANSLATE_NOOP(
    "Help",
    "The README is not part of this installation. Its Troubleshooting section is in the "
    "project's README.md.",
)
GALLERY_KEYS = QT_TRANSLATE_NOOP(
    "Help",
    "In the gallery: arrow keys move between images, Space or Enter opens the viewer, "
    "C compares the selected images, Ctrl+wheel changes the thumbnail size. In the "
    "viewer: + and - zoom, 0 fits, 1 shows 100 %, Left/Right move through the run, Esc "
    "goes back.",
)


def shortcuts_markdown() -> str:
    command = QCoreApplication.translate("Help", "Command")
    shortcut = QCoreApplication.translate("Help", "Shortcut")
    rows = [f"| {command} | {shortcut} |", "|---|---|"]
    for spec in ACTIONS:
        keys = f" {QCoreApplication.translate('Help', 'or')} ".join(spec.shortcuts) or "—"
        text = QCoreApplication.translate("Actions", spec.text).replace("&", "")
        rows.append(f"| {text} | {keys} |")
    rows += ["", _tr(GALLERY_KEYS)]
    return "\n".join(rows)


_tr = in_context("Help")


def readme_path() -> Path | None:
    """README.md in the bundle's resources, or at the root of a source checkout."""
    candidates = []
    base = resources_dir()
    if base is not None:
        candidates += [base / "README.md", base.parent / "README.md"]
    return next((c for c in candidates if c.is_file()), None)


def troubleshooting_markdown(readme: Path | None = None) -> str:
    """The README's ``## Troubleshooting`` section, up to the next ``## `` heading."""
    readme = readme or readme_path()
    if readme is None:
        return _tr(NO_TROUBLESHOOTING)
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError:
        return _tr(NO_TROUBLESHOOTING)
    match = re.search(r"^## Troubleshooting\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return "## Troubleshooting\n" + match.group(1) if match else _tr(NO_TROUBLESHOOTING)


def licences_markdown() -> str:
    """Each shipped component's version and licence, from its installed metadata."""
    component = QCoreApplication.translate("Help", "Component")
    version = QCoreApplication.translate("Help", "Version")
    licence_ = QCoreApplication.translate("Help", "Licence")
    rows = [f"| {component} | {version} | {licence_} |", "|---|---|---|"]
    for name in COMPONENTS:
        try:
            meta = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            continue
        licence = _first(meta, "License-Expression") or _first(meta, "License")
        if not licence or len(licence) > 60:  # some put the whole text here
            classifiers = [c for c in meta.get_all("Classifier") or [] if "License ::" in c]
            licence = classifiers[0].rsplit("::", 1)[-1].strip() if classifiers else "—"
        rows.append(f"| {name} | {_first(meta, 'Version')} | {licence} |")
    return "\n".join(rows)


def _first(meta: metadata.PackageMetadata, field: str) -> str:
    values = meta.get_all(field) or []
    return str(values[0]) if values else ""


def about_markdown() -> str:
    return (
        f"# imgloop desktop {__version__}\n\n"
        + _tr(
            "Gets an image that matches what you asked for: an image model on Amazon Bedrock "
            "generates, a vision model judges against your words, and the prompt is revised "
            "until an image is approved or your limits are spent."
        )
        + "\n\n"
        + QCoreApplication.translate(
            "Help", "Qt is used under the LGPL v3; its source is at https://download.qt.io."
        )
        + "\n\n"
        + licences_markdown()
    )


def show_markdown(parent: QWidget, title: str, markdown: str, name: str) -> QDialog:
    """A non-blocking window with rendered Markdown (links open in the browser)."""
    dialog = QDialog(parent)
    dialog.setObjectName(name)
    dialog.setWindowTitle(title)
    column = QVBoxLayout(dialog)
    text = QTextBrowser()
    text.setOpenExternalLinks(True)
    text.setMarkdown(markdown)
    column.addWidget(text)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    column.addWidget(buttons)
    dialog.resize(720, 560)
    dialog.open()
    return dialog


def log_folder() -> Path:
    folder = logs.log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder
