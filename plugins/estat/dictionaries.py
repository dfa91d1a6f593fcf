"""Loading the reference dictionaries into the warehouse's ``ref`` schema.

A dictionary file is a whole version of its dictionary. Loading it, in one transaction:

* adds the codes that are new and updates the ones whose values changed;
* never deletes a code: one that the new version no longer holds stays (exported records
  may still point at it) and is marked withdrawn by that load; it is restored if a later
  version holds it again;
* records the load in ``ops.dictionary_load`` and every row it touched, with its values
  before and after, in ``ops.dictionary_change``.

Loading the same version again changes no row. A refused file changes no row either: its
refusal, with file, line and reason, is recorded in ``ops.dictionary_load`` and raised.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from estat.contract import Dictionary
from estat.sqlinsert import DictionaryFileError, DictionaryVersion, read_dictionary_file

log = logging.getLogger(__name__)


class DictionaryRefused(DictionaryFileError):
    """A dictionary file that was refused; the refusal is already in the ledger."""

    def __init__(self, error: DictionaryFileError, load_id: int) -> None:
        super().__init__(error.file_name, error.reason, error.line)
        self.load_id = load_id


@dataclass(frozen=True)
class DictionaryLoad:
    """What one load of a dictionary file did."""

    load_id: int
    dictionary: str
    file_name: str
    sha256: str
    rows_in_file: int
    added: int
    changed: int
    unchanged: int
    withdrawn: int

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)


def dictionary_files(directory: Path) -> list[Path]:
    """The sql-insert files in ``directory``, by name."""
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() == ".sql")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pending_dictionary_files(
    conn: psycopg.Connection, directory: Path, *, force: bool = False
) -> list[Path]:
    """The files whose content differs from the last load attempted for their dictionary.

    A file refused before and not changed since is not tried again (its refusal is in the
    ledger already) unless ``force`` is set, which returns every file.
    """
    files = dictionary_files(directory)
    if force:
        return files
    last_attempt = dict(
        conn.execute(
            "SELECT DISTINCT ON (dictionary) dictionary, sha256 FROM ops.dictionary_load "
            "ORDER BY dictionary, load_id DESC"
        ).fetchall()
    )
    pending = []
    for path in files:
        if last_attempt.get(path.stem.upper()) == _sha256(path):
            log.info("%s unchanged since its last load: skipped", path.name)
        else:
            pending.append(path)
    return pending


def load_dictionary_file(conn: psycopg.Connection, path: Path) -> DictionaryLoad:
    """Read, check and load one dictionary file; raise :class:`DictionaryRefused` if refused."""
    started_at = datetime.now(UTC)
    try:
        version = read_dictionary_file(path)
    except DictionaryFileError as error:
        load_id = _record_refusal(conn, path, error, started_at)
        log.error("refused dictionary file %s (load %d)", error, load_id)
        raise DictionaryRefused(error, load_id) from error
    return apply_version(conn, version, started_at)


def _record_refusal(
    conn: psycopg.Connection, path: Path, error: DictionaryFileError, started_at: datetime
) -> int:
    with conn.transaction():
        (load_id,) = conn.execute(
            """
            INSERT INTO ops.dictionary_load (dictionary, file_name, sha256, status, reason,
                                             started_at)
            VALUES (%s, %s, %s, 'refused', %s, %s)
            RETURNING load_id
            """,
            (path.stem.upper(), path.name, _sha256(path), str(error), started_at),
        ).fetchone()
    return load_id


def _row_values(dictionary: Dictionary, values: dict) -> dict:
    return {name.lower(): values[name] for name in dictionary.column_names}


def apply_version(
    conn: psycopg.Connection, version: DictionaryVersion, started_at: datetime | None = None
) -> DictionaryLoad:
    """Merge a checked dictionary version into its ref table, in one transaction."""
    dictionary = version.dictionary
    table = dictionary.warehouse_table
    columns = [name.lower() for name in dictionary.column_names]
    incoming = {row.code: _row_values(dictionary, row.values) for row in version.rows}

    with conn.transaction():
        # One load of a dictionary at a time; loads of different dictionaries run in parallel.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (table,))
        (load_id,) = conn.execute(
            """
            INSERT INTO ops.dictionary_load (dictionary, file_name, sha256, status, started_at,
                                             rows_in_file)
            VALUES (%s, %s, %s, 'loaded', %s, %s)
            RETURNING load_id
            """,
            (
                dictionary.name,
                version.file_name,
                version.sha256,
                started_at or datetime.now(UTC),
                len(incoming),
            ),
        ).fetchone()

        cursor = conn.cursor(row_factory=psycopg.rows.dict_row)
        existing = {
            row["code"]: row
            for row in cursor.execute(f"SELECT {', '.join(columns)}, withdrawn_by FROM {table}")
        }

        changes: list[tuple[int, str, dict | None, dict | None]] = []
        for code, values in incoming.items():
            before = existing.get(code)
            if before is None:
                changes.append((code, "added", None, values))
                continue
            withdrawn_by = before.pop("withdrawn_by")
            if withdrawn_by is not None:
                changes.append((code, "restored", before, values))
            elif before != values:
                changes.append((code, "changed", before, values))
        withdrawn = [
            (code, "withdrawn", {k: v for k, v in row.items() if k != "withdrawn_by"}, None)
            for code, row in existing.items()
            if code not in incoming and row["withdrawn_by"] is None
        ]

        writes = [values for _, change, _, values in changes if values is not None]
        if writes:
            assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "code")
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}, loaded_by) "
                f"VALUES ({', '.join(f'%({c})s' for c in columns)}, %(load_id)s) "
                f"ON CONFLICT (code) DO UPDATE SET {assignments}, "
                "loaded_by = EXCLUDED.loaded_by, withdrawn_by = NULL",
                [{**values, "load_id": load_id} for values in writes],
            )
        if withdrawn:
            cursor.execute(
                f"UPDATE {table} SET withdrawn_by = %s WHERE code = ANY(%s)",
                (load_id, [code for code, *_ in withdrawn]),
            )
        cursor.executemany(
            "INSERT INTO ops.dictionary_change (load_id, dictionary, code, change, before, after)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (
                    load_id,
                    dictionary.name,
                    code,
                    change,
                    None if before is None else Jsonb(before),
                    None if after is None else Jsonb(after),
                )
                for code, change, before, after in [*changes, *withdrawn]
            ],
        )

        added = sum(1 for _, change, *_ in changes if change == "added")
        result = DictionaryLoad(
            load_id=load_id,
            dictionary=dictionary.name,
            file_name=version.file_name,
            sha256=version.sha256,
            rows_in_file=len(incoming),
            added=added,
            changed=len(changes) - added,
            unchanged=len(incoming) - len(changes),
            withdrawn=len(withdrawn),
        )
        conn.execute(
            """
            UPDATE ops.dictionary_load
            SET rows_added = %s, rows_changed = %s, rows_unchanged = %s, rows_withdrawn = %s,
                finished_at = now()
            WHERE load_id = %s
            """,
            (result.added, result.changed, result.unchanged, result.withdrawn, load_id),
        )

    log.info(
        "loaded %s from %s (load %d): %d rows, %d added, %d changed, %d unchanged, %d withdrawn",
        dictionary.name,
        version.file_name,
        load_id,
        result.rows_in_file,
        result.added,
        result.changed,
        result.unchanged,
        result.withdrawn,
    )
    return result


def load_dictionary_dir(
    conn: psycopg.Connection, directory: Path, *, force: bool = False
) -> tuple[list[DictionaryLoad], list[DictionaryRefused]]:
    """Load every pending dictionary file of ``directory``, each in its own transaction."""
    loads, refusals = [], []
    for path in pending_dictionary_files(conn, directory, force=force):
        try:
            loads.append(load_dictionary_file(conn, path))
        except DictionaryRefused as refusal:
            refusals.append(refusal)
    return loads, refusals
