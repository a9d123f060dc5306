"""The window's language: Qt's own translation machinery, following the system or a choice.

Strings are marked the Qt way (``self.tr``, ``QCoreApplication.translate`` and, for text
declared as data, ``QT_TRANSLATE_NOOP``), extracted with ``pyside6-lupdate`` into
``resources/i18n/<language>/*.ts`` (one file per area, so several people translate at once
without touching one file) and compiled with ``pyside6-lrelease`` into ``.qm`` files next
to them: by ``dev.py`` before it runs or tests the app, and by the bundle build. Every
``.qm`` of the language is installed, plus Qt's own (``qtbase_<language>.qm``, the standard
dialogs' buttons).

The choice is "system" (the default: the system locale's language when a translation
exists, English otherwise), "en" or "ja"; it takes effect at the next start, since a window
built in one language would otherwise have to rebuild every label.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from imgloop_desktop.core.i18n_marks import Phrase
from imgloop_desktop.resources import resources_dir

log = logging.getLogger(__name__)

LANGUAGE_KEY = "ui/language"
SYSTEM = "system"
LANGUAGES: dict[str, str] = {"en": "English", "ja": "日本語"}
"""The languages the window speaks, each in its own words (as language menus show them)."""

_installed: list[QTranslator] = []


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks text declared as data for translation (``pyside6-lupdate`` finds it by this
    name) and returns it unchanged; it is translated where shown. PySide6's own is typed
    as returning ``object``, which would untype every declaration."""
    return text


def in_context(context: str) -> Callable[[str], str]:
    """The translator for text a module declared with ``QT_TRANSLATE_NOOP(context, ...)``:
    the constants stay English (tests and logs read them), and are shown translated."""

    def translate(text: str) -> str:
        return QCoreApplication.translate(context, text)

    return translate


def shown(text: Phrase | str) -> str:
    """Text from core or services in the window's language: a Phrase's template translated
    in its context and filled with its values (themselves shown the same way); plain text
    as it is."""
    if isinstance(text, str):
        return text
    values = {k: shown(v) if isinstance(v, Phrase) else v for k, v in text.values.items()}
    return QCoreApplication.translate(text.context, text.template).format_map(values)


def translations_dir() -> Path | None:
    base = resources_dir()
    return base / "i18n" if base is not None else None


def chosen() -> str:
    """The saved choice: ``system`` or a key of LANGUAGES (anything else reads as system)."""
    value = QSettings().value(LANGUAGE_KEY, SYSTEM)
    return value if isinstance(value, str) and value in (SYSTEM, *LANGUAGES) else SYSTEM


def choose(language: str) -> None:
    if language not in (SYSTEM, *LANGUAGES):
        raise ValueError(f"language must be {SYSTEM!r} or one of {', '.join(LANGUAGES)}")
    QSettings().setValue(LANGUAGE_KEY, language)


def effective(choice: str | None = None, locale: QLocale | None = None) -> str:
    """The language the window uses for ``choice``: the system's when it is one we speak."""
    choice = choice or chosen()
    if choice != SYSTEM:
        return choice
    system = (locale or QLocale.system()).name().split("_")[0]
    return system if system in LANGUAGES else "en"


def install(app: QCoreApplication, language: str | None = None, folder: Path | None = None) -> str:
    """Install the translators for ``language`` (default: the effective choice) from
    ``folder`` (default: the app's ``resources/i18n``); returns the language in use.
    English needs none: the source strings are English."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    language = language or effective()
    if language == "en":
        return language
    folder = folder or translations_dir()
    files = sorted((folder / language).glob("*.qm")) if folder is not None else []
    if not files:
        log.warning("no compiled %s translation under %s; English is shown", language, folder)
        return "en"
    qt_own = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    for path in [qt_own / f"qtbase_{language}.qm", *files]:
        translator = QTranslator(app)
        if path.is_file() and translator.load(str(path)):
            app.installTranslator(translator)
            _installed.append(translator)
        elif path.parent != qt_own:
            log.warning("the translation %s could not be loaded", path)
    QLocale.setDefault(QLocale(language))
    return language
