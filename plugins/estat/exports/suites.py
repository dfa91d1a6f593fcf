"""The expectation suites that check an export file, built from the contract module.

One suite per contract table, named ``burkit_<table>``, stored in the GX project under
``great_expectations/`` (``python -m estat suites`` writes them; a test fails when the
stored suites and the contract drift apart). Every expectation carries in its ``meta`` the
``rule`` it checks and the ``field`` it checks it on; a row that breaks it is rejected
with the reason ``<rule>:<field>``, except for expectations of severity ``warning``, which
are counted and reported but reject nothing.

The rules:

============== ==============================================================================
required       a mandatory field is present (missing, empty and blank all mean NULL)
length         no longer than the contract's length
digits         an identifier made of digits only
date           DD.MM.YYYY (or DDMMYYYY where the order gives a length of 8), a real date
year           four digits
iin            a valid IIN: century and sex digit, real birth date, check digit
iin_agrees     the IIN's birth date (or year) and sex are the record's
sex            1 or 2
flag           0 or 1
type_of_kind   TYPE agrees with the file's kind (Э in an emigrant file, И in an immigrant one)
code           a code of its dictionary as loaded in ``ref``
liquidated     (warning) a code its dictionary marks liquidated (EXIST = 0)
date_order     a later date (expiry, dismissal) is not before the earlier one
unique         CODE (L_EM2TR: EMCODE with TRCODE) unique in the table; every sharer rejected
person_in_file EMCODE names a person of the file
gsid_matches   MC_PASSPORT.GSID is its person's GSID
declared_rows  the table holds the number of rows its ``rows`` attribute declares; a file
               that breaks this is refused whole
============== ==============================================================================

Values that depend on the warehouse or on the file are suite parameters, supplied when the
suite runs: ``codes_<DICTIONARY>``, ``liquidated_<DICTIONARY>`` and ``declared_rows``.
"""

from __future__ import annotations

from pathlib import Path

import great_expectations as gx
import great_expectations.expectations as gxe
from estat import config
from estat.contract import MIGRATION_TYPE_OF_KIND, TABLES, Field, Kind, Rule, Table
from estat.exports import expectations as custom
from estat.exports.validation import PERSON_GSID, PERSON_IN_FILE


def suite_name(table: str) -> str:
    return f"burkit_{table.lower()}"


def _meta(rule: str, field: str | None = None) -> dict:
    return {"rule": rule, "field": field}


def _kind_of(table: Table) -> Kind | None:
    for kind in Kind:
        if table.name == f"M_{kind.value}":
            return kind
    return None


def _compact_allowed(field: Field) -> bool:
    return field.length == 8


def _field_expectations(table: Table, field: Field) -> list[gxe.Expectation]:
    column = field.name
    found: list[gxe.Expectation] = []
    if field.required:
        found.append(
            gxe.ExpectColumnValuesToNotBeNull(column=column, meta=_meta("required", column))
        )
    if field.rule is not Rule.DATE:
        # A date's form fixes its length; DD.MM.YYYY is 10 even where the order says 8.
        found.append(
            gxe.ExpectColumnValueLengthsToBeBetween(
                column=column, max_value=field.length, meta=_meta("length", column)
            )
        )
    match field.rule:
        case Rule.DIGITS:
            found.append(
                gxe.ExpectColumnValuesToMatchRegex(
                    column=column, regex=r"^[0-9]+$", meta=_meta("digits", column)
                )
            )
        case Rule.DATE:
            found.append(
                custom.ExpectColumnValuesToBeContractDates(
                    column=column,
                    compact_allowed=_compact_allowed(field),
                    meta=_meta("date", column),
                )
            )
        case Rule.YEAR:
            found.append(
                gxe.ExpectColumnValuesToMatchRegex(
                    column=column, regex=r"^[0-9]{4}$", meta=_meta("year", column)
                )
            )
        case Rule.IIN:
            found.append(
                custom.ExpectColumnValuesToBeValidIins(column=column, meta=_meta("iin", column))
            )
        case Rule.SEX:
            found.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=column, value_set=["1", "2"], meta=_meta("sex", column)
                )
            )
        case Rule.FLAG:
            found.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=column, value_set=["0", "1"], meta=_meta("flag", column)
                )
            )
        case Rule.MIGRATION_TYPE:
            found.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=column,
                    value_set=[MIGRATION_TYPE_OF_KIND[_kind_of(table)]],
                    meta=_meta("type_of_kind", column),
                )
            )
        case Rule.CODE:
            found.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=column,
                    value_set={"$PARAMETER": f"codes_{field.dictionary}"},
                    meta=_meta("code", column),
                )
            )
            found.append(
                gxe.ExpectColumnValuesToNotBeInSet(
                    column=column,
                    value_set={"$PARAMETER": f"liquidated_{field.dictionary}"},
                    severity="warning",
                    meta=_meta("liquidated", column),
                )
            )
    if field.not_before is not None:
        found.append(
            custom.ExpectContractDatesToBeInOrder(
                column_list=[field.not_before, column],
                compact_allowed=_compact_allowed(field),
                ignore_row_if="any_value_is_missing",
                meta=_meta("date_order", column),
            )
        )
    return found


def _table_expectations(table: Table) -> list[gxe.Expectation]:
    names = table.field_names
    found: list[gxe.Expectation] = [
        gxe.ExpectTableRowCountToEqual(
            value={"$PARAMETER": "declared_rows"}, meta=_meta("declared_rows")
        )
    ]
    if "CODE" in names:
        found.append(gxe.ExpectColumnValuesToBeUnique(column="CODE", meta=_meta("unique", "CODE")))
    else:
        found.append(
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["EMCODE", "TRCODE"],
                ignore_row_if="any_value_is_missing",
                meta=_meta("unique", "EMCODE"),
            )
        )
    if "IIN" in names:
        person = "BIRTHDAY" in names
        found.append(
            custom.ExpectIinsToAgreeWithPerson(
                column_list=["IIN", "BIRTHDAY", "SEX"] if person else ["IIN", "BIRTHYEAR"],
                birth="date" if person else "year",
                compact_allowed=person and _compact_allowed(table.field("BIRTHDAY")),
                ignore_row_if="any_value_is_missing",
                meta=_meta("iin_agrees", "IIN"),
            )
        )
    if "EMCODE" in names:
        found.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=PERSON_IN_FILE, value_set=[True], meta=_meta("person_in_file", "EMCODE")
            )
        )
    if "GSID" in names and not table.main:
        found.append(
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="GSID",
                column_B=PERSON_GSID,
                ignore_row_if="either_value_is_missing",
                meta=_meta("gsid_matches", "GSID"),
            )
        )
    return found


def build_suite(table: Table) -> gx.ExpectationSuite:
    """The suite for one contract table."""
    expectations = _table_expectations(table)
    for field in table.fields:
        expectations.extend(_field_expectations(table, field))
    return gx.ExpectationSuite(
        name=suite_name(table.name),
        expectations=expectations,
        meta={"table": table.name, "source": "estat.contract (the exchange contract)"},
    )


def build_suites() -> dict[str, gx.ExpectationSuite]:
    return {table: build_suite(TABLES[table]) for table in TABLES}


def gx_project_dir() -> Path:
    return config.gx_dir()


def project_context(root: Path | None = None):
    """The GX project (a file context) that stores the suites."""
    return gx.get_context(mode="file", context_root_dir=str(root or gx_project_dir()))


def write_suites(root: Path | None = None) -> list[str]:
    """Store every suite the contract implies in the GX project; return their names."""
    context = project_context(root)
    names = []
    for suite in build_suites().values():
        existing = {s.name for s in context.suites.all()}
        if suite.name in existing:
            context.suites.delete(suite.name)
        context.suites.add(suite)
        names.append(suite.name)
    return names


def stored_suites(root: Path | None = None) -> dict[str, gx.ExpectationSuite]:
    """The suites stored in the GX project, by table."""
    context = project_context(root)
    return {table: context.suites.get(suite_name(table)) for table in TABLES}
