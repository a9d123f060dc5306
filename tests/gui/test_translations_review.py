"""What a run shows speaks Japanese under the Japanese translation: after a real run (the
Bedrock simulator), the progress panel, the gallery (its title, cells and tooltips), the
details pane with an image selected, the large viewer and the compare view show no English
but names and the run's own data (prompt, model ids, paths, the judge's reasons)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.main_window import MainWindow
from imgloop_desktop.services.catalog import image_spec
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.gui.test_translations import english_in, japanese  # noqa: F401 (the fixture)
from tests.gui.window_runs import MakeWindow, run_to_end

PROMPT = "a lighthouse"
OTHER_AREAS = {"regionsLabel"}
"""Rows whose text another area builds (``record_notes.regions_text``)."""
NAMES = ["CFG"]
"""Names that stay as they are in Japanese text, beside those ``english_in`` keeps."""


def run_data(window: MainWindow) -> list[str]:
    """The run's own words, longest first: they stay as the run made them."""
    data = {PROMPT, window.gallery.run_id or "", *NAMES, *window.progress.run_notes}
    for image_id in window.gallery.model.image_ids():
        record = window.history.image(image_id)
        data |= {record.prompt, str(record.path), record.path.name, record.run_id}
        if record.verdict is not None:
            data |= {record.verdict.reason, record.verdict.model_id, record.verdict.raw}
            data |= {record.verdict.judge_image, record.verdict.notes}
    details = window.details.details
    if details is not None:
        data |= {details.image_model_id, details.judge_model_id, details.original_prompt}
        data.add(image_spec(details.image_model_id).name)  # "Stable Diffusion 3.5 Large"
        data.add(window.details.fields["regions"].text())
    return sorted((d for d in data if d), key=len, reverse=True)


def english(texts: Iterable[tuple[str, str]], data: list[str]) -> list[str]:
    found = []
    for where, text in texts:
        bare = text
        for item in data:
            bare = bare.replace(item, "")
        if english_in(bare):
            found.append(f"{where}: {text!r}")
    return found


def shown(widget: QWidget) -> Iterable[tuple[str, str]]:
    """Every visible label, button and tooltip under ``widget``."""
    for child in widget.findChildren(QWidget):
        if not child.isVisibleTo(widget) or child.objectName() in OTHER_AREAS:
            continue
        name = child.objectName() or type(child).__name__
        if isinstance(child, QAbstractButton | QLabel):
            yield name, child.text()
        if child.toolTip():
            yield f"{name} tooltip", child.toolTip()


def test_a_run_shows_japanese_in_the_progress_gallery_details_and_viewers(
    japanese: None,  # noqa: F811 (the imported fixture)
    make_window: MakeWindow,
    qtbot: QtBot,
    bedrock_sim: BedrockSimulator,
) -> None:
    bedrock_sim.script.queue_verdicts("NO")  # two images: one rejected, one approved
    window = make_window()
    params = RunParams(prompt=PROMPT, titan_img_width=512, titan_img_height=512, s3_enabled=False)
    run_to_end(qtbot, window, params)
    gallery, details, progress = window.gallery, window.details, window.progress
    qtbot.waitUntil(lambda: len(gallery.model.image_ids()) == 2)
    first, second = gallery.model.image_ids()
    with qtbot.waitSignal(details.loaded, timeout=10_000):
        gallery.select_image(first)
    qtbot.waitUntil(lambda: bool(details.fields["status"].text()))
    data = run_data(window)

    texts = [*shown(progress), *shown(gallery), *shown(details)]
    texts.append(("progress bar", progress.bar.text()))
    for row in range(gallery.model.rowCount()):
        index = gallery.model.index(row)
        texts.append((f"cell {row}", index.data(Qt.ItemDataRole.DisplayRole)))
        texts.append((f"cell {row} tooltip", index.data(Qt.ItemDataRole.ToolTipRole)))
    headers = details.checks
    texts += [(f"check column {c}", headers.horizontalHeaderItem(c).text()) for c in (0, 1, 3)]
    assert progress.step_label.text().startswith("プロンプト第"), progress.step_label.text()
    assert "承認" in progress.outcome_label.text()
    assert details.picture.text() == "" and details.approve_button.text() == "承認(&A)"

    viewers = window.viewers
    gallery.request_view()
    qtbot.waitUntil(lambda: viewers.currentWidget() is viewers.viewer)
    qtbot.waitUntil(lambda: viewers.viewer.title_label.text() != "")
    texts += shown(viewers.viewer)
    viewers.open_compare([first, second])
    qtbot.waitUntil(lambda: all(p.record is not None for p in viewers.compare.panes))
    texts += shown(viewers.compare)

    assert not english(texts, data), "\n".join(english(texts, data))


def test_nothing_selected_and_an_idle_panel_speak_japanese(
    japanese: None,  # noqa: F811 (the imported fixture)
    make_window: MakeWindow,
) -> None:
    window = make_window()
    assert window.details.picture.text() == "画像が選択されていません"
    assert window.gallery.title.text() == "セッションなし"
    texts = [*shown(window.progress), *shown(window.gallery), *shown(window.details)]
    assert not english(texts, NAMES), "\n".join(english(texts, NAMES))
    assert QCoreApplication.translate("Badges", "✔ approved") == "✔ 承認"
