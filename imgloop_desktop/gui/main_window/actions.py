"""The window's actions, menus and toolbar, declared as data.

As napari's action lists and Picard's action registry: one ``ActionSpec`` per command says
its text, shortcut, tip, menu role and the window method it triggers; ``MENUS`` and
``TOOLBAR`` say where each appears. Adding a command is one entry here plus its method,
and ``docs/gui.md``'s action table is rendered from ``ACTIONS`` (``action_docs.py``; its
``doc`` and ``key_note`` say what the table says and are not shown in the window).

A person's on/off setting is an action too (Vorta's settings-as-data): its ``setting``
names the QSettings key, the action is checkable, shows the stored value and writes it when
toggled, with no window method; the code that obeys the setting reads the same key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QWidget

from imgloop_desktop.gui.drag_export import EMBED_IN_SIGNED_KEY
from imgloop_desktop.gui.i18n import QT_TRANSLATE_NOOP
from imgloop_desktop.gui.settings_store import SettingsStore

SEPARATOR = None
PICKER = "backend picker"
"""Where ``TOOLBAR`` places the backend picker widget."""


@dataclass(frozen=True)
class ActionSpec:
    name: str
    """Key in the built table; the window keeps it as ``<name>_action``."""
    text: str
    slot: str
    """The window method the action triggers ("" for a ``setting``)."""
    shortcuts: tuple[str, ...] = ()
    tip: str = ""
    role: QAction.MenuRole | None = None
    enabled: bool = True
    doc: str = ""
    """What the command does, for ``docs/gui.md``'s action table."""
    key_note: str = ""
    """Why the shortcut is what it is, next to it in that table."""
    setting: str = ""
    """The QSettings key of a person's on/off setting (off unless stored): the action is
    checkable and toggling it writes the key, instead of triggering ``slot``."""

    def __post_init__(self) -> None:
        if bool(self.slot) == bool(self.setting):
            raise ValueError(
                f"ActionSpec {self.name!r}: slot {self.slot!r} and setting {self.setting!r}; "
                "exactly one of the two is allowed (a command or a setting)"
            )


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "run",
        QT_TRANSLATE_NOOP("Actions", "&Run"),
        "start_run",
        ("Ctrl+R",),
        QT_TRANSLATE_NOOP("Actions", "Start a run"),
        doc="runs the form's parameters with the chosen backend (disabled while a field is "
        "invalid or a run is going)",
    ),
    # Not Esc: a key pressed to leave a text field must not end a paid run.
    ActionSpec(
        "cancel",
        QT_TRANSLATE_NOOP("Actions", "&Cancel"),
        "cancel_run",
        ("Ctrl+.",),
        QT_TRANSLATE_NOOP("Actions", "Cancel the run (images made so far are kept)"),
        doc="stops starting new calls; the call in flight is waited out, everything made is kept",
        key_note="not Esc: leaving a text field must not end a paid run",
    ),
    ActionSpec(
        "add_to_queue",
        QT_TRANSLATE_NOOP("Actions", "Add to &queue"),
        "add_to_queue",
        ("Ctrl+Shift+R",),
        QT_TRANSLATE_NOOP("Actions", "Add the form's parameters to the run queue"),
        doc="adds the form's parameters as one item of the run queue (kept in the history; "
        "several items run at once under the queue limits) and shows the queue",
        key_note="Run with Shift: into the queue instead of now",
    ),
    ActionSpec(
        "export_approved",
        QT_TRANSLATE_NOOP("Actions", "Export &approved…"),
        "export_approved",
        ("Ctrl+E",),
        QT_TRANSLATE_NOOP("Actions", "Export approved images"),
        doc="picks a folder, then writes `imgloop-approved-<stamp>/` inside it on a worker",
    ),
    ActionSpec(
        "embed_in_signed",
        QT_TRANSLATE_NOOP("Actions", "&Embed parameters in signed images too"),
        "",
        tip=QT_TRANSLATE_NOOP(
            "Actions",
            "Exports and drags write the parameters into images carrying Content Credentials "
            "(C2PA) too; this breaks their signature, and the copy says it was modified",
        ),
        setting=EMBED_IN_SIGNED_KEY,
        doc=f"a setting, off by default (kept as `{EMBED_IN_SIGNED_KEY}`): checked, exported "
        "and dragged copies of C2PA-signed images carry their parameters and say they were "
        "modified after signing, so their signature no longer validates; unchecked, they stay "
        "byte for byte with a sidecar `.json`",
    ),
    ActionSpec(
        "history",
        QT_TRANSLATE_NOOP("Actions", "Open &history"),
        "open_history",
        ("Ctrl+H",),
        QT_TRANSLATE_NOOP("Actions", "Show or hide past sessions"),
        doc="shows and refreshes the history dock, or hides it when it is showing",
    ),
    ActionSpec(
        "queue",
        QT_TRANSLATE_NOOP("Actions", "Run q&ueue"),
        "open_queue",
        ("Ctrl+U",),
        QT_TRANSLATE_NOOP("Actions", "The run queue: many prompts, several at once"),
        doc="shows the queue dock: its items (ordered with Move up/down), progress, time "
        "left and cost; Pause/Resume, Cancel item, Retry failed, Add file…, Paste prompts…, "
        "and the queue's budget",
        key_note="U for qUeue: Ctrl+Q is Quit",
    ),
    ActionSpec(
        "review",
        QT_TRANSLATE_NOOP("Actions", "Re&view images…"),
        "open_review",
        ("Ctrl+J",),
        QT_TRANSLATE_NOOP(
            "Actions", "Images waiting for your decision: the judge was unsure, or a run's best"
        ),
        doc="shows the review dock: images the judge was unsure of and each run's best when "
        "none was approved; Approve / Reject, optionally per requirement",
        key_note="J for judge: Ctrl+R is Run",
    ),
    # The app's preferences are where its AWS access comes from; the run settings live in
    # the form, and the layout is remembered on its own.
    ActionSpec(
        "preferences",
        QT_TRANSLATE_NOOP("Actions", "&Preferences: AWS accounts…"),
        "open_accounts",
        ("Ctrl+,",),
        QT_TRANSLATE_NOOP(
            "Actions", "AWS accounts kept in the OS keyring, and the connection check"
        ),
        QAction.MenuRole.PreferencesRole,
        doc="the accounts dialog (keys in the OS keyring, connection check); saved accounts "
        "appear in the Backend picker",
    ),
    ActionSpec(
        "costs",
        QT_TRANSLATE_NOOP("Actions", "&Costs and budget…"),
        "open_costs",
        tip=QT_TRANSLATE_NOOP(
            "Actions",
            "Monthly budget, your own prices, and the shipped price table with its sources",
        ),
        doc="Preferences' Costs page: the monthly budget (empty for none), your own price rows "
        "(checked as typed; nothing saved while a value is not allowed) and the shipped "
        "prices with their dates and sources",
    ),
    ActionSpec(
        "import",
        QT_TRANSLATE_NOOP("Actions", "&Import event JSON…"),
        "ask_import_event",
        ("Ctrl+O",),
        QT_TRANSLATE_NOOP("Actions", "Load parameters"),
        doc="loads a seed event into the form (also by dropping a `.json` on the window)",
    ),
    ActionSpec(
        "export_event",
        QT_TRANSLATE_NOOP("Actions", "E&xport event JSON…"),
        "ask_export_event",
        ("Ctrl+S",),
        QT_TRANSLATE_NOOP("Actions", "Save parameters"),
        doc="saves the form as a seed event",
    ),
    ActionSpec(
        "recovery",
        QT_TRANSLATE_NOOP("Actions", "&Recovery report…"),
        "show_recovery_report",
        tip=QT_TRANSLATE_NOOP("Actions", "What opening the history found"),
        enabled=False,
        doc="what opening the history found (enabled once it found something)",
    ),
    ActionSpec(
        "retry_uploads",
        QT_TRANSLATE_NOOP("Actions", "Retry pending S3 &uploads"),
        "retry_uploads",
        tip=QT_TRANSLATE_NOOP(
            "Actions", "Upload again the images whose S3 copy failed or never started"
        ),
        enabled=False,
        doc="uploads again, with the chosen backend, the images whose S3 copy failed or never "
        "started (enabled while there are any)",
    ),
    ActionSpec(
        "shortcuts",
        QT_TRANSLATE_NOOP("Actions", "&Keyboard shortcuts"),
        "show_shortcuts",
        ("F1",),
        QT_TRANSLATE_NOOP(
            "Actions", "Every command's shortcut, and the gallery's and viewer's keys"
        ),
        doc="a window listing this table's shortcuts and the gallery's and viewer's keys",
    ),
    ActionSpec(
        "troubleshooting",
        QT_TRANSLATE_NOOP("Actions", "&Troubleshooting"),
        "show_troubleshooting",
        tip=QT_TRANSLATE_NOOP("Actions", "The README's Troubleshooting section, offline"),
        doc="the README's Troubleshooting section in a window (shipped with the app)",
    ),
    ActionSpec(
        "log_folder",
        QT_TRANSLATE_NOOP("Actions", "Open &log folder"),
        "open_log_folder",
        tip=QT_TRANSLATE_NOOP("Actions", "The folder with the log files and crash traces"),
        doc="opens the folder of log files and crash traces (or offers to copy its path when "
        "no file manager answers)",
    ),
    ActionSpec(
        "about",
        QT_TRANSLATE_NOOP("Actions", "&About imgloop desktop"),
        "show_about",
        tip=QT_TRANSLATE_NOOP("Actions", "Version and the licences of the bundled components"),
        role=QAction.MenuRole.AboutRole,
        doc="the version and each bundled component's version and licence, from their "
        "installed metadata",
    ),
    ActionSpec(
        "quit",
        QT_TRANSLATE_NOOP("Actions", "&Quit"),
        "close",
        ("Ctrl+Q",),
        QT_TRANSLATE_NOOP("Actions", "Quit"),
        QAction.MenuRole.QuitRole,
        doc="closes the window (asks first during a run)",
    ),
)

MENUS: tuple[tuple[str, tuple[str | None, ...]], ...] = (
    (
        QT_TRANSLATE_NOOP("Menus", "&File"),
        (
            "import",
            "export_event",
            SEPARATOR,
            "export_approved",
            "embed_in_signed",
            SEPARATOR,
            "quit",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("Menus", "&Run"),
        ("run", "cancel", "add_to_queue", SEPARATOR, "retry_uploads"),
    ),
    (QT_TRANSLATE_NOOP("Menus", "&View"), ("history", "queue", "review", "recovery")),
    (QT_TRANSLATE_NOOP("Menus", "&Settings"), ("preferences", "costs")),
    (
        QT_TRANSLATE_NOOP("Menus", "&Help"),
        ("shortcuts", "troubleshooting", "log_folder", SEPARATOR, "about"),
    ),
)

TOOLBAR: tuple[str | None, ...] = (
    "run",
    "cancel",
    "add_to_queue",
    SEPARATOR,
    PICKER,
    SEPARATOR,
    "export_approved",
    "history",
)


def make_action(
    parent: QWidget, spec: ActionSpec, slot: Callable[[], object] | None = None
) -> QAction:
    """One action; added to ``parent`` too, so its shortcut works with the toolbar hidden.
    A ``setting`` action is bound to its key instead of ``slot`` (``bind_setting``)."""
    text = QCoreApplication.translate("Actions", spec.text)
    action = QAction(text, parent)
    keys = [QKeySequence(s) for s in spec.shortcuts]
    if keys:
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    shown = " or ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
    tip = QCoreApplication.translate("Actions", spec.tip) if spec.tip else text
    action.setToolTip(f"{tip.rstrip('…')} ({shown})" if shown else tip)
    action.setStatusTip(tip)
    if spec.setting:
        bind_setting(action, spec.setting)
    elif slot is not None:
        action.triggered.connect(slot)
    if spec.role is not None:
        action.setMenuRole(spec.role)
    action.setEnabled(spec.enabled)
    parent.addAction(action)
    return action


def bind_setting(action: QAction, key: str) -> None:
    """``action`` checkable, showing the stored on/off value of ``key`` (off when unset or
    unreadable) and storing it when toggled, in the app's settings file, so whatever reads
    the key obeys at once."""
    action.setCheckable(True)
    action.setChecked(bool(SettingsStore().qsettings.value(key, False, type=bool)))
    action.toggled.connect(lambda on: SettingsStore().qsettings.setValue(key, bool(on)))


def build_actions(window: QWidget, specs: tuple[ActionSpec, ...] = ACTIONS) -> dict[str, QAction]:
    return {
        spec.name: make_action(window, spec, getattr(window, spec.slot) if spec.slot else None)
        for spec in specs
    }


def build_menus(window: QMainWindow, actions: Mapping[str, QAction]) -> list[QMenu]:
    bar = window.menuBar()
    menus = []
    for title, entries in MENUS:
        menu = bar.addMenu(QCoreApplication.translate("Menus", title))
        for entry in entries:
            if entry is SEPARATOR:
                menu.addSeparator()
            else:
                menu.addAction(actions[entry])
        menus.append(menu)
    return menus


def build_toolbar(
    window: QMainWindow, actions: Mapping[str, QAction], picker: list[QWidget]
) -> QToolBar:
    """``picker``: the widgets shown where ``TOOLBAR`` says ``PICKER``."""
    toolbar = window.addToolBar(QCoreApplication.translate("Menus", "Main"))
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    for entry in TOOLBAR:
        if entry is SEPARATOR:
            toolbar.addSeparator()
        elif entry == PICKER:
            for widget in picker:
                toolbar.addWidget(widget)
        else:
            toolbar.addAction(actions[entry])
    return toolbar
