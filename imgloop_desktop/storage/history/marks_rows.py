"""A person's marks on images (schema v10): a favourite star and a 1-5 rating.

Kept apart from approval on purpose: approving says "this one answers the prompt", a star
says "I like this one"; a person may star a rejected image. Marks live in their own table
(``image_marks``) so the recorder never touches them and a run being recorded never waits
for them. A row exists only while an image carries a mark; clearing both deletes it.

Each setter is one transaction and returns the marks as stored, so a caller on another
thread (the window's worker) hands back exactly what a later read would see.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from imgloop_desktop.core.errors import Problem, ValidationError
from imgloop_desktop.core.records import MAX_RATING, MIN_RATING, ImageMarks
from imgloop_desktop.storage.history.schema import HistoryError, now_iso, transaction
from imgloop_desktop.storage.history.tables import fetch_all, fetch_one

RATING_ALLOWED = f"a whole number from {MIN_RATING} to {MAX_RATING}, or none to clear it"
_CHUNK = 500  # well under SQLite's default limit of bound variables


def rating_problem(rating: object) -> str | None:
    """Why ``rating`` cannot be stored, or None. ``bool`` is refused: True is not "1 star"."""
    if rating is None:
        return None
    if isinstance(rating, bool) or not isinstance(rating, int):
        return RATING_ALLOWED
    return None if MIN_RATING <= rating <= MAX_RATING else RATING_ALLOWED


def read_marks(conn: sqlite3.Connection, image_id: int) -> ImageMarks:
    row = fetch_one(
        conn, "SELECT favourite, rating FROM image_marks WHERE image_id = ?", (image_id,)
    )
    if row is None:
        return ImageMarks(image_id)
    return ImageMarks(image_id, bool(row["favourite"]), row["rating"])


def marks_of(conn: sqlite3.Connection, image_ids: Iterable[int]) -> dict[int, ImageMarks]:
    """The marks of the images that have any; an unmarked image is simply absent."""
    ids = sorted(set(image_ids))
    found: dict[int, ImageMarks] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for row in fetch_all(
            conn,
            f"SELECT image_id, favourite, rating FROM image_marks "
            f"WHERE image_id IN ({','.join('?' * len(chunk))})",
            chunk,
        ):
            found[row["image_id"]] = ImageMarks(
                row["image_id"], bool(row["favourite"]), row["rating"]
            )
    return found


def run_marks(conn: sqlite3.Connection, run_id: str) -> dict[int, ImageMarks]:
    """Every marked image of one run (the gallery adds these to a session it shows)."""
    return {
        row["image_id"]: ImageMarks(row["image_id"], bool(row["favourite"]), row["rating"])
        for row in fetch_all(
            conn,
            """SELECT m.image_id AS image_id, m.favourite AS favourite, m.rating AS rating
               FROM image_marks AS m JOIN images AS i ON i.id = m.image_id
               JOIN runs AS r ON r.id = i.run_id WHERE r.run_id = ?""",
            (run_id,),
        )
    }


def _write(
    conn: sqlite3.Connection, image_id: int, favourite: bool, rating: int | None, at: str
) -> None:
    if fetch_one(conn, "SELECT 1 AS found FROM images WHERE id = ?", (image_id,)) is None:
        raise HistoryError(f"image {image_id} is not in the history")
    if not favourite and rating is None:
        conn.execute("DELETE FROM image_marks WHERE image_id = ?", (image_id,))
        return
    conn.execute(
        """INSERT INTO image_marks (image_id, favourite, rating, marked_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (image_id) DO UPDATE SET favourite = excluded.favourite,
               rating = excluded.rating, marked_at = excluded.marked_at""",
        (image_id, int(favourite), rating, at),
    )


def write_marks_in(
    conn: sqlite3.Connection,
    image_id: int,
    favourite: bool,
    rating: int | None,
    *,
    at: datetime | None = None,
) -> None:
    """Both marks of one image inside the caller's open transaction: an import records an
    image and its marks together, so a refused import leaves neither. ValidationError for a
    rating outside 1-5, before anything is written."""
    problem = rating_problem(rating)
    if problem:
        raise ValidationError([Problem("rating", rating, problem)])
    _write(conn, image_id, bool(favourite), rating, now_iso(at))


def set_favourite(
    conn: sqlite3.Connection, image_id: int, favourite: bool, *, at: datetime | None = None
) -> ImageMarks:
    """Star (or unstar) one image; its rating stays."""
    with transaction(conn):
        current = read_marks(conn, image_id)
        _write(conn, image_id, bool(favourite), current.rating, now_iso(at))
    return read_marks(conn, image_id)


def set_rating(
    conn: sqlite3.Connection, image_id: int, rating: int | None, *, at: datetime | None = None
) -> ImageMarks:
    """Rate one image 1-5 (None clears it); its star stays. ValidationError for any other
    value, before anything is written."""
    problem = rating_problem(rating)
    if problem:
        raise ValidationError([Problem("rating", rating, problem)])
    with transaction(conn):
        current = read_marks(conn, image_id)
        _write(conn, image_id, current.favourite, rating, now_iso(at))
    return read_marks(conn, image_id)
