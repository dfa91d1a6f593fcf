"""The statistical registers, their suppression, and who may read what."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from pathlib import Path

import psycopg
import pytest
from conftest import DICTIONARY_DIR

from estat.contract import Kind
from estat.dictionaries import load_dictionary_dir
from estat.exports.ingest import ingest_export_file
from estat.generator import Fault, export_file_name, write_export
from estat.registers import FLOW_TABLES, SMALL_CELL, age_group, person_key, refresh_registers

KEY = b"a key held outside the warehouse"


@pytest.fixture(scope="module")
def loaded(pg_server, tmp_path_factory):
    """A warehouse holding a clean emigrant file, a faulty one, and an immigrant file.

    Built once for the module: the tests refresh the registers (idempotent) and undo
    anything else they change.
    """
    from estat.warehouse import embedded
    from estat.warehouse.connection import connect
    from estat.warehouse.migrations import migrate

    name = f"test_registers_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    tmp_path = tmp_path_factory.mktemp("registers")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv(
            "AIRFLOW_CONN_ESTAT_WAREHOUSE", embedded.connection_json(pg_server, database=name)
        )
        for directory in ("landing", "archive", "quarantine"):
            (tmp_path / directory).mkdir()
            monkeypatch.setenv(f"ESTAT_{directory.upper()}_DIR", str(tmp_path / directory))
        with connect(pg_server.get_uri(database=name)) as conn:
            migrate(conn)
            load_dictionary_dir(conn, DICTIONARY_DIR)
            files = _load_files(conn, tmp_path / "landing")
            yield conn, files
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def _load_files(conn, landing: Path) -> list:
    files = [
        write_export(
            landing / export_file_name(Kind.EMIGRANT, date(2026, 1, 31)),
            kind=Kind.EMIGRANT,
            persons=150,
            seed=21,
        ),
        write_export(
            landing / export_file_name(Kind.EMIGRANT, date(2026, 2, 28)),
            kind=Kind.EMIGRANT,
            persons=100,
            seed=22,
            period_end=date(2026, 2, 28),
            faults=[Fault.BAD_IIN_CHECK_DIGIT, Fault.DUPLICATE_CODE],
        ),
        write_export(
            landing / export_file_name(Kind.IMMIGRANT, date(2026, 1, 31)),
            kind=Kind.IMMIGRANT,
            persons=90,
            seed=23,
            encoding="windows-1251",
        ),
    ]
    for generated in files:
        assert ingest_export_file(conn, generated.path).status == "loaded"
    return files


def rows(conn, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall()


def test_the_register_holds_exactly_the_persons_loaded(loaded) -> None:
    conn, files = loaded

    refreshed = refresh_registers(conn, KEY)

    expected: dict[tuple, int] = {}
    for g in files:
        direction = "EMIGRATION" if g.kind is Kind.EMIGRANT else "IMMIGRATION"
        key = (direction, g.period_end)
        expected[key] = expected.get(key, 0) + g.rows[g.main_table] - g.rejected_persons
    found = {
        (d, p): n
        for d, p, n in rows(
            conn, "SELECT direction, period_end, count(*) FROM registers.migrant GROUP BY 1, 2"
        )
    }
    assert found == expected
    assert refreshed.migrants == sum(expected.values())


def test_the_register_holds_no_personal_data(loaded) -> None:
    conn, _ = loaded
    refresh_registers(conn, KEY)

    columns = {
        c
        for (c,) in rows(
            conn,
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'registers'",
        )
    }
    assert not columns & {"iin", "fio", "birthday", "pnum", "pseria", "gsid", "code"}
    gsids = {g for (g,) in rows(conn, "SELECT gsid FROM burkit.m_emigrant")}
    keys = {k for (k,) in rows(conn, "SELECT person_key FROM registers.migrant")}
    assert len(keys) > 100
    assert all(len(k) == 64 for k in keys)
    # Not a plain hash of the GSID: without the key, no GSID can be tried against it.
    assert not keys & {hashlib.sha256(g.encode()).hexdigest() for g in gsids}
    assert not keys & gsids


def test_the_attributes_come_from_the_records_and_dictionaries(loaded) -> None:
    conn, _ = loaded
    refresh_registers(conn, KEY)
    registered = {
        key: (sex, age, country, citizenship)
        for key, sex, age, country, citizenship in rows(
            conn,
            "SELECT person_key, sex, age, country, citizenship FROM registers.migrant "
            "WHERE direction = 'EMIGRATION'",
        )
    }
    records = rows(
        conn,
        "SELECT p.gsid, p.sex, p.birthday, f.period_end, p.oucit, p.citiz "
        "FROM burkit.m_emigrant AS p JOIN ops.export_file AS f USING (file_id)",
    )

    assert len(records) == len(registered)
    for gsid, sex, birthday, period_end, oucit, citiz in records:
        years = (
            period_end.year
            - birthday.year
            - ((period_end.month, period_end.day) < (birthday.month, birthday.day))
        )
        assert registered[person_key(KEY, gsid)] == (sex, years, oucit, citiz)
    regions = {r for (r,) in rows(conn, "SELECT DISTINCT region FROM registers.migrant")}
    top = {c for (c,) in rows(conn, "SELECT code FROM ref.t_citizen WHERE lev = 1")}
    assert regions - {None}
    assert regions - {None} <= top
    children = rows(
        conn,
        "SELECT sum(children) FROM registers.migrant WHERE direction = 'EMIGRATION'",
    )[0][0]
    (loaded_children,) = rows(
        conn,
        "SELECT count(*) FROM burkit.mc_emchilds WHERE kind = 'EMIGRANT'",
    )[0]
    assert children == loaded_children


@pytest.mark.parametrize(
    ("age", "group"), [(0, "0-4"), (4, "0-4"), (5, "5-9"), (84, "80-84"), (85, "85+"), (99, "85+")]
)
def test_age_groups(age: int, group: str) -> None:
    assert age_group(age) == group


def snapshot(conn) -> tuple[list, list]:
    migrants = rows(conn, "SELECT * FROM registers.migrant ORDER BY direction, period_end, 1")
    flow = rows(
        conn,
        "SELECT * FROM registers.migration_flow ORDER BY flow_table, period_end, direction, "
        "total_over, country, region, sex, age_group, nationality, education",
    )
    return migrants, flow


def test_a_refresh_is_idempotent(loaded) -> None:
    conn, _ = loaded
    first = refresh_registers(conn, KEY)
    before = snapshot(conn)

    second = refresh_registers(conn, KEY)

    assert snapshot(conn) == before
    assert (first.migrants, first.flow_cells) == (second.migrants, second.flow_cells)
    assert second.refresh_id > first.refresh_id


def test_a_later_export_of_the_same_event_supersedes_the_earlier(loaded) -> None:
    conn, _ = loaded
    with conn.transaction(force_rollback=True):
        _supersede(conn)


def _supersede(conn) -> None:
    refresh_registers(conn, KEY)
    (before,) = rows(conn, "SELECT count(*) FROM registers.migrant")[0]
    # A corrected export of January re-delivers ten persons under new CODEs.
    (new_file,) = rows(
        conn,
        "INSERT INTO ops.export_file (file_name, sha256, size_bytes, provenance, status, "
        "package, kind, period_start, period_end) SELECT 'EMIGRANT_20260131_002.xml', "
        "repeat('b', 64), 1, 'burkit_mo', 'loaded', 'EM-2026-01-002', kind, period_start, "
        "period_end FROM ops.export_file WHERE file_name = 'EMIGRANT_20260131_001.xml' "
        "RETURNING file_id",
    )[0]
    conn.execute(
        "INSERT INTO burkit.m_emigrant SELECT '9' || right(code, 12), gsid, position, type, "
        "iin, fio, birthday, sex, citiz, nation, 643, oldcit, marital, prof, convict, %s, "
        "row_number FROM burkit.m_emigrant WHERE file_id = (SELECT file_id FROM "
        "ops.export_file WHERE file_name = 'EMIGRANT_20260131_001.xml') ORDER BY code LIMIT 10",
        (new_file,),
    )

    refresh_registers(conn, KEY)

    assert rows(conn, "SELECT count(*) FROM registers.migrant") == [(before,)]
    assert rows(conn, f"SELECT count(*) FROM registers.migrant WHERE file_id = {new_file}") == [
        (10,)
    ]
    assert rows(
        conn, f"SELECT DISTINCT country FROM registers.migrant WHERE file_id = {new_file}"
    ) == [(643,)]


def flow(conn, view: str = "registers.migration_flow_published") -> list[dict]:
    cursor = conn.cursor(row_factory=psycopg.rows.dict_row)
    return cursor.execute(f"SELECT * FROM {view}").fetchall()


def test_published_flow_withholds_every_small_cell_and_keeps_the_rest(loaded) -> None:
    conn, _ = loaded
    refresh_registers(conn, KEY)
    base = flow(conn, "registers.migration_flow")
    published = flow(conn)

    assert len(base) == len(published) > 0
    assert any(cell["persons"] < SMALL_CELL for cell in base)
    for cell, shown in zip(
        sorted(base, key=_cell_key), sorted(published, key=_cell_key), strict=True
    ):
        if cell["persons"] < SMALL_CELL:
            assert shown["suppressed"] is True
            assert shown["persons"] is None
        elif not shown["suppressed"]:
            assert shown["persons"] == cell["persons"]
        assert shown["suppressed"] == (cell["suppression"] is not None)


def _cell_key(cell: dict) -> tuple:
    return tuple(
        str(cell[c])
        for c in ("flow_table", "period_end", "direction", "total_over", "country", "region")
    ) + tuple(str(cell[c]) for c in ("sex", "age_group", "nationality", "education"))


def test_no_withheld_cell_can_be_derived_from_its_lines(loaded) -> None:
    conn, _ = loaded
    refresh_registers(conn, KEY)
    lines: dict[tuple, list[bool]] = {}
    for cell in flow(conn):
        dimension = FLOW_TABLES[cell["flow_table"]][0]
        table = (cell["flow_table"], cell["period_end"], cell["direction"])
        category = "TOTAL" if dimension in cell["total_over"] else cell[dimension]
        sex = "TOTAL" if "sex" in cell["total_over"] else cell["sex"]
        lines.setdefault((table, "category", category), []).append(cell["suppressed"])
        lines.setdefault((table, "sex", sex), []).append(cell["suppressed"])

    assert any(any(flags) for flags in lines.values())
    for line, flags in lines.items():
        assert sum(flags) != 1, f"{line}: one withheld cell is its line's total minus the rest"


def test_margins_add_up(loaded) -> None:
    conn, _ = loaded
    refresh_registers(conn, KEY)

    mismatches = rows(
        conn,
        """
        SELECT t.flow_table, t.period_end, t.direction
        FROM registers.migration_flow AS t
        WHERE t.total_over = '{}'
        GROUP BY 1, 2, 3
        HAVING sum(t.persons) <> (
            SELECT g.persons FROM registers.migration_flow AS g
            WHERE g.flow_table = t.flow_table AND g.period_end = t.period_end
              AND g.direction = t.direction AND cardinality(g.total_over) = 2)
        """,
    )
    assert mismatches == []
    grand = rows(
        conn,
        "SELECT DISTINCT direction, period_end, persons FROM registers.migration_flow "
        "WHERE cardinality(total_over) = 2 ORDER BY 1, 2",
    )
    counted = rows(
        conn,
        "SELECT direction, period_end, count(*) FROM registers.migrant GROUP BY 1, 2 ORDER BY 1, 2",
    )
    assert grand == counted
    labels = rows(
        conn,
        "SELECT count(*) FROM registers.migration_flow WHERE flow_table = 'country' "
        "AND country IS NOT NULL AND (country_ru IS NULL OR country_kk IS NULL "
        "OR region_ru IS NULL)",
    )
    assert labels == [(0,)]


def as_role(conn, role: str, sql: str):
    with conn.transaction(force_rollback=True):
        conn.execute(f"SET LOCAL ROLE {role}")
        return conn.execute(sql).fetchall()


def test_the_statistician_reads_registers_and_quality_only(loaded) -> None:
    conn, _ = loaded
    refresh_registers(conn, KEY)

    assert as_role(conn, "estat_statistician", "SELECT count(*) FROM registers.migrant")[0][0]
    assert as_role(conn, "estat_statistician", "SELECT count(*) FROM quality.export_file") == [(3,)]
    assert as_role(
        conn, "estat_statistician", "SELECT count(*) FROM registers.migration_flow_published"
    )[0][0]
    for table in (
        "burkit.m_emigrant",
        "burkit.mc_passport",
        "quarantine.rejected_record",
        "ops.export_file",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_role(conn, "estat_statistician", f"SELECT count(*) FROM {table}")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_role(conn, "estat_statistician", "DELETE FROM registers.migrant")


def test_the_loader_writes_its_schemas(loaded) -> None:
    conn, _ = loaded

    as_role(conn, "estat_loader", "SELECT count(*) FROM burkit.m_emigrant")
    as_role(conn, "estat_loader", "DELETE FROM registers.migration_flow RETURNING 1")
    as_role(conn, "estat_loader", "UPDATE ops.export_file SET attempts = attempts RETURNING 1")
    as_role(conn, "estat_loader", "SELECT count(*) FROM quarantine.rejected_record")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_role(conn, "estat_loader", "DROP TABLE registers.migrant")
