"""The custom expectations and the contract's suites, run by GX Core on small DataFrames."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

import great_expectations as gx
from estat import iin
from estat.contract import TABLES
from estat.exports import expectations as custom
from estat.exports.suites import build_suites, stored_suites, suite_name
from estat.exports.validation import RESULT_FORMAT


@pytest.fixture(scope="module")
def batch_of():
    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("tests").add_dataframe_asset("frame")
    definition = asset.add_batch_definition_whole_dataframe("whole")

    def batch(**columns):
        size = len(next(iter(columns.values())))
        frame = pd.DataFrame(
            {"row_number": range(1, size + 1)}
            | {name: pd.array(values, dtype="str") for name, values in columns.items()}
        )
        return definition.get_batch(batch_parameters={"dataframe": frame})

    return batch


def failing_rows(result) -> list[int]:
    assert not result.exception_info.get("raised_exception"), result.exception_info
    rows = []
    for entry in result.result.get("unexpected_index_list") or []:
        rows.extend(entry["row_number"])
    return sorted(int(r) for r in rows)


GOOD = iin.compose(date(1980, 5, 17), 1, 12)  # a man born 17 May 1980
GIRL = iin.compose(date(2004, 2, 29), 2, 7)  # a girl born 29 February 2004


def with_check_digit(first_eleven: str) -> str:
    check = iin.check_digit(first_eleven)
    return f"{first_eleven}{0 if check is None else check}"


def test_contract_dates(batch_of) -> None:
    values = [
        "17.05.1980",  # 1 good
        "29.02.2004",  # 2 good, a leap year
        "29.02.2003",  # 3 no such day
        "17.13.1980",  # 4 month 13
        "17051980",  # 5 the compact form
        "1980-05-17",  # 6 not a contract form
        "7.5.1980",  # 7 no leading zeros
        None,  # 8 missing: not this expectation's business
        "31.04.1980",  # 9 31 April
    ]
    batch = batch_of(D=values)

    dotted = batch.validate(
        custom.ExpectColumnValuesToBeContractDates(column="D"), result_format=RESULT_FORMAT
    )
    compact = batch.validate(
        custom.ExpectColumnValuesToBeContractDates(column="D", compact_allowed=True),
        result_format=RESULT_FORMAT,
    )

    assert failing_rows(dotted) == [3, 4, 5, 6, 7, 9]
    assert failing_rows(compact) == [3, 4, 6, 7, 9]


def test_valid_iins(batch_of) -> None:
    values = [
        GOOD,  # 1
        GOOD[:11] + str((int(GOOD[11]) + 1) % 10),  # 2 wrong check digit
        with_check_digit("800517700012"[:11]),  # 3 digit 7 is 7
        with_check_digit("800517000012"[:11]),  # 4 digit 7 is 0
        with_check_digit("801317300012"[:11]),  # 5 month 13
        with_check_digit("030229500012"[:11]),  # 6 29 February 2003
        GIRL,  # 7 29 February 2004
        GOOD[:11],  # 8 eleven digits
        None,  # 9 missing
    ]
    result = batch_of(I=values).validate(
        custom.ExpectColumnValuesToBeValidIins(column="I"), result_format=RESULT_FORMAT
    )

    assert failing_rows(result) == [2, 3, 4, 5, 6, 8]
    assert result.result["unexpected_count"] == 6


def test_iins_agree_with_birth_date_and_sex(batch_of) -> None:
    batch = batch_of(
        IIN=[GOOD, GOOD, GOOD, GOOD, GIRL, GIRL, "bad", None],
        BIRTHDAY=[
            "17.05.1980",
            "18.05.1980",
            "17051980",
            "17.05.1980",
            "29.02.2004",
            "29.02.2004",
            "01.01.2000",
            "01.01.2000",
        ],
        SEX=["1", "1", "1", "2", "2", "1", "1", "1"],
    )
    expectation = custom.ExpectIinsToAgreeWithPerson(
        column_list=["IIN", "BIRTHDAY", "SEX"],
        compact_allowed=True,
        ignore_row_if="any_value_is_missing",
    )

    result = batch.validate(expectation, result_format=RESULT_FORMAT)

    # 2: another day; 4: a man's IIN on a woman; 6: a woman's IIN on a man.
    assert failing_rows(result) == [2, 4, 6]


def test_a_childs_iin_agrees_with_the_birth_year(batch_of) -> None:
    batch = batch_of(IIN=[GIRL, GIRL, GOOD], BIRTHYEAR=["2004", "2005", "19x0"])
    expectation = custom.ExpectIinsToAgreeWithPerson(
        column_list=["IIN", "BIRTHYEAR"], birth="year", ignore_row_if="any_value_is_missing"
    )

    assert failing_rows(batch.validate(expectation, result_format=RESULT_FORMAT)) == [2]


def test_dates_in_order(batch_of) -> None:
    batch = batch_of(
        GIVEDATE=["01.01.2020", "01.01.2020", "01.01.2020", None, "bad"],
        ENDDATE=["01.01.2030", "01.01.2020", "31.12.2019", "01.01.2019", "01.01.2019"],
    )
    expectation = custom.ExpectContractDatesToBeInOrder(
        column_list=["GIVEDATE", "ENDDATE"], ignore_row_if="any_value_is_missing"
    )

    assert failing_rows(batch.validate(expectation, result_format=RESULT_FORMAT)) == [3]


def test_results_name_rows_by_number_and_keep_no_value(batch_of) -> None:
    planted = GOOD[:11] + str((int(GOOD[11]) + 1) % 10)
    result = batch_of(I=[GOOD, planted]).validate(
        custom.ExpectColumnValuesToBeValidIins(column="I"), result_format=RESULT_FORMAT
    )

    text = str(result.to_json_dict())
    assert failing_rows(result) == [2]
    assert planted not in text
    assert GOOD not in text


def _config(suite):
    return [e.configuration for e in suite.expectations]


def test_the_stored_suites_are_the_contracts() -> None:
    built, stored = build_suites(), stored_suites()

    assert set(stored) == set(TABLES)
    for table in TABLES:
        assert stored[table].name == suite_name(table)
        expected = [(c.type, c.kwargs, c.meta) for c in _config(built[table])]
        actual = [(c.type, c.kwargs, c.meta) for c in _config(stored[table])]
        assert actual == expected, f"run `python -m estat suites`: {table} drifted"


def test_every_contract_rule_has_its_expectation() -> None:
    suites = build_suites()
    rules = {
        (table, e.meta["rule"], e.meta["field"])
        for table, suite in suites.items()
        for e in suite.expectations
    }

    for table in TABLES.values():
        for field in table.fields:
            if field.required:
                assert (table.name, "required", field.name) in rules
            if field.dictionary:
                assert (table.name, "code", field.name) in rules
                assert (table.name, "liquidated", field.name) in rules
            if field.not_before:
                assert (table.name, "date_order", field.name) in rules
        assert (table.name, "declared_rows", None) in rules
    assert ("M_EMIGRANT", "iin", "IIN") in rules
    assert ("M_EMIGRANT", "iin_agrees", "IIN") in rules
    assert ("MC_EMCHILDS", "iin_agrees", "IIN") in rules
    assert ("M_IMMIGRANT", "type_of_kind", "TYPE") in rules
    assert ("MC_PASSPORT", "gsid_matches", "GSID") in rules
    assert ("L_EM2TR", "person_in_file", "EMCODE") in rules
    assert ("L_EM2TR", "unique", "EMCODE") in rules
    liquidated = [
        e for s in suites.values() for e in s.expectations if e.meta["rule"] == "liquidated"
    ]
    assert liquidated
    assert all(str(e.severity).lower().endswith("warning") for e in liquidated)
