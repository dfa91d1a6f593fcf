"""Checking an export file in the warehouse: the SQL rules and GX's SQL engine agree with
the DataFrame check, value by value and row by row."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from conftest import DICTIONARY_DIR

from estat import iin
from estat.contract import Kind
from estat.dictionaries import load_dictionary_dir
from estat.exports import staging
from estat.exports.reader import read_export
from estat.exports.validation import PERSON_REJECTED, RefCodes, check_export
from estat.exports.values import iin_birth_dates, iin_problems, iin_sexes, parse_dates
from estat.generator import Fault, write_export


def _iins(count: int) -> list[str]:
    """Valid IINs, the same with one digit changed, and a few that are no IIN at all."""
    chance = random.Random(7)
    found = []
    while len(found) < count:
        born = date(1890, 1, 1) + timedelta(days=chance.randrange(75_000))
        valid = iin.compose(born, chance.choice((1, 2)), chance.randrange(10_000))
        if valid is None:
            continue
        position = chance.randrange(12)
        broken = valid[:position] + str((int(valid[position]) + 1) % 10) + valid[position + 1 :]
        found += [valid, broken]
    return [*found, "", "12345678901", "1234567890123", "12345a789012", "000000000000"]


DATES = [
    "29.02.2000", "29.02.1900", "29.02.2024", "31.04.2021", "31.12.1999", "00.01.2000",
    "01.00.2000", "01.13.2000", "01.01.0000", "01.01.0001", "31.12.9999", "1.1.2000",
    "01/01/2000", "01012000", "29022001", "31122020", " ", "x", "2000-01-01", "01.01.20000",
]  # fmt: skip


def test_the_load_types_every_checked_date_as_the_check_reads_it(conn) -> None:
    chance = random.Random(11)
    days = [date(1, 1, 1), date(9999, 12, 31), date(2000, 2, 29)]
    days += [date(1850, 1, 1) + timedelta(days=chance.randrange(80_000)) for _ in range(500)]
    values = [d.strftime("%d.%m.") + f"{d.year:04d}" for d in days]
    values += [d.strftime("%d%m") + f"{d.year:04d}" for d in days]

    checked = _sql_values(conn, "burkit.contract_date(value, true)", [*values, *DATES])
    loaded = _sql_values(conn, "burkit.checked_date(value)", values)

    assert loaded == checked[: len(values)] == days * 2
    passed = [v for v, d in zip(DATES, checked[len(values) :], strict=True) if d is not None]
    assert _sql_values(conn, "burkit.checked_date(value)", passed) == [
        d for d in checked[len(values) :] if d is not None
    ]


def _sql_values(conn, expression: str, values: list[str]) -> list:
    return [
        row[0]
        for row in conn.execute(
            f"SELECT {expression} FROM unnest(%s::text[]) WITH ORDINALITY AS v(value, n) "
            "ORDER BY n",
            (values,),
        )
    ]


def test_the_warehouse_reads_iins_as_the_python_rules_do(conn) -> None:
    values = _iins(2_000)
    series = pd.Series(values, dtype="str")

    valid = _sql_values(conn, "burkit.iin_valid(value)", values)
    births = _sql_values(conn, "burkit.iin_birth_date(value)", values)
    sexes = _sql_values(conn, "burkit.iin_sex(value)", values)

    assert valid == iin_problems(series).isna().tolist()
    assert sum(valid) >= 1_000  # the valid half, and a few of the broken ones by chance
    expected_births = [None if pd.isna(d) else d.date() for d in iin_birth_dates(series)]
    assert births == expected_births
    assert sexes == [None if pd.isna(s) else s for s in iin_sexes(series)]


@pytest.mark.parametrize("compact", [False, True])
def test_the_warehouse_reads_contract_dates_as_the_python_rules_do(conn, compact) -> None:
    dates = parse_dates(pd.Series(DATES, dtype="str"), compact_allowed=compact)

    found = _sql_values(conn, f"burkit.contract_date(value, {compact})", DATES)

    assert found == [None if pd.isna(d) else d.date() for d in dates]
    assert found.count(None) < len(DATES)


def _faulty_export(conn, tmp_path: Path, *, seed: int = 3, **options):
    """An emigrant export file with faults planted, and the dictionaries it is checked by."""
    _, refused = load_dictionary_dir(conn, DICTIONARY_DIR)
    assert refused == []
    generated = write_export(
        tmp_path / "EMIGRANT_20260131_001.xml", kind=Kind.EMIGRANT, seed=seed, **options
    )
    return generated, RefCodes.from_warehouse(conn)


def test_the_sql_check_rejects_exactly_what_the_dataframe_check_rejects(
    conn, tmp_path: Path
) -> None:
    generated, ref_codes = _faulty_export(conn, tmp_path, persons=200, faults=list(Fault) * 2)
    in_memory = check_export(read_export(generated.path), ref_codes)

    staged = staging.stream_into_staging(conn, generated.path, 1)
    try:
        in_warehouse = staging.check_staged(conn, staged, ref_codes)
    finally:
        staging.drop_staging(conn, 1)

    assert in_warehouse.rejected == in_memory.rejected
    assert sum(len(rows) for rows in in_warehouse.rejected.values()) > len(Fault)
    assert in_warehouse.outcomes == in_memory.outcomes
    assert [o.unexpected_count for o in in_warehouse.outcomes if not o.success]
    assert conn.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'"
    ).fetchone() == (0,)


def test_child_tables_before_the_persons_are_checked_as_in_file_order(conn, tmp_path: Path) -> None:
    """The person table last: the child tables get their persons' columns afterwards."""
    from lxml import etree

    generated, ref_codes = _faulty_export(conn, tmp_path, persons=120, faults=list(Fault), seed=5)
    tree = etree.parse(str(generated.path))
    root = tree.getroot()
    root.append(root.find("M_EMIGRANT"))
    reordered = tmp_path / "reordered" / generated.path.name
    reordered.parent.mkdir()
    tree.write(str(reordered), encoding="UTF-8", xml_declaration=True)

    checks = []
    for file_id, path in ((1, generated.path), (2, reordered)):
        staged = staging.stream_into_staging(conn, path, file_id)
        try:
            checks.append(staging.check_staged(conn, staged, ref_codes))
        finally:
            staging.drop_staging(conn, file_id)
    in_order, persons_last = checks

    assert list(staged.tables)[-1] == "M_EMIGRANT"
    assert persons_last.rejected == in_order.rejected
    assert any(PERSON_REJECTED in r for rows in in_order.rejected.values() for r in rows.values())
    assert sorted(persons_last.outcomes, key=str) == sorted(in_order.outcomes, key=str)
