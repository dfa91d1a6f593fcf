"""Ingesting an export file through the warehouse: stream, check and merge it there.

A file of a million rows does not fit the ways of a DataFrame: every value a Python
object, every expectation a copy. So ingestion streams the file's rows, as it parses them,
into scratch tables of schema ``staging`` (``staging.f<file id>_<table>``: unlogged, text
as received, ``row_number`` first), one COPY per table, and holds nothing in memory. The
same GX suites then run on those tables with GX's SQL engine, in PostgreSQL, where the
whole-file checks (uniqueness, a child row's person) are queries like the others. The
accepted rows are merged from there into ``burkit`` with the contract's types, and the
rejected ones copied into ``quarantine`` with their reasons, each in one statement.

The scratch tables are committed (GX reads them over a connection of its own) and are
dropped once the file is settled; a run that died leaves them for the next run of the
same file, which drops them first.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import psycopg
from psycopg import sql

import great_expectations as gx
from estat.contract import CHILD_TABLES, TABLES, Rule, Table
from estat.exports.reader import ROW_NUMBER, Export, ExportTable, RowSink, stream_export
from estat.exports.suites import FILE_RULES, PERSON_GSID, PERSON_IN_FILE
from estat.exports.validation import (
    PERSON_REJECTED,
    RESULT_FORMAT,
    ExportCheck,
    RefCodes,
    read_result,
    severity_of,
    stored_suite_of,
)
from estat.warehouse.ddl import burkit_column_type

log = logging.getLogger(__name__)

SCHEMA = "staging"


def staging_table(file_id: int, table: str, suffix: str = "") -> str:
    return f"f{file_id}_{table.lower()}{suffix}"


def qualified(name: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(name))


class _StagingSink(RowSink):
    """COPY each table's rows, as they are parsed, into its staging table."""

    def __init__(self, conn: psycopg.Connection, file_id: int) -> None:
        self.conn = conn
        self.file_id = file_id
        self._cursor = None
        self._copying = None  # the COPY's context manager, and the COPY it entered
        self._copy = None

    def begin_table(self, name: str, fields: tuple[str, ...]) -> None:
        # A child table is checked with its person's columns added: its raw rows land
        # in a table of their own, from which the checked one is made (see _add_person).
        target = staging_table(self.file_id, name, "_raw" if name in CHILD_TABLES else "")
        columns = sql.SQL(", ").join(
            [sql.SQL("{} integer NOT NULL").format(sql.Identifier(ROW_NUMBER))]
            # Compared byte by byte: a check compares values for equality only, and sorts
            # (uniqueness, a child row's person) are several times faster than under the
            # database's locale.
            + [sql.SQL('{} text COLLATE "C"').format(sql.Identifier(f)) for f in fields]
        )
        self.conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(qualified(target)))
        self.conn.execute(
            sql.SQL("CREATE UNLOGGED TABLE {} ({})").format(qualified(target), columns)
        )
        self._cursor = self.conn.cursor()
        self._copying = self._cursor.copy(sql.SQL("COPY {} FROM STDIN").format(qualified(target)))
        self._copy = self._copying.__enter__()

    def rows(self, name: str, rows: list[tuple]) -> None:
        write = self._copy.write_row
        for row in rows:
            write(row)

    def end_table(self, table: ExportTable) -> None:
        self.close(None)

    def close(self, error: BaseException | None) -> None:
        if self._copy is not None:
            copying, self._copy = self._copying, None
            if error is None:
                copying.__exit__(None, None, None)
            else:
                copying.__exit__(type(error), error, error.__traceback__)
            self._cursor.close()


def stream_into_staging(
    conn: psycopg.Connection, path: Path, file_id: int, *, file_name: str | None = None
) -> Export:
    """Parse ``path`` into its staging tables; the Export has every table's counts.

    A refusal of the parse (:class:`~estat.exports.reader.ExportRefused`) leaves the
    staging tables made so far for :func:`drop_staging`.
    """
    sink = _StagingSink(conn, file_id)
    try:
        export = stream_export(path, sink, file_name=file_name)
    except BaseException as error:
        sink.close(error)
        raise
    export.file_id = file_id
    _add_person(conn, file_id, export)
    for name in export.tables:
        conn.execute(sql.SQL("ANALYZE {}").format(qualified(staging_table(file_id, name))))
    return export


def _add_person(conn: psycopg.Connection, file_id: int, export: Export) -> None:
    """Make each child table's checked staging table: its rows and their person's columns.

    ``_person_in_file``: EMCODE names a person of the file; ``_person_gsid``: that
    person's GSID (the first row of a CODE that is there twice, as the DataFrame check
    takes it).
    """
    main = qualified(staging_table(file_id, export.main_table.name))
    for name in export.tables:
        if name not in CHILD_TABLES:
            continue
        raw, checked = staging_table(file_id, name, "_raw"), staging_table(file_id, name)
        person_gsid = sql.SQL("person.{}").format(sql.Identifier("GSID"))
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(qualified(checked)))
        conn.execute(
            sql.SQL(
                "CREATE UNLOGGED TABLE {checked} AS SELECT child.*, "
                "person.code IS NOT NULL AS {in_file}, {gsid} AS {person_gsid} "
                "FROM {raw} AS child LEFT JOIN ("
                "SELECT DISTINCT ON ({code}) {code} AS code, {gsid_column} FROM {main} "
                "WHERE {code} IS NOT NULL ORDER BY {code}, {row_number}"
                ") AS person ON person.code = child.{emcode}"
            ).format(
                checked=qualified(checked),
                in_file=sql.Identifier(PERSON_IN_FILE),
                gsid=person_gsid if "GSID" in TABLES[name].field_names else sql.SQL("NULL"),
                person_gsid=sql.Identifier(PERSON_GSID),
                raw=qualified(raw),
                code=sql.Identifier("CODE"),
                gsid_column=sql.Identifier("GSID"),
                main=main,
                row_number=sql.Identifier(ROW_NUMBER),
                emcode=sql.Identifier("EMCODE"),
            )
        )
        conn.execute(sql.SQL("DROP TABLE {}").format(qualified(raw)))


def drop_staging(conn: psycopg.Connection, file_id: int) -> None:
    """Drop every staging table of one export file."""
    names = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename LIKE %s",
        (SCHEMA, f"f{file_id}\\_%"),
    ).fetchall()
    for (name,) in names:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(qualified(name)))


# --- checking ----------------------------------------------------------------------------


def sqlalchemy_url(conn: psycopg.Connection) -> str:
    """The SQLAlchemy URL of the warehouse ``conn`` is connected to (for GX's SQL engine)."""
    from sqlalchemy.engine import URL

    parameters = conn.info.get_parameters()
    query = {k: v for k, v in parameters.items() if k not in ("user", "dbname", "password")}
    url = URL.create(
        "postgresql+psycopg",
        username=parameters.get("user"),
        password=conn.info.password or None,
        database=parameters.get("dbname"),
        query=query,
    )
    return url.render_as_string(hide_password=False)


@cache
def _sql_source(url: str):
    """An in-memory GX context with the warehouse as a SQL data source (one per warehouse)."""
    import estat.exports.expectations  # noqa: F401  (registers the custom expectations)
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    with warnings.catch_warnings():
        # The generic SQL source takes a unix-socket URL; GX would prefer its Postgres one.
        warnings.filterwarnings("ignore", message="You are using a generic SQLDatasource")
        return context.data_sources.add_sql("warehouse", connection_string=url)


@contextmanager
def _asset(url: str, file_id: int, table: str) -> Iterator:
    source = _sql_source(url)
    name = staging_table(file_id, table)
    with warnings.catch_warnings():
        # The scratch tables are in their own schema, not the connection's default one.
        warnings.filterwarnings("ignore", message="`schema_name` is deprecated")
        asset = source.add_table_asset(name, table_name=name, schema_name=SCHEMA)
    try:
        yield asset.add_batch_definition_whole_table("file")
    finally:
        source.delete_asset(name)


def check_staged(conn: psycopg.Connection, export: Export, ref_codes: RefCodes) -> ExportCheck:
    """Run every table's suite on its staging table and split the file's rows.

    The same suites, result format and reading of the results as
    :func:`~estat.exports.validation.check_export`, and the same cascade: a rejected
    person takes their child rows along.
    """
    file_id = export.file_id
    url = sqlalchemy_url(conn)
    check = ExportCheck()
    parameters = ref_codes.parameters()
    for name, table in export.tables.items():
        with _asset(url, file_id, name) as batch_definition:
            result = _validate(
                batch_definition.get_batch(),
                stored_suite_of(name),
                {**parameters, "declared_rows": table.declared_rows},
                table.received_rows,
            )
        read_result(check, name, result)
    _cascade(conn, export, check)
    return check


# The first run of a suite counts: GX's SQL engine computes the counts of a table's column
# rules in one aggregate query, and lists no row.
COUNTS_ONLY = {"result_format": "BASIC", "partial_unexpected_count": 0}


def _validate(batch, suite, parameters: dict, rows: int):
    """Validate ``batch``; name the failing rows of the expectations that reject rows.

    Listing failing rows costs GX's SQL engine further full scans per expectation, so the
    suite runs first for its counts alone, and only the expectations that failed and
    reject rows run again to list them (by row number only, as the DataFrame check does;
    at most ``partial_unexpected_count`` rows are listed, so that is raised to ``rows``).
    Their results replace the counted ones, in the suite's order.
    """
    result = batch.validate(suite, result_format=COUNTS_ONLY, expectation_parameters=parameters)
    failed = {
        item.expectation_config.id
        for item in result.results
        if not item.success
        and not (item.exception_info or {}).get("raised_exception")
        and (item.expectation_config.meta or {}).get("rule") not in FILE_RULES
        and severity_of(item.expectation_config) != "warning"
    }
    if not failed:
        return result
    listed = batch.validate(
        gx.ExpectationSuite(
            name=suite.name,
            expectations=[e.configuration for e in suite.expectations if e.id in failed],
        ),
        result_format={**RESULT_FORMAT, "partial_unexpected_count": rows + 1},
        expectation_parameters=parameters,
    )
    by_id = {item.expectation_config.id: item for item in listed.results}
    result.results = [by_id.get(item.expectation_config.id, item) for item in result.results]
    return result


def _cascade(conn: psycopg.Connection, export: Export, check: ExportCheck) -> None:
    """Reject the child rows of every rejected person (by CODE, as in the DataFrame check)."""
    main = export.main_table.name
    rejected_rows = sorted(check.rejected.get(main, {}))
    if not rejected_rows:
        return
    file_id = export.file_id
    codes = [
        code
        for (code,) in conn.execute(
            sql.SQL("SELECT DISTINCT {} FROM {} WHERE {} = ANY(%s) AND {} IS NOT NULL").format(
                sql.Identifier("CODE"),
                qualified(staging_table(file_id, main)),
                sql.Identifier(ROW_NUMBER),
                sql.Identifier("CODE"),
            ),
            (rejected_rows,),
        )
    ]
    for name in CHILD_TABLES:
        if name not in export.tables:
            continue
        hit = conn.execute(
            sql.SQL("SELECT {} FROM {} WHERE {} = ANY(%s)").format(
                sql.Identifier(ROW_NUMBER),
                qualified(staging_table(file_id, name)),
                sql.Identifier("EMCODE"),
            ),
            (codes,),
        )
        rejected = check.rejected.setdefault(name, {})
        for (row_number,) in hit:
            rejected.setdefault(int(row_number), set()).add(PERSON_REJECTED)


# --- loading -----------------------------------------------------------------------------


def typed_fields(table: Table) -> list[sql.Composable]:
    """Each field of a staging row as its burkit column takes it (see ``burkit_column_type``)."""
    typed = []
    for field in table.fields:
        column = sql.SQL("s.{}").format(sql.Identifier(field.name))
        if field.rule is Rule.DATE:
            typed.append(
                sql.SQL("burkit.contract_date({}, {})").format(
                    column, sql.Literal(field.length == 8)
                )
            )
        else:
            typed.append(sql.SQL("{}::{}").format(column, sql.SQL(burkit_column_type(field))))
    return typed


def write_rejections(conn: psycopg.Connection, rejected: dict[str, dict[int, set[str]]]) -> None:
    """The rejected rows and their reasons, in a temporary table for the statements below."""
    conn.execute(
        "CREATE TEMPORARY TABLE rejected_row (table_name text NOT NULL, row_number integer "
        "NOT NULL, reasons text[] NOT NULL, PRIMARY KEY (table_name, row_number)) "
        "ON COMMIT DROP"
    )
    with conn.cursor().copy("COPY rejected_row FROM STDIN") as copy:
        copy.set_types(["text", "integer", "text[]"])
        for name, rows in rejected.items():
            for row_number, reasons in rows.items():
                copy.write_row((name, row_number, sorted(reasons)))
    conn.execute("ANALYZE rejected_row")


def quarantine_staged(
    conn: psycopg.Connection, export: Export, *, refusal: str | None = None
) -> dict[str, int]:
    """Copy the rejected rows (with ``refusal``: every row) into quarantine; count them.

    Each row keeps its reasons, sorted, and with ``refusal`` that one too, and its values
    as received (the fields it has, as JSON).
    """
    counts: dict[str, int] = {}
    for name in export.tables:
        table = TABLES[name]
        stage = qualified(staging_table(export.file_id, name))
        raw = sql.SQL("jsonb_strip_nulls(jsonb_build_object({}))").format(
            sql.SQL(", ").join(
                sql.SQL("{}, s.{}").format(sql.Literal(f), sql.Identifier(f))
                for f in table.field_names
            )
        )
        code, emcode = (
            sql.SQL("s.{}").format(sql.Identifier(f)) if f in table.field_names else sql.NULL
            for f in ("CODE", "EMCODE")
        )
        if refusal is None:
            reasons, join = sql.SQL("r.reasons"), sql.SQL("JOIN")
        else:
            reasons = sql.SQL(
                'ARRAY(SELECT DISTINCT reason COLLATE "C" FROM unnest(coalesce(r.reasons, '
                "'{{}}') || {}::text) AS reason ORDER BY 1)"
            ).format(sql.Literal(refusal))
            join = sql.SQL("LEFT JOIN")
        cursor = conn.execute(
            sql.SQL(
                "INSERT INTO quarantine.rejected_record "
                "(file_id, table_name, row_number, code, emcode, reasons, raw) "
                "SELECT {file_id}, {name}, s.row_number, {code}, {emcode}, {reasons}, {raw} "
                "FROM {stage} AS s {join} rejected_row AS r "
                "ON r.table_name = {name} AND r.row_number = s.row_number"
            ).format(
                file_id=sql.Literal(export.file_id),
                name=sql.Literal(name),
                code=code,
                emcode=emcode,
                reasons=reasons,
                raw=raw,
                stage=stage,
                join=join,
            )
        )
        counts[name] = cursor.rowcount
    return counts
