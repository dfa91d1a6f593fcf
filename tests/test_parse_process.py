"""The parse in a process of its own: the same staging tables, counts and refusals as the
parse in the caller's process, and no child left behind when either side stops early."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from conftest import ROOT

from estat.contract import Kind
from estat.exports import parse_process, staging
from estat.exports.reader import ExportRefused
from estat.generator import Fault, write_export


def _staged(conn, file_id: int) -> dict[str, list[tuple]]:
    tables = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'staging' AND tablename LIKE %s "
        "ORDER BY tablename",
        (f"f{file_id}\\_%",),
    ).fetchall()
    return {
        name.removeprefix(f"f{file_id}_"): conn.execute(
            f'SELECT * FROM staging."{name}" ORDER BY row_number'
        ).fetchall()
        for (name,) in tables
    }


def _parse_children() -> list[psutil.Process]:
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if parse_process.__name__ in " ".join(child.cmdline()) and child.is_running():
                if child.status() != psutil.STATUS_ZOMBIE:
                    found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    generated = write_export(
        tmp_path / "EMIGRANT_20260131_001.xml",
        kind=Kind.EMIGRANT,
        persons=150,
        faults=list(Fault),
        seed=3,
    )
    return generated.path


def test_the_parse_process_stages_what_the_caller_would(conn, export_file: Path) -> None:
    ended_here, ended_apart = [], []
    here = staging.stream_rows(conn, export_file, 1, ended=ended_here.append)
    apart = parse_process.stream_rows(conn, export_file, 2, ended=ended_apart.append)
    try:
        staged_here, staged_apart = _staged(conn, 1), _staged(conn, 2)
    finally:
        staging.drop_staging(conn, 1)
        staging.drop_staging(conn, 2)

    apart.file_id = here.file_id
    assert apart == here
    assert ended_apart == ended_here
    assert [t.name for t in ended_apart] == list(here.tables)
    assert sum(t.received_rows for t in ended_apart) > 150
    assert staged_apart == staged_here
    assert sum(len(rows) for rows in staged_apart.values()) == sum(
        t.received_rows for t in here.tables.values()
    )


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"<BURKIT_EXPORT kind='EMIGRANT'", "not_well_formed"),
        (b"not xml at all", "not_well_formed"),
    ],
)
def test_a_refusal_in_the_parse_process_is_the_callers_refusal(
    conn, tmp_path: Path, content: bytes, rule: str
) -> None:
    path = tmp_path / "EMIGRANT_20260131_001.xml"
    path.write_bytes(content)
    refusals = []
    for stream in (staging.stream_rows, parse_process.stream_rows):
        with pytest.raises(ExportRefused) as caught:
            stream(conn, path, 3)
        refusals.append((caught.value.file_name, caught.value.rule, caught.value.reason))
    staging.drop_staging(conn, 3)

    assert refusals[0] == refusals[1]
    assert refusals[1][1] == rule
    assert _parse_children() == []


def test_a_parse_process_that_dies_is_an_error_naming_the_file(conn, export_file: Path) -> None:
    def kill_the_parse(table) -> None:
        for child in _parse_children():
            child.send_signal(signal.SIGKILL)

    with pytest.raises(parse_process.ParseProcessFailed, match=export_file.name) as caught:
        parse_process.stream_rows(conn, export_file, 4, ended=kill_the_parse)
    staging.drop_staging(conn, 4)

    assert f"exit status -{int(signal.SIGKILL)}" in str(caught.value)
    assert _parse_children() == []


def test_the_callers_error_stops_the_parse_process(conn, tmp_path: Path) -> None:
    path = write_export(
        tmp_path / "EMIGRANT_20260131_001.xml", kind=Kind.EMIGRANT, persons=5_000, seed=4
    ).path

    class Abandoned(Exception):
        pass

    def abandon(table) -> None:
        raise Abandoned

    with pytest.raises(Abandoned):
        parse_process.stream_rows(conn, path, 5, ended=abandon)
    staged = _staged(conn, 5)
    staging.drop_staging(conn, 5)

    assert _parse_children() == []
    # Stopped after the person table: the child tables were never all staged.
    assert "m_emigrant" in staged
    assert len(staged) < 5


@pytest.mark.parametrize(
    "modules",
    [
        "estat.exports.parse_process, estat.exports.staging",  # what the child imports
        "estat.exports.ingest",  # what the task imports before the ingestion starts
    ],
)
def test_the_parse_starts_without_importing_gx_or_pandas(modules: str) -> None:
    """The child starts parsing within a moment, and the task imports GX while it parses."""
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, {modules}; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'great_expectations', 'sqlalchemy', 'pandas'}))",
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == "[]"
