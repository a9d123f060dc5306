"""``imgloop-cli``: the loop without a window, reading the seed's event and printing its result.

Exit codes: 0 an image was approved, 1 none was, 2 the input was invalid (no Bedrock call
was made), 3 the run ended in an error or was cancelled.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from imgloop_desktop import __version__
from imgloop_desktop.cli import progress, result
from imgloop_desktop.core.cancel import CancelToken
from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.events import Event, Outcome
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.services import run as run_service

EXIT_CODES = {
    Outcome.APPROVED: 0,
    Outcome.NOT_APPROVED: 1,
    Outcome.ERROR: 3,
    Outcome.CANCELLED: 3,
}
EXIT_INVALID = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imgloop-cli",
        description="Generate images on Amazon Bedrock until a vision model approves one.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="run the loop for one event (the seed's JSON input)",
        description="Run the loop for one event. Progress goes to stderr; the seed's result "
        "JSON goes to stdout.",
    )
    run.add_argument("--event", required=True, help="event JSON file, or - for stdin")
    run.add_argument("--profile", help="AWS profile from ~/.aws to use (default: standard chain)")
    run.add_argument("--region", help="AWS region (overrides aws_region in the event)")
    run.add_argument("--output-dir", help="local image folder (overrides output_dir)")
    run.add_argument("--no-s3", action="store_true", help="keep images locally only")
    run.add_argument("--quiet", action="store_true", help="print no progress")
    return parser


def _read_event(source: str) -> RunParams:
    if source == "-":
        try:
            return RunParams.from_event(json.load(sys.stdin))
        except json.JSONDecodeError as exc:
            raise ValidationError([Problem("event", "<stdin>", f"valid JSON ({exc})")]) from exc
    return RunParams.load(Path(source))


def _print_json(data: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    out.flush()


def run_command(args: argparse.Namespace) -> int:
    try:
        params = _read_event(args.event)
        overrides: dict[str, Any] = {}
        if args.region:
            overrides["aws_region"] = args.region
        if args.output_dir:
            overrides["output_dir"] = args.output_dir
        if args.no_s3:
            overrides["s3_enabled"] = False
        params = params.with_changes(**overrides)
        run_service.check(params)
    except ValidationError as exc:
        for problem in exc.problems:
            print(f"invalid input: {problem}", file=sys.stderr)
        _print_json(result.from_invalid(exc), sys.stdout)
        return EXIT_INVALID

    cancel = CancelToken()

    def on_interrupt(_signum: int, _frame: FrameType | None) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        print("cancelling: no new Bedrock call will start (Ctrl-C again to abort)", file=sys.stderr)
        cancel.cancel()

    def show(event: Event) -> None:
        if not args.quiet:
            print(progress.describe(event), file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        outcome, clients = run_service.execute(
            params,
            credentials=DefaultChain(profile=args.profile, region=params.aws_region or None),
            emit=show,
            cancel=cancel,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    _print_json(result.from_result(outcome, params, clients.region), sys.stdout)
    return EXIT_CODES[outcome.outcome]


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    if args.command == "run":
        return run_command(args)
    raise AssertionError(args.command)  # argparse only admits the commands above


if __name__ == "__main__":
    sys.exit(main())
