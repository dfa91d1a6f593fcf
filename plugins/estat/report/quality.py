"""What the quality report reads: the warehouse's ``quality`` views, as plain records.

The views (migration V003) hold counts per export file and reporting period, never a
record's values, and they are all the report reads: never ``burkit`` or ``quarantine``,
where the personal data is. Everything is read in a fixed order, so the same warehouse
gives the same records.

A reporting period is named by its last day (``period_end``), as the export files name it.
A file refused before its header could be read (not well-formed, truncated, a wrong root)
has no kind or period in the ledger; when its name follows the contract's
``{KIND}_{YYYYMMDD}_{SEQ}.xml``, it is shown under the kind and period its name states
(``period_from_name``), otherwise among the files without a period.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from estat.contract import Kind

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

FILE_NAME = re.compile(r"^(?P<kind>EMIGRANT|IMMIGRANT)_(?P<period_end>[0-9]{8})_[0-9]{3}\.xml$")


@dataclass(frozen=True)
class ExportFile:
    """One processed export file and what became of it (``quality.export_file``)."""

    file_id: int
    file_name: str
    kind: str | None
    package: str | None
    period_start: date | None
    period_end: date | None
    provenance: str
    status: str
    refusal_rule: str | None
    reason: str | None
    duplicate_of: int | None
    rows_received: int | None
    rows_loaded: int | None
    rows_quarantined: int | None
    persons_rejected: int | None
    warnings: int | None
    received_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    period_from_name: bool = False

    @property
    def loaded_at(self) -> datetime | None:
        return self.finished_at if self.status == "loaded" else None


@dataclass(frozen=True)
class TableRows:
    """Rows declared, received, loaded and quarantined for one table of a file."""

    file_id: int
    table_name: str
    rows_declared: int
    rows_received: int
    rows_loaded: int
    rows_quarantined: int


@dataclass(frozen=True)
class FieldCompleteness:
    """How many rows of a table hold a mandatory field."""

    file_id: int
    table_name: str
    field: str
    rows: int
    missing: int
    present_share: Decimal | None


@dataclass(frozen=True)
class CodeValidity:
    """Codes given in a code field, how many are no code of its dictionary, how many liquidated."""

    file_id: int
    table_name: str
    field: str
    coded: int
    invalid: int
    liquidated: int
    valid_share: Decimal | None


@dataclass(frozen=True)
class IdentityCheck:
    """IINs checked and failed in a table, by rule (``iin`` or ``iin_agrees``)."""

    file_id: int
    table_name: str
    rule: str
    checked: int
    failed: int


@dataclass(frozen=True)
class Rejection:
    """Rejected records of a table with one reason (``rule:FIELD``)."""

    file_id: int
    table_name: str
    reason: str
    records: int

    @property
    def rule(self) -> str:
        return self.reason.partition(":")[0]

    @property
    def field(self) -> str:
        return self.reason.partition(":")[2]


@dataclass(frozen=True)
class PeriodSummary:
    """Files and rows of one kind in one reporting period (``quality.period_summary``)."""

    kind: str
    period_start: date | None
    period_end: date
    files: int
    files_loaded: int
    files_refused: int
    files_duplicate: int
    first_received_at: datetime | None
    first_loaded_at: datetime | None
    rows_received: int
    rows_loaded: int
    rows_quarantined: int
    persons_rejected: int
    warnings: int


@dataclass
class FileQuality:
    """Everything the report shows about one export file."""

    file: ExportFile
    tables: list[TableRows] = field(default_factory=list)
    completeness: list[FieldCompleteness] = field(default_factory=list)
    codes: list[CodeValidity] = field(default_factory=list)
    identity: list[IdentityCheck] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def checked(self) -> bool:
        """Its records were read and checked (a refused file may have been refused before)."""
        return bool(self.tables)


@dataclass
class Period:
    """One reporting period: per kind, its summary and its files."""

    period_end: date
    summaries: dict[Kind, PeriodSummary] = field(default_factory=dict)
    files: dict[Kind, list[FileQuality]] = field(default_factory=dict)

    @property
    def period_start(self) -> date:
        starts = [s.period_start for s in self.summaries.values() if s.period_start]
        return min(starts) if starts else self.period_end.replace(day=1)

    @property
    def page_name(self) -> str:
        return f"period-{self.period_end.isoformat()}.html"

    def rejections(self) -> list[Rejection]:
        return [r for files in self.files.values() for f in files for r in f.rejections]


@dataclass
class Quality:
    """The quality views as the report shows them: periods newest first, undated files."""

    periods: list[Period]
    undated: list[FileQuality]


def _select(conn: psycopg.Connection, record: type, view: str, order_by: str) -> list:
    # The view and column names are this module's constants, never input.
    columns = [f.name for f in fields(record) if f.name != "period_from_name"]
    rows = conn.execute(
        f"SELECT {', '.join(columns)} FROM quality.{view} ORDER BY {order_by}"
    ).fetchall()
    return [record(*row) for row in rows]


def _dated_by_name(file: ExportFile) -> ExportFile:
    """A file the ledger gives no period, dated by its name where it follows the contract."""
    if file.period_end is not None and file.kind is not None:
        return file
    match = FILE_NAME.match(file.file_name)
    if match is None:
        return file
    try:
        period_end = datetime.strptime(match["period_end"], "%Y%m%d").date()
    except ValueError:
        return file
    return replace(file, kind=match["kind"], period_end=period_end, period_from_name=True)


def _add_to_summary(summary: PeriodSummary | None, file: ExportFile) -> PeriodSummary:
    """The period's summary counting a file that the view could not place in a period."""
    if summary is None:
        summary = PeriodSummary(
            kind=file.kind,
            period_start=None,
            period_end=file.period_end,
            files=0,
            files_loaded=0,
            files_refused=0,
            files_duplicate=0,
            first_received_at=None,
            first_loaded_at=None,
            rows_received=0,
            rows_loaded=0,
            rows_quarantined=0,
            persons_rejected=0,
            warnings=0,
        )
    received = [t for t in (summary.first_received_at, file.received_at) if t is not None]
    return replace(
        summary,
        files=summary.files + 1,
        files_loaded=summary.files_loaded + (file.status == "loaded"),
        files_refused=summary.files_refused + (file.status == "refused"),
        files_duplicate=summary.files_duplicate + (file.status == "duplicate"),
        first_received_at=min(received),
        rows_received=summary.rows_received + (file.rows_received or 0),
    )


# What each file's FileQuality collects from which view.
_PER_FILE: tuple[tuple[str, type, str, str], ...] = (
    ("tables", TableRows, "table_rows", "file_id, table_name"),
    ("completeness", FieldCompleteness, "field_completeness", "file_id, table_name, field"),
    ("codes", CodeValidity, "code_validity", "file_id, table_name, field"),
    ("identity", IdentityCheck, "identity_checks", "file_id, table_name, rule"),
    ("rejections", Rejection, "rejections_by_rule", "file_id, table_name, reason"),
)


def read_quality(conn: psycopg.Connection) -> Quality:
    """Read every quality view into the periods and files the report shows."""
    files = [
        _dated_by_name(f)
        for f in _select(conn, ExportFile, "export_file", "period_end NULLS LAST, kind, file_id")
    ]
    by_file: dict[int, FileQuality] = {f.file_id: FileQuality(f) for f in files}
    for attribute, record, view, order_by in _PER_FILE:
        for row in _select(conn, record, view, order_by):
            # quality.export_file leaves out a file only announced by a media import.
            if row.file_id in by_file:
                getattr(by_file[row.file_id], attribute).append(row)

    periods: dict[date, Period] = {}
    for summary in _select(conn, PeriodSummary, "period_summary", "period_end, kind"):
        period = periods.setdefault(summary.period_end, Period(summary.period_end))
        period.summaries[Kind(summary.kind)] = summary

    undated: list[FileQuality] = []
    grouped: dict[tuple[date, Kind], list[FileQuality]] = defaultdict(list)
    for quality in by_file.values():
        file = quality.file
        if file.period_end is None or file.kind is None:
            undated.append(quality)
            continue
        kind = Kind(file.kind)
        period = periods.setdefault(file.period_end, Period(file.period_end))
        if file.period_from_name:
            period.summaries[kind] = _add_to_summary(period.summaries.get(kind), file)
        grouped[(file.period_end, kind)].append(quality)
    for (period_end, kind), found in grouped.items():
        periods[period_end].files[kind] = sorted(found, key=lambda q: q.file.file_id)

    ordered = [periods[p] for p in sorted(periods, reverse=True)]
    log.info(
        "read the quality views: %d export files, %d reporting periods, %d files without a period",
        len(by_file),
        len(ordered),
        len(undated),
    )
    return Quality(ordered, undated)
