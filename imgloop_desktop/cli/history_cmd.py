"""``imgloop-cli history …``: the session history without a window, over the same service
the GUI uses, so a headless machine can review, decide, export and import.

Exit codes: 0 done, 1 the history could not do it (unknown run or image, a refused import,
a damaged, newer or unreachable history file, a read-only or full data folder, file problems
that ``check`` found and ``--repair`` could not mend), 2 the input was invalid. Every failure
is one ``error: …`` line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from imgloop_desktop.accounts import KeyringAccount
from imgloop_desktop.core.checklist import Checklist, ItemVerdicts, id_problem
from imgloop_desktop.core.cost import Cost, money
from imgloop_desktop.core.errors import ImgloopError, Problem, ValidationError
from imgloop_desktop.core.records import (
    MAX_RATING,
    Agreement,
    Decision,
    ImageRecord,
    RecoveryReport,
    ReviewItem,
    ReviewReason,
    SessionPage,
    SessionTree,
    SpendLine,
    SpendStats,
    VerdictRecord,
)
from imgloop_desktop.services.content_credentials import (
    ContentCredentials,
    credentials_json,
    credentials_words,
    read_content_credentials,
)
from imgloop_desktop.services.credentials import CredentialsSource, DefaultChain
from imgloop_desktop.services.history import HistoryService, make_filter, retry_pending_uploads
from imgloop_desktop.services.history_db import default_db_path, history_error

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
_DECISIONS = {"approve": Decision.APPROVED, "reject": Decision.REJECTED, "clear": None}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    history = subparsers.add_parser(
        "history",
        help="review, decide on, export and import past sessions",
        description="The session history kept in the data folder (IMGLOOP_DATA_DIR).",
    )
    history.add_argument(
        "--db", type=Path, help="history database file (default: <data dir>/history.sqlite3)"
    )
    commands = history.add_subparsers(dest="history_command", required=True)

    ls = commands.add_parser("list", help="sessions, newest first")
    ls.add_argument(
        "--search",
        default="",
        help="text in the original or a revised prompt; is:fav and rating>=N (or rating:N) "
        "in it keep sessions with a starred image, or one rated at least N",
    )
    ls.add_argument(
        "--outcome",
        action="append",
        help="approved, not_approved, error, cancelled, interrupted, budget or running "
        "(repeatable)",
    )
    ls.add_argument(
        "--favourite",
        "--favorite",
        dest="favourite",
        action="store_true",
        help="only sessions with an image you starred",
    )
    ls.add_argument(
        "--min-rating",
        metavar="N",
        help="only sessions with an image you rated at least N (1-5)",
    )
    ls.add_argument("--since", help="from this date (2024-05-01) or time, local time")
    ls.add_argument("--until", help="up to and including this date, or before this time")
    ls.add_argument("--page", type=int, default=1, help="page number, from 1")
    ls.add_argument("--page-size", type=int, default=50, help="sessions per page (1-1000)")
    ls.add_argument("--json", action="store_true", help="print JSON")

    show = commands.add_parser(
        "show",
        help="one session's prompts, attempts and images, with each image's marks and "
        "Content Credentials (read from its file)",
    )
    show.add_argument("run_id", metavar="RUN_ID")
    show.add_argument("--json", action="store_true", help="print JSON")

    export = commands.add_parser("export", help="export a session or every approved image")
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("run_id", metavar="RUN_ID", nargs="?", help="the session to export")
    which.add_argument("--approved", action="store_true", help="every approved image")
    export.add_argument("--to", type=Path, required=True, help="folder (or zip file) to write")
    export.add_argument("--zip", action="store_true", help="write one zip file")

    imp = commands.add_parser("import", help="restore sessions from an export folder or zip")
    imp.add_argument("path", type=Path, metavar="PATH")

    decide = commands.add_parser("decide", help="approve or reject an image yourself")
    decide.add_argument("image_id", type=int, metavar="IMAGE_ID")
    decide.add_argument("decision", choices=sorted(_DECISIONS))
    decide.add_argument(
        "--item",
        action="append",
        default=[],
        metavar="ID=yes|no",
        help="whether the image meets checklist item ID, as you see it (repeatable); kept "
        "as a label for measuring judges",
    )

    review = commands.add_parser(
        "review",
        help="images waiting for you: a run's best when none was approved, and "
        "images the judge was unsure of",
    )
    review.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    review.add_argument("--json", action="store_true", help="print JSON")

    stats = commands.add_parser(
        "stats",
        help="how often the judge agreed with your decisions, per judge and image model, and "
        "what was spent per day, month and model, and per approved image",
    )
    stats.add_argument("--since", help="spend from this date (2024-05-01) or time, local time")
    stats.add_argument("--until", help="spend up to and including this date, or before this time")
    form = stats.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print JSON (the default)")
    form.add_argument("--table", action="store_true", help="print a table for people")

    labels = commands.add_parser(
        "export-labels",
        help="your decisions as a labelled set (JSON Lines) for measuring judges",
    )
    labels.add_argument("dest", type=Path, metavar="DEST", help="the .jsonl file to write")

    retry = commands.add_parser(
        "retry-uploads", help="upload again the images whose S3 copy failed or never started"
    )
    who = retry.add_mutually_exclusive_group()
    who.add_argument("--profile", help="AWS profile from ~/.aws (default: standard chain)")
    who.add_argument("--account", help="AWS account kept in the OS keyring")
    retry.add_argument("--region", help="AWS region for the S3 client")
    check = commands.add_parser("check", help="compare image files on disk with the history")
    check.add_argument(
        "--verify", action="store_true", help="re-hash and decode every image (slow)"
    )
    check.add_argument(
        "--repair",
        action="store_true",
        help="after a crash: record whole orphan images in their run, move files that "
        "cannot be placed to quarantine/, remove temp files of unfinished writes",
    )
    check.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        with HistoryService.open(args.db) as service:
            _report_recovery(service.recovery_report, err)
            return _dispatch(service, args, out, err)
    except ValidationError as exc:
        for problem in exc.problems:
            print(f"invalid input: {problem}", file=err)
        return EXIT_INVALID
    except ImgloopError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_FAILED
    except OSError as exc:  # a folder or file of ours, or the export target, refused us
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=err)
        return EXIT_FAILED
    except sqlite3.DatabaseError as exc:  # the service translates these; a last safety net
        print(f"error: {history_error(exc, args.db or default_db_path())}", file=err)
        return EXIT_FAILED


def _dispatch(service: HistoryService, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    command = args.history_command
    if command == "list":
        flt = make_filter(
            search=args.search,
            outcomes=args.outcome,
            since=args.since,
            until=args.until,
            favourites=args.favourite,
            min_rating=args.min_rating,
        )
        page = service.list_sessions(flt, page_size=args.page_size, page=args.page)
        if args.json:
            _print_json(
                {
                    "page": args.page,
                    "page_size": args.page_size,
                    "next_page": args.page + 1 if page.next_cursor else None,
                    "sessions": [_plain(s) for s in page.sessions],
                },
                out,
            )
        else:
            _print_page(page, args.page, out)
        return EXIT_OK
    if command == "show":
        tree = service.session(args.run_id)
        # Read from each local file, as the details pane does: what the bytes say now.
        found = {i.image_id: read_content_credentials(i.path) for i in tree.images()}
        if args.json:
            _print_json(_tree_json(tree, found), out)
        else:
            _print_tree(tree, found, out)
        return EXIT_OK
    if command == "export":
        if args.approved:
            result = service.export_approved(args.to, as_zip=args.zip)
        else:
            result = service.export_session(args.run_id, args.to, as_zip=args.zip)
        for line in result.skipped:
            print(f"skipped {line}", file=err)
        print(
            f"exported {result.images} image(s) from {result.sessions} session(s) to {result.path}",
            file=out,
        )
        return EXIT_OK
    if command == "retry-uploads":
        credentials: CredentialsSource = (
            KeyringAccount(args.account)
            if args.account
            else DefaultChain(profile=args.profile, region=args.region)
        )
        results = retry_pending_uploads(service, credentials, args.region)
        for item in results:
            state = "uploaded" if item.ok else f"still waiting: {item.error}"
            print(f"s3://{item.bucket}/{item.key}: {state}", file=out)
        waiting = sum(not item.ok for item in results)
        print(f"{len(results) - waiting} uploaded, {waiting} still waiting", file=out)
        return EXIT_FAILED if waiting else EXIT_OK
    if command == "import":
        imported = service.import_export(args.path)
        print(
            f"imported {len(imported.sessions_added)} new session(s), added images to "
            f"{len(imported.sessions_merged)} existing session(s); {imported.images_added} "
            f"image(s) added, {imported.images_already_present} already present",
            file=out,
        )
        return EXIT_OK
    if command == "decide":
        ticks = parse_items(args.item)
        image = service.decide(args.image_id, _DECISIONS[args.decision], ticks or None)
        state = "approved" if image.effective_approved else "not approved"
        decision = image.human_decision.value if image.human_decision else "none"
        judge = image.verdict.result if image.verdict else "none"
        print(
            f"image {image.image_id}: your decision {decision}, judge {judge} -> {state}", file=out
        )
        if image.human_items:
            said = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in image.human_items.items())
            print(f"  items: {said}", file=out)
        return EXIT_OK
    if command == "review":
        to_review = service.review_items(args.limit)
        if args.json:
            _print_json({"items": [_plain(item) for item in to_review]}, out)
        else:
            _print_review(to_review, out)
        return EXIT_OK
    if command == "stats":
        window = make_filter(since=args.since, until=args.until)  # the same date rules
        pairs = service.agreement()
        spend = service.spend_stats(window.since, window.until)
        if args.table:
            _print_stats(pairs, out)
            _print_spend(spend, out)
        else:
            _print_json(
                {"pairs": [_agreement_json(a) for a in pairs], "spend": _spend_json(spend)}, out
            )
        return EXIT_OK
    if command == "export-labels":
        count = service.export_labels(args.dest)
        print(f"wrote {count} labelled image(s) to {args.dest}", file=out)
        return EXIT_OK
    if command == "check":
        problems = service.check_files(verify=args.verify)
        repairs = service.repair_files(problems) if args.repair and problems else []
        if repairs:
            problems = service.check_files(verify=args.verify)
        if args.json:
            data: dict[str, Any] = {"problems": [_plain(p) for p in problems]}
            if args.repair:
                data["repairs"] = [_plain(r) for r in repairs]
            _print_json(data, out)
        else:
            for action in repairs:
                print(str(action), file=out)
            for problem in problems:
                print(str(problem), file=out)
            if args.repair:
                print(f"{len(repairs)} file(s) repaired", file=out)
            print(f"{len(problems)} problem(s) found", file=out)
        return EXIT_FAILED if problems else EXIT_OK
    raise AssertionError(command)  # argparse admits only the commands above


_YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}
_ITEM_ALLOWED = "ID=yes or ID=no, ID a checklist item's id (c1, c2, ...), each ID once"


def parse_items(values: Sequence[str]) -> dict[str, bool]:
    """``--item c1=yes --item c3=no`` as ``{"c1": True, "c3": False}``; ValidationError
    names every value that is not ``ID=yes|no`` (or repeats an id)."""
    problems: list[Problem] = []
    items: dict[str, bool] = {}
    for value in values:
        item_id, sep, answer = value.partition("=")
        item_id = item_id.strip()
        met = _YES_NO.get(answer.strip().lower())
        if not sep or met is None or id_problem(item_id) or item_id in items:
            problems.append(Problem("item", value, _ITEM_ALLOWED))
            continue
        items[item_id] = met
    if problems:
        raise ValidationError(problems)
    return items


def _agreement_json(a: Agreement) -> dict[str, Any]:
    return {
        "judge_model_id": a.judge_model_id,
        "image_model_id": a.image_model_id,
        "decided": a.decided,
        "agreed": a.agreed,
        "rate": a.rate,
        "confusion": {
            "judge_yes_person_yes": a.judge_yes_person_yes,
            "judge_yes_person_no": a.judge_yes_person_no,
            "judge_no_person_yes": a.judge_no_person_yes,
            "judge_no_person_no": a.judge_no_person_no,
        },
    }


def _print_stats(pairs: list[Agreement], out: TextIO) -> None:
    if not pairs:
        print("no decisions on images the judge answered YES or NO", file=out)
        return
    print(
        f"{'JUDGE':<40} {'IMAGE MODEL':<32} {'DECIDED':>7} {'AGREED':>6} {'RATE':>6} "
        f"{'Y/Y':>5} {'Y/N':>5} {'N/Y':>5} {'N/N':>5}",
        file=out,
    )
    for a in pairs:
        rate = f"{a.rate:.0%}" if a.rate is not None else "-"
        print(
            f"{_one_line(a.judge_model_id, 40):<40} {_one_line(a.image_model_id, 32):<32} "
            f"{a.decided:>7} {a.agreed:>6} {rate:>6} {a.judge_yes_person_yes:>5} "
            f"{a.judge_yes_person_no:>5} {a.judge_no_person_yes:>5} {a.judge_no_person_no:>5}",
            file=out,
        )
    print(
        "Y/N: the judge said YES, you rejected it; N/Y: the judge said NO, you approved it",
        file=out,
    )


def _cost_json(cost: Cost | None) -> dict[str, object] | None:
    """``Cost.to_json()``; null where nothing was recorded (unknown, not $0)."""
    return cost.to_json() if cost is not None else None


def _line_json(line: SpendLine) -> dict[str, object]:
    return {
        "key": line.key,
        "cost": line.cost.to_json(),
        "calls": line.calls,
        "runs": line.runs,
        "approved": line.approved,
        "per_approved_image": _cost_json(line.per_approved_image),
    }


def _spend_json(stats: SpendStats) -> dict[str, object]:
    """Amounts as exact text (``Cost.to_json``); days and months in local time."""
    return {
        "total": stats.total.to_json(),
        "approved": stats.approved,
        "per_approved_image": _cost_json(stats.per_approved_image),
        "by_day": [_line_json(line) for line in stats.by_day],
        "by_month": [_line_json(line) for line in stats.by_month],
        "by_model": [_line_json(line) for line in stats.by_model],
    }


def cost_text(cost: Cost | None) -> str:
    """A cost in a table cell: ``$0.0123``; ``at least $0.08`` when a price was unknown;
    ``unknown`` when nothing is known (never ``$0``)."""
    if cost is None or (not cost.complete and cost.known == 0):
        return "unknown"
    if not cost.complete:
        return f"at least {money(cost.known)}"
    return money(cost.known)


def _print_spend(stats: SpendStats, out: TextIO) -> None:
    print("", file=out)
    if not stats.by_model:
        print("no spend recorded", file=out)
        return
    print(
        f"spent {cost_text(stats.total)}; {stats.approved} approved image(s), "
        f"{cost_text(stats.per_approved_image) if stats.approved else '-'} per approved image",
        file=out,
    )
    for title, lines in (
        ("MONTH", stats.by_month),
        ("DAY", stats.by_day),
        ("MODEL", stats.by_model),
    ):
        print("", file=out)
        width = 48 if title == "MODEL" else 10
        print(
            f"{title:<{width}} {'COST':>18} {'CALLS':>6} {'RUNS':>5} {'APPROVED':>8} "
            f"{'PER APPROVED':>18}",
            file=out,
        )
        for line in lines:
            per = cost_text(line.per_approved_image) if line.approved else "-"
            print(
                f"{_one_line(line.key, width):<{width}} {cost_text(line.cost):>18} "
                f"{line.calls:>6} {line.runs:>5} {line.approved:>8} {per:>18}",
                file=out,
            )
    if stats.total.missing:
        print("", file=out)
        print("incomplete: " + "; ".join(stats.total.missing), file=out)


def _print_review(items: list[ReviewItem], out: TextIO) -> None:
    if not items:
        print("nothing to review", file=out)
        return
    for item in items:
        image = item.image
        badge = image.verdict.badge if image.verdict else ""
        why = "best, none approved" if item.reason is ReviewReason.BEST_NOT_APPROVED else "unsure"
        print(
            f"image {image.image_id} ({why}{', ' + badge if badge else ''}): "
            f"{_one_line(item.run_prompt, 70)}",
            file=out,
        )
        if item.misses:
            print(f"  {_one_line(item.misses, 100)}", file=out)
        print(f"  {image.path}", file=out)


def _report_recovery(report: RecoveryReport, err: TextIO) -> None:
    for run_id in report.interrupted:
        print(f"note: run {run_id} did not finish; it is now marked interrupted", file=err)
    for action in report.repairs:
        print(f"note: {action}", file=err)
    for problem in report.problems:
        print(f"note: {problem}", file=err)


def _plain(value: Any) -> Any:
    """JSON-ready: dataclasses to dicts, times to ISO text, paths to text, enums to values;
    a cost as ``Cost.to_json()`` (exact text, never a float)."""
    if isinstance(value, Checklist | ItemVerdicts | Cost):  # the shapes a person's files use
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if hasattr(value, "effective_approved"):
            out["effective_approved"] = value.effective_approved
        if isinstance(value, VerdictRecord):
            out["badge"] = value.badge
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _print_json(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _local(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def _one_line(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_page(page: SessionPage, number: int, out: TextIO) -> None:
    if not page.sessions:
        print("no sessions", file=out)
        return
    print(
        f"{'RUN ID':<24} {'STARTED':<16} {'OUTCOME':<12} {'IMAGES':>6} {'OK':>3} "
        f"{'COST':>18}  PROMPT",
        file=out,
    )
    for s in page.sessions:
        print(
            f"{s.run_id:<24} {_local(s.started_at):<16} {s.outcome.value:<12} "
            f"{s.image_count:>6} {s.approved_count:>3} {cost_text(s.cost):>18}  "
            f"{_one_line(s.prompt, 60)}",
            file=out,
        )
    if page.next_cursor:
        print(f"more: --page {number + 1}", file=out)


def _cost_words(cost: Cost | None) -> str:
    """A cost in a sentence, saying what was not priced (``Cost.__str__``)."""
    return str(cost) if cost is not None else "unknown (not recorded for this run)"


def _tree_json(tree: SessionTree, credentials: Mapping[int, ContentCredentials]) -> dict[str, Any]:
    """``_plain(tree)`` with each image's ``content_credentials`` (``credentials_json``)."""
    data: dict[str, Any] = _plain(tree)
    for version in data["prompt_versions"]:
        for attempt in version["attempts"]:
            for image in attempt["images"]:
                image["content_credentials"] = credentials_json(credentials[image["image_id"]])
    return data


def _marks_words(image: ImageRecord) -> str:
    """The marks on the image line, ``, favourite, rated 4/5``; "" for an unmarked image."""
    words = ", favourite" if image.favourite else ""
    return words + (f", rated {image.rating}/{MAX_RATING}" if image.rating else "")


def _print_tree(
    tree: SessionTree, credentials: Mapping[int, ContentCredentials], out: TextIO
) -> None:
    print(f"run {tree.run_id}: {tree.outcome.value}", file=out)
    print(f"  started {_local(tree.started_at)}, ended {_local(tree.ended_at)}", file=out)
    print(f"  image model {tree.image_model_id}, judge {tree.judge_model_id}", file=out)
    print(f"  cost {_cost_words(tree.cost)}", file=out)
    if tree.message:
        print(f"  {tree.message}", file=out)
    if tree.checklist is not None:
        print("  checklist:", file=out)
        for item in tree.checklist.items:
            print(f"    {item.id} [{'must' if item.must else 'should'}] {item.text}", file=out)
    for version in tree.prompt_versions:
        label = "original prompt" if version.revision == 0 else f"revision {version.revision}"
        print(f"{label}: {version.prompt if version.prompt is not None else '(none)'}", file=out)
        if version.revision and version.cost is not None:
            print(f"  revision cost {_cost_words(version.cost)}", file=out)
        for reason in version.reasons:
            print(f"  because: {_one_line(reason, 100)}", file=out)
        if version.error:
            print(f"  error: {version.error}", file=out)
        for attempt in version.attempts:
            print(f"  attempt {attempt.attempt} (seed {attempt.seed})", file=out)
            if attempt.error:
                print(f"    error: {attempt.error}", file=out)
            for image in attempt.images:
                judge = image.verdict.result if image.verdict else "not judged"
                if image.verdict and image.verdict.badge:
                    judge += f" {image.verdict.badge}"
                mine = f", you: {image.human_decision.value}" if image.human_decision else ""
                mark = " APPROVED" if image.effective_approved else ""
                mark += " BEST" if image.is_best else ""
                cost = f", cost {cost_text(image.cost)}" if image.cost is not None else ""
                if cost and image.verdict is not None and image.verdict.cost is not None:
                    cost += f" (judging {cost_text(image.verdict.cost)})"
                print(
                    f"    image {image.image_id}: judge {judge}{mine}{mark}"
                    f"{_marks_words(image)}{cost}",
                    file=out,
                )
                if image.verdict and image.verdict.reason:
                    print(f"      reason: {_one_line(image.verdict.reason, 100)}", file=out)
                print(f"      {image.path}", file=out)
                words = credentials_words(credentials[image.image_id])
                print(f"      Content Credentials: {words}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="imgloop-cli")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
