"""Loading the accepted rows of a checked export file, and its rejected ones, in one transaction.

The file's rows are in its staging tables (:mod:`estat.exports.staging`). Each table's
accepted rows are seen through a temporary view that types them as their ``burkit``
table does, and merged from it into that table on its key (kind and CODE; for L_EM2TR,
kind, EMCODE and TRCODE), so a retry or a corrected re-export replaces rows instead of
adding them. A person delivered again brings their child rows anew: the child rows the
warehouse held for them are replaced by those of the new file. Rejected rows go to
``quarantine.rejected_record`` with their reasons and their values as received; every
expectation's counts go to ``ops.validation_outcome``. The caller owns the transaction:
nothing is visible until it commits, and a crash before that leaves nothing behind.
"""

from __future__ import annotations

import logging

import psycopg
from psycopg import sql

from estat.contract import CHILD_TABLES, TABLES, Kind, Table
from estat.exports import staging
from estat.exports.reader import Export
from estat.exports.validation import ExportCheck
from estat.warehouse.ddl import burkit_key, burkit_table_name

log = logging.getLogger(__name__)


def _stage(conn: psycopg.Connection, table: Table, kind: Kind, file_id: int) -> str:
    """A temporary view of the table's accepted staging rows, typed as its burkit table."""
    view = f"stage_{table.name.lower()}"
    columns = ([] if table.main else [sql.SQL("{} AS kind").format(sql.Literal(kind.value))]) + [
        sql.SQL("{} AS {}").format(typed, sql.Identifier(field.name.lower()))
        for field, typed in zip(table.fields, staging.typed_fields(table), strict=True)
    ]
    columns += [
        sql.SQL("{}::bigint AS file_id").format(sql.Literal(file_id)),
        sql.SQL("s.row_number"),
    ]
    conn.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(sql.Identifier(view)))
    conn.execute(
        sql.SQL(
            "CREATE TEMPORARY VIEW {} AS SELECT {} FROM {} AS s WHERE NOT EXISTS "
            "(SELECT FROM rejected_row AS r WHERE r.table_name = {} "
            "AND r.row_number = s.row_number)"
        ).format(
            sql.Identifier(view),
            sql.SQL(", ").join(columns),
            staging.qualified(staging.staging_table(file_id, table.name)),
            sql.Literal(table.name),
        )
    )
    return view


def _merge(conn: psycopg.Connection, table: Table, stage: str) -> int:
    """Merge a staging view into its burkit table; return the rows written.

    A row whose key the table holds already replaces it: the held one is deleted and the
    new one inserted, which costs PostgreSQL half of what ``INSERT … ON CONFLICT`` does
    for rows that are new, the usual case.
    """
    target = burkit_table_name(table)
    key = burkit_key(table)
    columns = ", ".join(r[0] for r in conn.execute(f"SELECT * FROM {stage} LIMIT 0").description)
    held = " AND ".join(f"held.{c} = new.{c}" for c in key)
    conn.execute(f"DELETE FROM {target} AS held USING {stage} AS new WHERE {held}")
    cursor = conn.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {stage}")
    return cursor.rowcount


def _replace_children(conn: psycopg.Connection, kind: Kind, main_stage: str) -> None:
    """Drop the child rows held for every person the file delivers again."""
    for name in CHILD_TABLES:
        conn.execute(
            f"DELETE FROM {burkit_table_name(TABLES[name])} AS child "
            f"USING {main_stage} AS person "
            "WHERE child.kind = %s AND child.emcode = person.code",
            (kind.value,),
        )


def merge_table(conn: psycopg.Connection, table: Table, kind: Kind, file_id: int) -> int:
    """Merge one table's accepted rows; return how many were loaded.

    The person table must be merged before its child tables: a person it delivers again
    has their child rows replaced by those of this file.
    """
    stage = _stage(conn, table, kind, file_id)
    if table.main:
        _replace_children(conn, kind, stage)
    loaded = _merge(conn, table, stage)
    conn.execute(sql.SQL("DROP VIEW {}").format(sql.Identifier(stage)))
    return loaded


def record_outcomes(conn: psycopg.Connection, file_id: int, check: ExportCheck) -> None:
    with conn.cursor().copy(
        "COPY ops.validation_outcome (file_id, table_name, expectation, rule, field, severity, "
        "success, element_count, unexpected_count, missing_count) FROM STDIN"
    ) as copy:
        for o in check.outcomes:
            copy.write_row(
                (
                    file_id,
                    o.table,
                    o.expectation,
                    o.rule,
                    o.field,
                    o.severity,
                    o.success,
                    o.element_count,
                    o.unexpected_count,
                    o.missing_count,
                )
            )


def record_table_counts(
    conn: psycopg.Connection,
    file_id: int,
    export: Export,
    loaded: dict[str, int],
    quarantined: dict[str, int],
) -> None:
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO ops.export_file_table (file_id, table_name, rows_declared, "
            "rows_received, rows_loaded, rows_quarantined) VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (
                    file_id,
                    name,
                    table.declared_rows,
                    table.received_rows,
                    loaded.get(name, 0),
                    quarantined.get(name, 0),
                )
                for name, table in export.tables.items()
            ],
        )
