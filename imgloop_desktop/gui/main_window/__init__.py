"""The main window, composed of small parts (see ``window.py``'s docstring for the map).

``from imgloop_desktop.gui.main_window import MainWindow`` keeps working for the app,
the tests and the benchmark.
"""

from imgloop_desktop.gui.main_window.closing import CLOSE_TIMEOUT_SECONDS
from imgloop_desktop.gui.main_window.history_actions import SHUTDOWN_JOIN_SECONDS, recovery_text
from imgloop_desktop.gui.main_window.window import DEMO_BANNER, STATUS_MS, MainWindow

__all__ = [
    "CLOSE_TIMEOUT_SECONDS",
    "DEMO_BANNER",
    "SHUTDOWN_JOIN_SECONDS",
    "STATUS_MS",
    "MainWindow",
    "recovery_text",
]
