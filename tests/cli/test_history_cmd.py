"""``imgloop-cli history``: the same history, headless."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import sqlite3
import zipfile
from pathlib import Path

import pytest

from imgloop_desktop.cli import history_cmd
from imgloop_desktop.services.history import HistoryService
from tests.storage.history.fakes import FakeChat, params, read_only_folder, run_recorded


def cli(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="imgloop-cli")
    history_cmd.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["history", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = history_cmd.run(args, out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def runs(isolated_env: Path) -> list[str]:
    db = isolated_env / "history.sqlite3"
    return [
        run_recorded(db, params("a red fox in the snow"), chat=FakeChat(verdicts=["YES"])).run_id,
        run_recorded(db, params("夕焼けの海辺を歩く猫")).run_id,
    ]


def test_list_as_text_and_json(runs: list[str]) -> None:
    code, out, _ = cli("list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("RUN ID") and runs[1] in lines[1] and runs[0] in lines[2]
    assert "夕焼けの海辺を歩く猫" in lines[1] and "not_approved" in lines[1]

    code, out, _ = cli("list", "--json", "--search", "海辺を歩く")
    data = json.loads(out)
    assert code == 0 and [s["run_id"] for s in data["sessions"]] == [runs[1]]
    assert data["next_page"] is None

    code, out, _ = cli("list", "--json", "--outcome", "approved", "--since", "2024-05-01")
    assert [s["run_id"] for s in json.loads(out)["sessions"]] == [runs[0]]

    code, out, _ = cli("list", "--page-size", "1")
    assert "more: --page 2" in out
    code, out, _ = cli("list", "--page-size", "1", "--page", "2", "--json")
    assert [s["run_id"] for s in json.loads(out)["sessions"]] == [runs[0]]


def test_invalid_input_exits_2_naming_the_field(runs: list[str]) -> None:
    code, _, err = cli("list", "--outcome", "great", "--since", "soon")
    assert code == 2
    assert "invalid input: outcome: 'great'" in err and "since: 'soon'" in err
    code, _, err = cli("list", "--page", "0")
    assert code == 2 and "page: 0" in err


def test_show_and_decide(runs: list[str]) -> None:
    code, out, _ = cli("show", runs[1], "--json")
    tree = json.loads(out)
    assert code == 0 and tree["run_id"] == runs[1] and tree["outcome"] == "not_approved"
    image = tree["prompt_versions"][0]["attempts"][0]["images"][0]
    assert image["verdict"]["result"] == "NO" and image["effective_approved"] is False

    code, out, _ = cli("decide", str(image["image_id"]), "approve")
    assert code == 0 and "your decision approved, judge NO -> approved" in out
    code, out, _ = cli("show", runs[1])
    assert f"image {image['image_id']}: judge NO, you: approved APPROVED" in out
    code, out, _ = cli("decide", str(image["image_id"]), "clear")
    assert "-> not approved" in out

    code, _, err = cli("show", "20990101000000-deadbeef")
    assert code == 1 and "not in the history" in err
    code, _, err = cli("decide", "999999", "reject")
    assert code == 1 and "image 999999" in err


def test_export_and_import_on_a_fresh_machine(
    runs: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = cli("export", runs[1], "--to", str(tmp_path / "one.zip"), "--zip")
    assert code == 0 and "exported 4 image(s) from 1 session(s)" in out
    code, out, _ = cli("export", "--approved", "--to", str(tmp_path / "approved"))
    assert code == 0 and "exported 1 image(s)" in out
    assert (tmp_path / "approved" / "manifest.json").is_file()

    monkeypatch.setenv("IMGLOOP_DATA_DIR", str(tmp_path / "fresh"))
    code, out, _ = cli("import", str(tmp_path / "one.zip"))
    assert code == 0 and "imported 1 new session(s)" in out and "4 image(s) added" in out
    with HistoryService.open() as service:
        assert [s.run_id for s in service.list_sessions().sessions] == [runs[1]]

    with (
        zipfile.ZipFile(tmp_path / "one.zip") as zin,
        zipfile.ZipFile(tmp_path / "evil.zip", "w") as zout,
    ):
        for name in zin.namelist():
            zout.writestr(name, zin.read(name))
        zout.writestr("../../escape.png", b"x")
    code, _, err = cli("import", str(tmp_path / "evil.zip"))
    assert code == 1 and "'../../escape.png'" in err


def test_export_needs_a_run_or_approved(runs: list[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        cli("export", "--to", str(tmp_path / "x"))


def test_check_reports_orphans(runs: list[str], isolated_env: Path) -> None:
    assert cli("check")[0] == 0
    (isolated_env / "images" / runs[0] / "stray.png").write_bytes(b"x")
    code, out, _ = cli("check", "--json")
    [problem] = json.loads(out)["problems"]
    assert code == 1 and problem["kind"] == "orphan" and problem["path"].endswith("stray.png")


# -- a history imgloop cannot use: `error: …` and exit 1, never a traceback --------------------

ALL_COMMANDS: list[list[str]] = [
    ["list"],
    ["show", "20240101000000-aaaaaaaa"],
    ["export", "--approved", "--to", "{out}"],
    ["import", "{out}"],
    ["decide", "1", "approve"],
    ["check"],
    ["check", "--repair"],
]


def _every_command_says_error(tmp_path: Path, *expected: str) -> None:
    for argv in ALL_COMMANDS:
        code, out, err = cli(*(a.format(out=tmp_path / "out") for a in argv))
        assert code == 1, (argv, out, err)
        assert err.startswith("error: ") and "Traceback" not in err, (argv, err)
        for text in expected:
            assert text in err, (argv, err)
        assert not (tmp_path / "out").exists()


def test_every_command_answers_a_corrupt_history_in_words(
    runs: list[str], isolated_env: Path, tmp_path: Path
) -> None:
    db = isolated_env / "history.sqlite3"
    with db.open("r+b") as handle:
        handle.write(b"\0" * 100)
    before = db.read_bytes()
    _every_command_says_error(tmp_path, str(db), "not an SQLite database")
    assert db.read_bytes() == before


def test_every_command_answers_a_read_only_data_folder_in_words(
    runs: list[str], isolated_env: Path, tmp_path: Path
) -> None:
    with read_only_folder(isolated_env) as made:
        if not made:
            pytest.skip("cannot make a read-only folder on this machine")
        _every_command_says_error(tmp_path, "read-only")


def test_export_approved_refuses_a_history_with_garbage_in_middle_pages(
    isolated_env: Path, tmp_path: Path
) -> None:
    db = isolated_env / "history.sqlite3"
    for n in range(8):
        run_recorded(db, params(f"a red fox {n} " * 10), chat=FakeChat(verdicts=["YES"]))
    assert cli("export", "--approved", "--to", str(tmp_path / "good"))[0] == 0
    data = bytearray(db.read_bytes())
    page = 4096
    noise = random.Random(3)
    for n in range(len(data) // page // 3, 2 * len(data) // page // 3):
        data[n * page : (n + 1) * page] = noise.randbytes(page)
    db.write_bytes(bytes(data))
    code, out, err = cli("export", "--approved", "--to", str(tmp_path / "bad"))
    assert code == 1 and out == "", "a damaged history must not export 'successfully'"
    assert err.startswith("error: the history file") and "is damaged" in err
    assert "move it aside" in err and not (tmp_path / "bad").exists()


def test_check_repair_adopts_orphans_quarantines_strays_and_removes_temp_files(
    runs: list[str], isolated_env: Path
) -> None:
    images = isolated_env / "images"
    folder = images / runs[0]
    kept = next(folder.glob("000-000-0.png"))
    (folder / "000-001-0.png").write_bytes(kept.read_bytes())  # written, then killed
    (folder / ".000-001-1.png.k2j4x9q1.part").write_bytes(kept.read_bytes()[:40])
    (folder / "000-002-0.png").write_bytes(kept.read_bytes()[:-30])  # not a whole image
    stray = images / "20240101000000-ffffffff"
    stray.mkdir()
    (stray / "000-000-0.png").write_bytes(kept.read_bytes())
    assert cli("check")[0] == 1

    code, out, _ = cli("check", "--repair", "--json")
    data = json.loads(out)
    assert code == 0 and data["problems"] == []
    done = {(r["kind"], Path(r["path"]).name, r["run_id"]) for r in data["repairs"]}
    assert done == {
        ("adopted", "000-001-0.png", runs[0]),
        ("removed", ".000-001-1.png.k2j4x9q1.part", runs[0]),
        ("quarantined", "000-002-0.png", runs[0]),
        ("quarantined", "000-000-0.png", None),
    }
    assert (images / "quarantine" / runs[0] / "000-002-0.png").is_file()
    assert (images / "quarantine" / stray.name / "000-000-0.png").is_file()
    assert cli("check", "--verify") == (0, "0 problem(s) found\n", "")
    with HistoryService.open() as service:
        adopted = [i for i in service.session(runs[0]).images() if i.rel_path.endswith("1-0.png")]
        assert [(i.revision, i.attempt, i.index, i.verdict) for i in adopted] == [(0, 1, 0, None)]


def test_check_verify_reports_an_undecodable_image(runs: list[str], isolated_env: Path) -> None:
    with HistoryService.open() as service:
        image = next(service.session(runs[0]).images())
    broken = image.path.read_bytes()[:-30]
    image.path.write_bytes(broken)
    conn = sqlite3.connect(isolated_env / "history.sqlite3")
    with conn:
        conn.execute(
            "UPDATE images SET sha256 = ?, size_bytes = ? WHERE id = ?",
            (hashlib.sha256(broken).hexdigest(), len(broken), image.image_id),
        )
    conn.close()
    assert cli("check")[0] == 0, "size and hash agree: only decoding finds it"
    code, out, _ = cli("check", "--verify")
    assert code == 1 and f"undecodable: {image.path}" in out


# -- checklist judging (issue 12): review, ticks, stats, labels ---------------------------------


@pytest.fixture
def checklist_run(isolated_env: Path) -> str:
    from tests.storage.history.checklist_fakes import record_checklist_run

    record_checklist_run(isolated_env / "history.sqlite3", "20240501120000-cafe0001")
    return "20240501120000-cafe0001"


def test_review_lists_what_waits_for_a_person(checklist_run: str) -> None:
    code, out, _ = cli("review")
    assert code == 0
    assert "image 2 (best, none approved, 3/4 ?): a red fox in the snow" in out
    assert "unsure: a red fox" in out
    code, out, _ = cli("review", "--json")
    [item] = json.loads(out)["items"]
    assert item["reason"] == "best_not_approved" and item["misses"] == "unsure: a red fox"
    assert item["image"]["verdict"]["result"] == "REVIEW"
    assert item["image"]["verdict"]["badge"] == "3/4 ?"
    assert item["image"]["verdict"]["checks"]["checks"][0] == {
        "id": "c1",
        "result": "unsure",
        "evidence": "seen: a red fox",
    }
    assert item["image"]["is_best"] is True
    code, _, err = cli("review", "--limit", "0")
    assert code == 2 and "invalid input: limit: 0" in err


def test_decide_with_item_ticks_then_stats(checklist_run: str) -> None:
    code, out, _ = cli("decide", "2", "approve", "--item", "c1=yes", "--item", "c4=NO")
    assert code == 0 and "your decision approved, judge REVIEW -> approved" in out
    assert "items: c1=yes, c4=no" in out
    code, out, _ = cli("review")
    assert out.strip() == "nothing to review"
    code, out, _ = cli("show", checklist_run, "--json")
    tree = json.loads(out)
    images = tree["prompt_versions"][0]["attempts"][0]["images"]
    assert images[1]["human_items"] == {"c1": True, "c4": False}
    assert tree["checklist"][3]["text"] == "the fox looks at the viewer"
    assert [c["origin"] for c in tree["checklist_changes"]] == ["given", "failed", "edited"]
    code, out, _ = cli("show", checklist_run)
    assert (
        "c3 [should] a watercolour look" in out
        and "judge REVIEW 3/4 ?, you: approved APPROVED BEST" in out
    )

    assert cli("decide", "1", "reject")[0] == 0  # judge NO: agreed
    assert cli("decide", "3", "approve")[0] == 0  # judge NO: disagreed
    code, out, _ = cli("stats")
    assert code == 0
    assert (
        json.loads(out)["pairs"]
        == {
            "pairs": [
                {
                    "judge_model_id": "test.judge",
                    "image_model_id": "test.image-model",
                    "decided": 2,
                    "agreed": 1,
                    "rate": 0.5,
                    "confusion": {
                        "judge_yes_person_yes": 0,
                        "judge_yes_person_no": 0,
                        "judge_no_person_yes": 1,
                        "judge_no_person_no": 1,
                    },
                }
            ]
        }["pairs"]
    )
    code, out, _ = cli("stats", "--table")
    header, row, _legend, _blank, no_spend = out.splitlines()
    assert no_spend == "no spend recorded"  # a run without a price table: nothing to sum
    assert header.split()[:5] == ["JUDGE", "IMAGE", "MODEL", "DECIDED", "AGREED"]
    assert row.split() == ["test.judge", "test.image-model", "2", "1", "50%", "0", "0", "1", "1"]


def test_stats_on_an_empty_history(isolated_env: Path) -> None:
    code, out, err = cli("stats")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "pairs": [],
        "spend": {
            "total": {"usd": "0", "known_usd": "0", "complete": True, "missing": []},
            "approved": 0,
            "per_approved_image": None,
            "by_day": [],
            "by_month": [],
            "by_model": [],
        },
    }
    code, out, _ = cli("stats", "--table")
    assert code == 0 and "no decisions" in out


@pytest.mark.parametrize(
    ("item", "field"),
    [("c1", "item: 'c1'"), ("c1=maybe", "item: 'c1=maybe'"), ("=yes", "item: '=yes'")],
)
def test_a_bad_item_tick_exits_2_naming_it(checklist_run: str, item: str, field: str) -> None:
    code, _, err = cli("decide", "2", "approve", "--item", item)
    assert code == 2 and f"invalid input: {field}" in err and "ID=yes or ID=no" in err
    assert cli("decide", "2", "approve", "--item", "c1=yes", "--item", "c1=no")[0] == 2
    code, _, err = cli("decide", "2", "approve", "--item", "c9=yes")
    assert code == 2 and "items: 'c9=yes'" in err and "c1, c2, c3, c4" in err
    code, _, err = cli("decide", "2", "clear", "--item", "c1=yes")
    assert code == 2 and "clearing" in err
    code, out, _ = cli("show", checklist_run, "--json")
    assert "you:" not in out and '"human_decision": null' in out  # nothing was written


def test_export_labels_writes_jsonl(checklist_run: str, tmp_path: Path) -> None:
    cli("decide", "2", "approve", "--item", "c1=yes")
    cli("decide", "1", "reject")
    dest = tmp_path / "labels.jsonl"
    code, out, _ = cli("export-labels", str(dest))
    assert code == 0 and out.strip() == f"wrote 2 labelled image(s) to {dest}"
    first, second = (json.loads(line) for line in dest.read_text("utf-8").splitlines())
    assert first["labels"] == {"c1": True} and first["approved"] is True
    assert [item["id"] for item in first["checklist"]] == ["c1", "c2", "c3", "c4"]
    assert [item["id"] for item in second["checklist"]] == ["c1", "c2", "c3"]
    assert second["labels"] == {} and second["approved"] is False
    assert Path(first["image"]).is_file()
    code, _, err = cli("export-labels", str(tmp_path / "x\0bad.jsonl"))
    assert code == 2 and err.startswith("invalid input: dest:")
    code, _, err = cli("export-labels", str(tmp_path))  # a folder: refused, one line
    assert code == 1 and err.startswith("error:") and len(err.splitlines()) == 1
    assert not list(tmp_path.glob(".*.part"))


# -- costs (issue 13, schema v8) ---------------------------------------------------------------


@pytest.fixture
def budget_run(isolated_env: Path) -> str:
    from tests.storage.history.spend_fakes import record_budget_run

    db = isolated_env / "history.sqlite3"
    run_recorded(db, params("no prices here"), chat=FakeChat(verdicts=["YES"]))  # unpriced
    return record_budget_run(db).run_id


def test_list_and_show_give_each_runs_cost_and_unknown_as_unknown(budget_run: str) -> None:
    code, out, _ = cli("list")
    assert code == 0
    header, *lines = out.splitlines()
    assert "COST" in header.split() and len(lines) == 2
    [priced] = [line for line in lines if budget_run in line]
    [unpriced] = [line for line in lines if budget_run not in line]
    assert "budget" in priced and "at least $0.0865" in priced
    assert "unknown" in unpriced and "$0" not in unpriced  # no price table: never $0

    code, out, _ = cli("list", "--json", "--outcome", "budget")
    [session] = json.loads(out)["sessions"]
    assert session["outcome"] == "budget"
    assert session["cost"] == {
        "usd": None,
        "known_usd": "0.0865",
        "complete": False,
        "missing": ["no price for image model test.image-model"],
    }
    code, out, _ = cli("list", "--json", "--outcome", "approved")
    assert json.loads(out)["sessions"][0]["cost"] is None

    code, out, _ = cli("show", budget_run)
    assert code == 0
    assert "  cost at least $0.0865 (incomplete: no price for image model" in out
    assert "revision cost $0.003000" in out  # under a cent: six places
    assert "judge NO, cost $0.0410" in out and "judge NO, cost $0.0425" in out
    assert "not judged, cost unknown" in out
    code, out, _ = cli("show", budget_run, "--json")
    tree = json.loads(out)
    assert tree["cost"]["known_usd"] == "0.0865"
    first = tree["prompt_versions"][0]["attempts"][0]["images"][0]
    assert first["cost"] == {"usd": "0.041", "known_usd": "0.041", "complete": True, "missing": []}
    assert tree["prompt_versions"][1]["cost"]["usd"] == "0.003"


def test_stats_gives_spend_per_day_month_model_and_approved_image(budget_run: str) -> None:
    code, out, _ = cli("stats")
    assert code == 0
    spend = json.loads(out)["spend"]
    assert spend["total"]["known_usd"] == "0.0865" and spend["total"]["complete"] is False
    assert spend["approved"] == 0 and spend["per_approved_image"] is None
    [month] = spend["by_month"]
    assert (month["key"], month["calls"], month["runs"]) == ("2024-05", 6, 1)
    models = {line["key"]: line for line in spend["by_model"]}
    assert models["test.judge"]["cost"]["usd"] == "0.0065"
    assert models["test.image-model"]["cost"]["usd"] is None  # one generation unpriced

    code, out, _ = cli("stats", "--table")
    assert code == 0
    assert "spent at least $0.0865; 0 approved image(s), - per approved image" in out
    assert "MONTH" in out and "DAY" in out and "MODEL" in out
    assert "incomplete: no price for image model test.image-model" in out
    judge_line = next(line for line in out.splitlines() if line.startswith("test.judge "))
    assert judge_line.split()[1:4] == ["$0.006500", "4", "1"]

    code, out, _ = cli("stats", "--since", "2024-06-01")
    assert json.loads(out)["spend"]["by_day"] == []
    code, _, err = cli("stats", "--until", "yesterday-ish")
    assert code == 2 and "invalid input: until" in err
