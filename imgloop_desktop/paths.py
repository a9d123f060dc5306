"""Where the app keeps its data: the platform's user data folder unless told otherwise.

``IMGLOOP_DATA_DIR`` (or ``--data-dir``) points everything elsewhere, for portable installs
and for tests that must never write into a developer's home.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "imgloop-desktop"


def data_dir() -> Path:
    override = os.environ.get("IMGLOOP_DATA_DIR")
    if override:
        return Path(override).expanduser()
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):  # only /tmp is writable in Lambda
        return Path("/tmp") / APP_NAME
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def images_dir(output_dir: str = "") -> Path:
    """A run's local image folder: the one the person chose, else ``<data dir>/images``."""
    return Path(output_dir).expanduser() if output_dir else data_dir() / "images"
