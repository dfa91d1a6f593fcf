"""Loading the accepted rows of a checked export file, and its rejected ones, in one transaction.

Each table's accepted rows are COPied into a typed staging table, then merged into its
``burkit`` table on its key (kind and CODE; for L_EM2TR, kind, EMCODE and TRCODE), so a
retry or a corrected re-export replaces rows instead of adding them. A person delivered
again brings their child rows anew: the child rows the warehouse held for them are
replaced by those of the new file. Rejected rows go to ``quarantine.rejected_record`` with
their reasons and their values as received; every expectation's counts go to
``ops.validation_outcome``. The caller owns the transaction: nothing is visible until it
commits, and a crash before that leaves nothing behind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pandas as pd
import psycopg
from psycopg.types.json import Jsonb

from estat.contract import CHILD_TABLES, TABLES, Kind, Rule, Table, tables_of_kind
from estat.exports.reader import ROW_NUMBER, Export
from estat.exports.validation import ExportCheck
from estat.exports.values import parse_dates
from estat.warehouse.ddl import burkit_key, burkit_table_name

log = logging.getLogger(__name__)


def _nullable(values: pd.Series) -> list:
    return values.astype(object).where(values.notna(), None).tolist()


def _typed_columns(table: Table, frame: pd.DataFrame) -> dict[str, list]:
    """The frame's fields as COPY takes them: dates in ISO form, everything else as text."""
    columns = {}
    for field in table.fields:
        values = frame[field.name]
        if field.rule is Rule.DATE:
            dates = parse_dates(values, compact_allowed=field.length == 8)
            values = dates.dt.strftime("%Y-%m-%d").where(dates.notna())
        columns[field.name.lower()] = _nullable(values)
    return columns


def _stage(conn: psycopg.Connection, table: Table, kind: Kind, file_id: int, frame) -> str:
    """COPY the accepted rows into a staging table shaped like the burkit table."""
    stage = f"stage_{table.name.lower()}"
    conn.execute(f"CREATE TEMPORARY TABLE {stage} (LIKE {burkit_table_name(table)}) ON COMMIT DROP")
    columns = _typed_columns(table, frame)
    names = list(columns)
    if not table.main:
        names.insert(0, "kind")
    names += ["file_id", "row_number"]
    rows: Iterable[tuple] = zip(*columns.values(), frame[ROW_NUMBER].tolist(), strict=True)
    with conn.cursor().copy(f"COPY {stage} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            values = row[:-1]
            prefix = () if table.main else (kind.value,)
            copy.write_row((*prefix, *values, file_id, row[-1]))
    return stage


def _merge(conn: psycopg.Connection, table: Table, stage: str) -> int:
    """Merge a staging table into its burkit table; return the rows written."""
    target = burkit_table_name(table)
    key = burkit_key(table)
    columns = [r[0] for r in conn.execute(f"SELECT * FROM {stage} LIMIT 0").description]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key)
    cursor = conn.execute(
        f"INSERT INTO {target} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM {stage} "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    )
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


def load_accepted(conn: psycopg.Connection, file_id: int, export: Export, check: ExportCheck):
    """Stage and merge every table's accepted rows; return the rows loaded per table."""
    kind = export.header.kind
    loaded: dict[str, int] = {}
    # The person table first: its rows decide whose child rows are replaced.
    for table in tables_of_kind(kind):
        rejected = check.rejected.get(table.name, {})
        frame = export.tables[table.name].frame
        accepted = frame[~frame[ROW_NUMBER].isin(list(rejected))] if rejected else frame
        stage = _stage(conn, table, kind, file_id, accepted)
        if table.main:
            _replace_children(conn, kind, stage)
        loaded[table.name] = _merge(conn, table, stage)
    return loaded


def _raw(frame: pd.DataFrame, fields: tuple[str, ...]) -> list[dict]:
    records = frame[list(fields)].astype(object).where(frame[list(fields)].notna(), None)
    return [
        {k: v for k, v in record.items() if v is not None} for record in records.to_dict("records")
    ]


def quarantine_rows(
    conn: psycopg.Connection,
    file_id: int,
    export: Export,
    reasons_by_table: dict[str, dict[int, set[str]]],
) -> dict[str, int]:
    """Write the rejected rows with their reasons and values; return the count per table."""
    counts: dict[str, int] = {}
    with conn.cursor().copy(
        "COPY quarantine.rejected_record "
        "(file_id, table_name, row_number, code, emcode, reasons, raw) FROM STDIN"
    ) as copy:
        copy.set_types(["bigint", "text", "integer", "text", "text", "text[]", "jsonb"])
        for name, reasons in reasons_by_table.items():
            counts[name] = len(reasons)
            if not reasons:
                continue
            table = TABLES[name]
            frame = export.tables[name].frame
            rows = frame[frame[ROW_NUMBER].isin(list(reasons))]
            codes = _nullable(rows["CODE"]) if "CODE" in rows else [None] * len(rows)
            emcodes = _nullable(rows["EMCODE"]) if "EMCODE" in rows else [None] * len(rows)
            for row_number, code, emcode, raw in zip(
                rows[ROW_NUMBER].tolist(),
                codes,
                emcodes,
                _raw(rows, table.field_names),
                strict=True,
            ):
                copy.write_row(
                    (
                        file_id,
                        name,
                        row_number,
                        code,
                        emcode,
                        sorted(reasons[row_number]),
                        Jsonb(raw),
                    )
                )
    return counts


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
                    len(table.frame),
                    loaded.get(name, 0),
                    quarantined.get(name, 0),
                )
                for name, table in export.tables.items()
            ],
        )
