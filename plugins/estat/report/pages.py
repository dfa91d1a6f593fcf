"""The quality report's pages: the index of reporting periods and one page per period.

The index lists every reporting period, newest first, with its headline figures per kind
of export (files delivered, loaded, refused and duplicated, rows, rejected persons,
warnings, when the first file arrived and was loaded) and a chart of rejected records by
rule over the periods. A period's page (``period-YYYY-MM-DD.html``, named by the period's
last day) shows emigration and immigration in sections of their own, and for every export
file of the period: its status and provenance, when it arrived and was loaded, its due
date when one is known, the rows declared and received per table, the share of mandatory
fields present, the share of valid codes and the liquidated codes used (warnings), the IIN
checks, and the rejected records by rule.

A page is self-contained: its CSS is inline, its charts inline SVG, and its
Content-Security-Policy forbids loading anything, so it renders offline and the same way
wherever it is opened. Nothing on it is a record's value: only names of files, tables,
fields and rules, and counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from estat.contract import DICTIONARIES, TABLES, Kind
from estat.report import labels
from estat.report.charts import Bar, Series, rule_colour, share_bars, stacked_columns
from estat.report.labels import Label
from estat.report.markup import Markup, join, tag
from estat.report.quality import ExportFile, FileQuality, Period, PeriodSummary, Quality

# Due dates by kind of export and the period's last day.
DueDates = Mapping[tuple[str, date], date]

INDEX = "index.html"

_TABLE_ORDER = {name: n for n, name in enumerate(TABLES)}
_RULE_ORDER = {rule: n for n, rule in enumerate(labels.RULES)}

CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 14px;
  color: #1d1d1d; background: #ffffff; margin: 0 auto; padding: 16px 24px 48px;
  max-width: 1400px; line-height: 1.4; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #2e5d7d; }
h3 { font-size: 16px; margin: 24px 0 8px; }
h4 { font-size: 14px; margin: 18px 0 6px; color: #2e5d7d; }
.en { color: #555555; }
.lead { color: #444444; margin: 0 0 12px; }
nav { margin-bottom: 8px; }
a { color: #1f5fa0; }
table { border-collapse: collapse; margin: 4px 0 12px; }
th, td { border: 1px solid #cfcfcf; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #eef3f7; font-weight: 600; font-size: 11px; }
th span[lang], .stack span[lang] { display: block; }
th .sep, .stack .sep { display: none; }
div.scroll { overflow-x: auto; }
td a.period { white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.when, td.code { white-space: nowrap; }
td.short { background: #fdecea; }
td.warn { background: #fff6dd; }
.status-loaded { color: #2e7d5b; font-weight: 600; }
.status-refused { color: #c0392b; font-weight: 600; }
.status-duplicate { color: #8a6d00; font-weight: 600; }
.reason { display: block; font-size: 12px; color: #444444; }
.code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px; }
section.export-file { border-left: 4px solid #cfdce6; padding: 2px 0 2px 14px; margin: 20px 0; }
ul.legend { list-style: none; padding: 0; margin: 4px 0 8px; }
ul.legend li { margin: 2px 0; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px;
  vertical-align: -1px; }
svg.chart { display: block; margin: 4px 0 8px; max-width: 100%; height: auto; }
svg.chart text { fill: #1d1d1d; }
.note { font-size: 12px; color: #555555; }
footer { margin-top: 40px; font-size: 12px; color: #555555; border-top: 1px solid #cfcfcf;
  padding-top: 8px; }
""".strip()

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


# --- pieces -------------------------------------------------------------------------------


def label(text: Label, *, stacked: bool = False) -> Markup:
    """A label in its three languages, each marked with its language; once when all agree.

    ``stacked`` puts each language on a line of its own, for narrow columns.
    """
    if text.ru == text.kk == text.en:
        return tag("span", text.en, class_="stack" if stacked else None)
    return tag(
        "span",
        tag("span", text.ru, lang="ru"),
        tag("span", " / ", class_="sep"),
        tag("span", text.kk, lang="kk"),
        tag("span", " / ", class_="sep"),
        tag("span", text.en, lang="en", class_="en"),
        class_="stack" if stacked else None,
    )


def _th(text: Label, numeric: bool = False) -> Markup:
    return tag("th", label(text), class_="n" if numeric else None, scope="col")


def _n(value: int | None, *, flagged: bool = False) -> Markup:
    return tag("td", labels.number(value), class_="n short" if flagged else "n")


def _share(value: Decimal | None, *, flagged: bool = False) -> Markup:
    return tag("td", labels.percent(value), class_="n short" if flagged else "n")


def _table(headers: Sequence[Markup], rows: Iterable[Markup], **attributes: object) -> Markup:
    """A table with its header row, in a box that scrolls sideways when the page is narrow."""
    table = tag("table", tag("thead", tag("tr", *headers)), tag("tbody", join(rows)), **attributes)
    return tag("div", table, class_="scroll")


def _code_and_label(code: str, text: Label) -> Markup:
    return join([tag("span", code, class_="code"), tag("br"), label(text)])


def _table_cell(table: str, *, named: bool = False) -> Markup:
    """A table's code, with its name in full where ``named`` (else on hover)."""
    name = labels.table_label(table)
    if named:
        return tag("td", _code_and_label(table, name))
    return tag("td", tag("span", table, class_="code", title=name.text))


def _field_cell(table: str, field: str) -> Markup:
    return tag("td", _code_and_label(field, labels.field_label(table, field)))


def _document(title: str, body: Markup) -> str:
    head = join(
        [
            tag("meta", charset="utf-8"),
            tag("meta", name="viewport", content="width=device-width, initial-scale=1"),
            tag("meta", http_equiv="Content-Security-Policy", content=_CSP),
            tag("title", title),
            tag("style", Markup(CSS)),
        ],
        "\n",
    )
    return (
        f'<!DOCTYPE html>\n<html lang="ru">\n<head>\n{head}\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _footer() -> Markup:
    return tag(
        "footer",
        tag("p", label(labels.NO_PERSONAL_DATA)),
        tag("p", label(labels.TIME_ZONE_NOTE)),
    )


def _due_cell(
    kind: str | None, period_end: date | None, received: datetime | None, due_dates: DueDates
) -> Markup:
    """The due date, and once a file has arrived whether it came on time; a dash when unknown."""
    due = due_dates.get((kind, period_end)) if kind and period_end else None
    if due is None:
        return tag("td", labels.NO_VALUE, class_="when due")
    if received is None:
        return tag("td", labels.day(due), class_="when due")
    late = (labels.local_day(received) - due).days
    verdict = labels.late_label(late) if late > 0 else labels.ON_TIME
    return tag(
        "td",
        labels.day(due),
        tag("br"),
        tag("span", label(verdict), class_="reason"),
        class_="when due short" if late > 0 else "when due",
    )


# --- headline figures ---------------------------------------------------------------------


def _summary_headers() -> list[Markup]:
    return [
        _th(labels.FILE_COUNT, True),
        _th(labels.FILES_LOADED, True),
        _th(labels.FILES_REFUSED, True),
        _th(labels.FILES_DUPLICATE, True),
        _th(labels.ROWS_RECEIVED, True),
        _th(labels.ROWS_LOADED, True),
        _th(labels.ROWS_QUARANTINED, True),
        _th(labels.PERSONS_REJECTED, True),
        _th(labels.WARNINGS, True),
        _th(labels.FIRST_RECEIVED_AT),
        _th(labels.FIRST_LOADED_AT),
        _th(labels.DUE_DATE),
    ]


def _summary_cells(summary: PeriodSummary, due_dates: DueDates) -> list[Markup]:
    return [
        _n(summary.files),
        _n(summary.files_loaded),
        _n(summary.files_refused, flagged=summary.files_refused > 0),
        _n(summary.files_duplicate),
        _n(summary.rows_received),
        _n(summary.rows_loaded),
        _n(summary.rows_quarantined, flagged=summary.rows_quarantined > 0),
        _n(summary.persons_rejected, flagged=summary.persons_rejected > 0),
        _n(summary.warnings),
        tag("td", labels.moment(summary.first_received_at), class_="when"),
        tag("td", labels.moment(summary.first_loaded_at), class_="when"),
        _due_cell(summary.kind, summary.period_end, summary.first_received_at, due_dates),
    ]


def _period_span(period: Period) -> str:
    return f"{labels.day(period.period_start)} – {labels.day(period.period_end)}"


def _periods_table(periods: Sequence[Period], due_dates: DueDates) -> Markup:
    rows = []
    for period in periods:
        kinds = [k for k in Kind if k in period.summaries]
        for n, kind in enumerate(kinds):
            link = tag(
                "td",
                tag("a", _period_span(period), href=period.page_name, class_="period"),
                rowspan=str(len(kinds)),
            )
            rows.append(
                tag(
                    "tr",
                    link if n == 0 else None,
                    tag("td", label(labels.KINDS[kind], stacked=True)),
                    *_summary_cells(period.summaries[kind], due_dates),
                    data_period=period.period_end.isoformat(),
                    data_kind=kind.value,
                )
            )
    headers = [_th(labels.PERIOD), _th(labels.KIND), *_summary_headers()]
    return _table(headers, rows, class_="periods")


# --- the chart of rejections over the periods ---------------------------------------------


def _rule_sort_key(rule: str) -> tuple[int, str]:
    return (_RULE_ORDER.get(rule, len(_RULE_ORDER)), rule)


def _rejections_over_periods(periods: Sequence[Period]) -> Markup:
    chronological = sorted(periods, key=lambda p: p.period_end)
    counts: dict[str, list[int]] = {}
    for i, period in enumerate(chronological):
        for rejection in period.rejections():
            counts.setdefault(rejection.rule, [0] * len(chronological))[i] += rejection.records
    if not counts:
        return tag("p", label(labels.NO_REJECTIONS))
    rules = sorted(counts, key=_rule_sort_key)
    series = [Series(r, labels.rule_label(r).text, tuple(counts[r])) for r in rules]
    categories = [labels.day(p.period_end) for p in chronological]
    chart = stacked_columns(categories, series, label=labels.REJECTIONS_OVER_PERIODS.text)
    legend = tag(
        "ul",
        *(
            tag(
                "li",
                tag("span", "", class_="swatch", style=f"background: {rule_colour(r)}"),
                tag("span", r, class_="code"),
                " — ",
                label(labels.rule_label(r)),
            )
            for r in rules
        ),
        class_="legend",
    )
    figures = _table(
        [_th(labels.RULE), *(tag("th", c, class_="n", scope="col") for c in categories)],
        (
            tag(
                "tr",
                tag("td", tag("span", r, class_="code")),
                *(_n(v) for v in counts[r]),
                data_rule=r,
            )
            for r in rules
        ),
        class_="rejections-over-periods",
    )
    return join([chart, legend, tag("p", label(labels.SEVERAL_REASONS), class_="note"), figures])


# --- one export file ----------------------------------------------------------------------


def _status_label(file: ExportFile) -> Label:
    return labels.STATUSES.get(file.status, Label(file.status, file.status, file.status))


def _status_cell(file: ExportFile, names: Mapping[int, str]) -> Markup:
    """The status, with the refusal's rule or the original of a duplicate; details below."""
    parts: list[Markup | str] = [
        tag("span", label(_status_label(file), stacked=True), class_=f"status-{file.status}")
    ]
    if file.status == "refused":
        parts.append(tag("span", file.refusal_rule or "", class_="code reason"))
    if file.duplicate_of is not None:
        original = names.get(file.duplicate_of, f"#{file.duplicate_of}")
        parts.append(
            tag(
                "span",
                label(labels.DUPLICATE_OF),
                ": ",
                tag("a", original, href=f"#file-{file.duplicate_of}", class_="code"),
                class_="reason",
            )
        )
    return tag("td", join(parts))


def _file_status(file: ExportFile) -> Markup:
    """What became of a file, in full: the refusal's rule and reason, where its period came from."""
    parts: list[Markup] = [
        tag(
            "p",
            tag("strong", label(labels.STATUS)),
            ": ",
            tag("span", label(_status_label(file)), class_=f"status-{file.status}"),
            class_="file-status",
        )
    ]
    if file.status == "refused":
        rule = file.refusal_rule or ""
        parts.append(
            tag(
                "p",
                tag("strong", label(labels.REASON)),
                ": ",
                tag("span", rule, class_="code"),
                " — ",
                label(labels.refusal_label(rule)),
                tag("span", file.reason or "", class_="reason refusal"),
                class_="file-reason",
            )
        )
    if file.period_from_name:
        parts.append(tag("p", label(labels.PERIOD_FROM_NAME), class_="note"))
    return join(parts)


def _files_table(files: Sequence[FileQuality], due_dates: DueDates) -> Markup:
    names = {q.file.file_id: q.file.file_name for q in files}
    headers = [
        _th(labels.FILE),
        _th(labels.PACKAGE),
        _th(labels.PROVENANCE),
        _th(labels.STATUS),
        _th(labels.RECEIVED_AT),
        _th(labels.LOADED_AT),
        _th(labels.DUE_DATE),
        _th(labels.ROWS_RECEIVED, True),
        _th(labels.ROWS_LOADED, True),
        _th(labels.ROWS_QUARANTINED, True),
        _th(labels.PERSONS_REJECTED, True),
        _th(labels.WARNINGS, True),
    ]
    rows = []
    for quality in files:
        file = quality.file
        provenance = labels.PROVENANCES.get(
            file.provenance, Label(file.provenance, file.provenance, file.provenance)
        )
        rows.append(
            tag(
                "tr",
                tag("td", tag("a", file.file_name, href=f"#file-{file.file_id}", class_="code")),
                tag("td", file.package or labels.NO_VALUE, class_="code"),
                tag("td", label(provenance, stacked=True)),
                _status_cell(file, names),
                tag("td", labels.moment(file.received_at), class_="when received"),
                tag("td", labels.moment(file.loaded_at), class_="when loaded"),
                _due_cell(file.kind, file.period_end, file.received_at, due_dates),
                _n(file.rows_received),
                _n(file.rows_loaded),
                _n(file.rows_quarantined, flagged=bool(file.rows_quarantined)),
                _n(file.persons_rejected, flagged=bool(file.persons_rejected)),
                _n(file.warnings),
                data_file=file.file_name,
                data_status=file.status,
                class_=f"file {file.status}",
            )
        )
    return _table(headers, rows, class_="files")


def _table_rows(quality: FileQuality) -> Markup:
    rows = []
    for t in sorted(quality.tables, key=lambda t: _TABLE_ORDER.get(t.table_name, 99)):
        rows.append(
            tag(
                "tr",
                _table_cell(t.table_name, named=True),
                _n(t.rows_declared),
                _n(t.rows_received, flagged=t.rows_received != t.rows_declared),
                _n(t.rows_loaded),
                _n(t.rows_quarantined, flagged=t.rows_quarantined > 0),
                data_key=t.table_name,
            )
        )
    headers = [
        _th(labels.TABLE),
        _th(labels.ROWS_DECLARED, True),
        _th(labels.ROWS_RECEIVED, True),
        _th(labels.ROWS_LOADED, True),
        _th(labels.ROWS_QUARANTINED, True),
    ]
    return _table(headers, rows, class_="table-rows")


def _contract_order(table: str, field: str) -> tuple[int, int, str]:
    try:
        position = TABLES[table].field_names.index(field)
    except (KeyError, ValueError):
        position = 99
    return (_TABLE_ORDER.get(table, 99), position, field)


def _field_completeness(quality: FileQuality) -> Markup:
    found = sorted(quality.completeness, key=lambda c: _contract_order(c.table_name, c.field))
    bars = [
        Bar(
            label=f"{c.table_name} · {c.field}",
            share=c.present_share,
            value=labels.percent(c.present_share),
            title=f"{c.table_name}.{c.field}: {labels.field_label(c.table_name, c.field).text}"
            f" — {labels.number(c.rows - c.missing)} / {labels.number(c.rows)}",
        )
        for c in found
    ]
    rows = [
        tag(
            "tr",
            _table_cell(c.table_name),
            _field_cell(c.table_name, c.field),
            _n(c.rows),
            _n(c.missing, flagged=c.missing > 0),
            _share(c.present_share, flagged=c.missing > 0),
            data_key=f"{c.table_name}.{c.field}",
        )
        for c in found
    ]
    headers = [
        _th(labels.TABLE),
        _th(labels.FIELD),
        _th(labels.ROWS, True),
        _th(labels.MISSING, True),
        _th(labels.PRESENT_SHARE, True),
    ]
    return join(
        [
            tag("p", label(labels.COMPLETENESS_BY_FIELD), class_="note"),
            share_bars(bars, label=labels.COMPLETENESS_BY_FIELD.text),
            _table(headers, rows, class_="field-completeness"),
        ]
    )


def _dictionary_of(table: str, field: str) -> str | None:
    try:
        return TABLES[table].field(field).dictionary
    except KeyError:
        return None


def _code_validity(quality: FileQuality) -> Markup:
    found = sorted(quality.codes, key=lambda c: _contract_order(c.table_name, c.field))
    bars = [
        Bar(
            label=f"{c.table_name} · {c.field}",
            share=c.valid_share,
            value=labels.percent(c.valid_share),
            title=f"{c.table_name}.{c.field}: {labels.number(c.coded - c.invalid)}"
            f" / {labels.number(c.coded)}",
        )
        for c in found
    ]
    rows = []
    for c in found:
        dictionary = _dictionary_of(c.table_name, c.field)
        dictionary_cell = (
            tag("td", _code_and_label(dictionary, labels.dictionary_label(dictionary)))
            if dictionary in DICTIONARIES
            else tag("td", labels.NO_VALUE)
        )
        rows.append(
            tag(
                "tr",
                _table_cell(c.table_name),
                _field_cell(c.table_name, c.field),
                dictionary_cell,
                _n(c.coded),
                _n(c.invalid, flagged=c.invalid > 0),
                _share(c.valid_share, flagged=c.invalid > 0),
                tag("td", labels.number(c.liquidated), class_="n warn" if c.liquidated else "n"),
                data_key=f"{c.table_name}.{c.field}",
            )
        )
    headers = [
        _th(labels.TABLE),
        _th(labels.FIELD),
        _th(labels.DICTIONARY),
        _th(labels.CODED, True),
        _th(labels.INVALID, True),
        _th(labels.VALID_SHARE, True),
        _th(labels.LIQUIDATED, True),
    ]
    return join(
        [
            tag("p", label(labels.VALID_CODES_BY_FIELD), class_="note"),
            share_bars(bars, label=labels.VALID_CODES_BY_FIELD.text),
            _table(headers, rows, class_="code-validity"),
        ]
    )


def _identity_checks(quality: FileQuality) -> Markup:
    found = sorted(
        quality.identity, key=lambda c: (_TABLE_ORDER.get(c.table_name, 99), _rule_sort_key(c.rule))
    )
    rows = [
        tag(
            "tr",
            _table_cell(c.table_name),
            tag("td", _code_and_label(c.rule, labels.rule_label(c.rule))),
            _n(c.checked),
            _n(c.failed, flagged=c.failed > 0),
            data_key=f"{c.table_name}.{c.rule}",
        )
        for c in found
    ]
    headers = [
        _th(labels.TABLE),
        _th(labels.CHECK),
        _th(labels.CHECKED, True),
        _th(labels.FAILED, True),
    ]
    return _table(headers, rows, class_="identity-checks")


def _rejections(quality: FileQuality) -> Markup:
    if not quality.rejections:
        return tag("p", label(labels.NO_REJECTIONS), class_="rejections none")
    found = sorted(
        quality.rejections,
        key=lambda r: (_TABLE_ORDER.get(r.table_name, 99), _rule_sort_key(r.rule), r.field),
    )
    rows = [
        tag(
            "tr",
            _table_cell(r.table_name),
            tag("td", r.reason, class_="code"),
            tag("td", label(labels.rule_label(r.rule))),
            tag("td", label(labels.field_label(r.table_name, r.field)) if r.field else ""),
            _n(r.records),
            data_key=f"{r.table_name}/{r.reason}",
        )
        for r in found
    ]
    headers = [
        _th(labels.TABLE),
        _th(labels.REASON),
        _th(labels.RULE),
        _th(labels.FIELD),
        _th(labels.RECORDS, True),
    ]
    return join(
        [
            _table(headers, rows, class_="rejections"),
            tag("p", label(labels.SEVERAL_REASONS), class_="note"),
        ]
    )


def _file_section(quality: FileQuality) -> Markup:
    file = quality.file
    heading = tag("h3", label(labels.FILE), ": ", tag("span", file.file_name, class_="code"))
    status = _file_status(file)
    if file.status == "duplicate":
        body = tag("p", label(labels.NOTHING_LOADED))
    elif not quality.checked:
        body = tag("p", label(labels.NOT_CHECKED))
    else:
        body = join(
            [
                tag("h4", label(labels.COMPLETENESS)),
                _table_rows(quality),
                tag("h4", label(labels.MANDATORY_FIELDS)),
                _field_completeness(quality),
                tag("h4", label(labels.CODE_VALIDITY)),
                _code_validity(quality),
                tag("h4", label(labels.IDENTITY)),
                _identity_checks(quality),
                tag("h4", label(labels.REJECTIONS)),
                _rejections(quality),
            ],
            "\n",
        )
    return tag(
        "section",
        heading,
        status,
        body,
        id=f"file-{file.file_id}",
        class_="export-file",
        data_file=file.file_name,
    )


# --- the pages ----------------------------------------------------------------------------


def index_page(quality: Quality, due_dates: DueDates) -> str:
    """The index: every reporting period with its figures, and rejections over the periods."""
    parts: list[Markup] = [
        tag("h1", label(labels.REPORT)),
        tag("p", label(labels.SOURCE), class_="lead"),
        tag("h2", label(labels.PERIODS)),
    ]
    if quality.periods:
        parts += [
            _periods_table(quality.periods, due_dates),
            tag("h2", label(labels.REJECTIONS_OVER_PERIODS)),
            _rejections_over_periods(quality.periods),
        ]
    else:
        parts.append(tag("p", label(labels.NO_PERIODS)))
    if quality.undated:
        parts += [
            tag("h2", label(labels.UNDATED)),
            _files_table(quality.undated, due_dates),
            *(_file_section(q) for q in quality.undated),
        ]
    parts.append(_footer())
    return _document(labels.REPORT.text, join(parts, "\n"))


def _kind_section(period: Period, kind: Kind, due_dates: DueDates) -> Markup:
    files = period.files.get(kind, [])
    summary = period.summaries.get(kind)
    parts: list[Markup] = [tag("h2", label(labels.KINDS[kind]))]
    if summary is None and not files:
        parts.append(tag("p", label(labels.NO_FILES_OF_KIND)))
    if summary is not None:
        parts += [
            tag("h3", label(labels.SUMMARY)),
            _table(
                _summary_headers(),
                [tag("tr", *_summary_cells(summary, due_dates), data_kind=kind.value)],
                class_="summary",
            ),
        ]
    if files:
        parts += [
            tag("h3", label(labels.FILES)),
            _files_table(files, due_dates),
            *(_file_section(q) for q in files),
        ]
    return tag("section", join(parts, "\n"), id=kind.value.lower(), class_="kind", data_kind=kind)


def period_page(period: Period, due_dates: DueDates) -> str:
    """A reporting period's page: emigration and immigration, each file in full."""
    span = _period_span(period)
    contents = tag(
        "ul",
        *(
            tag("li", tag("a", label(labels.KINDS[kind]), href=f"#{kind.value.lower()}"))
            for kind in Kind
        ),
        class_="contents",
    )
    body = join(
        [
            tag("nav", tag("a", "← ", label(labels.ALL_PERIODS), href=INDEX, class_="index")),
            tag("h1", label(labels.PERIOD), ": ", span),
            tag("p", label(labels.REPORT), class_="lead"),
            contents,
            *(_kind_section(period, kind, due_dates) for kind in Kind),
            _footer(),
        ],
        "\n",
    )
    return _document(f"{labels.PERIOD.text}: {span}", body)
