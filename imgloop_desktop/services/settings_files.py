"""The small JSON settings files in the data folder (costs.json, queue.json): one reader,
one writer, so every such file is refused the same way when it cannot be used.

A file that cannot be read or holds a bad value raises ValidationError naming the file and
the field, never read as "nothing saved": a silently ignored file would lift a budget or
run faster than the person asked.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from imgloop_desktop.core import jsonsafe
from imgloop_desktop.core.atomic_file import atomic_write
from imgloop_desktop.core.errors import ImgloopError, Problem, ValidationError
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP
from imgloop_desktop.core.param_values import READABLE_FILE, short

T = TypeVar("T")


def read_settings(
    path: Path,
    what: str,
    parse: Callable[[object], T],
    default: Callable[[], T],
    *,
    max_bytes: int,
) -> T:
    """``parse`` of the file's JSON, ``default()`` when there is no file. ``what`` names
    the settings in messages ("cost settings"); every problem of ``parse`` is prefixed
    with the file's name."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return default()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValidationError(
            [Problem.of(f"{what} file", short(str(path)), READABLE_FILE, reason=reason)]
        ) from exc
    try:
        return parse(jsonsafe.loads(data, what=f"the {what}", max_bytes=max_bytes))
    except ValidationError as exc:
        raise ValidationError(
            [dataclasses.replace(p, field=f"{path.name}: {p.field}") for p in exc.problems]
        ) from exc
    except (ImgloopError, ValueError) as exc:
        raise ValidationError(
            [
                Problem.of(
                    f"{what} file",
                    short(str(path)),
                    QT_TRANSLATE_NOOP("Validation", "JSON {what} ({reason})"),
                    what=what,
                    reason=str(exc),
                )
            ]
        ) from exc


def write_settings(path: Path, value: object) -> None:
    """Write atomically; raises OSError when the data folder cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    atomic_write(path, text.encode("utf-8"))
