"""The data-quality report, written from a real warehouse into which export files were delivered.

Its figures are checked against what the generator says each file holds (its rows, the
rows to be rejected, the warnings) and against the ledger, never against the report's own
arithmetic. The pages are read with lxml by the structure they carry: a section per kind
and per export file, table rows keyed by table, field or reason.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import pytest
from lxml import etree
from report_warehouse import Delivered, Delivery, delivered_warehouse

from estat import config
from estat.contract import CHILD_TABLES, TABLES, Kind
from estat.generator import Fault
from estat.report import labels, quality_report_dir, write_quality_report
from estat.report.markup import join, tag

JANUARY = date(2026, 1, 31)
FEBRUARY = date(2026, 2, 28)
ASTANA = timezone(timedelta(hours=5))
NBSP = "\u00a0"
FAULTS = (
    Fault.BAD_IIN_CHECK_DIGIT,
    Fault.MISSING_FIO,
    Fault.ORPHAN_PASSPORT,
    Fault.LIQUIDATED_CITIZENSHIP,
)
DELIVERIES = (
    Delivery("clean", Kind.EMIGRANT, JANUARY, seq=1, persons=30, seed=1),
    Delivery("faulty", Kind.EMIGRANT, JANUARY, seq=2, persons=50, seed=2, faults=FAULTS),
    Delivery("again", Kind.EMIGRANT, JANUARY, seq=9, again_of="clean"),
    Delivery("immigrant", Kind.IMMIGRANT, FEBRUARY, seq=1, persons=25, seed=3),
    Delivery("truncated", Kind.EMIGRANT, FEBRUARY, seq=1, persons=20, seed=4, truncated=True),
)


@pytest.fixture(scope="module")
def delivered(pg_server, tmp_path_factory) -> Delivered:
    with delivered_warehouse(pg_server, tmp_path_factory.mktemp("deliveries"), DELIVERIES) as found:
        statuses = {name: i.status for name, i in found.ingestions.items()}
        assert statuses == {
            "clean": "loaded",
            "faulty": "loaded",
            "again": "duplicate",
            "immigrant": "loaded",
            "truncated": "refused",
        }
        yield found


@pytest.fixture(scope="module")
def report(delivered: Delivered, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("report")
    write_quality_report(delivered.conn, directory)
    return directory


def page(report: Path, name: str):
    return lxml.html.fromstring((report / name).read_text(encoding="utf-8"))


def text(element) -> str:
    """The element's text, its pieces apart, runs of white space as one.

    No-break spaces are kept: the figures carry them.
    """
    return re.sub(r"[ \t\r\n]+", " ", " ".join(element.itertext())).strip()


def cells(row) -> list[str]:
    return [text(td) for td in row.findall("td")]


def keyed_rows(section, table_class: str) -> dict[str, list[str]]:
    """The rows of a section's table, by their data-key, as the texts of their cells."""
    rows = section.xpath(f".//table[contains(@class, '{table_class}')]/tbody/tr")
    return {row.get("data-key"): cells(row) for row in rows}


def file_section(report: Path, delivered: Delivered, name: str):
    ingestion = delivered.ingestions[name]
    period_end = delivered.exports.get(name, delivered.exports["clean"]).period_end
    (section,) = page(report, f"period-{period_end}.html").xpath(
        f"//section[@id='file-{ingestion.file_id}']"
    )
    return section


def percent(numerator: int, denominator: int) -> str:
    tenths = numerator * 1000 // denominator
    return f"{tenths // 10},{tenths % 10}{NBSP}%"


def as_int(cell: str) -> int:
    return int(cell.replace(NBSP, ""))


# --- the pages ----------------------------------------------------------------------------


def test_a_page_per_period_and_the_index_links_each(report: Path) -> None:
    written = sorted(p.name for p in report.iterdir())

    assert written == ["index.html", "period-2026-01-31.html", "period-2026-02-28.html"]
    index = page(report, "index.html")
    links = [a.get("href") for a in index.xpath("//a[@class='period']")]
    assert links == ["period-2026-02-28.html", "period-2026-01-31.html"]  # newest first
    assert [text(a) for a in index.xpath("//a[@class='period']")] == [
        "01.02.2026 – 28.02.2026",
        "01.01.2026 – 31.01.2026",
    ]
    for name in ("period-2026-01-31.html", "period-2026-02-28.html"):
        period = page(report, name)
        assert period.xpath("//nav/a/@href") == ["index.html"]
        # Both kinds on every period page, each in its own section.
        assert period.xpath("//section[@class='kind']/@data-kind") == ["EMIGRANT", "IMMIGRANT"]


def test_labels_are_in_russian_kazakh_and_english(report: Path) -> None:
    period = page(report, "period-2026-01-31.html")
    headings = [text(h) for h in period.xpath("//h4")]

    assert "Полнота / Толықтығы / Completeness" in headings
    assert "Корректность кодов / Кодтардың дұрыстығы / Code validity" in headings
    field_cell = period.xpath("//tr[@data-key='M_EMIGRANT.FIO']/td[2]")[0]
    assert text(field_cell) == "FIO ФИО / Адамның Т.А.Ә. / surname, name, patronymic"
    birthday = period.xpath("//tr[@data-key='M_EMIGRANT.BIRTHDAY']/td[2]")[0]
    assert text(birthday) == "BIRTHDAY Дата рождения / Туған күні / date of birth"


def test_every_contract_table_and_field_has_a_russian_name() -> None:
    for table in TABLES.values():
        assert labels.TABLE_NAMES_RU.get(table.name), table.name
        for field in table.fields:
            russian = labels.FIELD_NAMES_RU.get(table.name, {}).get(field.name)
            assert russian, f"{table.name}.{field.name}"
            assert russian != field.name


def test_every_rule_of_the_suites_has_a_label() -> None:
    from estat.exports.suites import build_suites

    rules = {e.meta["rule"] for suite in build_suites().values() for e in suite.expectations}

    assert rules - set(labels.RULES) == set()
    assert {"person_rejected", "file_refused"} <= set(labels.RULES)


# --- the figures of each file --------------------------------------------------------------


@pytest.mark.parametrize("name", ["clean", "faulty", "immigrant"])
def test_rows_declared_and_received_are_the_generators(
    report: Path, delivered: Delivered, name: str
) -> None:
    generated = delivered.exports[name]

    rows = keyed_rows(file_section(report, delivered, name), "table-rows")

    assert list(rows) == list(generated.rows)  # the contract's order, main table first
    for table, count in generated.rows.items():
        declared, received, loaded, quarantined = (as_int(c) for c in rows[table][1:])
        assert (declared, received) == (count, count), table
        assert loaded == generated.loaded[table], table
        assert quarantined == generated.rejected[table], table


def test_a_missing_name_lowers_the_share_of_fio_present(report: Path, delivered: Delivered) -> None:
    generated = delivered.exports["faulty"]
    persons = generated.rows["M_EMIGRANT"]

    faulty = keyed_rows(file_section(report, delivered, "faulty"), "field-completeness")
    clean = keyed_rows(file_section(report, delivered, "clean"), "field-completeness")

    assert faulty["M_EMIGRANT.FIO"][2:] == [str(persons), "1", percent(persons - 1, persons)]
    assert faulty["M_EMIGRANT.IIN"][2:] == [str(persons), "0", f"100,0{NBSP}%"]
    assert {row[4] for row in clean.values()} == {f"100,0{NBSP}%"}
    # Only mandatory fields are counted: PROF is optional.
    assert "M_EMIGRANT.PROF" not in faulty
    assert set(faulty) == {
        f"{t.name}.{f.name}"
        for t in TABLES.values()
        if t.name != "M_IMMIGRANT"
        for f in t.fields
        if f.required
    }
    # The chart draws one bar per field, the short one in red.
    chart = file_section(report, delivered, "faulty").xpath(".//svg[@class='chart']")[0]
    bars = chart.xpath(".//g[@class='bar']")
    assert len(bars) == len(faulty)
    assert chart.xpath(".//rect[@fill='#c0392b']")


def test_a_liquidated_code_is_a_warning_not_an_invalid_code(
    report: Path, delivered: Delivered
) -> None:
    generated = delivered.exports["faulty"]
    section = file_section(report, delivered, "faulty")

    codes = keyed_rows(section, "code-validity")

    citizenship = codes["M_EMIGRANT.CITIZ"]
    assert citizenship[2].startswith("T_CITIZEN Страны / Елдер анықтамалығы / countries")
    assert citizenship[3:] == [str(generated.rows["M_EMIGRANT"]), "0", f"100,0{NBSP}%", "1"]
    assert sum(as_int(row[6]) for row in codes.values()) == generated.warnings == 1
    (file_row,) = page(report, f"period-{JANUARY}.html").xpath(
        f"//tr[@data-file='{generated.path.name}']"
    )
    assert cells(file_row)[-1] == str(generated.warnings)


def test_identity_checks_count_the_bad_check_digit(report: Path, delivered: Delivered) -> None:
    generated = delivered.exports["faulty"]

    faulty = keyed_rows(file_section(report, delivered, "faulty"), "identity-checks")
    clean = keyed_rows(file_section(report, delivered, "clean"), "identity-checks")

    assert faulty["M_EMIGRANT.iin"][2:] == [str(generated.rows["M_EMIGRANT"]), "1"]
    assert faulty["M_EMIGRANT.iin_agrees"][3] == "0"
    assert "корректный ИИН" in faulty["M_EMIGRANT.iin"][1]
    assert {row[3] for row in clean.values()} == {"0"}
    assert set(clean) == {
        "M_EMIGRANT.iin",
        "M_EMIGRANT.iin_agrees",
        "MC_EMCHILDS.iin",
        "MC_EMCHILDS.iin_agrees",
    }


def test_rejected_records_by_rule_are_the_planted_faults(
    report: Path, delivered: Delivered
) -> None:
    generated = delivered.exports["faulty"]
    cascaded = {
        f"{t}/person_rejected:EMCODE": generated.rejected[t] - (t == "MC_PASSPORT")
        for t in CHILD_TABLES
    }
    expected = {
        "M_EMIGRANT/required:FIO": 1,
        "M_EMIGRANT/iin:IIN": 1,
        "MC_PASSPORT/person_in_file:EMCODE": 1,
        **{key: n for key, n in cascaded.items() if n},
    }

    rejections = keyed_rows(file_section(report, delivered, "faulty"), "rejections")

    assert {key: as_int(row[4]) for key, row in rejections.items()} == expected
    assert generated.rejected_persons == 2
    clean = file_section(report, delivered, "clean")
    assert clean.xpath(".//p[contains(@class, 'rejections')]")
    assert "No rejected record" in text(clean)


# --- every file's status, provenance and timeliness ---------------------------------------


def test_every_file_shows_its_ledger_status_and_provenance(
    report: Path, delivered: Delivered
) -> None:
    ledger = delivered.ledger()
    pages = {
        name: page(report, name) for name in ("period-2026-01-31.html", "period-2026-02-28.html")
    }
    shown = {
        row.get("data-file"): (name, row)
        for name, found in pages.items()
        for row in found.xpath("//table[contains(@class, 'files')]/tbody/tr")
    }

    assert set(shown) == set(ledger)
    for file_name, (file_id, status, _, provenance, *_) in ledger.items():
        _, row = shown[file_name]
        assert row.get("data-status") == status
        assert text(row.findall("td")[2]) == "Burkit-MO" == labels.PROVENANCES[provenance].en
        assert row.xpath(f".//a[@href='#file-{file_id}']")
    truncated = delivered.ingestions["truncated"]
    section = pages["period-2026-02-28.html"].xpath(f"//section[@id='file-{truncated.file_id}']")[0]
    assert "not_well_formed" in text(section)
    assert "not well-formed XML" in text(section)
    assert "Records not checked" in text(section)
    assert "period and kind taken from the file name" in text(section)
    duplicate = delivered.ingestions["again"]
    _, row = shown["EMIGRANT_20260131_009.xml"]
    original = delivered.ingestions["clean"].file_id
    assert duplicate.duplicate_of == original
    assert row.xpath(f".//a[@href='#file-{original}']/text()") == ["EMIGRANT_20260131_001.xml"]


def test_arrival_and_loading_times_and_an_empty_due_date(
    report: Path, delivered: Delivered
) -> None:
    ledger = delivered.ledger()
    pages = [page(report, f"period-{d}.html") for d in (JANUARY, FEBRUARY)]

    for file_name, (_, status, _, _, received_at, finished_at, _) in ledger.items():
        (row,) = [r for p in pages for r in p.xpath(f"//tr[@data-file='{file_name}']")]
        received, loaded, due = (text(row.findall("td")[n]) for n in (4, 5, 6))
        assert received == f"{received_at.astimezone(ASTANA):%d.%m.%Y %H:%M:%S}"
        if status == "loaded":
            assert loaded == f"{finished_at.astimezone(ASTANA):%d.%m.%Y %H:%M:%S}"
        else:
            assert loaded == "—"
        assert due == "—"
    headers = [text(th) for th in pages[0].xpath("//table[contains(@class, 'files')]//th")]
    assert "Срок представления / Ұсыну мерзімі / Due date" in headers


def test_headline_figures_per_period_and_kind(report: Path, delivered: Delivered) -> None:
    clean, faulty, immigrant = (delivered.exports[n] for n in ("clean", "faulty", "immigrant"))
    index = page(report, "index.html")

    def figures(period_end: date, kind: str) -> list[int]:
        (row,) = index.xpath(f"//tr[@data-period='{period_end}'][@data-kind='{kind}']")
        return [as_int(c) for c in cells(row) if c.replace(NBSP, "").isdigit()]

    # files, loaded, refused, duplicates, rows received, loaded, quarantined, persons, warnings
    assert figures(JANUARY, "EMIGRANT") == [
        3,
        2,
        0,
        1,
        clean.total_rows + faulty.total_rows,
        clean.total_rows + sum(faulty.loaded.values()),
        sum(faulty.rejected.values()),
        faulty.rejected_persons,
        faulty.warnings,
    ]
    rows = immigrant.total_rows
    assert figures(FEBRUARY, "IMMIGRANT") == [1, 1, 0, 0, rows, rows, 0, 0, 0]
    assert figures(FEBRUARY, "EMIGRANT") == [1, 0, 1, 0, 0, 0, 0, 0, 0]
    assert index.xpath(f"//tr[@data-period='{JANUARY}'][@data-kind='IMMIGRANT']") == []


def test_the_index_charts_rejected_records_by_rule_over_the_periods(
    report: Path, delivered: Delivered
) -> None:
    faulty = delivered.exports["faulty"]
    index = page(report, "index.html")

    (chart,) = index.xpath("//svg[@class='chart']")
    segments = chart.xpath(".//rect[@class='segment']")
    figures = {
        row.get("data-rule"): [as_int(c) for c in cells(row)[1:]]
        for row in index.xpath("//table[contains(@class, 'rejections-over-periods')]/tbody/tr")
    }

    # Periods run left to right, oldest first: January, then February.
    assert figures == {
        "required": [1, 0],
        "iin": [1, 0],
        "person_in_file": [1, 0],
        "person_rejected": [sum(faulty.rejected[t] for t in CHILD_TABLES) - 1, 0],
    }
    assert [s.get("data-rule") for s in segments] == list(figures)
    assert [text(li).split(" ")[0] for li in index.xpath("//ul[@class='legend']/li")] == list(
        figures
    )


def test_a_due_date_shows_whether_each_file_came_on_time(
    delivered: Delivered, tmp_path: Path
) -> None:
    ledger = delivered.ledger()
    received = ledger["EMIGRANT_20260131_001.xml"][4].astimezone(ASTANA).date()
    immigrant = ledger["IMMIGRANT_20260228_001.xml"][4].astimezone(ASTANA).date()

    write_quality_report(
        delivered.conn,
        tmp_path,
        due_dates={
            ("EMIGRANT", JANUARY): received,
            ("IMMIGRANT", FEBRUARY): immigrant - timedelta(days=3),
        },
    )

    january = page(tmp_path, "period-2026-01-31.html")
    (row,) = january.xpath("//tr[@data-file='EMIGRANT_20260131_001.xml']")
    assert text(row.findall("td")[6]) == f"{received:%d.%m.%Y} в срок / мерзімінде / on time"
    february = page(tmp_path, "period-2026-02-28.html")
    (row,) = february.xpath("//tr[@data-file='IMMIGRANT_20260228_001.xml']")
    assert "3 days late" in text(row.findall("td")[6])
    (row,) = february.xpath("//tr[@data-file='EMIGRANT_20260228_001.xml']")
    assert text(row.findall("td")[6]) == "—"  # no due date known for that kind


# --- determinism, atomic writes, no personal data -----------------------------------------


def test_the_same_warehouse_gives_byte_identical_pages(
    report: Path, delivered: Delivered, tmp_path: Path
) -> None:
    stale = tmp_path / "period-2025-12-31.html"
    stale.write_text("a period the warehouse no longer holds")

    written = write_quality_report(delivered.conn, tmp_path)
    again = write_quality_report(delivered.conn, tmp_path)

    assert (
        [p.name for p in written]
        == [p.name for p in again]
        == [
            "index.html",
            "period-2026-02-28.html",
            "period-2026-01-31.html",
        ]
    )
    for path in written:
        assert path.read_bytes() == (report / path.name).read_bytes(), path.name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)


def _personal_values(path: Path) -> set[str]:
    """The IINs, names, birth dates, document numbers, CODEs and GSIDs an export file holds."""
    found: set[str] = set()
    for _, element in etree.iterparse(str(path), events=("end",)):
        value = (element.text or "").strip()
        if element.tag in ("IIN", "FIO", "PNUM", "CODE", "GSID", "EMCODE") and value:
            found.add(value)
        if element.tag == "BIRTHDAY" and value:
            compact = value.replace(".", "")
            found |= {value, compact, f"{compact[:2]}.{compact[2:4]}.{compact[4:]}"}
    return found


def test_no_personal_data_appears_in_any_report_file(report: Path, delivered: Delivered) -> None:
    personal = set().union(*(_personal_values(p) for p in delivered.sent.values()))
    assert len(personal) > 500
    assert any(len(v) == 12 and v.isdigit() for v in personal)  # IINs were read
    assert any(" " in v for v in personal)  # and names

    def shown(content: str) -> list[str]:
        return sorted(v for v in personal if v in content)

    # The search finds what is there: the originals are full of it.
    assert len(shown(delivered.sent["faulty"].read_text(encoding="utf-8"))) > 100
    written = [path for path in report.rglob("*") if path.is_file()]
    assert len(written) == 3
    for path in written:
        leaked = shown(path.read_text(encoding="utf-8"))
        assert leaked == [], f"{path.name} shows personal data ({len(leaked)} values)"


# --- a warehouse written by hand: escaping, files without a period ------------------------


def test_text_from_the_warehouse_is_escaped_and_undated_files_are_listed(conn, tmp_path) -> None:
    conn.execute(
        "INSERT INTO ops.export_file (file_name, sha256, size_bytes, provenance, status, "
        "refusal_rule, reason, received_at, finished_at) VALUES "
        "('export <b>.xml', repeat('a', 64), 10, 'electronic_media', 'refused', "
        "'not_well_formed', 'not well-formed XML: <script>alert(1)</script> & more', "
        "'2026-02-03 04:05:06+00', '2026-02-03 04:05:07+00')"
    )

    written = write_quality_report(conn, tmp_path)

    assert [p.name for p in written] == ["index.html"]  # no period known
    content = written[0].read_text(encoding="utf-8")
    assert "<script>" not in content
    assert "<b>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in content
    index = lxml.html.fromstring(content)
    (row,) = index.xpath("//table[contains(@class, 'files')]/tbody/tr")
    assert row.get("data-file") == "export <b>.xml"
    assert "Электронный носитель" in text(row)
    assert text(row.findall("td")[4]) == "03.02.2026 09:05:06"  # Astana time
    assert "Files without a reporting period" in text(index)


def test_an_empty_warehouse_gives_an_index_that_says_so(conn, tmp_path) -> None:
    written = write_quality_report(conn, tmp_path / "new" / "report")

    assert [p.name for p in written] == ["index.html"]
    assert "No export file has been processed yet" in written[0].read_text(encoding="utf-8")


def test_markup_escapes_text_and_attributes() -> None:
    cell = tag("td", '<a href="x">&', title='"quoted" <x>', data_key="k", hidden=True)

    assert cell == (
        '<td title="&quot;quoted&quot; &lt;x&gt;" data-key="k" hidden>'
        "&lt;a href=&quot;x&quot;&gt;&amp;</td>"
    )
    assert join([tag("b", "1"), "<2>", None]) == "<b>1</b>&lt;2&gt;"


def test_the_report_directory_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv("ESTAT_REPORT_DIR", raising=False)
    default = quality_report_dir()
    monkeypatch.setenv("ESTAT_REPORT_DIR", str(tmp_path / "elsewhere"))
    elsewhere = quality_report_dir()
    monkeypatch.setenv("ESTAT_REPORT_DIR", "relative/report")

    assert default == config.PROJECT_ROOT / "great_expectations/uncommitted/data_docs/quality"
    assert elsewhere == tmp_path / "elsewhere"
    assert quality_report_dir() == config.PROJECT_ROOT / "relative" / "report"


def test_the_gx_project_is_a_setting_and_its_docs_and_report_follow(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from estat.exports.suites import gx_project_dir

    for variable in ("ESTAT_GX_DIR", "ESTAT_REPORT_DIR", "ESTAT_DATA_DOCS_DIR"):
        monkeypatch.delenv(variable, raising=False)
    assert gx_project_dir() == config.PROJECT_ROOT / "great_expectations"
    monkeypatch.setenv("ESTAT_GX_DIR", str(tmp_path / "gx"))

    assert gx_project_dir() == tmp_path / "gx"
    assert config.data_docs_dir() == tmp_path / "gx/uncommitted/data_docs/local_site"
    assert quality_report_dir() == tmp_path / "gx/uncommitted/data_docs/quality"


def test_figures_read_as_russian_and_kazakh_write_them() -> None:
    assert labels.moment(datetime(2026, 1, 31, 20, 30, tzinfo=UTC)) == "01.02.2026 01:30:00"
    assert labels.percent(0.9999) == f"99,9{NBSP}%"  # never 100 % while one is missing
    assert labels.percent(1) == f"100,0{NBSP}%"
    assert labels.number(12345) == f"12{NBSP}345"
    assert labels.day(date(2026, 2, 28)) == "28.02.2026"
