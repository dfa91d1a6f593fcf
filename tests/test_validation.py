"""Checking and splitting a parsed export file, without a warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DICTIONARY_DIR

from estat.contract import CHILD_TABLES, DICTIONARIES, Kind
from estat.exports.reader import read_export
from estat.exports.validation import PERSON_REJECTED, RefCodes, check_export
from estat.generator import Fault, write_export
from estat.sqlinsert import read_dictionary_file


@pytest.fixture(scope="module")
def ref_codes() -> RefCodes:
    codes, liquidated = {}, {}
    for dictionary in DICTIONARIES.values():
        rows = read_dictionary_file(DICTIONARY_DIR / dictionary.file_name).rows
        codes[dictionary.name] = frozenset(str(r.code) for r in rows)
        liquidated[dictionary.name] = frozenset(
            str(r.code) for r in rows if r.values.get("EXIST") == 0
        )
    return RefCodes(codes, liquidated)


def checked(tmp_path: Path, ref_codes: RefCodes, **options):
    generated = write_export(tmp_path / "EMIGRANT_20260131_001.xml", kind=Kind.EMIGRANT, **options)
    export = read_export(generated.path)
    return generated, export, check_export(export, ref_codes)


def test_a_clean_file_rejects_nothing(tmp_path: Path, ref_codes: RefCodes) -> None:
    generated, _, check = checked(tmp_path, ref_codes, persons=50)

    assert all(check.rejected_rows(t) == 0 for t in generated.rows)
    assert check.file_failures == []
    assert check.warnings == 0
    assert all(o.success for o in check.outcomes)


def test_a_rejected_person_takes_every_child_row_along(tmp_path: Path, ref_codes) -> None:
    generated, export, check = checked(
        tmp_path, ref_codes, persons=60, faults=[Fault.BAD_IIN_CHECK_DIGIT]
    )
    (code,) = generated.planted[Fault.BAD_IIN_CHECK_DIGIT.value]

    persons = export.tables["M_EMIGRANT"].frame
    (row,) = persons.loc[persons["CODE"] == code, "row_number"]
    assert check.rejected["M_EMIGRANT"] == {row: {"iin:IIN"}}
    for table in CHILD_TABLES:
        frame = export.tables[table].frame
        own = set(frame.loc[frame["EMCODE"] == code, "row_number"])
        assert set(check.rejected[table]) == own, table
        assert all(check.rejected[table][n] == {PERSON_REJECTED} for n in own)
    assert {t: check.rejected_rows(t) for t in generated.rows} == generated.rejected


def test_every_sharer_of_a_duplicated_code_is_rejected(tmp_path: Path, ref_codes) -> None:
    generated, export, check = checked(
        tmp_path, ref_codes, persons=60, faults=[Fault.DUPLICATE_CODE]
    )
    code = generated.planted[Fault.DUPLICATE_CODE.value][0]

    persons = export.tables["M_EMIGRANT"].frame
    sharers = set(persons.loc[persons["CODE"] == code, "row_number"])
    assert len(sharers) == 2
    assert set(check.rejected["M_EMIGRANT"]) == sharers
    assert {t: check.rejected_rows(t) for t in generated.rows} == generated.rejected


def test_a_row_breaking_several_rules_carries_every_reason(tmp_path: Path, ref_codes) -> None:
    generated = write_export(tmp_path / "EMIGRANT_20260131_001.xml", kind="EMIGRANT", persons=5)
    text = generated.path.read_text(encoding="utf-8")
    first_row_end = text.index("</ROW>")
    damaged = text[:first_row_end].replace("<SEX>", "<SEX>9", 1)
    damaged = damaged.replace("<TYPE>Э</TYPE>", "<TYPE>И</TYPE>", 1)
    generated.path.write_text(damaged + text[first_row_end:], encoding="utf-8")

    check = check_export(read_export(generated.path), ref_codes)

    reasons = check.rejected["M_EMIGRANT"][1]
    assert {"sex:SEX", "length:SEX", "type_of_kind:TYPE"} <= reasons


def test_a_liquidated_code_is_a_warning_only(tmp_path: Path, ref_codes) -> None:
    _, _, check = checked(tmp_path, ref_codes, persons=30, faults=[Fault.LIQUIDATED_CITIZENSHIP])

    assert check.rejected_rows("M_EMIGRANT") == 0
    assert check.warnings == 1
    (warning,) = [o for o in check.outcomes if not o.success]
    assert (warning.rule, warning.field, warning.severity) == ("liquidated", "CITIZ", "warning")


def test_a_row_count_short_of_the_declared_one_is_a_file_failure(tmp_path, ref_codes) -> None:
    generated = write_export(tmp_path / "EMIGRANT_20260131_001.xml", kind="EMIGRANT", persons=5)
    export = read_export(generated.path)
    export.tables["MC_PASSPORT"].declared_rows += 1

    check = check_export(export, ref_codes)

    (failure,) = check.file_failures
    assert (failure.table, failure.rule) == ("MC_PASSPORT", "declared_rows")


def test_results_keep_no_value(tmp_path: Path, ref_codes) -> None:
    generated, export, check = checked(
        tmp_path, ref_codes, persons=40, faults=[Fault.BAD_IIN_CHECK_DIGIT, Fault.MISSING_FIO]
    )
    persons = export.tables["M_EMIGRANT"].frame
    (bad,) = generated.planted[Fault.BAD_IIN_CHECK_DIGIT.value]
    (iin,) = persons.loc[persons["CODE"] == bad, "IIN"]

    text = json.dumps(check.results, default=str)
    assert iin not in text
    for name in persons["FIO"].dropna():
        assert name not in text
    for birthday in persons["BIRTHDAY"]:
        assert birthday not in text
