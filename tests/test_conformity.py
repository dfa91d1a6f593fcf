"""Conformity with the contract's field list: a sample export checked, recorded, nothing loaded."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from conftest import DICTIONARY_DIR, load_dag

from estat.conformity import (
    FAIL,
    PASS,
    DictionariesNotLoaded,
    Finding,
    check_conformity,
    record_conformity,
)
from estat.contract import TABLES, Kind, tables_of_kind
from estat.dictionaries import load_dictionary_dir
from estat.exports.reader import ExportRefused, read_export
from estat.generator import Fault, GeneratedExport, write_export

PERSONAL_FIELDS = ("CODE", "GSID", "IIN", "FIO", "BIRTHDAY", "PNUM", "PSERIA", "EMCODE")
PLANTED_VALUE = "Шахтёр"
LONG_FIRMA = "Ә" * 101


@pytest.fixture
def dictionaries(conn):
    load_dictionary_dir(conn, DICTIONARY_DIR)
    return conn


@pytest.fixture
def pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "report"
    monkeypatch.setenv("ESTAT_REPORT_DIR", str(directory))
    return directory


def clean_sample(directory: Path, **options) -> GeneratedExport:
    directory.mkdir(parents=True, exist_ok=True)
    return write_export(
        directory / "EMIGRANT_20260131_001.xml", kind=Kind.EMIGRANT, persons=10, seed=3, **options
    )


def broken_sample(directory: Path) -> GeneratedExport:
    """A sample with an unknown field and table, a mandatory field left out, a value too long
    and a code not in its dictionary."""
    generated = clean_sample(directory, faults=[Fault.UNKNOWN_CITIZENSHIP_CODE])
    assert generated.rows["MC_EMLABOR"] > 0
    text = generated.path.read_text(encoding="utf-8")
    text = text.replace("<ROW>", f"<ROW><NICKNAME>{PLANTED_VALUE}</NICKNAME>", 1)
    text = re.sub(r"<FIO>.*?</FIO>", "", text, count=1, flags=re.DOTALL)
    jobs = text.index("<MC_EMLABOR")
    text = text[:jobs] + re.sub(
        r"<FIRMA>.*?</FIRMA>", f"<FIRMA>{LONG_FIRMA}</FIRMA>", text[jobs:], count=1, flags=re.S
    )
    text = text.replace(
        "</BURKIT_EXPORT>", '<M_VISA rows="2"><ROW><X>1</X></ROW><ROW/></M_VISA></BURKIT_EXPORT>'
    )
    generated.path.write_text(text, encoding="utf-8")
    return generated


def personal_values(path: Path) -> set[str]:
    """Every identifier, name, date and document number of the file's records."""
    export = read_export(path)
    found = {PLANTED_VALUE, LONG_FIRMA}
    for table in export.tables.values():
        for column in PERSONAL_FIELDS:
            if column in table.frame.columns:
                found.update(table.frame[column].dropna())
    assert any(len(v) == 12 and v.isdigit() for v in found)  # IINs are among them
    return found


def row_counts(conn) -> dict[str, int]:
    """Rows in every table of burkit and quarantine, and in the export ledger."""
    tables = conn.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
        "WHERE table_schema IN ('burkit', 'quarantine') AND table_type = 'BASE TABLE'"
    ).fetchall()
    names = [name for (name,) in tables]
    names += ["ops.export_file", "ops.export_file_table", "ops.validation_outcome"]
    assert "burkit.m_emigrant" in names
    assert "quarantine.rejected_record" in names
    return {n: conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}


def stored(conn) -> list[tuple]:
    return conn.execute(
        "SELECT report_id, file_name, sha256, verdict, findings, page, created_at "
        "FROM ops.conformity_report ORDER BY report_id"
    ).fetchall()


def test_a_clean_sample_passes_and_loads_nothing(dictionaries, pages: Path, tmp_path: Path):
    conn = dictionaries
    generated = clean_sample(tmp_path / "samples")
    before = row_counts(conn)

    report = check_conformity(conn, generated.path)
    report_id = record_conformity(conn, report)

    assert report.verdict == PASS
    assert report.findings == []
    assert report.kind == "EMIGRANT"
    assert report.package == generated.package
    assert {t.table: (t.rows_declared, t.rows_received) for t in report.tables} == {
        name: (n, n) for name, n in generated.rows.items()
    }
    persons = next(t for t in report.tables if t.table == "M_EMIGRANT")
    mandatory = [f.name for f in TABLES["M_EMIGRANT"].fields if f.required]
    assert all(persons.fields_present[f] == generated.persons for f in mandatory)
    assert set(persons.fields_present) | set(persons.fields_missing) == set(
        TABLES["M_EMIGRANT"].field_names
    )
    assert row_counts(conn) == before  # nothing loaded, nothing claimed
    assert generated.path.exists()
    ((stored_id, file_name, sha256, verdict, findings, page, created_at),) = stored(conn)
    assert (stored_id, file_name, verdict) == (report_id, generated.path.name, PASS)
    assert sha256 == read_export(generated.path).sha256
    assert created_at is not None
    assert findings["verdict"] == PASS
    assert findings["findings"] == []
    assert set(findings["tables"]) == {t.name for t in tables_of_kind(Kind.EMIGRANT)}
    assert Path(page) == pages / f"conformity-{report_id}.html"
    assert 'data-verdict="PASS"' in Path(page).read_text(encoding="utf-8")


def test_a_breach_of_the_field_list_fails_with_every_finding(
    dictionaries, pages: Path, tmp_path: Path
) -> None:
    conn = dictionaries
    generated = broken_sample(tmp_path / "samples")
    before = row_counts(conn)

    report = check_conformity(conn, generated.path)
    record_conformity(conn, report)

    assert report.verdict == FAIL
    assert report.findings == [
        Finding("unknown_table", "M_VISA", count=2),
        Finding("unknown_field", "M_EMIGRANT", "NICKNAME", 1),
        Finding("required", "M_EMIGRANT", "FIO", 1),
        Finding("code", "M_EMIGRANT", "CITIZ", 1),
        Finding("length", "MC_EMLABOR", "FIRMA", 1),
    ]
    persons = next(t for t in report.tables if t.table == "M_EMIGRANT")
    assert persons.fields_present["FIO"] == generated.persons - 1
    assert persons.unknown_fields == {"NICKNAME": 1}
    assert "NICKNAME" not in persons.fields_present
    assert row_counts(conn) == before
    ((_, _, _, verdict, findings, _, _),) = stored(conn)
    assert verdict == FAIL
    assert findings["unknown_tables"] == {"M_VISA": 2}
    assert findings["tables"]["M_EMIGRANT"]["mandatory_missing"] == {"FIO": 1}
    assert findings["tables"]["MC_EMLABOR"]["length_exceeded"] == {"FIRMA": 1}
    assert findings["tables"]["M_EMIGRANT"]["codes_invalid"] == {"CITIZ": 1}
    assert len(findings["findings"]) == 5


def test_the_page_names_the_findings_and_holds_no_personal_data(
    dictionaries, pages: Path, tmp_path: Path
) -> None:
    generated = broken_sample(tmp_path / "samples")
    secrets = personal_values(clean_sample(tmp_path / "clean").path) | {PLANTED_VALUE}

    report_id = record_conformity(dictionaries, check_conformity(dictionaries, generated.path))

    page = (pages / f"conformity-{report_id}.html").read_text(encoding="utf-8")
    assert 'data-verdict="FAIL"' in page
    for key in ("M_VISA", "M_EMIGRANT/NICKNAME", "M_EMIGRANT/FIO", "M_EMIGRANT/CITIZ"):
        assert f'data-key="{key}"' in page
    assert 'data-rule="length" data-key="MC_EMLABOR/FIRMA"' in page
    assert "поле вне договора" in page
    assert "келісімде жоқ өріс" in page
    ((_, _, _, _, findings, _, _),) = stored(dictionaries)
    stored_text = json.dumps(findings, ensure_ascii=False)
    for secret in secrets | {LONG_FIRMA}:
        assert secret not in page, "personal data on the conformity page"
        assert secret not in stored_text, "personal data in the stored findings"


@pytest.mark.parametrize(
    ("damage", "rule"),
    [
        (lambda text: text[: len(text) // 2], "not_well_formed"),
        (
            lambda text: text.replace(
                "?>\n", '?>\n<!DOCTYPE BURKIT_EXPORT [<!ENTITY x "y">]>\n', 1
            ),
            "doctype",
        ),
        (lambda text: text.replace('kind="EMIGRANT"', 'kind="TOURIST"', 1), "kind"),
        (lambda text: "", "not_well_formed"),
    ],
    ids=["truncated", "doctype", "kind", "empty"],
)
def test_a_file_that_cannot_be_read_fails_with_why(
    dictionaries, pages: Path, tmp_path: Path, damage, rule: str
) -> None:
    generated = clean_sample(tmp_path / "samples")
    generated.path.write_text(damage(generated.path.read_text(encoding="utf-8")), "utf-8")

    report = check_conformity(dictionaries, generated.path)
    report_id = record_conformity(dictionaries, report)

    assert report.verdict == FAIL
    (finding,) = report.findings
    assert finding.rule == rule
    assert finding.reason
    assert report.tables == []
    ((stored_id, _, sha256, verdict, findings, page, _),) = stored(dictionaries)
    assert (stored_id, verdict, findings["findings"][0]["rule"]) == (report_id, FAIL, rule)
    assert len(sha256) == 64
    assert f'data-rule="{rule}"' in Path(page).read_text(encoding="utf-8")


def test_codes_cannot_be_judged_before_the_dictionaries_are_loaded(conn, tmp_path: Path):
    generated = clean_sample(tmp_path / "samples")

    with pytest.raises(DictionariesNotLoaded, match="T_CITIZEN"):
        check_conformity(conn, generated.path)

    assert stored(conn) == []


def test_the_reader_collects_unknown_names_only_when_asked(tmp_path: Path) -> None:
    generated = broken_sample(tmp_path)

    with pytest.raises(ExportRefused) as refused:
        read_export(generated.path)
    collected = read_export(generated.path, unknown="collect")

    assert refused.value.rule == "unknown_field"
    assert collected.unknown_tables == {"M_VISA": 2}
    assert collected.unknown_fields == {"M_EMIGRANT": {"NICKNAME": 1}}
    assert "M_VISA" not in collected.tables
    assert "NICKNAME" not in collected.tables["M_EMIGRANT"].frame.columns
    assert collected.field_appearances["M_EMIGRANT"]["CODE"] == generated.persons
    assert collected.sha256 == hashlib.sha256(generated.path.read_bytes()).hexdigest()
    with pytest.raises(ValueError, match="unknown must be one of"):
        read_export(generated.path, unknown="ignore")


# --- the DAG ------------------------------------------------------------------------------


def states(run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_the_dag_passes_a_clean_sample(airflow_db, dictionaries, pages: Path, tmp_path: Path):
    generated = clean_sample(tmp_path / "samples")

    run = load_dag("check_contract_conformity").test(run_conf={"path": str(generated.path)})

    assert run.state == "success"
    assert states(run) == dict.fromkeys(
        ("migrate_warehouse", "check_conformity", "confirm_verdict"), "success"
    )
    ((report_id, _, _, verdict, _, page, _),) = stored(dictionaries)
    assert verdict == PASS
    assert Path(page) == pages / f"conformity-{report_id}.html"
    assert Path(page).exists()


def test_the_dag_records_a_fail_and_then_fails(
    airflow_db, dictionaries, pages: Path, tmp_path: Path
) -> None:
    generated = broken_sample(tmp_path / "samples")

    run = load_dag("check_contract_conformity").test(run_conf={"path": str(generated.path)})

    assert run.state == "failed"
    assert states(run) == {
        "migrate_warehouse": "success",
        "check_conformity": "success",
        "confirm_verdict": "failed",
    }
    ((_, file_name, _, verdict, findings, page, _),) = stored(dictionaries)
    assert (file_name, verdict, len(findings["findings"])) == (generated.path.name, FAIL, 5)
    assert Path(page).exists()


def test_the_dag_fails_on_a_missing_path_and_records_nothing(
    airflow_db, dictionaries, pages: Path, tmp_path: Path
) -> None:
    run = load_dag("check_contract_conformity").test(
        run_conf={"path": str(tmp_path / "nowhere.xml")}
    )

    assert run.state == "failed"
    assert states(run)["check_conformity"] == "failed"
    assert stored(dictionaries) == []
    assert not pages.exists() or list(pages.iterdir()) == []


def test_a_table_short_of_its_declared_rows_does_not_conform(conn, tmp_path: Path) -> None:
    load_dictionary_dir(conn, DICTIONARY_DIR)
    generated = write_export(tmp_path / "EMIGRANT_20260131_001.xml", kind=Kind.EMIGRANT, persons=6)
    text = generated.path.read_text(encoding="utf-8")
    generated.path.write_text(
        text.replace('<M_EMIGRANT rows="6">', '<M_EMIGRANT rows="7">'), encoding="utf-8"
    )

    report = check_conformity(conn, generated.path)

    assert report.verdict == "FAIL"
    (finding,) = report.findings
    assert (finding.rule, finding.table, finding.count) == ("declared_rows", "M_EMIGRANT", 6)
