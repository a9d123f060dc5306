"""``imgloop-cli``'s entry point: signal handling first, everything slow after.

Importing the command (boto3, the history, the simulator) takes about a second, and a
Ctrl-C in that second used to print a traceback. The handlers go in before any of it.
After a cancelled run the process ends with ``os._exit`` once its output is flushed: a
thread still blocked in an abandoned call (a hung S3 upload, a Bedrock call with no
answer) would otherwise hold the interpreter's exit until its timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

from imgloop_desktop.cli.signals import INTERRUPTS, StopBeforeRun

EXIT_CANCELLED = 3


def main() -> None:
    try:
        INTERRUPTS.install()
        from imgloop_desktop.cli import main as cli

        code = cli.main()
    except StopBeforeRun:
        body = {"status": "CANCELLED", "error": "Cancelled before a run started."}
        _write(json.dumps({"statusCode": 500, "body": json.dumps(body)}, indent=2) + "\n")
        code = EXIT_CANCELLED
    if INTERRUPTS.received:
        _flush()
        os._exit(code)
    sys.exit(code)


def _write(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.write(text)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()


if __name__ == "__main__":
    main()
