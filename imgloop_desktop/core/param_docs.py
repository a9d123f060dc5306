"""The README's table of run parameters, written from the declarations in ``core.params``.

The table used to be kept by hand and drifted from the validator; now it is rendered from
the same ``Declared`` entries the validator and the form read, and a test fails when
README.md differs from what this renders. Rewrite it with
``python -m imgloop_desktop.core.params --readme-table`` (or ``--check`` to only compare).
"""

from __future__ import annotations

from pathlib import Path

from imgloop_desktop.core.doc_tables import Markers, markdown_table
from imgloop_desktop.core.param_decl import ParamField
from imgloop_desktop.core.params import PARAMS

BEGIN = (
    "<!-- run-parameters table, generated from core/params.py: "
    "python -m imgloop_desktop.core.params --readme-table -->"
)
END = "<!-- end of run-parameters table -->"
MARKERS = Markers(BEGIN, END, "run-parameters table")


def _default(f: ParamField) -> str:
    d = f.declared
    if d.default_text:
        return d.default_text
    if isinstance(f.default, bool):
        return "true" if f.default else "false"
    if f.default is None:
        return "unset"
    if isinstance(f.default, str):
        return f"`{f.default}`" if f.default else "—"
    return str(f.default)


def _allowed(f: ParamField) -> str:
    parts = [p for p in (f.declared.allowed,) if p]
    if f.declared.model_rule:
        parts.append(f"depends on model: {f.declared.model_rule}")
    if f.type is bool:
        parts.append("true / false")
    if f.unsettable and f.is_number:
        parts.append('or "unset" (null): not sent, the model\'s own default applies')
    return "; ".join(parts)


def readme_table(params: tuple[ParamField, ...] = PARAMS) -> str:
    """The markdown table of every run field: name (ours marked), group, default, allowed
    values (the validator's own words) and what it does."""
    rows = (
        (
            f"`{f.name}`" + (" (ours)" if f.declared.ours else ""),
            f.declared.tier.value,
            _default(f),
            _allowed(f),
            f.declared.help,
        )
        for f in params
    )
    return markdown_table(("field", "group", "default", "allowed", "what it does"), rows)


def with_table(readme: str, table: str) -> str:
    """``readme`` with the text between the markers replaced by ``table``."""
    return MARKERS.with_table(readme, table)


def main(argv: list[str] | None = None) -> int:
    """Print the table; ``--readme-table`` rewrites it in README.md,
    ``--check`` only compares (1 when it differs)."""
    return MARKERS.main(
        argv,
        prog="python -m imgloop_desktop.core.params",
        write_flag="--readme-table",
        path_flag="--readme",
        default_path=Path("README.md"),
        render=readme_table,
    )
