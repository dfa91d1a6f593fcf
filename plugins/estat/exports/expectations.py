"""Great Expectations expectations for the rules GX does not know: contract dates and IINs.

Importing this module registers them with GX, so that suites naming them can be loaded
and run. Each is a map expectation: GX reports the rows that break it, by row number, and
the suites are run with a result format that keeps no value (see
:mod:`estat.exports.validation`).

* ``expect_column_values_to_be_contract_dates``: DD.MM.YYYY, or DDMMYYYY with
  ``compact_allowed``, and a real calendar date (no 29 February outside leap years, no
  month 13).
* ``expect_column_values_to_be_valid_iins``: 12 digits, a century and sex digit, a real
  birth date and a right check digit (either weight pass).
* ``expect_iins_to_agree_with_person``: the IIN's birth date and sex agree with the
  columns that state them (a birth date, or only a birth year; the sex if given).
* ``expect_contract_dates_to_be_in_order``: a later date (a document's expiry) is not
  before the earlier one (its issue).

A row whose values are missing, or are not dates or IINs at all, passes the agreement and
order checks: the format checks already report it, once.

Each runs on a DataFrame (pandas) and on a table in the warehouse (SQL). The SQL form
calls the warehouse's functions of the same rules (``burkit.contract_date`` and its kin,
migration V005), which mirror :mod:`estat.iin` and :mod:`estat.exports.values`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import pandas as pd
import sqlalchemy as sa
from great_expectations.execution_engine import PandasExecutionEngine, SqlAlchemyExecutionEngine
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    MulticolumnMapMetricProvider,
    column_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (  # noqa: E501
    multicolumn_condition_partial,
)

from estat.exports.values import iin_birth_dates, iin_problems, iin_sexes, parse_dates

_MULTICOLUMN_DOMAIN_KEYS = (
    "batch_id",
    "table",
    "column_list",
    "row_condition",
    "condition_parser",
    "ignore_row_if",
)


class ColumnValuesContractDates(ColumnMapMetricProvider):
    condition_metric_name = "column_values.contract_dates"
    condition_value_keys = ("compact_allowed",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, compact_allowed: bool = False, **kwargs) -> pd.Series:
        return parse_dates(column, compact_allowed=compact_allowed).notna()

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, compact_allowed: bool = False, **kwargs):
        return sa.func.burkit.contract_date(column, sa.literal(compact_allowed)).is_not(None)


class ExpectColumnValuesToBeContractDates(ColumnMapExpectation):
    """Expect every value to be a real date in a form the exchange contract allows."""

    compact_allowed: bool = False

    map_metric: ClassVar[str] = "column_values.contract_dates"
    success_keys: ClassVar[tuple[str, ...]] = ("compact_allowed", "mostly")


class ColumnValuesValidIins(ColumnMapMetricProvider):
    condition_metric_name = "column_values.valid_iins"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, **kwargs) -> pd.Series:
        return iin_problems(column).isna()

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, **kwargs):
        return sa.func.burkit.iin_valid(column).is_(True)


class ExpectColumnValuesToBeValidIins(ColumnMapExpectation):
    """Expect every value to be a valid IIN (ЖСН) by the contract's check-digit rule."""

    map_metric: ClassVar[str] = "column_values.valid_iins"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly",)


class MulticolumnIinsAgreeWithPerson(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.iins_agree_with_person"
    condition_domain_keys = _MULTICOLUMN_DOMAIN_KEYS
    condition_value_keys = ("birth", "compact_allowed")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(
        cls,
        column_list: pd.DataFrame,
        birth: str = "date",
        compact_allowed: bool = False,
        **kwargs,
    ) -> pd.Series:
        iins = column_list.iloc[:, 0]
        encoded = iin_birth_dates(iins)
        stated = column_list.iloc[:, 1]
        if birth == "year":
            years = pd.to_numeric(stated.where(stated.str.fullmatch(r"\d{4}", na=False)))
            agrees = years.isna() | encoded.isna() | (encoded.dt.year == years)
        else:
            dates = parse_dates(stated, compact_allowed=compact_allowed)
            agrees = dates.isna() | encoded.isna() | (encoded == dates)
        if column_list.shape[1] > 2:
            sexes = iin_sexes(iins)
            stated_sex = column_list.iloc[:, 2]
            agrees &= sexes.isna() | ~stated_sex.isin(["1", "2"]) | (sexes == stated_sex)
        return agrees.fillna(True).astype(bool)

    @multicolumn_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column_list, birth: str = "date", compact_allowed: bool = False, **kwargs):
        sex = column_list[2] if len(column_list) > 2 else sa.null()
        return sa.func.burkit.iin_agrees(
            column_list[0], column_list[1], sex, sa.literal(birth), sa.literal(compact_allowed)
        ).is_(True)


class ExpectIinsToAgreeWithPerson(MulticolumnMapExpectation):
    """Expect an IIN's birth date and sex to be the person's.

    ``column_list`` is the IIN column, the birth column (a date, or with ``birth="year"`` a
    year) and optionally the SEX column.
    """

    birth: Literal["date", "year"] = "date"
    compact_allowed: bool = False

    map_metric: ClassVar[str] = "multicolumn_values.iins_agree_with_person"
    success_keys: ClassVar[tuple[str, ...]] = ("birth", "compact_allowed", "mostly")


class MulticolumnContractDatesInOrder(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.contract_dates_in_order"
    condition_domain_keys = _MULTICOLUMN_DOMAIN_KEYS
    condition_value_keys = ("compact_allowed",)

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(
        cls, column_list: pd.DataFrame, compact_allowed: bool = False, **kwargs
    ) -> pd.Series:
        earlier = parse_dates(column_list.iloc[:, 0], compact_allowed=compact_allowed)
        later = parse_dates(column_list.iloc[:, 1], compact_allowed=compact_allowed)
        return (earlier.isna() | later.isna() | (later >= earlier)).astype(bool)

    @multicolumn_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column_list, compact_allowed: bool = False, **kwargs):
        return sa.func.burkit.contract_dates_in_order(
            column_list[0], column_list[1], sa.literal(compact_allowed)
        ).is_(True)


class ExpectContractDatesToBeInOrder(MulticolumnMapExpectation):
    """Expect the second date of ``column_list`` not to be before the first."""

    compact_allowed: bool = False

    map_metric: ClassVar[str] = "multicolumn_values.contract_dates_in_order"
    success_keys: ClassVar[tuple[str, ...]] = ("compact_allowed", "mostly")
