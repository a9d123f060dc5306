"""The parameter form under the Japanese translation: its labels, buttons, box titles,
placeholders and tooltips show no English beyond names (models, AWS, S3, units, the
event's field names in tooltips)."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.param_decl import Section
from imgloop_desktop.gui.param_form.form import ParamForm
from tests.gui.test_translations import english_in, japanese
from tests.gui.window_runs import MakeWindow

__all__ = ["japanese"]  # the fixture, found by pytest under its name

# Names that stay as they are: model names, the catalog's and Bedrock's words for them,
# example values, and the event's field names a tooltip ends with.
NAMES = re.compile(
    r"Stable Diffusion 3\.5 Large|Stable Image (Core|Ultra)|Stability|Titan Image Generator"
    r"( G1)?( v2)?|Titan|Nova Canvas|Nova|Claude[\w .]*|Sonnet|Haiku|Opus|Converse|ARN|"
    r"us-east-1|my-bucket|top[- ][pk]|CFG|YES/NO|imgloop-cli|unset|px|"
    r"[(\uff08]([a-z0-9_]+(, )?)+[)\uff09]|"
    r"`[^`]*`|\{[^}]*\}"
)


def english(text: str) -> list[str]:
    return english_in(NAMES.sub("", text))


def shown(form: QWidget) -> list[str]:
    """Every piece of text the form shows on a visible widget, labelled for the failure."""
    found: list[str] = []
    for child in form.findChildren(QWidget):
        if not child.isVisibleTo(form):
            continue
        name = child.objectName() or type(child).__name__
        texts: list[tuple[str, str]] = [("tooltip", child.toolTip())]
        if isinstance(child, QAbstractButton):
            texts.append(("button", child.text()))
        elif isinstance(child, QLabel) and name not in ("modelNote", "judgeNote", "costNote"):
            # The model notes quote the catalog's notes and where a lifecycle came from
            # (services); the cost note is core's sentence: not this area's text.
            texts.append(("label", child.text()))
        elif isinstance(child, QGroupBox):
            texts.append(("box", child.title()))
        elif isinstance(child, QLineEdit | QPlainTextEdit) and name != "output_dir":
            # (the folder's placeholder is the app's images folder, a path)
            texts.append(("placeholder", child.placeholderText()))
        elif isinstance(child, QComboBox) and child.lineEdit() is not None:
            texts.append(("placeholder", child.lineEdit().placeholderText()))
        found += [f"{kind} of {name}: {text!r}" for kind, text in texts if english(text)]
    return found


def test_the_form_speaks_japanese(japanese: None, make_window: MakeWindow, qtbot: QtBot) -> None:
    window = make_window()
    form = window.form
    assert isinstance(form, ParamForm)
    form.set_advanced_open(True)
    header = [
        form.checklist_table.table.horizontalHeaderItem(i).text()
        for i in range(form.checklist_table.table.columnCount())
    ]
    found = shown(form) + [f"header {h!r}" for h in header if english(h)]
    assert not found, "\n".join(found)
    assert form.run_button.text() == "実行"
    assert QCoreApplication.translate("Params", Section.STORAGE.value) == "保存先"


def test_the_advanced_toggle_counts_in_japanese(
    japanese: None, make_window: MakeWindow, qtbot: QtBot
) -> None:
    form = make_window().form
    form.set_params(form.params().with_changes(claude_validate_top_k=10_000))
    assert form.advanced_toggle.text() == "詳細設定 — 要修正 1 項目"
