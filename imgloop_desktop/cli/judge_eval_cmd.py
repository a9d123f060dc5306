"""``imgloop-cli judge-eval``: how often the configured judge gets a labelled set right
(issue 12), as a table or JSON.

The set is the built-in one (images drawn with known content) or a person's JSONL
(``--set``, the format the history exports); ``--write-set DIR`` writes the built-in set in
that format to look at or edit. ``--demo`` runs against the local simulator with a scripted
judge whose mistakes are known (``services.judge_eval.DEMO_MISTAKES``).

Exit codes: 0 the set was judged (whatever the figures), 2 the input was invalid (no Bedrock
call was made), 3 Bedrock failed or the evaluation was cancelled.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from imgloop_desktop.accounts import KeyringAccount
from imgloop_desktop.cli import result, signals
from imgloop_desktop.core.cancel import Cancelled
from imgloop_desktop.core.errors import ImgloopError, Problem, ValidationError
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.services import judge_eval
from imgloop_desktop.services.credentials import CredentialsSource, DefaultChain
from imgloop_desktop.services.judge_eval_set import builtin_cases, read_set, write_set

EXIT_OK, EXIT_INVALID, EXIT_FAILED = 0, 2, 3


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "judge-eval",
        help="measure the judge on labelled images (built-in set or your own JSONL)",
        description="Judge every image of a labelled set once, as runs judge, and compare the "
        "judge's per-requirement answers and approvals with the labels: accuracy, precision "
        "and recall of approval, per requirement kind, with unsure and error answers, calls "
        "and tokens. Without --set the built-in set is used.",
    )
    parser.add_argument("--set", dest="set_file", help="labelled set, JSONL (see --write-set)")
    parser.add_argument(
        "--write-set",
        metavar="DIR",
        help="write the built-in set (PNG files and set.jsonl) to DIR and exit, no call made",
    )
    parser.add_argument("--judge-model", help="judge model id (default: the app's default)")
    parser.add_argument("--region", help="AWS region (default: the standard chain's)")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--profile", help="AWS profile from ~/.aws to use")
    who.add_argument("--account", help="AWS account kept in the OS keyring")
    who.add_argument(
        "--demo",
        action="store_true",
        help="run offline against the local simulator, with a scripted judge",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        if args.write_set:
            if args.set_file:
                raise ValidationError(
                    [Problem("--write-set", args.write_set, "without --set (it writes a set)")]
                )
            written = _write(Path(args.write_set))
            print(f"wrote {written}", file=out)
            return EXIT_OK
        params = _params(args)
        cases = read_set(Path(args.set_file)) if args.set_file else builtin_cases()
        judge_eval.check(params)
    except ValidationError as exc:
        return _invalid(exc, out, err)
    source = args.set_file or "built-in set"
    cancel = signals.INTERRUPTS.attach()

    def show(n: int, outcome: judge_eval.ImageOutcome) -> None:
        line = f"[{n}/{len(cases)}] {outcome.name}: {outcome.decision}"
        line += f" (labelled {'approved' if outcome.approved else 'not approved'})"
        with contextlib.suppress(OSError, ValueError):
            print(line, file=err, flush=True)

    try:
        if args.demo:
            print(
                "Offline demo: Bedrock is simulated on this machine; the judge is scripted.",
                file=err,
            )
            with judge_eval.demo_backend(cases) as demo:
                report = judge_eval.run_eval(
                    cases, params, credentials=demo, progress=show, cancel=cancel
                )
        else:
            credentials = _credentials(args, params)
            report = judge_eval.run_eval(
                cases, params, credentials=credentials, progress=show, cancel=cancel
            )
    except ValidationError as exc:
        return _invalid(exc, out, err)
    except Cancelled:
        print("error: cancelled; nothing was reported", file=err)
        return EXIT_FAILED
    except ImgloopError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_FAILED
    if args.json:
        out.write(json.dumps({"set": source} | report.to_json(), indent=2) + "\n")
    else:
        out.write(table(report, source))
    out.flush()
    return EXIT_OK


def _write(folder: Path) -> Path:
    try:
        return write_set(folder)
    except OSError as exc:
        raise ValidationError(
            [Problem("--write-set", str(folder), f"a folder we can write ({exc.strerror or exc})")]
        ) from exc


def _params(args: argparse.Namespace) -> RunParams:
    changes: dict[str, Any] = {}
    if args.judge_model is not None:
        changes["judge_model_id"] = args.judge_model
    if args.region is not None:
        changes["aws_region"] = args.region
    return RunParams().with_changes(**changes)


def _credentials(args: argparse.Namespace, params: RunParams) -> CredentialsSource:
    if args.account:
        return KeyringAccount(args.account)
    return DefaultChain(profile=args.profile, region=params.aws_region or None)


def _invalid(exc: ValidationError, out: TextIO, err: TextIO) -> int:
    """As ``run`` answers invalid input: each problem on stderr, the result JSON on stdout."""
    for problem in exc.problems:
        print(f"invalid input: {problem}", file=err)
    out.write(json.dumps(result.from_invalid(exc), indent=2, ensure_ascii=False) + "\n")
    out.flush()
    return EXIT_INVALID


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _row(name: str, tally: judge_eval.Tally) -> str:
    return (
        f"{name:<12} {tally.n:>6} {tally.correct:>8} {_figure(tally.accuracy):>9} "
        f"{_figure(tally.precision):>10} {_figure(tally.recall):>7} "
        f"{tally.unsure:>7} {tally.error:>6}\n"
    )


def table(report: judge_eval.EvalReport, source: str) -> str:
    """The figures as a plain table: requirements per kind and overall, then approval.

    Precision and recall are of "yes" (met, approved); "-" where nothing was said or
    labelled yes. For images, "unsure" is the judge sending the image to review."""
    images = len(report.images)
    lines = [
        f"judge {report.judge_model_id} in {report.region}, {images} images ({source})\n",
        "\n",
        f"{'requirements':<12} {'items':>6} {'correct':>8} {'accuracy':>9} {'precision':>10} "
        f"{'recall':>7} {'unsure':>7} {'error':>6}\n",
    ]
    lines += [_row(kind, tally) for kind, tally in report.by_kind.items()]
    lines.append(_row("all", report.items))
    lines.append("\n")
    lines.append(
        f"{'approval':<12} {'images':>6} {'correct':>8} {'accuracy':>9} {'precision':>10} "
        f"{'recall':>7} {'review':>7} {'error':>6}\n"
    )
    lines.append(_row("images", report.approval))
    if report.labels_disagree:
        lines.append(
            f"({report.labels_disagree} image(s) labelled approved or not against their must "
            "labels: approval is measured against that decision)\n"
        )
    per_image = report.calls / images if images else 0.0
    lines.append(
        f"\ncalls {report.calls} ({per_image:.2f} per image), input tokens "
        f"{report.input_tokens}, output tokens {report.output_tokens}\n"
    )
    return "".join(lines)
