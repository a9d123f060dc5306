"""``python -m imgloop_desktop.cli``: the same entry point as ``imgloop-cli``."""

from imgloop_desktop.cli.entry import main

main()
