"""Finding an image by the SHA-256 of its bytes: how an original copied out of the data
folder, which carries no parameters of its own, leads back to its run."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from imgloop_desktop.services.history import HistoryService
from tests.storage.history.fakes import FakeChat, params, run_recorded


@pytest.fixture
def service(isolated_env: Path) -> Iterator[HistoryService]:
    with HistoryService.open() as service:
        yield service


def test_an_original_is_found_by_the_sha256_of_its_file(service: HistoryService) -> None:
    result = run_recorded(
        service.db_path,
        params("a heron at dawn", max_retry_attempts=3),
        chat=FakeChat(verdicts=["NO", "YES"]),
    )
    images = list(service.session(result.run_id).images())
    assert len(images) == 2
    for image in images:
        digest = hashlib.sha256(image.path.read_bytes()).hexdigest()
        found = service.image_by_sha256(digest)
        assert found is not None
        assert (found.image_id, found.run_id) == (image.image_id, result.run_id)
        # Hex digests are compared without regard to case (some tools print upper case).
        upper = service.image_by_sha256(digest.upper())
        assert upper is not None and upper.image_id == image.image_id
    assert service.image_by_sha256(hashlib.sha256(b"something else").hexdigest()) is None
