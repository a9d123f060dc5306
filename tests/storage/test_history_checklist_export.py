"""Exporting and importing a checklist run (schema v7): the manifest and each PNG's provenance
carry the checklist, every image's item verdicts and a person's ticks; import restores them,
an older manifest without them still imports, and a damaged checklist is refused by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.records import Decision, SessionTree
from imgloop_desktop.services.history import HistoryService, make_filter
from imgloop_desktop.storage.export import read_text_chunks
from tests.storage.history.checklist_fakes import CHECKLIST, EDITED, checks, record_checklist_run

RUN_ID = "20240501120000-cafe0001"


@pytest.fixture
def exported(isolated_env: Path, tmp_path: Path) -> tuple[SessionTree, Path]:
    """A checklist run with a person's ticks on one image, exported to a folder."""
    with HistoryService.open() as service:
        record_checklist_run(service.db_path, RUN_ID)
        service.decide(2, Decision.APPROVED, {"c1": True, "c4": True})
        tree = service.session(RUN_ID)
        result = service.export_session(RUN_ID, tmp_path / "e")
    assert result.images == 3 and not result.skipped
    return tree, tmp_path / "e"


def _manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text("utf-8"))
    return data


def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMGLOOP_DATA_DIR", str(tmp_path / "other-machine"))


def test_the_manifest_and_the_pngs_carry_the_checklist(
    exported: tuple[SessionTree, Path],
) -> None:
    _, folder = exported
    [session] = _manifest(folder)["sessions"]
    assert session["judge_mode"] == "checklist"
    assert session["checklist"] == EDITED.to_json()
    assert [c["origin"] for c in session["checklist_changes"]] == ["given", "failed", "edited"]
    assert session["checklist_changes"][1]["checklist"] is None
    assert session["best"] == {"revision": 0, "attempt": 0, "index": 1}
    assert (session["best_misses"], session["best_how"]) == ("unsure: a red fox", "rank")
    first, second, _ = session["prompt_versions"][0]["attempts"][0]["images"]
    assert first["verdict"]["checklist"] == CHECKLIST.to_json()
    assert first["verdict"]["checks"] == checks(CHECKLIST, c2="no").to_json()
    assert first["verdict"]["badge"] == "2/3 \u2717" and first["human_items"] == {}
    assert second["verdict"]["result"] == "REVIEW"
    assert second["human_items"] == {"c1": True, "c4": True}

    chunks = read_text_chunks((folder / second["file"]).read_bytes())
    meta = json.loads(chunks["imgloop"])
    assert meta["judge_mode"] == "checklist" and meta["checklist"] == EDITED.to_json()
    assert meta["checks"] == checks(EDITED, c1="unsure").to_json()
    assert meta["badge"] == "3/4 ?" and meta["best"] is True
    assert meta["human_items"] == {"c1": True, "c4": True}
    assert "Checks: 3/4" in chunks["parameters"]  # Latin-1 still: a plain tEXt chunk
    assert chunks["parameters"].isascii()


def test_import_restores_the_checklist_run(
    exported: tuple[SessionTree, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree, folder = exported
    _elsewhere(tmp_path, monkeypatch)
    with HistoryService.open() as there:
        assert there.import_export(folder).sessions_added == [RUN_ID]
        copy = there.session(RUN_ID)
        review = there.review_items()
        found = there.list_sessions(make_filter(search="watercolour")).sessions
    assert copy.judge_mode == "checklist" and copy.checklist == EDITED
    assert [(c.origin, c.checklist, c.error) for c in copy.checklist_changes] == [
        (c.origin, c.checklist, c.error) for c in tree.checklist_changes
    ]
    assert (copy.best_misses, copy.best_how) == (tree.best_misses, tree.best_how)
    for a, b in zip(tree.images(), copy.images(), strict=True):
        assert b.verdict == a.verdict and b.verdict is not None
        assert b.verdict.checks is not None and b.verdict.badge == a.verdict.badge
        assert b.human_items == a.human_items and b.is_best == a.is_best
    assert copy.best_image_id == list(copy.images())[1].image_id
    assert [i.reason.value for i in review] == []  # the best was approved by a person
    assert [s.run_id for s in found] == [RUN_ID]


def test_an_older_manifest_without_checklists_still_imports(
    exported: tuple[SessionTree, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, folder = exported
    manifest = _manifest(folder)
    session = manifest["sessions"][0]
    for key in ("judge_mode", "checklist", "checklist_changes", "best", "best_misses", "best_how"):
        del session[key]
    session["params"].pop("checklist", None)
    session["params"].pop("judge_mode", None)
    for image in session["prompt_versions"][0]["attempts"][0]["images"]:
        del image["human_items"]
        image["verdict"]["result"] = "NO"
        for key in ("checks", "checklist", "badge"):
            del image["verdict"][key]
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    _elsewhere(tmp_path, monkeypatch)
    with HistoryService.open() as there:
        assert there.import_export(folder).images_added == 3
        copy = there.session(RUN_ID)
    assert copy.judge_mode == "verdict" and copy.checklist is None
    assert copy.checklist_changes == () and copy.best_image_id is None
    for image in copy.images():
        assert image.verdict is not None and image.verdict.checks is None
        assert image.human_items == {}


def test_a_damaged_checklist_in_a_manifest_is_refused_by_name(
    exported: tuple[SessionTree, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, folder = exported
    manifest = _manifest(folder)
    session = manifest["sessions"][0]
    session["checklist"][0]["text"] = ""
    image = session["prompt_versions"][0]["attempts"][0]["images"][0]
    image["verdict"]["checks"]["checks"][0]["result"] = "perhaps"
    image["human_items"] = {"c1": "yes"}
    session["checklist_changes"][0]["origin"] = "guessed"
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    _elsewhere(tmp_path, monkeypatch)
    with HistoryService.open() as there, pytest.raises(ValidationError) as info:
        there.import_export(folder)
    fields = {p.field: p for p in info.value.problems}
    assert "guessed" in str(fields["manifest.sessions[0].checklist_changes[0].origin"].value)
    # The shape is refused first; fixing it shows the loaders' own problems.
    session["checklist_changes"][0]["origin"] = "given"
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with HistoryService.open() as there, pytest.raises(ValidationError) as info:
        there.import_export(folder)
    fields = {p.field: p for p in info.value.problems}
    where = "manifest.sessions[0].prompt_versions[0].attempts[0].images[0]"
    assert "manifest.sessions[0].checklist[0].text" in fields
    assert f"{where}.human_items" in fields
    assert any(f.startswith(f"{where}.verdict.") and "result" in f for f in fields), fields
    with HistoryService.open() as there:
        assert there.list_sessions().sessions == []  # nothing was imported
