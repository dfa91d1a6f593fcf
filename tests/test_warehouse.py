"""Migrations against the embedded PostgreSQL, and the migrated schema against the contract."""

from __future__ import annotations

import psycopg
import pytest

from estat.contract import CHILD_TABLES, DICTIONARIES, TABLES
from estat.warehouse.ddl import (
    REF_BOOKKEEPING_COLUMNS,
    burkit_column_type,
    burkit_key,
    burkit_table_name,
    ref_column_type,
)
from estat.warehouse.migrations import MigrationError, available_migrations, migrate


def test_migrations_apply_once(conn) -> None:
    versions = [m.version for m in available_migrations()]

    assert migrate(conn) == []
    applied = [v for (v,) in conn.execute("SELECT version FROM ops.schema_migration ORDER BY 1")]
    assert applied == versions


def test_a_fresh_warehouse_gets_every_migration(warehouse: str) -> None:
    from estat.warehouse.connection import connect

    with connect(warehouse) as conn:
        assert migrate(conn) == [m.version for m in available_migrations()]


@pytest.mark.parametrize("name", list(DICTIONARIES))
def test_ref_tables_agree_with_the_contract(conn, name: str) -> None:
    dictionary = DICTIONARIES[name]
    rows = conn.execute(
        """
        SELECT column_name, data_type, is_nullable = 'YES'
        FROM information_schema.columns
        WHERE table_schema = 'ref' AND table_name = %s
        ORDER BY ordinal_position
        """,
        (name.lower(),),
    ).fetchall()

    expected = [
        (c.name.lower(), ref_column_type(c), c.nullable and c.name != "CODE")
        for c in dictionary.columns
    ] + [(col, sql_type, nullable) for col, sql_type, nullable, _ in REF_BOOKKEEPING_COLUMNS]
    assert rows == expected


def test_no_ref_table_outside_the_contract(conn) -> None:
    tables = {
        t
        for (t,) in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'ref'"
        )
    }

    assert tables == {name.lower() for name in DICTIONARIES}


def test_an_edited_migration_stops_the_run(conn) -> None:
    conn.execute("UPDATE ops.schema_migration SET sha256 = 'edited' WHERE version = 1")

    with pytest.raises(MigrationError, match="was changed after it was applied"):
        migrate(conn)


def test_a_newer_warehouse_stops_the_run(conn) -> None:
    conn.execute("INSERT INTO ops.schema_migration (version, name, sha256) VALUES (999, 'x', 'y')")

    with pytest.raises(MigrationError, match=r"migrations \[999\] that this code does not know"):
        migrate(conn)


def _pg_type(sql_type: str) -> tuple[str, int | None]:
    """information_schema's name and length for a type as the DDL spells it."""
    names = {"character varying": "character varying", "character": "character"}
    for prefix, name in names.items():
        if sql_type.startswith(prefix + "("):
            return name, int(sql_type[len(prefix) + 1 : -1])
    return sql_type, None


@pytest.mark.parametrize("name", list(TABLES))
def test_burkit_tables_agree_with_the_contract(conn, name: str) -> None:
    table = TABLES[name]
    rows = conn.execute(
        """
        SELECT column_name, data_type, character_maximum_length, is_nullable = 'YES'
        FROM information_schema.columns
        WHERE table_schema = 'burkit' AND table_name = %s
        ORDER BY ordinal_position
        """,
        (name.lower(),),
    ).fetchall()
    key = burkit_key(table)

    expected = [] if table.main else [("kind", "text", None, False)]
    for field in table.fields:
        nullable = not field.required and field.name.lower() not in key
        expected.append((field.name.lower(), *_pg_type(burkit_column_type(field)), nullable))
    expected += [("file_id", "bigint", None, False), ("row_number", "integer", None, False)]
    assert rows == expected


def test_every_burkit_table_is_keyed_on_kind_and_code(conn) -> None:
    keys = dict(
        conn.execute(
            """
            SELECT c.conrelid::regclass::text, array_agg(a.attname ORDER BY k.ordinality)
            FROM pg_constraint AS c
            CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k (attnum, ordinality)
            JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
            WHERE c.contype = 'p' AND c.connamespace = 'burkit'::regnamespace
            GROUP BY 1
            """
        ).fetchall()
    )

    assert keys == {burkit_table_name(t): list(burkit_key(t)) for t in TABLES.values()}
    assert keys["burkit.mc_passport"] == ["kind", "code"]
    assert keys["burkit.l_em2tr"] == ["kind", "emcode", "trcode"]


def test_a_persons_child_rows_are_found_by_one_index_and_no_index_repeats_another(
    conn,
) -> None:
    indexes: dict[str, list[list[str]]] = {}
    for table, columns in conn.execute(
        """
        SELECT i.indrelid::regclass::text,
               array_agg(a.attname ORDER BY k.ordinality)
        FROM pg_index AS i
        JOIN pg_class AS c ON c.oid = i.indexrelid
        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k (attnum, ordinality)
        JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE c.relnamespace = 'burkit'::regnamespace
        GROUP BY i.indrelid, i.indexrelid
        """
    ).fetchall():
        indexes.setdefault(table, []).append(columns)

    for name in CHILD_TABLES:
        found = indexes[burkit_table_name(TABLES[name])]
        assert [c for c in found if c[:2] == ["kind", "emcode"]], name
    for table, found in indexes.items():
        for one in found:
            for other in found:
                assert one is other or one != other[: len(one)], (table, one, other)
    assert indexes["burkit.l_em2tr"] == [["kind", "emcode", "trcode"]]


def _export_file(conn, status: str = "processing") -> int:
    (file_id,) = conn.execute(
        "INSERT INTO ops.export_file (file_name, sha256, size_bytes, provenance, status, "
        "attempts, started_at) VALUES ('EMIGRANT_20260131_001.xml', repeat('a', 64), 1, "
        "'burkit_mo', %s, 1, now()) RETURNING file_id",
        (status,),
    ).fetchone()
    return file_id


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_burkit_table_checks_the_file_its_rows_name(conn, name: str) -> None:
    triggers = {
        (event, statement)
        for event, statement in conn.execute(
            "SELECT event_manipulation, action_orientation FROM information_schema.triggers "
            "WHERE event_object_schema = 'burkit' AND event_object_table = %s "
            "AND action_statement = 'EXECUTE FUNCTION burkit.check_file_ids()'",
            (name.lower(),),
        )
    }
    assert triggers == {("INSERT", "STATEMENT"), ("UPDATE", "STATEMENT")}


def test_a_loaded_row_must_name_an_export_file(conn) -> None:
    file_id = _export_file(conn)
    insert = (
        "INSERT INTO burkit.l_em2tr (kind, emcode, trcode, file_id, row_number) "
        "SELECT 'EMIGRANT', 'P' || n, 1, %s, n FROM generate_series(1, 3) AS n"
    )
    conn.execute(insert, (file_id,))
    assert conn.execute("SELECT count(*) FROM burkit.l_em2tr").fetchone() == (3,)

    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="is no export file"):
        conn.execute(insert.replace("'P' || n", "'Q' || n"), (file_id + 1,))
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="is no export file"):
        conn.execute("UPDATE burkit.l_em2tr SET file_id = %s", (file_id + 1,))
    assert conn.execute("SELECT DISTINCT file_id FROM burkit.l_em2tr").fetchall() == [(file_id,)]


def test_a_loaded_export_file_stays_in_the_ledger(conn) -> None:
    loaded = _export_file(conn)
    conn.execute("UPDATE ops.export_file SET status = 'loaded' WHERE file_id = %s", (loaded,))
    received = _export_file(conn, status="received")

    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="was loaded"):
        conn.execute("DELETE FROM ops.export_file WHERE file_id = %s", (loaded,))
    conn.execute("DELETE FROM ops.export_file WHERE file_id = %s", (received,))
    assert conn.execute("SELECT file_id FROM ops.export_file").fetchall() == [(loaded,)]


def test_burkit_key_columns_compare_byte_by_byte(conn) -> None:
    collations = conn.execute(
        "SELECT DISTINCT column_name, collation_name FROM information_schema.columns "
        "WHERE table_schema = 'burkit' AND column_name IN ('kind', 'code', 'emcode')"
    ).fetchall()

    assert sorted(collations) == [("code", "C"), ("emcode", "C"), ("kind", "C")]
