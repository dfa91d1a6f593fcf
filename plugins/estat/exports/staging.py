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

import functools
import logging
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import psycopg
from psycopg import sql

from estat.contract import CHILD_TABLES, TABLES, Rule, Table
from estat.exports.reader import ROW_NUMBER, Export, ExportTable, RowSink, stream_export
from estat.exports.validation import (
    FILE_RULES,
    PERSON_GSID,
    PERSON_IN_FILE,
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


# Staging tables live for one ingestion, are read whole and joined only with small tables
# or on keys: statistics would not change a plan, and autovacuum gathering them would only
# compete with the ingestion for the processor.
_SCRATCH = sql.SQL("autovacuum_enabled = off")


class _StagingSink(RowSink):
    """COPY each table's rows, as they are parsed, into its staging table.

    A child table is checked with its person's columns added (see :func:`prepare_table`).
    When the person table came first, as it does in a file that keeps to the contract's
    order, the sink knows every person's CODE and GSID by then (the first row of a CODE
    that is there twice, as the DataFrame check takes it) and writes those columns with
    the child rows. Otherwise the child rows land in a raw table of their own, from which
    :func:`prepare_table` makes the checked one.

    ``ended`` is given each table once its rows are committed (``conn`` is in autocommit
    mode, so each COPY commits as it ends).
    """

    def __init__(
        self,
        conn: psycopg.Connection,
        file_id: int,
        ended: Callable[[ExportTable], None] | None = None,
    ) -> None:
        self.conn = conn
        self.file_id = file_id
        self.ended = ended
        self._cursor = None
        self._copying = None  # the COPY's context manager, and the COPY it entered
        self._copy = None
        self._write: Callable[[list[tuple]], None] = self._write_rows
        self._reading: dict[str, str | None] = {}  # CODE → GSID, as the persons are read
        self._persons: dict[str, str | None] | None = None  # once the person table ended

    def begin_table(self, name: str, fields: tuple[str, ...]) -> None:
        target, person_columns = staging_table(self.file_id, name), []
        self._write = self._write_rows
        if name in CHILD_TABLES and self._persons is None:
            target = staging_table(self.file_id, name, "_raw")
        elif name in CHILD_TABLES:
            person_columns = [
                sql.SQL("{} boolean NOT NULL").format(sql.Identifier(PERSON_IN_FILE)),
                sql.SQL('{} text COLLATE "C"').format(sql.Identifier(PERSON_GSID)),
            ]
            self._write = functools.partial(
                self._write_with_person, 1 + fields.index("EMCODE"), "GSID" in fields
            )
        elif TABLES[name].main:
            self._reading = {}
            self._write = functools.partial(
                self._write_persons, 1 + fields.index("CODE"), 1 + fields.index("GSID")
            )
        columns = sql.SQL(", ").join(
            [sql.SQL("{} integer NOT NULL").format(sql.Identifier(ROW_NUMBER))]
            # Compared byte by byte: a check compares values for equality only, and sorts
            # (uniqueness, a child row's person) are several times faster than under the
            # database's locale.
            + [sql.SQL('{} text COLLATE "C"').format(sql.Identifier(f)) for f in fields]
            + person_columns
        )
        self.conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(qualified(target)))
        self.conn.execute(
            sql.SQL("CREATE UNLOGGED TABLE {} ({}) WITH ({})").format(
                qualified(target), columns, _SCRATCH
            )
        )
        self._cursor = self.conn.cursor()
        self._copying = self._cursor.copy(sql.SQL("COPY {} FROM STDIN").format(qualified(target)))
        self._copy = self._copying.__enter__()

    def rows(self, name: str, rows: list[tuple]) -> None:
        self._write(rows)

    def _write_rows(self, rows: list[tuple]) -> None:
        write = self._copy.write_row
        for row in rows:
            write(row)

    def _write_persons(self, code_at: int, gsid_at: int, rows: list[tuple]) -> None:
        write, known = self._copy.write_row, self._reading.setdefault
        for row in rows:
            if row[code_at] is not None:
                known(row[code_at], row[gsid_at])
            write(row)

    def _write_with_person(self, emcode_at: int, with_gsid: bool, rows: list[tuple]) -> None:
        write, persons = self._copy.write_row, self._persons
        for row in rows:
            emcode = row[emcode_at]
            if emcode in persons:
                write((*row, True, persons[emcode] if with_gsid else None))
            else:
                write((*row, False, None))

    def end_table(self, table: ExportTable) -> None:
        self.close(None)
        if TABLES[table.name].main:
            self._persons, self._reading = self._reading, {}
        if self.ended is not None:
            self.ended(table)

    def close(self, error: BaseException | None) -> None:
        if self._copy is not None:
            copying, self._copy = self._copying, None
            if error is None:
                copying.__exit__(None, None, None)
            else:
                copying.__exit__(type(error), error, error.__traceback__)
            self._cursor.close()


def stream_rows(
    conn: psycopg.Connection,
    path: Path,
    file_id: int,
    *,
    file_name: str | None = None,
    ended: Callable[[ExportTable], None] | None = None,
) -> Export:
    """Parse ``path`` and COPY its rows into raw staging tables (see :func:`prepare_table`).

    A refusal of the parse (:class:`~estat.exports.reader.ExportRefused`) leaves the
    staging tables made so far for :func:`drop_staging`.
    """
    sink = _StagingSink(conn, file_id, ended)
    try:
        export = stream_export(path, sink, file_name=file_name)
    except BaseException as error:
        sink.close(error)
        raise
    export.file_id = file_id
    return export


def stream_into_staging(
    conn: psycopg.Connection, path: Path, file_id: int, *, file_name: str | None = None
) -> Export:
    """Parse ``path`` into its staging tables, ready to check; the Export has the counts."""
    export = stream_rows(conn, path, file_id, file_name=file_name)
    for name in export.tables:
        prepare_table(conn, file_id, name, export.main_table.name)
    return export


def prepare_table(conn: psycopg.Connection, file_id: int, name: str, main: str) -> None:
    """Make a streamed table ready to check: a child table gets its person's columns.

    ``_person_in_file``: EMCODE names a person of the file (of the person table
    ``main``, which must be streamed); ``_person_gsid``: that person's GSID (the first row
    of a CODE that is there twice, as the DataFrame check takes it).
    """
    raw = qualified(staging_table(file_id, name, "_raw")).as_string(conn)
    if name in CHILD_TABLES and conn.execute("SELECT to_regclass(%s)", (raw,)).fetchone()[0]:
        _add_person(conn, file_id, name, main)


def _add_person(conn: psycopg.Connection, file_id: int, name: str, main_name: str) -> None:
    main = qualified(staging_table(file_id, main_name))
    raw, checked = staging_table(file_id, name, "_raw"), staging_table(file_id, name)
    person_gsid = sql.SQL("person.{}").format(sql.Identifier("GSID"))
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(qualified(checked)))
    conn.execute(
        sql.SQL(
            "CREATE UNLOGGED TABLE {checked} WITH ({scratch}) AS SELECT child.*, "
            "person.code IS NOT NULL AS {in_file}, {gsid} AS {person_gsid} "
            "FROM {raw} AS child LEFT JOIN ("
            "SELECT DISTINCT ON ({code}) {code} AS code, {gsid_column} FROM {main} "
            "WHERE {code} IS NOT NULL ORDER BY {code}, {row_number}"
            ") AS person ON person.code = child.{emcode}"
        ).format(
            checked=qualified(checked),
            scratch=_SCRATCH,
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
    check = ExportCheck()
    main = export.main_table.name
    check_table(conn, export.file_id, export.tables[main], ref_codes, check)
    codes = rejected_codes(conn, export.file_id, main, check)
    for name, table in export.tables.items():
        if name != main:
            check_table(conn, export.file_id, table, ref_codes, check)
            cascade(conn, export.file_id, name, codes, check)
    in_file_order(check, export)
    return check


def in_file_order(check: ExportCheck, export: Export) -> None:
    """Order the outcomes as the tables are in the file (the person table is checked first)."""
    position = {name: n for n, name in enumerate(export.tables)}
    check.outcomes.sort(key=lambda outcome: position[outcome.table])


def get_ready_to_check(conn: psycopg.Connection) -> None:
    """Import GX, read the suites and open the SQL source that :func:`check_table` uses.

    The first check would do it otherwise; a checker calls this while it waits for the
    first table.
    """
    for name in TABLES:
        stored_suite_of(name)
    _sql_source(sqlalchemy_url(conn))


def check_table(
    conn: psycopg.Connection,
    file_id: int,
    table: ExportTable,
    ref_codes: RefCodes,
    check: ExportCheck,
) -> None:
    """Run one table's suite on its prepared staging table, into ``check``."""
    name = table.name
    parameters = {**ref_codes.parameters(), "declared_rows": table.declared_rows}
    with _asset(sqlalchemy_url(conn), file_id, name) as batch_definition:
        result = _validate(
            batch_definition.get_batch(), stored_suite_of(name), parameters, table.received_rows
        )
    read_result(check, name, result)


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
    import great_expectations as gx

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


def rejected_codes(
    conn: psycopg.Connection, file_id: int, main: str, check: ExportCheck
) -> list[str]:
    """The CODEs of the rejected persons (their child rows are rejected with them)."""
    rejected_rows = sorted(check.rejected.get(main, {}))
    if not rejected_rows:
        return []
    return [
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


def cascade(
    conn: psycopg.Connection, file_id: int, name: str, codes: list[str], check: ExportCheck
) -> None:
    """Reject the rows of child table ``name`` that belong to a rejected person (by CODE)."""
    if name not in CHILD_TABLES or not codes:
        return
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
    """Each field of an accepted staging row as its burkit column takes it.

    See ``burkit_column_type``. Only rows that passed their table's suite are typed.
    """
    typed = []
    for field in table.fields:
        column = sql.SQL("s.{}").format(sql.Identifier(field.name))
        if field.rule is Rule.DATE:
            # A loaded row passed the date rule: its dates need no second check.
            typed.append(sql.SQL("burkit.checked_date({})").format(column))
        else:
            typed.append(sql.SQL("{}::{}").format(column, sql.SQL(burkit_column_type(field))))
    return typed


def write_rejections(conn: psycopg.Connection, rejected: dict[str, dict[int, set[str]]]) -> None:
    """The rejected rows and their reasons, in a temporary table for the statements below."""
    create_rejections(conn)
    add_rejections(conn, rejected)


def create_rejections(conn: psycopg.Connection) -> None:
    """An empty ``rejected_row`` for this transaction (see :func:`add_rejections`)."""
    conn.execute(
        "CREATE TEMPORARY TABLE rejected_row (table_name text NOT NULL, row_number integer "
        "NOT NULL, reasons text[] NOT NULL, PRIMARY KEY (table_name, row_number)) "
        "ON COMMIT DROP"
    )


def add_rejections(conn: psycopg.Connection, rejected: dict[str, dict[int, set[str]]]) -> None:
    """Add rejected rows, with their reasons sorted, to ``rejected_row``."""
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
