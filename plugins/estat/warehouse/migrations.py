"""Versioned, idempotent migrations of the warehouse schema.

Each migration is a SQL file ``migrations/V<version>__<name>.sql``, applied once and
recorded in ``ops.schema_migration`` with its SHA-256. The pending ones are applied in
order inside one transaction, under an advisory lock, so two processes starting at once
cannot both apply them and a failure leaves the schema as it was. Running the migrations
again applies only what is new. An applied file that was edited
afterwards, or a warehouse newer than this code, stops the run: both need a person.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_FILE_NAME = re.compile(r"V(?P<version>\d{3})__(?P<name>[a-z0-9_]+)\.sql")
# One key for every process that migrates this warehouse (pg_advisory_xact_lock).
_LOCK_KEY = 0x65737461740001


class MigrationError(RuntimeError):
    """The warehouse's schema history does not agree with this code's migrations."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.fullmatch(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: not named V<3 digits>__<name>.sql")
        migrations.append(
            Migration(int(match["version"]), match["name"], path.read_text(encoding="utf-8"))
        )
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(f"migration versions must run 1, 2, 3... without gaps: {versions}")
    return migrations


def migrate(conn: psycopg.Connection) -> list[int]:
    """Bring the warehouse up to date; return the versions applied now."""
    migrations = available_migrations()
    applied_now: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute("CREATE SCHEMA IF NOT EXISTS ops")
        conn.execute(
            """
            CREATE TABLE IF NOT EXISTS ops.schema_migration (
                version integer PRIMARY KEY,
                name text NOT NULL,
                sha256 text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        applied = dict(conn.execute("SELECT version, sha256 FROM ops.schema_migration").fetchall())
        newer = sorted(set(applied) - {m.version for m in migrations})
        if newer:
            raise MigrationError(
                f"the warehouse has migrations {newer} that this code does not know: "
                "it was migrated by a newer version of the pipeline"
            )
        for migration in migrations:
            if migration.version in applied:
                if applied[migration.version] != migration.sha256:
                    raise MigrationError(
                        f"migration V{migration.version:03d} ({migration.name}) was changed "
                        "after it was applied: write a new migration instead"
                    )
                continue
            with conn.transaction():
                conn.execute(migration.sql)
                conn.execute(
                    "INSERT INTO ops.schema_migration (version, name, sha256) VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.sha256),
                )
            log.info("applied warehouse migration V%03d %s", migration.version, migration.name)
            applied_now.append(migration.version)
    if not applied_now:
        log.info("warehouse schema is current (version %d)", len(migrations))
    return applied_now
