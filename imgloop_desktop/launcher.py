"""``imgloop``: the desktop app's entry point (gui-script, ``python -m imgloop_desktop``, the
PyInstaller bundle).

It reads only its own options, before anything heavy is imported: ``--data-dir`` must
reach ``IMGLOOP_DATA_DIR`` before any code asks ``paths.data_dir()``, and ``--version`` /
``--help`` / ``--self-test`` should not pay for (or depend on) starting a window. Every
other argument is left for Qt (``-platform``, ``-style``, …).

The headless commands stay reachable too: ``imgloop run|demo|history …`` hands over to
``imgloop-cli``, so ``python -m imgloop_desktop demo`` keeps working.

Before Qt is imported, ``platform_check`` asks whether Qt's window platform can load here:
a missing X11 library makes Qt abort the process, so the launcher says which package to
install instead (on stderr and in the log, as a double-clicked start has no terminal) and
exits with ``platform_check.EXIT_MISSING_LIBRARIES``.

Qt-free at import time; the window starts in ``gui.startup``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from imgloop_desktop import __version__, platform_check

PROG = "imgloop"
CLI_COMMANDS = frozenset({"run", "demo", "history"})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="imgloop desktop: generate images on Amazon Bedrock until a vision model "
        "approves one that matches your words.",
        epilog="Headless use: imgloop-cli (or imgloop run|demo|history ...). Other arguments "
        "are passed to Qt, e.g. -platform offscreen. Logs: see docs/packaging.md.",
    )
    parser.add_argument("--version", action="version", version=f"imgloop desktop {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="PATH",
        help="keep images, history, accounts index and logs under PATH (a portable or test "
        "location; same as IMGLOOP_DATA_DIR)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that Qt, the data folder, the keyring and the simulator work, print one "
        "line per check and exit (0 = all passed); no window is shown",
    )
    return parser


def _ensure_streams() -> None:
    """A windowed bundle or ``pythonw`` has no stdout/stderr (None): anything that prints
    (argparse, a library's warning) would crash the app, so give them a sink."""
    if sys.stdout is None:
        sys.stdout = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - kept open
    if sys.stderr is None:
        sys.stderr = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - kept open


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the launcher's options, then run the self-test, the CLI or the window."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in and args_in[0] in CLI_COMMANDS:
        from imgloop_desktop.cli.main import main as cli_main

        return cli_main(args_in)
    headless_stdout = sys.stdout is None
    _ensure_streams()
    options, rest = _parser().parse_known_args(args_in)
    if options.data_dir:
        os.environ["IMGLOOP_DATA_DIR"] = str(Path(options.data_dir).expanduser().absolute())
    if options.self_test:
        from imgloop_desktop import paths
        from imgloop_desktop.selftest import REPORT_FILE, run_self_test

        if headless_stdout:
            return run_self_test(report_path=paths.data_dir() / REPORT_FILE)
        return run_self_test(sys.stdout)
    if importlib.util.find_spec("PySide6") is None:  # found, not imported: Qt stays in gui
        # The core installs without the window (it fits AWS Lambda); say how to add it.
        print(
            "imgloop: the window needs the desktop extra: "
            "pip install 'imgloop-desktop[desktop]' (python3 dev.py run installs it). "
            "The headless command works without it: imgloop-cli --help",
            file=sys.stderr,
        )
        return 2
    problem = platform_check.check(rest)
    if problem is not None:
        return _refuse_to_start(problem)
    # Until the window is up (``gui.startup`` turns it back on): the start makes ~100k
    # long-lived objects (modules, Qt wrappers, enums), and the cyclic collector walked
    # them again and again, ~35 ms of every start (issue 15). Nothing made meanwhile is
    # garbage worth a collection.
    gc.disable()
    try:
        from imgloop_desktop.gui.startup import start_gui

        return start_gui([sys.argv[0] if sys.argv and sys.argv[0] else PROG, *rest])
    finally:
        gc.enable()  # normally done already, once the window showed


def _refuse_to_start(problem: platform_check.PlatformProblem) -> int:
    """Say why the window cannot start, on stderr and in the log; the exit code.

    Not a crash: no trace is written, so the next start has nothing to offer.
    """
    from imgloop_desktop import logs  # only now: it costs a noticeable part of a start

    message = problem.message(PROG)
    print(message, file=sys.stderr)
    try:
        logs.setup_logging(console=False)  # stderr already has it, once
        logging.getLogger(__name__).error("the window could not start:\n%s", message)
    except OSError as exc:  # an unwritable log folder must not hide the message above
        print(f"{PROG}: (could not write the log: {exc})", file=sys.stderr)
    finally:
        logs.shutdown_logging()
    return platform_check.EXIT_MISSING_LIBRARIES


if __name__ == "__main__":
    sys.exit(main())
