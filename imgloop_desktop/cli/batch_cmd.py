"""``imgloop-cli batch EVENTS.jsonl``: many events headless, several at once, one limit.

Every line of the file (JSONL, or CSV with a header row of field names) is checked before
anything runs; any invalid line prints every problem as ``line N: field`` and exits 2
with no Bedrock call. Then the items run, at most ``--concurrency`` at once, in file order.
stdout gets one JSON line per finished item (in finishing order): the seed's result body
for that run (``run``'s body, decoded) plus ``line`` and ``statusCode``; then one summary
line. Progress, prefixed ``line N:``, goes to stderr.

Exit codes, the most serious first, so a script sees the worst item: 2 invalid input (no
call); 3 an item ended in an error, could not start, was cancelled or never started
(Ctrl-C); 4 an item stopped at the budget; 1 an item was not approved; 0 every item was
approved. As ``run``'s, item by item.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import sys
import threading
from pathlib import Path
from typing import Any

from imgloop_desktop.accounts import KeyringAccount
from imgloop_desktop.cli import progress, result, signals
from imgloop_desktop.core.errors import ImgloopError, ValidationError
from imgloop_desktop.core.events import Event, Outcome
from imgloop_desktop.services import batch, costs, queue_limits
from imgloop_desktop.services.credentials import CredentialsSource, DefaultChain

EXIT_APPROVED, EXIT_NOT_APPROVED, EXIT_INVALID, EXIT_ERROR, EXIT_BUDGET = 0, 1, 2, 3, 4
MAX_CONCURRENCY = 32


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "batch",
        help="run every event of a JSONL or CSV file, several at once",
        description="Run many events (JSONL, one a line, or CSV with a header of field "
        "names), at most --concurrency at once under one shared image-call limit. Every line "
        "is checked first; one JSON line per finished item, then a summary, on stdout.",
    )
    parser.add_argument("events", type=Path, metavar="EVENTS", help="a .jsonl or .csv file")
    parser.add_argument(
        "--concurrency",
        type=_concurrency,
        default=None,
        help=f"items running at once (1-{MAX_CONCURRENCY}; default: the app's Preferences → "
        "Queue, as are the image calls at once and per minute, which every item shares)",
    )
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--profile", help="AWS profile from ~/.aws to use (default: standard chain)")
    who.add_argument("--account", help="AWS account kept in the OS keyring (see the app)")
    parser.add_argument("--region", help="AWS region (overrides aws_region in every event)")
    parser.add_argument("--no-s3", action="store_true", help="keep images locally only")
    parser.add_argument("--quiet", action="store_true", help="print no progress")


def _concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"a whole number from 1 to {MAX_CONCURRENCY}")
    return value


def _line(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _invalid(exc: ValidationError) -> int:
    for problem in exc.problems:
        print(f"invalid input: {problem}", file=sys.stderr)
    response = result.from_invalid(exc)
    _line({"statusCode": response["statusCode"], **json.loads(response["body"])})
    return EXIT_INVALID


def item_line(item: batch.ItemResult) -> dict[str, Any]:
    """The seed's result for one item, flattened to one JSON object with its line."""
    if item.result is not None:
        response = result.from_result(item.result, item.item.params, item.region)
    elif not item.started:
        cancelled = {"status": "CANCELLED", "error": "Not started: the batch was cancelled."}
        response = {"statusCode": 500, "body": json.dumps(cancelled)}
    else:
        response = result.from_failure(item.error)
    body: dict[str, Any] = json.loads(response["body"])
    return {"line": item.item.line, "statusCode": response["statusCode"]} | body


def exit_code(outcomes: list[Outcome]) -> int:
    """The most serious item's code: error/cancel 3, budget 4, not approved 1, else 0."""
    if any(o in (Outcome.ERROR, Outcome.CANCELLED) for o in outcomes):
        return EXIT_ERROR
    if Outcome.BUDGET in outcomes:
        return EXIT_BUDGET
    if Outcome.NOT_APPROVED in outcomes:
        return EXIT_NOT_APPROVED
    return EXIT_APPROVED


def run(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {}
    if args.region:
        overrides["aws_region"] = args.region
    if args.no_s3:
        overrides["s3_enabled"] = False
    try:
        items = batch.read_batch(args.events, overrides=overrides)
        settings = costs.load_settings()
        limits = queue_limits.load_limits()  # the account's limits, as the window's queue
    except ValidationError as exc:
        return _invalid(exc)
    region = args.region or next((i.params.aws_region for i in items if i.params.aws_region), None)
    credentials: CredentialsSource = (
        KeyringAccount(args.account)
        if args.account
        else DefaultChain(profile=args.profile, region=region)
    )
    cancel = signals.INTERRUPTS.attach()  # the entry point routes Ctrl-C and SIGTERM to it
    lines = {index: item.line for index, item in enumerate(items)}
    print_lock = threading.Lock()

    def show(index: int, event: Event) -> None:
        if args.quiet:
            return
        with print_lock, contextlib.suppress(OSError, ValueError):  # stderr broken: go on
            print(f"line {lines[index]}: {progress.describe(event)}", file=sys.stderr, flush=True)

    try:
        summary = batch.run_batch(
            items,
            concurrency=args.concurrency or limits.items_at_once,
            credentials=credentials,
            limits=limits.call_limits(),
            emit_item=lambda item: _line(item_line(item)),
            emit_event=show,
            cancel=cancel,
            region=region,
            price_overrides=settings.overrides,
            monthly_left=functools.partial(costs.monthly_left_now, settings=settings),
        )
    except ImgloopError as exc:  # no client could be made: nothing ran
        print(f"error: {exc}", file=sys.stderr)
        _line({"statusCode": 500, "status": "FAIL", "error": str(exc)})
        return EXIT_ERROR
    _line(summary.to_json())
    return exit_code(summary.outcomes)
