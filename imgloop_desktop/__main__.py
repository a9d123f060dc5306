"""``python -m imgloop_desktop`` runs the headless command until the window lands."""

import sys

from imgloop_desktop.cli.main import main

sys.exit(main())
