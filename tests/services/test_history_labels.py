"""The labelled set a person's decisions export to: each line carries the checklist its
image was judged against, so ticks always name items of that line's checklist, even after
the run's checklist was edited."""

from __future__ import annotations

import json
from pathlib import Path

from imgloop_desktop.core.records import Decision
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage.history import default_db_path
from tests.storage.history.checklist_fakes import CHECKLIST, EDITED, record_checklist_run


def test_each_line_carries_the_checklist_its_image_was_judged_against(tmp_path: Path) -> None:
    record_checklist_run(default_db_path())
    with HistoryService.open() as service:
        first, second, _ = service.session("20240501120000-cafe0001").images()
        service.decide(first.image_id, Decision.REJECTED, {"c2": False})
        service.decide(second.image_id, Decision.APPROVED, {"c4": True})
        dest = tmp_path / "labels.jsonl"
        assert service.export_labels(dest) == 2
    lines = [json.loads(line) for line in dest.read_text("utf-8").splitlines()]
    # The first image was judged before the edit that added c4; the second after it.
    assert lines[0]["checklist"] == CHECKLIST.to_json()
    assert lines[0]["labels"] == {"c2": False}
    assert lines[1]["checklist"] == EDITED.to_json()
    assert lines[1]["labels"] == {"c4": True}
