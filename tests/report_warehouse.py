"""A warehouse into which generated export files were delivered, for the quality report's tests.

Each :class:`Delivery` is a file the generator writes and the pipeline ingests, as Burkit-MO
would deliver it: clean, with planted faults, truncated on the way, or the same content
again under another name. The originals are kept as written, so that a test can read the
personal data they hold and prove the report shows none of it.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg
import pytest
from conftest import DICTIONARY_DIR

from estat.contract import Kind
from estat.dictionaries import load_dictionary_dir
from estat.exports.ingest import Ingestion, ingest_export_file
from estat.generator import Fault, GeneratedExport, export_file_name, write_export
from estat.warehouse.connection import connect
from estat.warehouse.migrations import migrate


@dataclass(frozen=True)
class Delivery:
    """One export file delivered into the landing directory."""

    name: str  # what the tests call it
    kind: Kind
    period_end: date
    seq: int = 1
    persons: int = 30
    seed: int = 0
    faults: tuple[Fault, ...] = ()
    truncated: bool = False  # only the first half of the file arrives
    again_of: str | None = None  # the same bytes as that delivery, under this one's name

    @property
    def file_name(self) -> str:
        return export_file_name(self.kind, self.period_end, self.seq)


@dataclass
class Delivered:
    """The warehouse after the deliveries, and what each delivery was."""

    conn: psycopg.Connection
    directory: Path
    exports: dict[str, GeneratedExport] = field(default_factory=dict)
    sent: dict[str, Path] = field(default_factory=dict)  # each original, whole
    ingestions: dict[str, Ingestion] = field(default_factory=dict)

    def ledger(self) -> dict[str, tuple]:
        """Per file name: file id, status, refusal rule, provenance, received and finished."""
        rows = self.conn.execute(
            "SELECT file_name, file_id, status, refusal_rule, provenance, received_at, "
            "finished_at, duplicate_of FROM ops.export_file ORDER BY file_id"
        ).fetchall()
        return {row[0]: row[1:] for row in rows}


@contextmanager
def delivered_warehouse(
    pg_server, directory: Path, deliveries: Sequence[Delivery]
) -> Iterator[Delivered]:
    """A fresh, migrated warehouse with the dictionaries loaded and every delivery ingested."""
    folders = {name: directory / name for name in ("sent", "landing", "archive", "quarantine")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    database = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {database}")
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name in ("landing", "archive", "quarantine"):
                patch.setenv(f"ESTAT_{name.upper()}_DIR", str(folders[name]))
            with connect(pg_server.get_uri(database=database)) as conn:
                migrate(conn)
                _, refusals = load_dictionary_dir(conn, DICTIONARY_DIR)
                assert refusals == []
                delivered = Delivered(conn, directory)
                for delivery in deliveries:
                    _deliver(delivered, delivery, folders)
                yield delivered
    finally:
        with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {database} WITH (FORCE)")


def _deliver(delivered: Delivered, delivery: Delivery, folders: dict[str, Path]) -> None:
    sent = folders["sent"] / delivery.name / delivery.file_name
    sent.parent.mkdir()
    if delivery.again_of is None:
        delivered.exports[delivery.name] = write_export(
            sent,
            kind=delivery.kind,
            persons=delivery.persons,
            seed=delivery.seed,
            period_end=delivery.period_end,
            seq=delivery.seq,
            faults=delivery.faults,
        )
    else:
        shutil.copy(delivered.sent[delivery.again_of], sent)
    delivered.sent[delivery.name] = sent

    landed = folders["landing"] / delivery.file_name
    data = sent.read_bytes()
    landed.write_bytes(data[: len(data) // 2] if delivery.truncated else data)
    delivered.ingestions[delivery.name] = ingest_export_file(delivered.conn, landed)
