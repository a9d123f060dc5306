"""``python -m imgloop_desktop``: the app's entry point.

With no arguments it runs the offline demo until the desktop window lands; with arguments
it is ``imgloop-cli``.
"""

import sys

from imgloop_desktop.cli.main import main

sys.exit(main(sys.argv[1:] or ["demo"]))
