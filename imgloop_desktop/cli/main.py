"""``imgloop-cli``: the loop without a window, reading the seed's event and printing its result.

Exit codes: 0 an image was approved, 1 none was, 2 the input was invalid (no Bedrock call
was made), 3 the run ended in an error or was cancelled.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from imgloop_desktop import __version__
from imgloop_desktop.accounts import KeyringAccount
from imgloop_desktop.accounts.redaction import install_redaction
from imgloop_desktop.cli import (
    batch_cmd,
    cloud_cmd,
    history_cmd,
    judge_eval_cmd,
    progress,
    result,
    signals,
)
from imgloop_desktop.core.errors import ImgloopError, Problem, ValidationError
from imgloop_desktop.core.events import Event, Outcome
from imgloop_desktop.core.params import PARAMS, RunParams, validate
from imgloop_desktop.services import checklist as checklist_service
from imgloop_desktop.services import costs, run_check
from imgloop_desktop.services import run as run_service
from imgloop_desktop.services.catalog import image_spec
from imgloop_desktop.services.credentials import CredentialsSource, DefaultChain
from imgloop_desktop.services.demo import DemoBackend
from imgloop_desktop.services.history import HistoryService

EXAMPLE_EVENT = {
    "prompt": "A serene landscape with mountains and a lake at dawn, mist over the water",
    "max_retry_attempts": 2,
    "max_prompt_revisions": 2,
    "judge_mode": "checklist",
}

EXIT_CODES = {
    Outcome.APPROVED: 0,
    Outcome.NOT_APPROVED: 1,
    Outcome.ERROR: 3,
    Outcome.CANCELLED: 3,
    Outcome.BUDGET: 4,
}
EXIT_INVALID = 2
FIELD_NAMES = frozenset(f.name for f in PARAMS)
# ``validate`` needs an image model; the checklist command reads only the judge's fields.
IMAGE_SPEC_FOR_CHECKS = image_spec(RunParams().image_model_id)


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
    who = run.add_mutually_exclusive_group()
    who.add_argument("--profile", help="AWS profile from ~/.aws to use (default: standard chain)")
    who.add_argument("--account", help="AWS account kept in the OS keyring (see the app)")
    run.add_argument("--region", help="AWS region (overrides aws_region in the event)")
    run.add_argument("--output-dir", help="local image folder (overrides output_dir)")
    run.add_argument("--no-s3", action="store_true", help="keep images locally only")
    run.add_argument("--quiet", action="store_true", help="print no progress")
    run.add_argument(
        "--estimate",
        action="store_true",
        help="print what the run would cost (first attempt, worst case) as JSON; no Bedrock call",
    )
    demo = commands.add_parser(
        "demo",
        help="run the loop offline against the built-in Bedrock simulator",
        description="Offline demo (simulated Bedrock): the real loop, local disk and result "
        "JSON, with synthetic images and scripted verdicts. Needs no AWS account.",
    )
    demo.add_argument("--event", help="event JSON file (default: the seed's example)")
    demo.add_argument("--output-dir", help="local image folder (overrides output_dir)")
    demo.add_argument("--quiet", action="store_true", help="print no progress")
    checklist = commands.add_parser(
        "checklist",
        help="print the requirement checklist the judge's model writes for a prompt",
        description="Ask the judge's model to turn PROMPT into a checklist of requirements "
        "(each must or should), print it as JSON on stdout. Kept per prompt and judge model, "
        "so asking again costs nothing. Edit it and pass it back in an event's checklist.",
    )
    checklist.add_argument("prompt", help="the image request, in any language")
    checklist.add_argument("--event", help="event JSON file for the judge model and settings")
    checklist_who = checklist.add_mutually_exclusive_group()
    checklist_who.add_argument("--profile", help="AWS profile from ~/.aws to use")
    checklist_who.add_argument("--account", help="AWS account kept in the OS keyring")
    checklist.add_argument("--region", help="AWS region (overrides aws_region in the event)")
    checklist.add_argument("--judge-model", help="judge model id (overrides the event's)")
    checklist.add_argument(
        "--fresh", action="store_true", help="ask the model even when a kept one exists"
    )
    history_cmd.add_parser(commands)
    judge_eval_cmd.add_parser(commands)
    cloud_cmd.add_parser(commands)
    batch_cmd.add_parser(commands)
    return parser


def _read_event(source: str) -> RunParams:
    """The event from a file or stdin, through the same bounded reader.

    stdin is read as bytes (at most the event limit) and decoded by the reader, so a huge,
    non-UTF-8, deeply nested or number-bomb input answers as invalid input like a file does.
    """
    if source == "-":
        stream = getattr(sys.stdin, "buffer", sys.stdin)  # in-process callers may pass text
        if stream is None:  # no stdin at all (pythonw, a closed descriptor)
            raise ValidationError([Problem("event", "<stdin>", "an event on standard input")])
        try:
            return RunParams.read(stream, "<stdin>")
        except (OSError, ValueError) as exc:  # closed or unreadable stdin
            raise ValidationError([Problem("event", "<stdin>", "readable standard input")]) from exc
    return RunParams.load(Path(source))


def _print_json(data: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    out.flush()


def _params(args: argparse.Namespace, **overrides: Any) -> RunParams:
    """The event with command-line overrides, checked; raises ValidationError."""
    params = _read_event(args.event) if args.event else RunParams.from_event(EXAMPLE_EVENT)
    if getattr(args, "region", None):
        overrides["aws_region"] = args.region
    if args.output_dir:
        overrides["output_dir"] = args.output_dir
    if getattr(args, "no_s3", False):
        overrides["s3_enabled"] = False
    params = params.with_changes(**overrides)
    run_check.check(params)
    return params


def _execute(params: RunParams, credentials: CredentialsSource, quiet: bool) -> int:
    cancel = signals.INTERRUPTS.attach()  # the entry point routes Ctrl-C and SIGTERM to it

    def show(event: Event) -> None:
        if not quiet:
            # A closed or broken stderr must not end the run.
            with contextlib.suppress(OSError, ValueError):
                print(progress.describe(event), file=sys.stderr, flush=True)

    try:
        settings = costs.load_settings()  # a bad file is invalid input: exit 2, no call
    except ValidationError as exc:
        return _invalid(exc)
    try:
        execution = run_service.execute(
            params,
            credentials=credentials,
            emit=show,
            cancel=cancel,
            price_overrides=settings.overrides,
            monthly_left=costs.monthly_left_now(settings=settings),
        )
    except (ImgloopError, OSError) as exc:  # the run could not start: say why, exit 3
        message = str(exc) if isinstance(exc, ImgloopError) else f"{exc.strerror}: {exc.filename}"
        print(f"error: {message}", file=sys.stderr)
        _print_json(result.from_failure(message), sys.stdout)
        return EXIT_CODES[Outcome.ERROR]
    with execution:
        _print_json(result.from_result(execution.result, params, execution.region), sys.stdout)
    return EXIT_CODES[execution.result.outcome]


def _estimate(params: RunParams) -> costs.RunEstimate:
    """The window's figures for ``params``: the person's prices and, when the history has
    approved runs of this image and judge model, the expected cost from their median."""
    settings = costs.load_settings()
    median = None
    try:
        with HistoryService.open() as history:
            median = history.median_attempts(params.image_model_id, params.judge_model_id)
    except (ImgloopError, OSError) as exc:  # the estimate stands without the history's figure
        logging.getLogger(__name__).warning("no expected cost: the history is unusable: %s", exc)
    return costs.estimate_run(params, overrides=settings.overrides, median_attempts=median)


def _invalid(exc: ValidationError) -> int:
    for problem in exc.problems:
        print(f"invalid input: {problem}", file=sys.stderr)
    _print_json(result.from_invalid(exc), sys.stdout)
    return EXIT_INVALID


def run_command(args: argparse.Namespace) -> int:
    try:
        params = _params(args)
        if args.estimate:
            _print_json(_estimate(params).to_json(), sys.stdout)
            return 0
    except ValidationError as exc:
        return _invalid(exc)
    credentials: CredentialsSource = (
        KeyringAccount(args.account)
        if args.account
        else DefaultChain(profile=args.profile, region=params.aws_region or None)
    )
    return _execute(params, credentials, args.quiet)


def demo_command(args: argparse.Namespace) -> int:
    try:
        # No region pinned: the demo calls each model where Bedrock serves it, as a real run.
        params = _params(args, s3_enabled=False)
    except ValidationError as exc:
        return _invalid(exc)
    print(
        "Offline demo: Bedrock is simulated on this machine; the images are synthetic.",
        file=sys.stderr,
    )
    with DemoBackend() as credentials:
        return _execute(params, credentials, args.quiet)


def checklist_command(args: argparse.Namespace) -> int:
    """Exit 0 with ``{"prompt", "judge_model_id", "region", "cached", "checklist"}``; 2 for
    invalid input (as ``run``); 3 when Bedrock or the model's answer failed."""
    try:
        params = _read_event(args.event) if args.event else RunParams()
        changes: dict[str, Any] = {"prompt": args.prompt}
        if args.region:
            changes["aws_region"] = args.region
        if args.judge_model:
            changes["judge_model_id"] = args.judge_model
        params = params.with_changes(**changes)
        # Only what writing a checklist uses; the prompt is checked by the service.
        used = {"judge_model_id", "aws_region"} | {n for n in FIELD_NAMES if "_revise_" in n}
        problems = [p for p in validate(params, IMAGE_SPEC_FOR_CHECKS) if p.field in used]
        if problems:
            raise ValidationError(problems)
        credentials: CredentialsSource = (
            KeyringAccount(args.account)
            if args.account
            else DefaultChain(profile=args.profile, region=params.aws_region or None)
        )
        written = checklist_service.write_checklist(
            params, credentials=credentials, use_cache=not args.fresh
        )
    except ValidationError as exc:
        return _invalid(exc)
    except ImgloopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CODES[Outcome.ERROR]
    _print_json(
        {
            "prompt": params.prompt,
            "judge_model_id": written.judge_model_id,
            "region": written.region,
            "cached": written.cached,
            "checklist": written.checklist.to_json(),
        },
        sys.stdout,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    install_redaction()
    args = _parser().parse_args(argv)
    if args.command == "run":
        return run_command(args)
    if args.command == "demo":
        return demo_command(args)
    if args.command == "history":
        return history_cmd.run(args)
    if args.command == "checklist":
        return checklist_command(args)
    if args.command == "judge-eval":
        return judge_eval_cmd.run(args)
    if args.command == "cloud":
        return cloud_cmd.run(args)
    if args.command == "batch":
        return batch_cmd.run(args)
    raise AssertionError(args.command)  # argparse only admits the commands above


if __name__ == "__main__":  # through the entry point, so Ctrl-C is handled from the start
    from imgloop_desktop.cli.entry import main as entry_main

    entry_main()
