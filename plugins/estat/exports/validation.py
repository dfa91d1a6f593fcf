"""Checking a parsed export file with its suites, and splitting it into loadable and rejected rows.

The suites (:mod:`estat.exports.suites`) run with GX Core from the task, on the file's
DataFrames, with a result format that keeps no value: GX reports which rows broke an
expectation by their ``row_number`` only, so no IIN, name or date reaches a validation
result or Data Docs.

Splitting follows the contract's integrity: a rejected person takes every child row that
points at them (documents, jobs, children, education), with the reason
``person_rejected:EMCODE`` added; rows that share a duplicated CODE are all rejected by the
``unique`` expectation itself. Warnings (liquidated codes) reject nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from estat.contract import CHILD_TABLES, DICTIONARIES, MAIN_TABLE_OF_KIND
from estat.exports.reader import ROW_NUMBER, Export

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

PERSON_REJECTED = "person_rejected:EMCODE"

# Columns the checker derives for child tables before validating (see ``check_export``
# and ``staging.prepare_table``); the suites check them.
PERSON_IN_FILE = "_person_in_file"
PERSON_GSID = "_person_gsid"

# Rules about the file as a whole: their breach refuses the file instead of rejecting rows.
FILE_RULES = frozenset({"declared_rows"})

# No value is ever kept: failing rows are named by their row number alone.
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": [ROW_NUMBER],
    "exclude_unexpected_values": True,
    "partial_unexpected_count": 0,
    "return_unexpected_index_query": False,
}


@dataclass(frozen=True)
class RefCodes:
    """The codes of every dictionary as loaded in ``ref``: the valid ones, and the liquidated.

    A liquidated code (``EXIST = 0``) stays valid, since a record may predate the
    liquidation; a code withdrawn from the dictionary (its newest file no longer holds it)
    is kept in ``ref`` for the records that point at it, but is no longer valid in a new one.
    """

    codes: dict[str, frozenset[str]]
    liquidated: dict[str, frozenset[str]]

    @classmethod
    def from_warehouse(cls, conn) -> RefCodes:
        codes, liquidated = {}, {}
        for dictionary in DICTIONARIES.values():
            rows = conn.execute(
                f"SELECT code, exist FROM {dictionary.warehouse_table} WHERE withdrawn_by IS NULL"
            ).fetchall()
            codes[dictionary.name] = frozenset(str(code) for code, _ in rows)
            liquidated[dictionary.name] = frozenset(str(c) for c, exist in rows if exist == 0)
        return cls(codes, liquidated)

    def parameters(self) -> dict[str, list[str]]:
        found = {f"codes_{name}": sorted(codes) for name, codes in self.codes.items()}
        found.update({f"liquidated_{n}": sorted(c) for n, c in self.liquidated.items()})
        return found


@dataclass(frozen=True)
class Outcome:
    """One expectation's result on one table (counts only)."""

    table: str
    expectation: str
    rule: str
    field: str | None
    severity: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    missing_count: int | None = None


@dataclass
class ExportCheck:
    """What the suites found in one file."""

    outcomes: list[Outcome] = field(default_factory=list)
    # table → row number → reasons (``rule:field``), for every rejected row.
    rejected: dict[str, dict[int, set[str]]] = field(default_factory=dict)
    file_failures: list[Outcome] = field(default_factory=list)
    results: dict[str, dict] = field(default_factory=dict)  # GX results, values excluded

    @property
    def warnings(self) -> int:
        return sum(o.unexpected_count or 0 for o in self.outcomes if o.severity == "warning")

    def rejected_rows(self, table: str) -> int:
        return len(self.rejected.get(table, {}))


@cache
def _batch_definitions():
    """An in-memory GX context with one DataFrame asset per contract table."""
    import estat.exports.expectations  # noqa: F401  (registers the custom expectations)
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas("burkit_export")
    from estat.contract import TABLES

    return {
        name: source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("file")
        for name in TABLES
    }


@cache
def _suites():
    from estat.exports.suites import stored_suites  # imports GX, which only checks need

    return stored_suites()


def _with_person_columns(export: Export, table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A child table with the columns its integrity expectations read from the person table."""
    main = export.main_table.frame
    persons = main.dropna(subset=["CODE"]).drop_duplicates("CODE").set_index("CODE")
    frame = frame.copy()
    frame[PERSON_IN_FILE] = frame["EMCODE"].isin(persons.index)
    if "GSID" in frame.columns:
        frame[PERSON_GSID] = frame["EMCODE"].map(persons["GSID"]).astype("str")
    return frame


def check_export(export: Export, ref_codes: RefCodes) -> ExportCheck:
    """Run every table's suite and split the file's rows; nothing is written anywhere."""
    check = ExportCheck()
    main_name = MAIN_TABLE_OF_KIND[export.header.kind]
    batch_definitions, suites = _batch_definitions(), _suites()
    parameters = ref_codes.parameters()

    for name, table in export.tables.items():
        frame = table.frame
        if name in CHILD_TABLES:
            frame = _with_person_columns(export, name, frame)
        batch = batch_definitions[name].get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(
            suites[name],
            result_format=RESULT_FORMAT,
            expectation_parameters={**parameters, "declared_rows": table.declared_rows},
        )
        read_result(check, name, result)

    _cascade(export, check, main_name)
    return check


def stored_suite_of(table: str):
    """The stored suite of one contract table (read once per process)."""
    return _suites()[table]


def read_result(check: ExportCheck, name: str, result) -> None:
    """Take one table's GX result into ``check``: outcomes, rejected rows, file failures."""
    check.results[name] = result.to_json_dict()
    rejected = check.rejected.setdefault(name, {})
    for item in result.results:
        config = item.expectation_config
        meta = config.meta or {}
        outcome = Outcome(
            table=name,
            expectation=config.type,
            rule=meta.get("rule", config.type),
            field=meta.get("field"),
            severity=severity_of(config),
            success=bool(item.success),
            element_count=_element_count(item.result),
            unexpected_count=item.result.get("unexpected_count"),
            missing_count=item.result.get("missing_count"),
        )
        check.outcomes.append(outcome)
        if item.exception_info and item.exception_info.get("raised_exception"):
            # An expectation that could not run is a fault of ours, never of the file.
            raise RuntimeError(
                f"expectation {config.type} on {name} failed to run: "
                f"{item.exception_info.get('exception_message')}"
            )
        if outcome.success or outcome.severity == "warning":
            continue
        if outcome.rule in FILE_RULES:
            check.file_failures.append(outcome)
            continue
        reason = f"{outcome.rule}:{outcome.field}"
        for row_number in _unexpected_rows(item.result):
            rejected.setdefault(row_number, set()).add(reason)


def _element_count(result: dict) -> int | None:
    # Table expectations (the row count) report what they saw as the observed value.
    counted = result.get("element_count", result.get("observed_value"))
    return counted if isinstance(counted, int) else None


def severity_of(config) -> str:
    severity = getattr(config, "severity", None) or "critical"
    return str(getattr(severity, "value", severity)).lower()


def _unexpected_rows(result: dict) -> list[int]:
    rows: list[int] = []
    for entry in result.get("unexpected_index_list") or []:
        value = entry[ROW_NUMBER] if isinstance(entry, dict) else entry
        rows.extend(int(v) for v in (value if isinstance(value, list) else [value]))
    return rows


def _cascade(export: Export, check: ExportCheck, main_name: str) -> None:
    """Reject the child rows of every rejected person."""
    main = export.main_table.frame
    rejected_rows = list(check.rejected.get(main_name, {}))
    rejected_codes = set(main.loc[main[ROW_NUMBER].isin(rejected_rows), "CODE"].dropna())
    if not rejected_codes:
        return
    for name in CHILD_TABLES:
        frame = export.tables[name].frame
        hit = frame.loc[frame["EMCODE"].isin(rejected_codes), ROW_NUMBER]
        rejected = check.rejected.setdefault(name, {})
        for row_number in hit:
            rejected.setdefault(int(row_number), set()).add(PERSON_REJECTED)
