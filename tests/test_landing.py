"""Which landed files are ready to read, and how processed files are filed away."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from estat.exports.landing import LandedFile, file_away, ready_files, root_closed

COMPLETE = b'<?xml version="1.0"?>\n<BURKIT_EXPORT kind="EMIGRANT">\n</BURKIT_EXPORT>\n\n'
UNFINISHED = b'<?xml version="1.0"?>\n<BURKIT_EXPORT kind="EMIGRANT">\n<M_EMIGRANT rows="9">'


def landed(directory: Path, name: str, data: bytes, age_seconds: float) -> Path:
    path = directory / name
    path.write_bytes(data)
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def names(files: list[LandedFile]) -> list[str]:
    return [Path(f.path).name for f in files]


def test_only_settled_complete_export_files_are_ready(tmp_path: Path) -> None:
    landed(tmp_path, "EMIGRANT_20260131_001.xml", COMPLETE, age_seconds=60)
    landed(tmp_path, "EMIGRANT_20260131_002.xml", COMPLETE, age_seconds=1)  # just written
    landed(tmp_path, "EMIGRANT_20260131_003.xml", UNFINISHED, age_seconds=60)  # being written
    landed(tmp_path, "EMIGRANT_20260131_004.xml.part", COMPLETE, age_seconds=60)
    landed(tmp_path, "notes.txt", COMPLETE, age_seconds=60)
    (tmp_path / "sub.xml").mkdir()

    ready = ready_files(tmp_path, settle_seconds=10, incomplete_after_seconds=3600)

    assert names(ready) == ["EMIGRANT_20260131_001.xml"]
    assert ready[0].complete is True
    assert ready[0].size == len(COMPLETE)


def test_a_file_abandoned_unfinished_is_taken_in_to_be_refused(tmp_path: Path) -> None:
    landed(tmp_path, "EMIGRANT_20260131_003.xml", UNFINISHED, age_seconds=7200)

    ready = ready_files(tmp_path, settle_seconds=10, incomplete_after_seconds=3600)

    assert names(ready) == ["EMIGRANT_20260131_003.xml"]
    assert ready[0].complete is False


def test_oldest_first(tmp_path: Path) -> None:
    landed(tmp_path, "B.xml", COMPLETE, age_seconds=100)
    landed(tmp_path, "A.xml", COMPLETE, age_seconds=50)
    landed(tmp_path, "C.xml", COMPLETE, age_seconds=200)

    assert names(ready_files(tmp_path, settle_seconds=0, incomplete_after_seconds=0)) == [
        "C.xml",
        "B.xml",
        "A.xml",
    ]


def test_a_missing_landing_directory_is_no_file(tmp_path: Path) -> None:
    assert ready_files(tmp_path / "absent", settle_seconds=0, incomplete_after_seconds=0) == []


def test_a_file_that_changes_after_it_was_seen_is_not_unchanged(tmp_path: Path) -> None:
    path = landed(tmp_path, "EMIGRANT_20260131_001.xml", COMPLETE, age_seconds=60)
    (seen,) = ready_files(tmp_path, settle_seconds=0, incomplete_after_seconds=0)
    assert seen.unchanged()

    with path.open("ab") as file:
        file.write(b" ")
    assert not seen.unchanged()
    path.unlink()
    assert not seen.unchanged()


@pytest.mark.parametrize(
    ("tail", "closed"),
    [(b"</BURKIT_EXPORT>", True), (b"</BURKIT_EXPORT>\r\n\t ", True), (b"</BURKIT_EXPOR", False)],
)
def test_root_closed(tmp_path: Path, tail: bytes, closed: bool) -> None:
    path = tmp_path / "f.xml"
    path.write_bytes(b"<BURKIT_EXPORT>" + b"x" * 1000 + tail)

    assert root_closed(path) is closed


def test_filing_away_never_overwrites(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    first = landed(tmp_path, "EMIGRANT_20260131_001.xml", b"first", 0)
    filed_first = file_away(first, archive, 1)
    second = landed(tmp_path, "EMIGRANT_20260131_001.xml", b"second", 0)
    filed_second = file_away(second, archive, 2)

    assert filed_first.name == "EMIGRANT_20260131_001.xml"
    assert filed_second.name == "EMIGRANT_20260131_001.2.xml"
    assert filed_first.read_bytes() == b"first"
    assert filed_second.read_bytes() == b"second"
    assert not first.exists()
