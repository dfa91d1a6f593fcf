"""Ingesting one export file, exactly once: claim, parse, check, split, load, file away.

Claim. The file's SHA-256 is taken and a PostgreSQL advisory lock on it is held for the
whole ingestion, on a connection of its own, so no concurrent run or retry works on the
same content at the same time (the one that does not get the lock leaves the file alone).
Under the lock, the ledger ``ops.export_file`` decides:

* content already loaded: the delivery is a duplicate, recorded and archived (or, when
  the loaded delivery is this very file and was never filed away because a run died just
  after its commit, the filing is finished);
* a row ``received`` (from the media import) or ``processing`` (a run that died) for this
  content: that row is taken over, keeping its provenance;
* otherwise a new row, provenance ``burkit_mo``.

Refusal. A file is refused whole, loading nothing, when it is not well-formed or
truncated, carries a DOCTYPE, has a wrong root, kind, table or field, a name that does not
match it, a table whose row count is not the declared one, a package already loaded from
different content (a conflicting re-delivery, for an operator to decide), or more
rejected persons than the allowed share. A file refused after it was parsed puts every
one of its records in quarantine, each with its own reasons and ``file_refused:<rule>``,
so that no record is ever lost. The refusal is in the ledger, in the log, and in the
``.report.json`` beside the file in the quarantine directory.

Check. The suites' results (row numbers and counts, never a value) are stored in the GX
project and its Data Docs are built for them (:mod:`estat.exports.docs`).

Load. Each table is checked and merged while the next one is parsed
(:mod:`estat.exports.pipeline`). Accepted rows, rejected rows, outcomes, counts and the
ledger's final status are written in one transaction (:mod:`estat.exports.load`), which
a refusal rolls back; the file is filed away only after it commits.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from estat import config
from estat.exports import docs, landing, load, pipeline, staging
from estat.exports.reader import Export, ExportRefused, check_file_name
from estat.exports.validation import ExportCheck

log = logging.getLogger(__name__)

BURKIT_MO = "burkit_mo"
ELECTRONIC_MEDIA = "electronic_media"

FILE_REFUSED = "file_refused"


class FileChanged(Exception):
    """The file changed while it was read: it is left for a later run."""


@dataclass
class Ingestion:
    """What became of one delivered file (counts only: no record's values)."""

    file_name: str
    status: str  # loaded, refused, duplicate, busy
    file_id: int | None = None
    package: str | None = None
    kind: str | None = None
    provenance: str | None = None
    refusal_rule: str | None = None
    reason: str | None = None
    duplicate_of: int | None = None
    rows_received: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    persons_rejected: int = 0
    warnings: int = 0
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    rejected_by_rule: dict[str, int] = field(default_factory=dict)
    filed_as: str | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _lock_key(sha256: str) -> int:
    # The first 8 bytes of the digest, as the signed bigint advisory locks take.
    return int.from_bytes(bytes.fromhex(sha256[:16]), "big", signed=True)


def ingest_export_file(conn: psycopg.Connection, path: Path) -> Ingestion:
    """Ingest one landed file (see the module's description of the steps)."""
    started = time.monotonic()
    sha256 = sha256_of(path)
    if not conn.execute("SELECT pg_try_advisory_lock(%s)", (_lock_key(sha256),)).fetchone()[0]:
        log.info("%s is being ingested by another run: left alone", path.name)
        return Ingestion(path.name, "busy")
    try:
        ingestion = _ingest_claimed(conn, path, sha256)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_lock_key(sha256),))
    ingestion.seconds = round(time.monotonic() - started, 3)
    return ingestion


def _ingest_claimed(conn: psycopg.Connection, path: Path, sha256: str) -> Ingestion:
    with conn.transaction():
        deliveries = conn.execute(
            "SELECT file_id, status, file_name, filed_as, provenance FROM ops.export_file "
            "WHERE sha256 = %s ORDER BY file_id",
            (sha256,),
        ).fetchall()
    loaded = [d for d in deliveries if d[1] == "loaded"]
    if loaded:
        return _already_loaded(conn, path, sha256, loaded[0])

    pending = [d for d in deliveries if d[1] in ("received", "processing")]
    with conn.transaction():
        if pending:
            file_id, provenance = pending[-1][0], pending[-1][4]
            conn.execute(
                "UPDATE ops.export_file SET status = 'processing', file_name = %s, "
                "attempts = attempts + 1, started_at = now() WHERE file_id = %s",
                (path.name, file_id),
            )
        else:
            provenance = BURKIT_MO
            (file_id,) = conn.execute(
                "INSERT INTO ops.export_file (file_name, sha256, size_bytes, provenance, status, "
                "attempts, started_at) VALUES (%s, %s, %s, %s, 'processing', 1, now()) "
                "RETURNING file_id",
                (path.name, sha256, path.stat().st_size, provenance),
            ).fetchone()
    log.info("claimed %s as export file %d (%s)", path.name, file_id, provenance)
    ingestion = Ingestion(path.name, "processing", file_id=file_id, provenance=provenance)

    export: Export | None = None
    check: ExportCheck | None = None
    try:
        try:
            documented = functools.partial(_document, file_id)
            with pipeline.ConcurrentIngestion(conn, file_id, checked=documented) as run:
                try:
                    run.stream(path)
                    run.finish(functools.partial(_decide, ingestion, path, sha256))
                    ingestion.status = "loaded"
                finally:
                    # What a refusal quarantines: every record of a file that was parsed.
                    export = run.export
                    check = run.check if export is not None else None
        except ExportRefused as refusal:
            _refuse(conn, ingestion, refusal, export, check)
        except psycopg.errors.UniqueViolation:
            # Another run loaded the same package from other content between our check and
            # our commit: the ledger's unique index decided, so this delivery conflicts.
            refusal = ExportRefused(path.name, "conflicting_package", _conflict_reason(export))
            _refuse(conn, ingestion, refusal, export, check)
        except psycopg.Error as error:
            # A database error may quote a value of a record: say what failed, not what it
            # read.
            raise RuntimeError(
                f"{path.name}: the warehouse refused the load ({type(error).__name__}, "
                f"SQLSTATE {error.sqlstate})"
            ) from None
    finally:
        if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            staging.drop_staging(conn, file_id)

    if ingestion.status == "loaded":
        log.info(
            "loaded %s (export file %d, package %s): %d rows received, %d loaded, "
            "%d quarantined, %d persons rejected, %d warnings",
            ingestion.file_name,
            file_id,
            ingestion.package,
            ingestion.rows_received,
            ingestion.rows_loaded,
            ingestion.rows_quarantined,
            ingestion.persons_rejected,
            ingestion.warnings,
        )
    directory = config.archive_dir() if ingestion.status == "loaded" else config.quarantine_dir()
    filed = _file_away(conn, path, directory, file_id)
    ingestion.filed_as = str(filed)
    if ingestion.status == "refused":
        landing.write_report(filed, _report(ingestion, sha256))
    return ingestion


def _file_away(conn, path: Path, directory: Path, file_id: int) -> Path:
    """Move the delivered bytes out of the landing directory and record where they went."""
    filed = landing.file_away(path, directory, file_id)
    conn.execute(
        "UPDATE ops.export_file SET filed_as = %s WHERE file_id = %s", (str(filed), file_id)
    )
    return filed


def _already_loaded(conn, path: Path, sha256: str, loaded) -> Ingestion:
    file_id, _, file_name, filed_as, _ = loaded
    if filed_as is None and file_name == path.name:
        # The run that loaded this file died before filing it away: finish that.
        filed = _file_away(conn, path, config.archive_dir(), file_id)
        log.info("%s was loaded as export file %d: now filed away", path.name, file_id)
        return Ingestion(path.name, "loaded", file_id=file_id, filed_as=str(filed))
    with conn.transaction():
        (duplicate_id,) = conn.execute(
            "INSERT INTO ops.export_file (file_name, sha256, size_bytes, provenance, status, "
            "duplicate_of, attempts, started_at, finished_at) "
            "SELECT %s, sha256, size_bytes, %s, 'duplicate', file_id, 1, now(), now() "
            "FROM ops.export_file WHERE file_id = %s RETURNING file_id",
            (path.name, _provenance_of_pending(conn, sha256) or BURKIT_MO, file_id),
        ).fetchone()
        conn.execute(
            "UPDATE ops.export_file SET package = l.package, kind = l.kind, "
            "period_start = l.period_start, period_end = l.period_end "
            "FROM ops.export_file AS l WHERE l.file_id = %s AND ops.export_file.file_id = %s",
            (file_id, duplicate_id),
        )
        # A media import that announced this content is answered by the duplicate row.
        conn.execute(
            "DELETE FROM ops.export_file WHERE sha256 = %s AND status = 'received'", (sha256,)
        )
    filed = _file_away(conn, path, config.archive_dir(), duplicate_id)
    log.warning(
        "%s duplicates export file %d (%s): recorded as %d and archived, nothing loaded",
        path.name,
        file_id,
        file_name,
        duplicate_id,
    )
    return Ingestion(
        path.name, "duplicate", file_id=duplicate_id, duplicate_of=file_id, filed_as=str(filed)
    )


def _provenance_of_pending(conn, sha256: str) -> str | None:
    row = conn.execute(
        "SELECT provenance FROM ops.export_file WHERE sha256 = %s AND status = 'received' "
        "ORDER BY file_id DESC LIMIT 1",
        (sha256,),
    ).fetchone()
    return None if row is None else row[0]


def _conflict_reason(export: Export | None) -> str:
    package = export.header.package if export else "?"
    return (
        f"package {package} was already loaded from a different file: a conflicting "
        "re-delivery, left for an operator to decide"
    )


def _refuse_conflicting_package(conn, file_name: str, export: Export) -> None:
    row = conn.execute(
        "SELECT file_id FROM ops.export_file WHERE package = %s AND status = 'loaded'",
        (export.header.package,),
    ).fetchone()
    if row is not None:
        raise ExportRefused(
            file_name, "conflicting_package", _conflict_reason(export) + f" (file {row[0]})"
        )


def _refuse_failed_file_rules(file_name: str, check: ExportCheck) -> None:
    for failure in check.file_failures:
        raise ExportRefused(
            file_name,
            failure.rule,
            f"table {failure.table} holds {failure.element_count} rows, not the declared number",
        )


def _refuse_too_many_rejected(file_name: str, export: Export, check: ExportCheck) -> None:
    persons = export.main_table.received_rows
    rejected = check.rejected_rows(export.main_table.name)
    share = config.max_rejected_share()
    if persons and rejected / persons > share:
        raise ExportRefused(
            file_name,
            "rejected_share",
            f"{rejected} of {persons} persons rejected ({rejected / persons:.1%}), "
            f"more than the allowed {share:.1%}",
        )


def _summarise(ingestion: Ingestion, export: Export, check: ExportCheck) -> None:
    ingestion.persons_rejected = check.rejected_rows(export.main_table.name)
    ingestion.warnings = check.warnings
    ingestion.rows_received = sum(t.received_rows for t in export.tables.values())
    by_rule: dict[str, int] = {}
    for rows in check.rejected.values():
        for reasons in rows.values():
            for reason in reasons:
                by_rule[reason] = by_rule.get(reason, 0) + 1
    ingestion.rejected_by_rule = dict(sorted(by_rule.items()))


def _header_values(export: Export) -> tuple:
    h = export.header
    return (h.package, h.kind.value, h.period_start, h.period_end, h.created)


def _document(file_id: int, check: ExportCheck) -> None:
    """Store the file's GX results and build their Data Docs (once the file is checked)."""
    docs.build_data_docs(docs.store_results(file_id, check))


def _decide(
    ingestion: Ingestion,
    path: Path,
    sha256: str,
    conn,
    export: Export,
    check: ExportCheck,
    loaded: dict[str, int],
) -> None:
    """Refuse the parsed, checked and merged file, or finish its load (in its transaction).

    The rows are merged already (:mod:`estat.exports.pipeline`); a refusal here rolls
    them back.
    """
    if export.sha256 != sha256:
        raise FileChanged(f"{path.name} changed while it was read")
    ingestion.package, ingestion.kind = export.header.package, export.header.kind.value
    check_file_name(path.name, export.header)
    _refuse_conflicting_package(conn, path.name, export)
    _summarise(ingestion, export, check)
    _refuse_failed_file_rules(path.name, check)
    _refuse_too_many_rejected(path.name, export, check)
    _load(conn, ingestion, export, check, loaded)


def _load(conn, ingestion: Ingestion, export: Export, check: ExportCheck, loaded) -> None:
    """Quarantine the rejected rows, record the counts and mark the file loaded."""
    file_id = ingestion.file_id
    quarantined = staging.quarantine_staged(conn, export)
    load.record_outcomes(conn, file_id, check)
    load.record_table_counts(conn, file_id, export, loaded, quarantined)
    ingestion.rows_loaded = sum(loaded.values())
    ingestion.rows_quarantined = sum(quarantined.values())
    ingestion.tables = _table_counts(export, loaded, quarantined)
    conn.execute(
        "UPDATE ops.export_file SET status = 'loaded', package = %s, kind = %s, "
        "period_start = %s, period_end = %s, created_by_sender = %s, rows_received = %s, "
        "rows_loaded = %s, rows_quarantined = %s, persons_rejected = %s, warnings = %s, "
        "finished_at = now() WHERE file_id = %s",
        (
            *_header_values(export),
            ingestion.rows_received,
            ingestion.rows_loaded,
            ingestion.rows_quarantined,
            ingestion.persons_rejected,
            ingestion.warnings,
            file_id,
        ),
    )
    conn.execute(
        "DELETE FROM ops.export_file WHERE sha256 = %s AND status = 'received'",
        (export.sha256,),
    )


def _table_counts(export: Export, loaded: dict, quarantined: dict) -> dict[str, dict[str, int]]:
    return {
        name: {
            "declared": table.declared_rows,
            "received": table.received_rows,
            "loaded": loaded.get(name, 0),
            "quarantined": quarantined.get(name, 0),
        }
        for name, table in export.tables.items()
    }


_LIBXML_BYTES = re.compile(r"\s*Bytes:.*$", re.DOTALL)


def _refuse(
    conn,
    ingestion: Ingestion,
    refusal: ExportRefused,
    export: Export | None,
    check: ExportCheck | None,
) -> None:
    """Record a refusal; quarantine every record of a file that was parsed."""
    # libxml2 quotes the bytes it could not decode: they may be part of a name.
    reason = _LIBXML_BYTES.sub("", refusal.reason)
    file_id = ingestion.file_id
    quarantined: dict[str, int] = {}
    with conn.transaction():
        if export is not None:
            # Every record of the file, with its own reasons (if checked) and the refusal.
            staging.write_rejections(conn, check.rejected if check is not None else {})
            quarantined = staging.quarantine_staged(
                conn, export, refusal=f"{FILE_REFUSED}:{refusal.rule}"
            )
            if check is not None:
                load.record_outcomes(conn, file_id, check)
            load.record_table_counts(conn, file_id, export, {}, quarantined)
            ingestion.tables = _table_counts(export, {}, quarantined)
            ingestion.rows_received = sum(t.received_rows for t in export.tables.values())
        header = _header_values(export) if export is not None else (None,) * 5
        conn.execute(
            "UPDATE ops.export_file SET status = 'refused', refusal_rule = %s, reason = %s, "
            "package = %s, kind = %s, period_start = %s, period_end = %s, "
            "created_by_sender = %s, rows_received = %s, rows_loaded = 0, "
            "rows_quarantined = %s, persons_rejected = %s, warnings = %s, finished_at = now() "
            "WHERE file_id = %s",
            (
                refusal.rule,
                reason,
                *header,
                ingestion.rows_received if export is not None else None,
                sum(quarantined.values()),
                ingestion.persons_rejected,
                ingestion.warnings,
                file_id,
            ),
        )
    ingestion.status = "refused"
    ingestion.refusal_rule = refusal.rule
    ingestion.reason = f"{refusal.file_name}: {reason}"
    ingestion.rows_quarantined = sum(quarantined.values())
    log.error("refused export file %d, %s (rule %s)", file_id, ingestion.reason, refusal.rule)


def _report(ingestion: Ingestion, sha256: str) -> dict:
    return {
        "file": ingestion.file_name,
        "sha256": sha256,
        "file_id": ingestion.file_id,
        "status": ingestion.status,
        "rule": ingestion.refusal_rule,
        "reason": ingestion.reason,
        "package": ingestion.package,
        "kind": ingestion.kind,
        "provenance": ingestion.provenance,
        "tables": ingestion.tables,
        "persons_rejected": ingestion.persons_rejected,
        "rejected_by_rule": ingestion.rejected_by_rule,
        "refused_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "note": "records of a refused file that was parsed are in quarantine.rejected_record",
    }
