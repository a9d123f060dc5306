"""The run queue as the history stores it (schema v9): prompts waiting to be run, the one
each worker is running, and what became of the rest, kept in the same file as the runs so
a queue survives quit, a kill and a reboot with nothing else to restore.

Every change is one ``BEGIN IMMEDIATE`` transaction, so two workers (threads with their own
connections, or two processes) take turns: the one that claims an item has already marked
it running before the other can read it.

**Who is running an item.** A claim takes an exclusive OS lock on
``history-locks/<db name>.queue-<item id>.lock`` *before* its transaction commits, and the
process keeps it until ``finish`` (or until the claiming service closes). The OS drops the
lock when the process dies, even on SIGKILL. So "running" plus a lock anyone can take means
the process that claimed the item is gone: ``recover`` puts exactly those items back to
waiting, and never one a live process (this one included) is running, whatever state its
runs are in. This is ``recovery.RunLock``'s rule for runs, applied to claims; it also
covers the moments a rule based on the item's runs would get wrong (claimed but its run not
yet recorded; its run finished but the item not yet). Every lock is taken, probed and its
file removed while the taker holds the database's write lock, so a lock file is never
unlinked under someone about to take it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.params import MAX_COST_USD, RunParams
from imgloop_desktop.core.records import HistoryOutcome, QueueItem, QueueState, QueueSummary
from imgloop_desktop.storage.history.cost_rows import read_cost
from imgloop_desktop.storage.history.recovery import LOCK_DIR, RunLock
from imgloop_desktop.storage.history.schema import HistoryError, now_iso, parse_iso, transaction
from imgloop_desktop.storage.history.tables import fetch_all, fetch_one

log = logging.getLogger(__name__)

PAUSED = "paused"
BUDGET = "budget_usd"
CLEARED = "cleared_spend_usd"  # what removed items had spent, for the queue's budget
BUDGET_FIELD = "queue budget"
BUDGET_ALLOWED = f"an amount of US dollars from 0 (no cap) to {MAX_COST_USD:,.0f}, a finite number"
FINISHED_STATES = (QueueState.DONE, QueueState.FAILED, QueueState.CANCELLED)

_COLUMNS = "id, position, event, state, outcome, error, tries, added_at, started_at, finished_at"


# -- who holds a claim ----------------------------------------------------------------------


def claim_lock_path(db_path: Path, item_id: int) -> Path:
    """Beside the runs' locks; named by the database file too, so two histories in one
    folder never share an item's lock."""
    return db_path.resolve().parent / LOCK_DIR / f"{db_path.name}.queue-{item_id}.lock"


class ClaimLocks:
    """The claim locks this process holds, with who (which service) claimed each.

    One table per process, not per service: any service may finish an item another
    claimed (the window's and the engine's may be different objects), and a second
    ``flock`` on a new descriptor would refuse a lock this process already holds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[Path, tuple[RunLock, object]] = {}

    def take(self, path: Path, owner: object) -> bool:
        with self._lock:
            if path in self._held:
                lock, _ = self._held[path]
                self._held[path] = (lock, owner)
                return True
            lock = RunLock(path)
            if not lock.acquire():
                return False
            self._held[path] = (lock, owner)
            return True

    def held(self, path: Path) -> bool:
        with self._lock:
            return path in self._held

    def release(self, path: Path) -> None:
        with self._lock:
            entry = self._held.pop(path, None)
        if entry is not None:
            entry[0].release(remove=False)

    def release_owned(self, owner: object) -> int:
        """Drop every claim ``owner`` made: a service closing without finishing its items
        lets the next ``recover`` put them back instead of keeping them until exit."""
        with self._lock:
            mine = [path for path, (_, who) in self._held.items() if who is owner]
            entries = [self._held.pop(path) for path in mine]
        for lock, _ in entries:
            lock.release(remove=False)
        return len(entries)


CLAIMS = ClaimLocks()


def _unlink_lock(db_path: Path, item_id: int) -> None:
    """The lock file of an item that no longer exists (called under the write lock)."""
    # Windows refuses while it is open; a stale lock file is harmless.
    with contextlib.suppress(OSError):
        claim_lock_path(db_path, item_id).unlink(missing_ok=True)


# -- reading --------------------------------------------------------------------------------


def event_text(params: RunParams) -> str:
    """As ``runs.params_json`` stores a run's parameters, so both read back the same way."""
    return json.dumps(params.to_event(), ensure_ascii=False, sort_keys=True)


def read_params(text: str, item_id: int) -> tuple[RunParams, str]:
    """The item's parameters, or defaults and why they could not be read.

    Forgiving like the rest of the history's reads: one damaged (or newer-app) event must
    not hide the whole queue. Such an item is never run (``claim_next`` fails it)."""
    try:
        return RunParams.loads(text, f"queue item {item_id}", field="queue item"), ""
    except ValidationError as exc:
        log.warning("queue item %s: its parameters cannot be read (%s)", item_id, exc)
        return RunParams(), f"its parameters cannot be read ({exc}); remove it and add it again"


def _outcome(value: object, item_id: int) -> HistoryOutcome | None:
    if value is None:
        return None
    try:
        return HistoryOutcome(str(value))
    except ValueError:
        log.warning("queue item %s: unknown outcome %r read as none", item_id, value)
        return None


def _in_ids(item_ids: Iterable[int] | None) -> str:
    """A list of ids as one JSON parameter for ``json_each``: any length, one placeholder."""
    return json.dumps(sorted({int(i) for i in item_ids or ()}))


def _read(conn: sqlite3.Connection, item_ids: Iterable[int] | None = None) -> list[QueueItem]:
    where, args = "", tuple[str, ...]()
    link_where = ""
    if item_ids is not None:
        ids = _in_ids(item_ids)
        where = "WHERE id IN (SELECT value FROM json_each(?))"
        link_where = "WHERE q.item_id IN (SELECT value FROM json_each(?))"
        args = (ids,)
    rows = fetch_all(
        conn, f"SELECT {_COLUMNS} FROM queue_items {where} ORDER BY position, id", args
    )
    runs: dict[int, list[str]] = {}
    for link in fetch_all(
        conn,
        f"""SELECT q.item_id AS item_id, q.run_id AS run_id FROM queue_runs AS q
            JOIN runs AS r ON r.run_id = q.run_id {link_where} ORDER BY q.item_id, r.id""",
        args,
    ):
        runs.setdefault(int(link["item_id"]), []).append(str(link["run_id"]))
    costs: dict[int, Decimal] = {}
    for spent in fetch_all(
        conn,
        f"""SELECT q.item_id AS item_id, s.usd AS usd, s.missing_json AS missing_json
            FROM queue_runs AS q JOIN runs AS r ON r.run_id = q.run_id
            JOIN spend AS s ON s.run_id = r.id {link_where}""",
        args,
    ):
        item_id = int(spent["item_id"])
        cost = read_cost(spent["usd"], spent["missing_json"], f"queue item {item_id}")
        if cost is not None:
            costs[item_id] = costs.get(item_id, Decimal(0)) + cost.known
    found = []
    for row in rows:
        item_id = int(row["id"])
        params, problem = read_params(str(row["event"]), item_id)
        found.append(
            QueueItem(
                id=item_id,
                position=int(row["position"]),
                params=params,
                state=QueueState(str(row["state"])),
                outcome=_outcome(row["outcome"], item_id),
                error=str(row["error"]) or problem,
                tries=int(row["tries"]),
                added_at=parse_iso(str(row["added_at"])),
                started_at=parse_iso(str(row["started_at"])) if row["started_at"] else None,
                finished_at=parse_iso(str(row["finished_at"])) if row["finished_at"] else None,
                run_ids=tuple(runs.get(item_id, ())),
                cost_usd=costs.get(item_id, Decimal(0)),
            )
        )
    return found


def items(conn: sqlite3.Connection) -> list[QueueItem]:
    """Every item in queue order."""
    return _read(conn)


def item(conn: sqlite3.Connection, item_id: int) -> QueueItem | None:
    found = _read(conn, [item_id])
    return found[0] if found else None


# -- changing the queue ---------------------------------------------------------------------


def add(conn: sqlite3.Connection, events: Sequence[RunParams], now: str) -> list[int]:
    """Append after the last position (gaps left by removals are harmless: order is all a
    position means). The texts are made first, so a bad object writes nothing."""
    texts = [event_text(params) for params in events]
    ids: list[int] = []
    if not texts:
        return ids
    with transaction(conn):
        row = fetch_one(conn, "SELECT coalesce(max(position) + 1, 0) AS next FROM queue_items")
        start = int(row["next"]) if row is not None else 0
        for offset, text in enumerate(texts):
            cursor = conn.execute(
                "INSERT INTO queue_items (position, event, state, added_at) "
                "VALUES (?, ?, 'waiting', ?)",
                (start + offset, text, now),
            )
            ids.append(int(cursor.lastrowid or 0))
    return ids


def claim_next(
    conn: sqlite3.Connection, db_path: Path, owner: object, now: str
) -> QueueItem | None:
    """The first waiting item by position, now running under this process's claim lock;
    None when the queue is paused or nothing waits. An item whose parameters cannot be
    read is failed on the way (saying why) rather than run with defaults."""
    taken: Path | None = None
    try:
        with transaction(conn):
            if _setting(conn, PAUSED) == "1":
                return None
            for row in fetch_all(
                conn,
                "SELECT id, event FROM queue_items WHERE state = 'waiting' ORDER BY position, id",
            ):
                item_id = int(row["id"])
                _, problem = read_params(str(row["event"]), item_id)
                if problem:
                    conn.execute(
                        "UPDATE queue_items SET state = 'failed', error = ?, finished_at = ? "
                        "WHERE id = ?",
                        (problem, now, item_id),
                    )
                    continue
                path = claim_lock_path(db_path, item_id)
                if not CLAIMS.take(path, owner):
                    log.warning("queue item %s waits but its lock is held; skipped", item_id)
                    continue
                taken = path
                conn.execute(
                    "UPDATE queue_items SET state = 'running', tries = tries + 1, "
                    "started_at = ?, finished_at = NULL, outcome = NULL, error = '' "
                    "WHERE id = ?",
                    (now, item_id),
                )
                return item(conn, item_id)
            return None
    except BaseException:
        if taken is not None:
            CLAIMS.release(taken)
        raise


def attach_run(conn: sqlite3.Connection, item_id: int, run_id: str) -> bool:
    """Link a run the item started; False (logged) when the item is gone. The run must be
    in the history already (its ``RunStarted`` recorded): it is the link's parent row."""
    with transaction(conn):
        if fetch_one(conn, "SELECT 1 AS x FROM queue_items WHERE id = ?", (item_id,)) is None:
            log.warning("queue item %s is gone; run %s not linked", item_id, run_id)
            return False
        if fetch_one(conn, "SELECT 1 AS x FROM runs WHERE run_id = ?", (run_id,)) is None:
            raise HistoryError(
                f"run {run_id} is not in the history yet, so queue item {item_id} cannot be "
                "linked to it; link a run once its start has been recorded"
            )
        conn.execute(
            "INSERT OR IGNORE INTO queue_runs (item_id, run_id) VALUES (?, ?)", (item_id, run_id)
        )
    return True


def finish(
    conn: sqlite3.Connection,
    db_path: Path,
    item_id: int,
    state: QueueState,
    outcome: HistoryOutcome | None,
    error: str,
    now: str,
) -> bool:
    """End a running item; False when it is not running (removed, put back by recovery,
    already finished): a late finish must not bring back what a person changed."""
    if state not in FINISHED_STATES:
        allowed = ", ".join(s.value for s in FINISHED_STATES)
        raise ValidationError([Problem("queue state", str(state), f"one of {allowed}")])
    with transaction(conn):
        cursor = conn.execute(
            "UPDATE queue_items SET state = ?, outcome = ?, error = ?, finished_at = ? "
            "WHERE id = ? AND state = 'running'",
            (
                state.value,
                outcome.value if outcome is not None else None,
                error,
                now,
                item_id,
            ),
        )
        done = cursor.rowcount == 1
    if done:  # after the commit: until then a crash must still find the item claimed
        CLAIMS.release(claim_lock_path(db_path, item_id))
    return done


def move(conn: sqlite3.Connection, item_id: int, to_index: int) -> None:
    """Put the item at ``to_index`` among all items (past the end: last) and renumber every
    position from 0, so positions stay small and gap-free after any number of moves."""
    if isinstance(to_index, bool) or not isinstance(to_index, int) or to_index < 0:
        raise ValidationError([Problem("queue position", to_index, "a whole number of at least 0")])
    with transaction(conn):
        order = [
            int(r["id"])
            for r in fetch_all(conn, "SELECT id FROM queue_items ORDER BY position, id")
        ]
        if item_id not in order:
            raise ValidationError(
                [Problem("queue item", item_id, "the id of an item in the queue")]
            )
        order.remove(item_id)
        order.insert(min(to_index, len(order)), item_id)
        conn.executemany(
            "UPDATE queue_items SET position = ? WHERE id = ? AND position != ?",
            [(index, moved, index) for index, moved in enumerate(order)],
        )


def cancel(conn: sqlite3.Connection, item_ids: Iterable[int], now: str) -> list[int]:
    """Waiting items become cancelled here; running ones are returned for the engine to
    stop (it then finishes them as cancelled), in queue order."""
    ids = _in_ids(item_ids)
    with transaction(conn):
        running = [
            int(r["id"])
            for r in fetch_all(
                conn,
                "SELECT id FROM queue_items WHERE state = 'running' "
                "AND id IN (SELECT value FROM json_each(?)) ORDER BY position, id",
                (ids,),
            )
        ]
        conn.execute(
            "UPDATE queue_items SET state = 'cancelled', finished_at = ? "
            "WHERE state = 'waiting' AND id IN (SELECT value FROM json_each(?))",
            (now, ids),
        )
    return running


def retry(conn: sqlite3.Connection, item_ids: Iterable[int] | None) -> int:
    """Failed or cancelled items (None: every failed one) wait again where they stand; the
    last outcome stays until the next run replaces it."""
    reset = "state = 'waiting', error = '', started_at = NULL, finished_at = NULL"
    with transaction(conn):
        if item_ids is None:
            cursor = conn.execute(f"UPDATE queue_items SET {reset} WHERE state = 'failed'")
        else:
            cursor = conn.execute(
                f"UPDATE queue_items SET {reset} WHERE state IN ('failed', 'cancelled') "
                "AND id IN (SELECT value FROM json_each(?))",
                (_in_ids(item_ids),),
            )
        return cursor.rowcount


def _delete(conn: sqlite3.Connection, db_path: Path, where: str, args: Sequence[object]) -> int:
    """Delete items, keeping what their runs spent in the queue's tally: otherwise "Clear
    done" would hand a queue that stopped at its budget the whole budget again. The tally
    starts over when the queue is emptied (a new queue)."""
    with transaction(conn):
        gone = [int(r["id"]) for r in fetch_all(conn, f"SELECT id FROM queue_items {where}", args)]
        spent = _spent(
            conn, "WHERE q.item_id IN (SELECT value FROM json_each(?))", (_in_ids(gone),)
        )
        conn.execute(f"DELETE FROM queue_items {where}", args)
        left = fetch_one(conn, "SELECT count(*) AS n FROM queue_items")
        emptied = left is None or int(left["n"]) == 0
        total = Decimal(0) if emptied else _cleared(conn) + spent
        conn.execute(
            "INSERT INTO queue_settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (CLEARED, format(total, "f")),
        )
        for item_id in gone:  # under the write lock: nobody is about to take these
            _unlink_lock(db_path, item_id)
    return len(gone)


def _spent(conn: sqlite3.Connection, where: str = "", args: Sequence[object] = ()) -> Decimal:
    """The known spend of the runs linked to the items ``where`` selects (each run once)."""
    spent = Decimal(0)
    for row in fetch_all(
        conn,
        f"""SELECT DISTINCT s.id AS id, s.usd AS usd, s.missing_json AS missing_json
           FROM queue_runs AS q JOIN runs AS r ON r.run_id = q.run_id
           JOIN spend AS s ON s.run_id = r.id {where}""",
        args,
    ):
        cost = read_cost(row["usd"], row["missing_json"], "the queue's spend")
        if cost is not None:
            spent += cost.known
    return spent


def _cleared(conn: sqlite3.Connection) -> Decimal:
    """What items removed from the queue had spent (kept for the queue's budget)."""
    text = _setting(conn, CLEARED)
    try:
        return Decimal(text) if text is not None else Decimal(0)
    except InvalidOperation as exc:
        raise HistoryError(
            f"the queue's spend stored in the history ({text!r}) cannot be read"
        ) from exc


def remove(conn: sqlite3.Connection, db_path: Path, item_ids: Iterable[int]) -> int:
    """Delete items that are not running (a running one is cancelled first); their runs
    stay in the history."""
    return _delete(
        conn,
        db_path,
        "WHERE state != 'running' AND id IN (SELECT value FROM json_each(?))",
        (_in_ids(item_ids),),
    )


def clear_finished(conn: sqlite3.Connection, db_path: Path) -> int:
    return _delete(conn, db_path, "WHERE state = 'done'", ())


# -- settings -------------------------------------------------------------------------------


def _setting(conn: sqlite3.Connection, key: str) -> str | None:
    row = fetch_one(conn, "SELECT value FROM queue_settings WHERE key = ?", (key,))
    return str(row["value"]) if row is not None else None


def _set(conn: sqlite3.Connection, key: str, value: str) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO queue_settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def paused(conn: sqlite3.Connection) -> bool:
    return _setting(conn, PAUSED) == "1"


def set_paused(conn: sqlite3.Connection, value: bool) -> None:
    _set(conn, PAUSED, "1" if value else "0")


def check_budget(value: object) -> Decimal:
    """A cap a person typed, as an exact amount; ValidationError says what is allowed."""
    amount: Decimal | None = None
    if not isinstance(value, bool):
        try:
            amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount <= Decimal(MAX_COST_USD):
        raise ValidationError([Problem(BUDGET_FIELD, value, BUDGET_ALLOWED)])
    return amount


def budget(conn: sqlite3.Connection) -> Decimal:
    """The cap (0: none). A stored value that does not read is refused, not read as "no
    cap": that would let the queue spend without limit."""
    text = _setting(conn, BUDGET)
    if text is None:
        return Decimal(0)
    try:
        return check_budget(text)
    except ValidationError as exc:
        raise HistoryError(
            f"the queue budget stored in the history ({text!r}) cannot be read; set the "
            "budget again"
        ) from exc


def set_budget(conn: sqlite3.Connection, value: Decimal) -> Decimal:
    amount = check_budget(value)
    _set(conn, BUDGET, format(amount, "f"))
    return amount


# -- after a crash, and at a glance ---------------------------------------------------------


def recover(conn: sqlite3.Connection, db_path: Path) -> list[int]:
    """Running items whose claim lock nobody holds (their process died) wait again, with
    the outcome ``interrupted``; their runs stay linked (recovery marked those runs
    interrupted already). Returns the ids put back."""
    back: list[int] = []
    with transaction(conn):
        for row in fetch_all(conn, "SELECT id FROM queue_items WHERE state = 'running'"):
            item_id = int(row["id"])
            path = claim_lock_path(db_path, item_id)
            if CLAIMS.held(path):
                continue  # a worker of this process runs it
            probe = RunLock(path)
            if not probe.acquire():
                continue  # another live process runs it
            try:
                ended = _ended_run(conn, item_id)
                if ended is not None:  # it died after its run ended, before the item did
                    state, outcome, error, finished_at = ended
                    conn.execute(
                        "UPDATE queue_items SET state = ?, outcome = ?, error = ?, "
                        "finished_at = ? WHERE id = ?",
                        (state.value, outcome.value, error, finished_at, item_id),
                    )
                    continue
                conn.execute(
                    "UPDATE queue_items SET state = 'waiting', outcome = ?, started_at = NULL, "
                    "finished_at = NULL WHERE id = ?",
                    (HistoryOutcome.INTERRUPTED.value, item_id),
                )
            finally:
                probe.release(remove=True)
            back.append(item_id)
    if back:
        log.info("queue: %d item(s) left running by a process that died wait again", len(back))
    return back


# A run that ended this way ended its item too: running it again would repeat paid work.
_ITEM_END = {
    HistoryOutcome.APPROVED.value: (QueueState.DONE, HistoryOutcome.APPROVED),
    HistoryOutcome.NOT_APPROVED.value: (QueueState.DONE, HistoryOutcome.NOT_APPROVED),
    HistoryOutcome.BUDGET.value: (QueueState.DONE, HistoryOutcome.BUDGET),
    HistoryOutcome.ERROR.value: (QueueState.FAILED, HistoryOutcome.ERROR),
}


def _ended_run(
    conn: sqlite3.Connection, item_id: int
) -> tuple[QueueState, HistoryOutcome, str, str] | None:
    """How the item's newest run ended, when that run reached its end (the process died
    between recording the run's outcome and the item's); None when it was cut short."""
    row = fetch_one(
        conn,
        "SELECT r.outcome, r.message, r.ended_at FROM queue_runs q "
        "JOIN runs r ON r.run_id = q.run_id WHERE q.item_id = ? "
        "ORDER BY r.started_at DESC, r.id DESC LIMIT 1",
        (item_id,),
    )
    if row is None or row["outcome"] not in _ITEM_END:
        return None
    state, outcome = _ITEM_END[str(row["outcome"])]
    error = str(row["message"] or "") if state is QueueState.FAILED else ""
    return state, outcome, error, str(row["ended_at"] or now_iso())


def summary(conn: sqlite3.Connection) -> QueueSummary:
    counts = dict.fromkeys(QueueState, 0)
    approved = best_not_approved = capped = 0
    for row in fetch_all(
        conn, "SELECT state, outcome, count(*) AS n FROM queue_items GROUP BY state, outcome"
    ):
        state, outcome, n = QueueState(str(row["state"])), row["outcome"], int(row["n"])
        counts[state] += n
        if state is QueueState.DONE and outcome == HistoryOutcome.APPROVED:
            approved += n
        if state is QueueState.DONE and outcome == HistoryOutcome.NOT_APPROVED:
            best_not_approved += n
        if state in FINISHED_STATES and outcome == HistoryOutcome.BUDGET:
            capped += n
    spent = _spent(conn) + _cleared(conn)
    seconds = [
        (parse_iso(str(r["finished_at"])) - parse_iso(str(r["started_at"]))).total_seconds()
        for r in fetch_all(
            conn,
            "SELECT started_at, finished_at FROM queue_items WHERE state = 'done' "
            "AND started_at IS NOT NULL AND finished_at IS NOT NULL",
        )
    ]
    return QueueSummary(
        waiting=counts[QueueState.WAITING],
        running=counts[QueueState.RUNNING],
        done=counts[QueueState.DONE],
        failed=counts[QueueState.FAILED],
        cancelled=counts[QueueState.CANCELLED],
        approved=approved,
        best_not_approved=best_not_approved,
        budget=capped,
        cost_usd=spent,
        mean_seconds=sum(seconds) / len(seconds) if seconds else None,
        paused=paused(conn),
        budget_usd=budget(conn),
    )
