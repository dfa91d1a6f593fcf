"""Showing that an export conforms to the contract's field list after a software change.

After any change to the software of Burkit-MO or of e-Statistics, conformity with the
agreed field list must be shown again (the exchange contract, flow step 5). The evidence
is a sample export checked against the contract, loading nothing: :func:`check_conformity`
reads the file with every unknown name collected rather than refused, runs the same
expectation suites as ingestion, and says per table

* the fields present (their element appears in at least one ``ROW``) and the contract
  fields never present;
* the mandatory fields that are NULL (missing, empty or blank) in some rows, with counts;
* the elements the contract does not know, with counts, and the tables it does not know;
* the fields holding values longer than the contract's length, with counts (the suites'
  ``length`` expectations; a date's form fixes its length, so dates have none);
* the code fields holding codes that are not in their dictionary as loaded in ``ref``,
  with counts (the ``code`` expectations);
* the rows each table declares and the rows it holds.

The verdict is PASS only when the file is well-formed XML without a DOCTYPE, has the
contract's root, kind and structure, and has no unknown table or field, no mandatory field
missing, no value too long and no invalid code; otherwise FAIL, with every finding. The
other rules of the suites (IIN check digits, dates, uniqueness...) are about records, not
the field list, and ingestion applies them; a row count that differs from the declared one
is reported here but judged by ingestion, which refuses such a file.

:func:`record_conformity` keeps the report in ``ops.conformity_report`` and writes its page,
``conformity-<report_id>.html``, beside the quality report. Findings and page hold names of
tables, fields and rules, and counts: never a record's value.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from estat import config
from estat.contract import TABLES, Rule, Table
from estat.report import labels
from estat.report.labels import Label
from estat.report.markup import Markup, join, tag
from estat.report.pages import CSS, label

if TYPE_CHECKING:
    import psycopg

    from estat.exports.reader import Export
    from estat.exports.validation import ExportCheck, RefCodes

log = logging.getLogger(__name__)

PASS = "PASS"
FAIL = "FAIL"

# The suites' rules whose failures are breaches of the field list.
REQUIRED, LENGTH, CODE = "required", "length", "code"
UNKNOWN_TABLE, UNKNOWN_FIELD = "unknown_table", "unknown_field"
DECLARED_ROWS = "declared_rows"

PAGE_PREFIX = "conformity-"


class DictionariesNotLoaded(RuntimeError):
    """A dictionary the code fields need holds no code: codes cannot be judged yet."""


@dataclass(frozen=True)
class Finding:
    """One breach of the field list: a rule, where it was broken, and how many times.

    ``reason`` is set for a file refused whole (its structure), and names no value.
    """

    rule: str
    table: str | None = None
    field: str | None = None
    count: int | None = None
    reason: str | None = None


@dataclass
class TableConformity:
    """What one table of the sample holds, measured against the contract's field list."""

    table: str
    rows_declared: int
    rows_received: int
    fields_present: dict[str, int] = field(default_factory=dict)  # field → rows it appears in
    fields_missing: list[str] = field(default_factory=list)  # contract fields never present
    mandatory_missing: dict[str, int] = field(default_factory=dict)  # field → NULL rows
    unknown_fields: dict[str, int] = field(default_factory=dict)  # element → rows holding it
    length_exceeded: dict[str, int] = field(default_factory=dict)  # field → values too long
    codes_invalid: dict[str, int] = field(default_factory=dict)  # field → codes not in ref


@dataclass
class ConformityReport:
    """The check of one sample export against the field list (names and counts only)."""

    file_name: str
    sha256: str
    size_bytes: int
    kind: str | None = None
    package: str | None = None
    refusal: Finding | None = None  # the file could not be read as the contract's structure
    unknown_tables: dict[str, int] = field(default_factory=dict)  # table → ROWs it held
    tables: list[TableConformity] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        """Every breach, in order: the refusal, unknown tables, then table by table.

        A table whose received rows differ from its declared ``rows`` is a breach too:
        ingestion refuses such a file, so a sample that shows it does not conform.
        """
        found = [] if self.refusal is None else [self.refusal]
        found += [Finding(UNKNOWN_TABLE, t, count=n) for t, n in self.unknown_tables.items()]
        for table in self.tables:
            if table.rows_declared != table.rows_received:
                # The contract's completeness: a table holds the rows its sender declared.
                found.append(
                    Finding(
                        DECLARED_ROWS,
                        table.table,
                        count=table.rows_received,
                        reason=f"{table.rows_received} rows received, {table.rows_declared} "
                        "declared",
                    )
                )
            for rule, counts in (
                (UNKNOWN_FIELD, table.unknown_fields),
                (REQUIRED, table.mandatory_missing),
                (LENGTH, table.length_exceeded),
                (CODE, table.codes_invalid),
            ):
                found += [Finding(rule, table.table, name, n) for name, n in counts.items()]
        return found

    @property
    def verdict(self) -> str:
        return FAIL if self.findings else PASS

    def as_findings_json(self) -> dict:
        """The report as stored in ``ops.conformity_report.findings``."""
        return {
            "verdict": self.verdict,
            "kind": self.kind,
            "package": self.package,
            "size_bytes": self.size_bytes,
            "findings": [asdict(f) for f in self.findings],
            "unknown_tables": self.unknown_tables,
            "tables": {t.table: _without_name(asdict(t)) for t in self.tables},
        }


def _without_name(table: dict) -> dict:
    table.pop("table")
    return table


# --- the check ----------------------------------------------------------------------------


def check_conformity(conn: psycopg.Connection, path: Path) -> ConformityReport:
    """Check the sample export at ``path`` against the contract's field list.

    Nothing is written: the dictionaries are read in a read-only transaction, and the file
    is neither claimed, loaded nor moved. A file that is not well-formed, carries a DOCTYPE
    or breaks the contract's structure gives a FAIL naming why, never an exception.
    """
    from estat.exports.ingest import sha256_of
    from estat.exports.reader import ExportRefused, read_export
    from estat.exports.validation import RefCodes, check_export

    started = time.perf_counter()
    if not path.is_file():
        raise FileNotFoundError(f"no export file at {path}")
    report = ConformityReport(path.name, sha256_of(path), path.stat().st_size)

    try:
        export = read_export(path, unknown="collect")
    except ExportRefused as refusal:
        report.refusal = Finding(refusal.rule, reason=refusal.reason)
        log.warning("%s cannot be read as an export (%s): FAIL", path.name, refusal.rule)
        return report

    with conn.transaction():
        conn.execute("SET TRANSACTION READ ONLY")
        ref_codes = RefCodes.from_warehouse(conn)
    _require_dictionaries(ref_codes)
    check = check_export(export, ref_codes)

    report.kind, report.package = export.header.kind.value, export.header.package
    report.unknown_tables = dict(sorted(export.unknown_tables.items()))
    report.tables = [_table_conformity(export, check, name) for name in export.tables]
    log.info(
        "checked %s against the contract's field list: %s, %d findings, %d tables, in %.1f s",
        path.name,
        report.verdict,
        len(report.findings),
        len(report.tables),
        time.perf_counter() - started,
    )
    return report


def _require_dictionaries(ref_codes: RefCodes) -> None:
    needed = {f.dictionary for t in TABLES.values() for f in t.fields if f.rule is Rule.CODE}
    empty = sorted(name for name in needed if not ref_codes.codes.get(name))
    if empty:
        raise DictionariesNotLoaded(
            f"the dictionaries {', '.join(empty)} hold no code in ref: load the dictionaries "
            "before checking conformity, or every code would read as invalid"
        )


def _table_conformity(export: Export, check: ExportCheck, name: str) -> TableConformity:
    table: Table = TABLES[name]
    appearances = export.field_appearances.get(name, {})
    found = TableConformity(
        table=name,
        rows_declared=export.tables[name].declared_rows,
        rows_received=len(export.tables[name].frame),
        fields_present={f: appearances[f] for f in table.field_names if appearances.get(f)},
        fields_missing=[f for f in table.field_names if not appearances.get(f)],
        unknown_fields=dict(sorted(export.unknown_fields.get(name, {}).items())),
    )
    counted = {
        REQUIRED: found.mandatory_missing,
        LENGTH: found.length_exceeded,
        CODE: found.codes_invalid,
    }
    order = {f: n for n, f in enumerate(table.field_names)}
    outcomes = sorted(
        (o for o in check.outcomes if o.table == name and o.rule in counted),
        key=lambda o: order.get(o.field, len(order)),
    )
    for outcome in outcomes:
        if not outcome.success and outcome.unexpected_count:
            counted[outcome.rule][outcome.field] = outcome.unexpected_count
    return found


# --- the record and its page --------------------------------------------------------------


def record_conformity(
    conn: psycopg.Connection, report: ConformityReport, page_dir: Path | None = None
) -> int:
    """Keep ``report`` in ``ops.conformity_report`` and write its page; return its report_id.

    The page is ``conformity-<report_id>.html`` in ``page_dir`` (by default beside the
    quality report, :func:`estat.config.report_dir`). The row and the page come together:
    when the page cannot be written, no row is kept.
    """
    from psycopg.types.json import Jsonb

    page_dir = page_dir or config.report_dir()
    page_dir.mkdir(parents=True, exist_ok=True)
    with conn.transaction():
        report_id, created_at = conn.execute(
            "INSERT INTO ops.conformity_report (file_name, sha256, verdict, findings) "
            "VALUES (%s, %s, %s, %s) RETURNING report_id, created_at",
            (report.file_name, report.sha256, report.verdict, Jsonb(report.as_findings_json())),
        ).fetchone()
        page = _write_page(
            page_dir / f"{PAGE_PREFIX}{report_id}.html",
            conformity_page(report, report_id, created_at),
        )
        conn.execute(
            "UPDATE ops.conformity_report SET page = %s WHERE report_id = %s",
            (str(page), report_id),
        )
    log.info(
        "recorded conformity report %d for %s: %s, %d findings, page %s",
        report_id,
        report.file_name,
        report.verdict,
        len(report.findings),
        page,
    )
    return report_id


def _write_page(path: Path, text: str) -> Path:
    """Write under a temporary name and rename into place: never half a page."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8", newline="\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


# The page's words, in the quality report's three languages.
TITLE = Label(
    "Соответствие перечню полей договора",
    "Келісімнің өрістер тізбесіне сәйкестігі",
    "Conformity with the contract's field list",
)
AFTER_CHANGE = Label(
    "Проверка образца выгрузки после изменения программного обеспечения; ничего не загружено",
    "Бағдарламалық қамтылым өзгергеннен кейін экспорт үлгісін тексеру; ештеңе жүктелмеді",
    "A sample export checked after a software change; nothing was loaded",
)
REPORT_NUMBER = Label("Номер проверки", "Тексеру нөмірі", "Report")
CHECKED_AT = Label("Проверено", "Тексерілді", "Checked at")
SIZE = Label("Размер, байт", "Көлемі, байт", "Size, bytes")
VERDICT = Label("Заключение", "Қорытынды", "Verdict")
VERDICTS = {
    PASS: Label("соответствует", "сәйкес келеді", "conforms"),
    FAIL: Label("не соответствует", "сәйкес келмейді", "does not conform"),
}
FINDINGS = Label("Нарушения", "Бұзушылықтар", "Findings")
NO_FINDINGS = Label("Нарушений нет", "Бұзушылықтар жоқ", "No findings")
COUNT = Label("Количество", "Саны", "Count")
UNKNOWN_TABLES = Label(
    "Таблицы вне договора", "Келісімде жоқ кестелер", "Tables the contract does not know"
)
FIELDS = Label("Поля таблицы", "Кесте өрістері", "Fields of the table")
MANDATORY = Label("Обязательное", "Міндетті", "Mandatory")
YES = Label("да", "иә", "yes")
CONTRACT_LENGTH = Label("Длина по договору", "Келісім бойынша ұзындығы", "Contract length")
ROWS_WITH_FIELD = Label("Строк с полем", "Өрісі бар жолдар", "Rows with the field")
NEVER_PRESENT = Label("нет в файле", "файлда жоқ", "never present")
LENGTH_EXCEEDED = Label("Длиннее допустимого", "Ұзындығы асқан", "Longer than allowed")
CODES_INVALID = Label("Недопустимых кодов", "Жарамсыз кодтар", "Invalid codes")
EXPORT_TABLES = Label("Таблицы выгрузки", "Экспорт кестелері", "Tables of the export")

_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _rule_label(rule: str) -> Label:
    return labels.RULES[rule] if rule in labels.RULES else labels.refusal_label(rule)


def _th(text: Label, numeric: bool = False) -> Markup:
    return tag("th", label(text), class_="n" if numeric else None, scope="col")


def _n(value: int | None, *, flagged: bool = False) -> Markup:
    return tag("td", labels.number(value), class_="n short" if flagged else "n")


def _table(headers: list[Markup], rows: list[Markup], **attributes: object) -> Markup:
    """A table with its header row, in a box that scrolls sideways when the page is narrow."""
    table = tag("table", tag("thead", tag("tr", *headers)), tag("tbody", join(rows)), **attributes)
    return tag("div", table, class_="scroll")


def _name_cell(name: str, text: Label) -> Markup:
    return tag("td", tag("span", name, class_="code"), tag("br"), label(text))


def _facts(report: ConformityReport, report_id: int, created_at: datetime) -> Markup:
    kind = labels.KINDS.get(report.kind or "")
    facts = [
        (REPORT_NUMBER, str(report_id)),
        (CHECKED_AT, labels.moment(created_at)),
        (labels.FILE, tag("span", report.file_name, class_="code")),
        (Label("SHA-256", "SHA-256", "SHA-256"), tag("span", report.sha256, class_="code")),
        (SIZE, labels.number(report.size_bytes)),
        (labels.KIND, label(kind) if kind else labels.NO_VALUE),
        (labels.PACKAGE, tag("span", report.package or labels.NO_VALUE, class_="code")),
    ]
    rows = [tag("tr", tag("th", label(name), scope="row"), tag("td", v)) for name, v in facts]
    verdict_class = "status-loaded" if report.verdict == PASS else "status-refused"
    verdict = tag(
        "p",
        label(VERDICT),
        ": ",
        tag("strong", report.verdict, " — ", label(VERDICTS[report.verdict]), class_=verdict_class),
        class_="verdict",
        data_verdict=report.verdict,
    )
    return join([tag("table", tag("tbody", join(rows)), class_="facts"), verdict], "\n")


def _findings(report: ConformityReport) -> Markup:
    findings = report.findings
    if not findings:
        return tag("p", label(NO_FINDINGS), class_="no-findings")
    rows = [
        tag(
            "tr",
            tag("td", tag("span", f.rule, class_="code"), tag("br"), label(_rule_label(f.rule))),
            tag("td", tag("span", f.table, class_="code") if f.table else labels.NO_VALUE),
            tag("td", tag("span", f.field, class_="code") if f.field else labels.NO_VALUE),
            _n(f.count),
            tag("td", f.reason or "", class_="reason"),
            data_rule=f.rule,
            data_key="/".join(part for part in (f.table, f.field) if part) or None,
        )
        for f in findings
    ]
    headers = [_th(labels.RULE), _th(labels.TABLE), _th(labels.FIELD), _th(COUNT, True)]
    return _table([*headers, _th(labels.REASON)], rows, class_="findings")


def _unknown_tables(report: ConformityReport) -> Markup:
    rows = [
        tag("tr", tag("td", tag("span", name, class_="code")), _n(count, flagged=True))
        for name, count in report.unknown_tables.items()
    ]
    return _table([_th(labels.TABLE), _th(labels.ROWS, True)], rows, class_="unknown-tables")


def _table_section(found: TableConformity) -> Markup:
    table = TABLES[found.table]
    rows = []
    for f in table.fields:
        present = found.fields_present.get(f.name, 0)
        missing = found.mandatory_missing.get(f.name)
        too_long = found.length_exceeded.get(f.name)
        invalid = found.codes_invalid.get(f.name)
        rows.append(
            tag(
                "tr",
                _name_cell(f.name, labels.field_label(found.table, f.name)),
                tag("td", label(YES) if f.required else ""),
                _n(f.length),
                tag("td", labels.number(present), class_="n")
                if present
                else tag("td", label(NEVER_PRESENT), class_="warn" if not f.required else "short"),
                # A count where the field has the check (0 when nothing broke it), else empty.
                _n(missing or 0, flagged=bool(missing)) if f.required else tag("td", ""),
                _n(too_long or 0, flagged=bool(too_long))
                if f.rule is not Rule.DATE
                else tag("td", ""),
                _n(invalid or 0, flagged=bool(invalid)) if f.rule is Rule.CODE else tag("td", ""),
                data_field=f.name,
            )
        )
    for name, count in found.unknown_fields.items():
        rows.append(
            tag(
                "tr",
                _name_cell(name, labels.refusal_label(UNKNOWN_FIELD)),
                tag("td", ""),
                tag("td", ""),
                _n(count, flagged=True),
                *(tag("td", "") for _ in range(3)),
                class_="unknown",
                data_field=name,
            )
        )
    headers = [
        _th(labels.FIELD),
        _th(MANDATORY),
        _th(CONTRACT_LENGTH, True),
        _th(ROWS_WITH_FIELD, True),
        _th(labels.MISSING, True),
        _th(LENGTH_EXCEEDED, True),
        _th(CODES_INVALID, True),
    ]
    counts = _table(
        [_th(labels.ROWS_DECLARED, True), _th(labels.ROWS_RECEIVED, True)],
        [
            tag(
                "tr",
                _n(found.rows_declared),
                _n(found.rows_received, flagged=found.rows_received != found.rows_declared),
            )
        ],
        class_="rows",
    )
    return tag(
        "section",
        tag(
            "h3",
            tag("span", found.table, class_="code"),
            " ",
            label(labels.table_label(found.table)),
        ),
        counts,
        tag("h4", label(FIELDS)),
        _table(headers, rows, class_="fields"),
        class_="export-table",
        data_table=found.table,
    )


def conformity_page(report: ConformityReport, report_id: int, created_at: datetime) -> str:
    """The report's page: self-contained HTML holding names, rules and counts only."""
    parts = [
        tag("h1", label(TITLE)),
        tag("p", label(AFTER_CHANGE), class_="lead"),
        _facts(report, report_id, created_at),
        tag("h2", label(FINDINGS)),
        _findings(report),
    ]
    if report.unknown_tables:
        parts += [tag("h2", label(UNKNOWN_TABLES)), _unknown_tables(report)]
    if report.tables:
        parts += [tag("h2", label(EXPORT_TABLES))]
        parts += [_table_section(t) for t in report.tables]
    parts.append(
        tag(
            "footer",
            tag("p", label(labels.NO_PERSONAL_DATA)),
            tag("p", label(labels.TIME_ZONE_NOTE)),
        )
    )
    head = join(
        [
            tag("meta", charset="utf-8"),
            tag("meta", name="viewport", content="width=device-width, initial-scale=1"),
            tag("meta", http_equiv="Content-Security-Policy", content=_CSP),
            tag("title", f"{TITLE.text}: {report.file_name}"),
            tag("style", Markup(CSS)),
        ],
        "\n",
    )
    return (
        f'<!DOCTYPE html>\n<html lang="ru">\n<head>\n{head}\n</head>\n'
        f"<body>\n{join(parts, chr(10))}\n</body>\n</html>\n"
    )
