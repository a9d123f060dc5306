"""The models a run can use, for front ends: the window's choice lists and spec look-ups.

The catalog itself lives with the providers (each entry is tied to a request format), but
which models exist is a question front ends ask, and they reach providers only through
services (the import contracts in pyproject.toml). These names are re-exported unchanged,
so the window, the headless command and ``services.run`` resolve a model the same way.
"""

from __future__ import annotations

from imgloop_desktop.providers.catalog import IMAGE_MODELS, TEXT_MODELS, image_spec, text_spec

__all__ = ["IMAGE_MODELS", "TEXT_MODELS", "image_spec", "text_spec"]
