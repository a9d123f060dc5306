"""What the window remembers between launches, in QSettings: layout, the last parameters
and named presets. The chosen backend is not here: it is the accounts file's one saved
choice (``services.backends``); ``legacy_backend_key`` reads what older versions kept here.

Never a secret: run parameters hold none (keys live in the OS keyring, see ``accounts``).
Everything read back is treated as untrusted, since the file can be edited by hand or
written by another version: a value that does not parse is ignored (logged), never allowed
to stop the window opening.

The store is an INI file on every platform (not the Windows registry or a macOS plist) so
a person can read, back up or delete it, and tests can search it for leaks.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.i18n_marks import Phrase
from imgloop_desktop.core.param_values import problem, says
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

ORGANIZATION = "imgloop"
APPLICATION = "imgloop-desktop"
DISPLAY_NAME = "imgloop desktop"

KEY_GEOMETRY = "window/geometry"
KEY_STATE = "window/state"
KEY_SPLITTER = "window/splitter"
KEY_LAST_PARAMS = "params/last"
KEY_PRESETS = "params/presets"
KEY_BACKEND = "backend/choice"
KEY_THUMBNAIL_SIZE = "gallery/thumbnail_size"
KEY_FORM_ADVANCED = "form/advanced_open"

PRESET_NAME_MAX = 80
PRESETS_MAX = 500


class SettingsStore:
    """A thin, typed layer over one QSettings file. Cheap calls only (QSettings caches in
    memory and writes in the background), so the GUI thread may use it directly."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings or QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
        )

    def file_name(self) -> str:
        return self.qsettings.fileName()

    def sync(self) -> None:
        self.qsettings.sync()

    # -- layout -----------------------------------------------------------------------------

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.qsettings.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, bytes | bytearray) and value:
            return QByteArray(bytes(value))
        return None

    def window_geometry(self) -> QByteArray | None:
        return self._bytes(KEY_GEOMETRY)

    def set_window_geometry(self, data: QByteArray) -> None:
        self.qsettings.setValue(KEY_GEOMETRY, data)

    def window_state(self) -> QByteArray | None:
        return self._bytes(KEY_STATE)

    def set_window_state(self, data: QByteArray) -> None:
        self.qsettings.setValue(KEY_STATE, data)

    def splitter_state(self) -> QByteArray | None:
        return self._bytes(KEY_SPLITTER)

    def set_splitter_state(self, data: QByteArray) -> None:
        self.qsettings.setValue(KEY_SPLITTER, data)

    def thumbnail_size(self) -> int | None:
        """The gallery's thumbnail size in pixels, None when never set or unreadable (the
        gallery clamps it to the sizes it offers)."""
        value = self.qsettings.value(KEY_THUMBNAIL_SIZE)
        try:
            return int(str(value)) if value is not None else None
        except ValueError:
            log.warning("ignoring unreadable thumbnail size %r in %s", value, self.file_name())
            return None

    def set_thumbnail_size(self, size: int) -> None:
        self.qsettings.setValue(KEY_THUMBNAIL_SIZE, int(size))

    def advanced_open(self) -> bool:
        """Whether the form's Advanced section was left open (closed when never set): a
        person who tunes sampling keeps it open; a newcomer never sees it."""
        value = self.qsettings.value(KEY_FORM_ADVANCED)
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1") if value is not None else False

    def set_advanced_open(self, is_open: bool) -> None:
        self.qsettings.setValue(KEY_FORM_ADVANCED, bool(is_open))

    # -- parameters -------------------------------------------------------------------------

    def last_params(self) -> RunParams | None:
        """The parameters of the last run or session, or None when there are none (or they
        no longer read as an event: a newer or hand-edited file must not block the start)."""
        text = self.qsettings.value(KEY_LAST_PARAMS)
        if not isinstance(text, str) or not text:
            return None
        try:
            return RunParams.from_event(_window_event(json.loads(text)))
        except (ValueError, ValidationError) as exc:
            log.warning("ignoring unreadable last parameters in %s: %s", self.file_name(), exc)
            return None

    def set_last_params(self, params: RunParams) -> None:
        self.qsettings.setValue(KEY_LAST_PARAMS, _dump(params))

    def _presets(self) -> dict[str, Any]:
        text = self.qsettings.value(KEY_PRESETS)
        if not isinstance(text, str) or not text:
            return {}
        try:
            data = json.loads(text)
        except ValueError:
            log.warning("ignoring unreadable presets in %s", self.file_name())
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): v for k, v in data.items()}

    def preset_names(self) -> list[str]:
        return sorted(self._presets(), key=str.casefold)

    def preset(self, name: str) -> RunParams:
        """The named preset; ValidationError when it is missing or no longer valid JSON for
        the parameters (the message names the preset)."""
        presets = self._presets()
        if name not in presets:
            raise ValidationError(
                [
                    Problem.of(
                        "preset",
                        name,
                        QT_TRANSLATE_NOOP("Validation", "the name of a saved preset"),
                    )
                ]
            )
        try:
            return RunParams.from_event(_window_event(presets[name]))
        except ValidationError as exc:
            raise ValidationError(
                [dataclasses.replace(p, field=f"preset '{name}': {p.field}") for p in exc.problems]
            ) from exc

    def save_preset(self, name: str, params: RunParams) -> str:
        """Store ``params`` under ``name`` (replacing one of the same name); returns the name
        as stored (trimmed). ValidationError for a name nobody could pick again."""
        clean = name.strip()
        why = preset_name_problem(clean)
        if why:
            raise ValidationError([problem("preset name", name, why)])
        presets = self._presets()
        if clean not in presets and len(presets) >= PRESETS_MAX:
            raise ValidationError(
                [
                    Problem.of(
                        "preset name",
                        name,
                        QT_TRANSLATE_NOOP("Validation", "at most {most} presets; delete one first"),
                        most=PRESETS_MAX,
                    )
                ]
            )
        presets[clean] = params.to_event()
        self.qsettings.setValue(KEY_PRESETS, json.dumps(presets, ensure_ascii=False))
        return clean

    def delete_preset(self, name: str) -> bool:
        presets = self._presets()
        if presets.pop(name, None) is None:
            return False
        self.qsettings.setValue(KEY_PRESETS, json.dumps(presets, ensure_ascii=False))
        return True

    # -- backend (older versions) ----------------------------------------------------------

    def legacy_backend_key(self) -> str:
        """The backend older versions remembered here; ``services.backends.saved_choice``
        adopts it once into the accounts file, then it is removed."""
        value = self.qsettings.value(KEY_BACKEND)
        return value if isinstance(value, str) else ""

    def forget_legacy_backend_key(self) -> None:
        self.qsettings.remove(KEY_BACKEND)


def preset_name_problem(name: str) -> Phrase | None:
    """Why ``name`` cannot be a preset's name, in the validator's words, or None."""
    if not name:
        return says(QT_TRANSLATE_NOOP("Validation", "a name of at least one visible character"))
    if len(name) > PRESET_NAME_MAX:
        return says(
            QT_TRANSLATE_NOOP("Validation", "at most {most} characters (this one has {count})"),
            most=PRESET_NAME_MAX,
            count=len(name),
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return says(
            QT_TRANSLATE_NOOP("Validation", "a name without control characters (tabs, line breaks)")
        )
    return None


def _window_event(data: object) -> object:
    """A preset or the last parameters kept before judging by checklist (issue 12) say no
    ``judge_mode``: the window's default (checklist) applies, not an event file's (the
    seed's verdict). One that says its mode keeps it."""
    if isinstance(data, dict) and "judge_mode" not in data:
        return {**data, "judge_mode": "checklist"}
    return data


def _dump(params: RunParams) -> str:
    return json.dumps(params.to_event(), ensure_ascii=False)
