"""The run-parameters form, built from the fields' declarations in ``core.params``.

A package because one module held layout, widgets, editors and presets in 860 lines:
``form`` lays out and reacts, ``editors`` turns declarations into rows, ``widgets`` holds
the number field and helpers, ``presets`` the presets bar.
"""

from imgloop_desktop.gui.param_form.form import FIELD_SIZE, GENERAL, ParamForm
from imgloop_desktop.gui.param_form.widgets import (
    NumberField,
    model_label,
    parse_size,
    size_text,
)

__all__ = [
    "FIELD_SIZE",
    "GENERAL",
    "NumberField",
    "ParamForm",
    "model_label",
    "parse_size",
    "size_text",
]
