"""Schema v10: a person's star and 1-5 rating per image, read with the image, filterable in
the session list, cleared rows removed, bad ratings refused, gone with the image."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from imgloop_desktop.core.errors import ValidationError
from imgloop_desktop.core.records import ImageMarks, SessionFilter
from imgloop_desktop.services.history import HistoryService
from imgloop_desktop.storage.history import marks_rows, queries
from imgloop_desktop.storage.history.schema import (
    CURRENT_VERSION,
    HistoryError,
    connect,
    transaction,
    user_version,
)
from tests.gui.gallery_fixtures import record_many


@pytest.fixture
def service(isolated_env: Path) -> Iterator[HistoryService]:
    with HistoryService.open() as history:
        yield history


def test_a_v9_file_gains_the_marks_table(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with closing(connect(path, target=9)) as conn:
        assert user_version(conn) == 9
    with closing(connect(path)) as conn:
        assert user_version(conn) == CURRENT_VERSION >= 10
        conn.execute("SELECT image_id, favourite, rating, marked_at FROM image_marks")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO image_marks VALUES (1, 0, 6, 'x')")


def test_marks_are_kept_read_and_filtered(service: HistoryService) -> None:
    runs = record_many(service, ["a fox", "a cat", "a dog"])
    fox = next(service.session(runs[0]).images()).image_id
    cat = next(service.session(runs[1]).images()).image_id
    assert service.set_favourite(fox, True).favourite
    assert service.set_rating(cat, 4).rating == 4
    assert service.image(fox).favourite and service.image(fox).rating is None
    assert next(service.session(runs[1]).images()).rating == 4
    assert set(service.marks([fox, cat])) == {fox, cat}

    def listed(flt: SessionFilter) -> list[str]:
        return [s.run_id for s in service.list_sessions(flt).sessions]

    assert listed(SessionFilter(favourites=True)) == [runs[0]]
    assert listed(SessionFilter(min_rating=4)) == [runs[1]]
    assert listed(SessionFilter(min_rating=5)) == []
    assert listed(SessionFilter(search="cat", min_rating=1)) == [runs[1]]
    assert service.count_sessions(SessionFilter(favourites=True)) == 1


def test_clearing_both_marks_removes_the_row(service: HistoryService) -> None:
    run = record_many(service, ["a fox"])[0]
    image = next(service.session(run).images()).image_id
    service.set_favourite(image, True)
    service.set_rating(image, 2)
    service.set_favourite(image, False)
    assert service.marks([image])[image].rating == 2
    service.set_rating(image, None)
    assert service.marks([image]) == {}


@pytest.mark.parametrize("bad", [0, 6, True, 2.5, "3"])
def test_a_bad_rating_is_refused_before_writing(service: HistoryService, bad: object) -> None:
    run = record_many(service, ["a fox"])[0]
    image = next(service.session(run).images()).image_id
    with pytest.raises(ValidationError):
        service.set_rating(image, bad)  # type: ignore[arg-type]
    assert service.marks([image]) == {}


def test_an_unknown_image_is_named(service: HistoryService) -> None:
    with pytest.raises(HistoryError, match="image 999"):
        service.set_favourite(999, True)


def test_marks_go_with_their_run(tmp_path: Path, service: HistoryService) -> None:
    run = record_many(service, ["a fox"])[0]
    image = next(service.session(run).images()).image_id
    service.set_favourite(image, True)
    with closing(connect(service.db_path)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM runs WHERE run_id = ?", (run,))
        conn.commit()
        assert marks_rows.marks_of(conn, [image]) == {}
        assert queries.count_sessions(conn) == 0


def test_marks_written_inside_a_transaction_go_with_its_rollback(
    service: HistoryService,
) -> None:
    """What an import relies on: its image rows and their marks are one transaction."""
    run = record_many(service, ["a fox"])[0]
    image = next(service.session(run).images()).image_id
    with closing(connect(service.db_path)) as conn:
        with pytest.raises(RuntimeError), transaction(conn):
            marks_rows.write_marks_in(conn, image, True, 4)
            assert marks_rows.read_marks(conn, image).rating == 4
            raise RuntimeError("the import failed later")
        assert marks_rows.read_marks(conn, image) == ImageMarks(image)
        with transaction(conn):
            marks_rows.write_marks_in(conn, image, True, 4)
        assert service.marks([image])[image] == ImageMarks(image, True, 4)
        with pytest.raises(ValidationError), transaction(conn):
            marks_rows.write_marks_in(conn, image, False, 9)
        assert service.marks([image])[image].rating == 4
