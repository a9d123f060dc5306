"""``imgloop-cli cloud deploy|submit|status|pull``: a batch on AWS Step Functions from this
machine.

``deploy`` prints the two commands that build the Lambda and deploy the stack with SAM, as
JSON (``commands``); when the SAM CLI is installed it runs them too, with SAM asking before
it changes anything (``--confirm-changeset``), unless ``--print`` says only to show them.

The state machine and its contract are packaging/aws/ and docs/scale-out.md; the work is
``services.cloud``. Every command prints one JSON object on stdout.

Exit codes: 0 done, 1 the history refused the pulled runs, 2 invalid input (the field, the
value and what is allowed, on stderr; nothing was uploaded), 3 AWS refused or failed a
call, or the batch has no results yet (one ``error: …`` line on stderr).
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, TextIO

from imgloop_desktop.accounts import KeyringAccount
from imgloop_desktop.core.errors import ImgloopError, ServiceError, ValidationError
from imgloop_desktop.services import cloud
from imgloop_desktop.services.credentials import CredentialsSource, DefaultChain

EXIT_OK, EXIT_HISTORY, EXIT_INVALID, EXIT_AWS = 0, 1, 2, 3


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "cloud",
        help="run a JSONL of events on AWS Step Functions, follow it, pull the runs home",
        description="Batches on AWS (docs/scale-out.md): submit uploads the events and "
        "starts the state machine, status summarises the Map run, pull downloads results "
        "and images into the local history.",
    )
    commands = parser.add_subparsers(dest="cloud_command", required=True)

    deploy = commands.add_parser(
        "deploy", help="build the Lambda and deploy the stack with SAM (or print how)"
    )
    deploy.add_argument("--bucket", required=True, help="an existing S3 bucket for the batches")
    deploy.add_argument("--prefix", default="imgloop/", help="key prefix (default imgloop/)")
    deploy.add_argument("--stack-name", default="imgloop-batch", help="default imgloop-batch")
    deploy.add_argument("--region", help="AWS region (default: SAM's, from your profile)")
    deploy.add_argument(
        "--max-concurrency", type=int, default=4, help="runs at once (default 4, see docs)"
    )
    deploy.add_argument("--print", action="store_true", help="only print the commands")

    submit = commands.add_parser("submit", help="upload the events and start the batch")
    submit.add_argument("events", type=Path, metavar="EVENTS.jsonl", help="one event a line")
    submit.add_argument(
        "--state-machine", required=True, metavar="ARN", help="the stack's StateMachineArn"
    )
    submit.add_argument("--bucket", required=True, help="the stack's BatchBucket")
    submit.add_argument(
        "--prefix", default="imgloop/", help="the stack's BatchPrefix (default imgloop/)"
    )
    submit.add_argument("--batch-id", help="name of the batch (default: time and random)")
    _who(submit)

    status = commands.add_parser("status", help="the batch's status and each line's outcome")
    status.add_argument("execution_arn", metavar="EXECUTION_ARN")
    _who(status)

    pull = commands.add_parser("pull", help="download results and images into the history")
    pull.add_argument("execution_arn", metavar="EXECUTION_ARN")
    pull.add_argument(
        "--to", type=Path, help="download folder (default: <data dir>/cloud/<batch id>)"
    )
    _who(pull)


def _who(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--profile", help="AWS profile from ~/.aws to use (default: standard chain)")
    who.add_argument("--account", help="AWS account kept in the OS keyring (see the app)")
    parser.add_argument("--region", help="AWS region (default: the ARN's)")


def _credentials(args: argparse.Namespace) -> CredentialsSource:
    if args.account:
        return KeyringAccount(args.account)
    return DefaultChain(profile=args.profile, region=args.region or None)


def _print(data: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    out.flush()


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one ``cloud`` command; the exit code as in the module's docstring."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        if args.cloud_command == "deploy":
            return _deploy(args, out, err)
        credentials = _credentials(args)
        if args.cloud_command == "submit":
            ref = cloud.submit(
                args.events,
                state_machine_arn=args.state_machine,
                bucket=args.bucket,
                prefix=args.prefix,
                credentials=credentials,
                region=args.region,
                batch_id=args.batch_id,
            )
            _print(ref.to_json(), out)
        elif args.cloud_command == "status":
            state = cloud.status(args.execution_arn, credentials=credentials, region=args.region)
            _print(state.to_json(), out)
        else:
            report = cloud.pull(
                args.execution_arn, args.to, credentials=credentials, region=args.region
            )
            _print(report.to_json(), out)
    except ValidationError as exc:
        for problem in exc.problems:
            print(f"invalid input: {problem}", file=err)
        problems = [
            {"field": p.field, "value": p.value, "allowed": p.allowed} for p in exc.problems
        ]
        _print({"error": "invalid input", "problems": problems}, out)
        return EXIT_INVALID
    except (cloud.CloudError, ServiceError) as exc:
        print(f"error: {exc}", file=err)
        return EXIT_AWS
    except ImgloopError as exc:  # the history refused the import (damaged file, full disk)
        print(f"error: {exc}", file=err)
        return EXIT_HISTORY
    except OSError as exc:  # the download folder cannot be written
        print(f"error: {exc.strerror or exc}: {exc.filename}", file=err)
        return EXIT_HISTORY
    return EXIT_OK


def _deploy(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    sam = shutil.which("sam")
    run_them = sam is not None and not args.print
    plan = cloud.deploy_commands(
        bucket=args.bucket,
        prefix=args.prefix,
        stack_name=args.stack_name,
        region=args.region,
        max_concurrency=args.max_concurrency,
        confirm=run_them,
    )
    commands = [shlex.join(plan.build), shlex.join(plan.deploy)]
    _print({"commands": commands, "cwd": str(plan.root), "ran": run_them}, out)
    if not run_them:
        if sam is None and not args.print:
            print(
                "SAM CLI not found: run these from the checkout after installing it "
                "(https://docs.aws.amazon.com/serverless-application-model/)",
                file=err,
            )
        return EXIT_OK
    for command in (plan.build, plan.deploy):
        print(f"+ {shlex.join(command)}", file=err, flush=True)
        if subprocess.run(command, cwd=plan.root, check=False).returncode != 0:
            print(f"error: {command[0]} {command[1]} failed", file=err)
            return EXIT_AWS
    return EXIT_OK
