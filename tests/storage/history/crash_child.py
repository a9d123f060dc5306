"""A real loop recording into the history, for the kill test: ``python crash_child.py DB MODE``.

It prints one line per event after the recorder committed it (``event <Name>``), and one
line after each image file is on disk (``saved <name>``). In ``pause`` mode it stops after
the second saved file, before the loop can emit ImageStored, and waits on stdin: a kill
there leaves a file with no row, every time.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from imgloop_desktop import paths
from imgloop_desktop.core import events as ev
from imgloop_desktop.core.loop import ImageLoop
from imgloop_desktop.core.protocols import StoredFile
from imgloop_desktop.storage.history import HistoryRecorder
from imgloop_desktop.storage.local import LocalImageStore
from tests.storage.history.fakes import (
    SPEC,
    FakeChat,
    FakeGenerator,
    InlineUploader,
    params,
)

_PRINT_LOCK = threading.Lock()


def say(line: str) -> None:
    """One whole line at a time: events come from the loop's pool threads too, and print()
    writes the text and the newline separately, so two threads could join their lines."""
    with _PRINT_LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class AnnouncingStore:
    def __init__(self, pause_after: int | None) -> None:
        self.inner = LocalImageStore(paths.images_dir())
        self.saved = 0
        self.pause_after = pause_after

    def save(self, run_id: str, name: str, data: bytes) -> StoredFile:
        stored = self.inner.save(run_id, name, data)
        self.saved += 1
        say(f"saved {name}")
        if self.pause_after is not None and self.saved >= self.pause_after:
            sys.stdin.readline()  # the parent kills us here
        return stored


def main() -> None:
    db, mode = Path(sys.argv[1]), sys.argv[2]
    run_params = params(
        max_retry_attempts=40,
        max_prompt_revisions=2,
        titan_img_number_of_images=2,
        s3_enabled=True,
        output_s3_bucket_name="imgloop-test",
    )

    def show(event: ev.Event) -> None:
        say(f"event {type(event).__name__}")

    with HistoryRecorder(db, run_params) as recorder:
        ImageLoop(
            run_params,
            SPEC,
            generator=FakeGenerator(),
            chat=FakeChat(),
            store=AnnouncingStore(2 if mode == "pause" else None),
            uploader=InlineUploader("imgloop-test", fail={"never"}),
            recorder=recorder,
            emit=show,
        ).run()
    say("done")


if __name__ == "__main__":
    main()
