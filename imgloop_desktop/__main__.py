"""``python -m imgloop_desktop``: the desktop app; ``... run|demo|history`` stays headless."""

import sys

from imgloop_desktop.launcher import main

sys.exit(main())
