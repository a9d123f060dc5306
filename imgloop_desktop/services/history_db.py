"""Where the history database lives, and how its failures read, for front ends.

``imgloop-cli history`` opens the database at ``--db`` or the default path and reports
SQLite's and the OS's errors in the same plain words the window uses. Both belong to the
history's storage; front ends reach storage only through services (the import contracts in
pyproject.toml), so they are re-exported here unchanged.
"""

from __future__ import annotations

from imgloop_desktop.storage.history.schema import default_db_path, history_error

__all__ = ["default_db_path", "history_error"]
