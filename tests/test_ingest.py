"""Ingesting generated export files into the real, embedded warehouse."""

from __future__ import annotations

import shutil
import threading
from datetime import date
from pathlib import Path

import pytest
from conftest import DICTIONARY_DIR

from estat.contract import CHILD_TABLES, TABLES, Kind
from estat.dictionaries import load_dictionary_dir
from estat.exports import load
from estat.exports.ingest import ingest_export_file
from estat.exports.media import MediaFileRefused, import_media_file
from estat.generator import Fault, GeneratedExport, export_file_name, write_export
from estat.warehouse.connection import connect


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    found = {name: tmp_path / name for name in ("landing", "archive", "quarantine", "media")}
    for name, path in found.items():
        path.mkdir()
        monkeypatch.setenv(f"ESTAT_{name.upper()}_DIR", str(path))
    return found


@pytest.fixture
def ready(conn, dirs):
    """A migrated warehouse with the shipped dictionaries loaded."""
    _, refusals = load_dictionary_dir(conn, DICTIONARY_DIR)
    assert refusals == []
    return conn


def generate(directory: Path, kind: Kind = Kind.EMIGRANT, **options) -> GeneratedExport:
    period_end = options.pop("period_end", date(2026, 1, 31))
    seq = options.pop("seq", 1)
    path = directory / export_file_name(kind, period_end, seq)
    options.setdefault("persons", 40)
    return write_export(path, kind=kind, period_end=period_end, seq=seq, **options)


def burkit_counts(conn, kind: Kind = Kind.EMIGRANT) -> dict[str, int]:
    counts = {}
    for table in TABLES.values():
        if table.main and table.name != f"M_{kind.value}":
            continue
        where = "" if table.main else f" WHERE kind = '{kind.value}'"
        (counts[table.name],) = conn.execute(
            f"SELECT count(*) FROM burkit.{table.name.lower()}{where}"
        ).fetchone()
    return counts


def quarantine_counts(conn, file_id: int) -> dict[str, int]:
    rows = conn.execute(
        "SELECT table_name, count(*) FROM quarantine.rejected_record WHERE file_id = %s GROUP BY 1",
        (file_id,),
    ).fetchall()
    return dict(rows)


def ledger(conn) -> list[tuple]:
    return conn.execute(
        "SELECT file_id, file_name, status, provenance, duplicate_of, refusal_rule "
        "FROM ops.export_file ORDER BY file_id"
    ).fetchall()


def test_a_clean_file_is_loaded_typed_and_archived(ready, dirs) -> None:
    generated = generate(dirs["landing"], persons=60)

    ingestion = ingest_export_file(ready, generated.path)

    assert ingestion.status == "loaded"
    assert burkit_counts(ready) == generated.rows
    assert ingestion.rows_loaded == generated.total_rows
    assert ingestion.rows_quarantined == 0
    assert ledger(ready) == [
        (ingestion.file_id, generated.path.name, "loaded", "burkit_mo", None, None)
    ]
    assert list(dirs["landing"].iterdir()) == []
    assert (dirs["archive"] / generated.path.name).read_bytes()  # the original bytes
    per_table = dict(
        ready.execute(
            "SELECT table_name, rows_loaded FROM ops.export_file_table WHERE file_id = %s",
            (ingestion.file_id,),
        ).fetchall()
    )
    assert per_table == generated.rows
    (package, kind, period_end) = ready.execute(
        "SELECT package, kind, period_end FROM ops.export_file WHERE file_id = %s",
        (ingestion.file_id,),
    ).fetchone()
    assert (package, kind, period_end) == (generated.package, "EMIGRANT", generated.period_end)
    # Typed on purpose: dates, integer codes, 12-character IINs, identifiers as text.
    types = dict(
        ready.execute(
            "SELECT pg_typeof(birthday)::text || ',' || pg_typeof(citiz)::text || ',' || "
            "pg_typeof(iin)::text || ',' || pg_typeof(code)::text, count(*) "
            "FROM burkit.m_emigrant GROUP BY 1"
        ).fetchall()
    )
    assert list(types) == ["date,integer,character,character varying"]
    (short_codes,) = ready.execute(
        "SELECT count(*) FROM burkit.m_emigrant WHERE length(code) <> 13 OR length(iin) <> 12"
    ).fetchone()
    assert short_codes == 0
    outcomes = ready.execute(
        "SELECT count(*), bool_and(success) FROM ops.validation_outcome WHERE file_id = %s "
        "AND severity = 'critical'",
        (ingestion.file_id,),
    ).fetchone()
    assert outcomes[0] > 50
    assert outcomes[1] is True


def test_leading_zeros_survive(ready, dirs) -> None:
    generated = generate(dirs["landing"], persons=200)

    ingest_export_file(ready, generated.path)

    (zeros,) = ready.execute(
        "SELECT count(*) FROM burkit.m_emigrant WHERE code LIKE '0%%'"
    ).fetchone()
    assert zeros > 0


FAULTS_AND_REASONS = {
    Fault.BAD_IIN_CHECK_DIGIT: "iin:IIN",
    Fault.IIN_DISAGREES_WITH_BIRTHDAY: "iin_agrees:IIN",
    Fault.IIN_DISAGREES_WITH_SEX: "iin_agrees:IIN",
    Fault.UNKNOWN_CITIZENSHIP_CODE: "code:CITIZ",
    Fault.MISSING_FIO: "required:FIO",
    Fault.IMPOSSIBLE_BIRTHDAY: "date:BIRTHDAY",
    Fault.MONTH_13: "date:BIRTHDAY",
    Fault.TOO_LONG_FIO: "length:FIO",
    Fault.WRONG_SEX: "sex:SEX",
    Fault.DUPLICATE_CODE: "unique:CODE",
    Fault.WRONG_TYPE: "type_of_kind:TYPE",
    Fault.ORPHAN_PASSPORT: "person_in_file:EMCODE",
    Fault.PASSPORT_GSID_MISMATCH: "gsid_matches:GSID",
    Fault.ENDDATE_BEFORE_GIVEDATE: "date_order:ENDDATE",
}


def test_bad_records_are_quarantined_with_their_reasons_and_cascade(ready, dirs) -> None:
    faults = [*FAULTS_AND_REASONS, Fault.LIQUIDATED_CITIZENSHIP]
    generated = generate(dirs["landing"], persons=400, faults=faults)

    ingestion = ingest_export_file(ready, generated.path)

    assert ingestion.status == "loaded"
    assert burkit_counts(ready) == generated.loaded
    assert quarantine_counts(ready, ingestion.file_id) == {
        t: n for t, n in generated.rejected.items() if n
    }
    assert ingestion.persons_rejected == generated.rejected_persons
    assert ingestion.warnings == generated.warnings == 1
    reasons = {
        (table, code): set(found)
        for table, code, found in ready.execute(
            "SELECT table_name, code, reasons FROM quarantine.rejected_record"
        ).fetchall()
    }
    for fault, reason in FAULTS_AND_REASONS.items():
        table = "MC_PASSPORT" if reason.split(":")[1] in ("EMCODE", "GSID", "ENDDATE") else None
        for code in generated.planted[fault.value]:
            key = (table or "M_EMIGRANT", code)
            assert reason in reasons[key], (fault, reasons.get(key))
    # A rejected person's child rows follow them, with the reason.
    cascaded = ready.execute(
        "SELECT count(*) FROM quarantine.rejected_record "
        "WHERE 'person_rejected:EMCODE' = ANY(reasons)"
    ).fetchone()[0]
    child_rejections = sum(generated.rejected[t] for t in CHILD_TABLES)
    assert 0 < cascaded <= child_rejections
    # Nothing of a rejected person is loaded.
    (leaked,) = ready.execute(
        "SELECT count(*) FROM burkit.mc_passport AS p JOIN quarantine.rejected_record AS q "
        "ON q.table_name = 'M_EMIGRANT' AND q.code = p.emcode"
    ).fetchone()
    assert leaked == 0
    # The liquidated code is a warning: that person is loaded.
    (liquidated,) = generated.planted[Fault.LIQUIDATED_CITIZENSHIP.value]
    assert ready.execute(
        "SELECT citiz FROM burkit.m_emigrant WHERE code = %s", (liquidated,)
    ).fetchone() == (810,)


def test_every_record_is_loaded_or_quarantined_never_both(ready, dirs) -> None:
    generated = generate(
        dirs["landing"], persons=300, faults=[Fault.DUPLICATE_CODE, Fault.ORPHAN_PASSPORT]
    )

    ingestion = ingest_export_file(ready, generated.path)

    for name, table in TABLES.items():
        if table.main and name != "M_EMIGRANT":
            continue
        (loaded,) = ready.execute(f"SELECT count(*) FROM burkit.{name.lower()}").fetchone()
        quarantined = quarantine_counts(ready, ingestion.file_id).get(name, 0)
        assert loaded + quarantined == generated.rows[name], name
        (both,) = ready.execute(
            f"SELECT count(*) FROM burkit.{name.lower()} AS b JOIN quarantine.rejected_record "
            "AS q ON q.file_id = b.file_id AND q.table_name = %s AND q.row_number = b.row_number",
            (name,),
        ).fetchone()
        assert both == 0, name


def test_a_windows_1251_immigrant_file_loads(ready, dirs) -> None:
    generated = generate(dirs["landing"], Kind.IMMIGRANT, persons=50, encoding="windows-1251")

    ingestion = ingest_export_file(ready, generated.path)

    assert ingestion.status == "loaded"
    assert burkit_counts(ready, Kind.IMMIGRANT) == generated.rows
    (cyrillic,) = ready.execute(
        "SELECT count(*) FROM burkit.m_immigrant WHERE fio ~ '^[А-ЯЁа-яёӘәҒғҚқҢңӨөҰұҮүҺһІі -]+$'"
    ).fetchone()
    # Kazakh letters, which windows-1251 lacks, arrive as character references.
    assert cyrillic == generated.rows["M_IMMIGRANT"]


def test_the_same_file_twice_loads_once(ready, dirs) -> None:
    generated = generate(dirs["landing"])
    copy = dirs["media"] / "copy"
    copy.mkdir()
    shutil.copy(generated.path, copy / generated.path.name)

    first = ingest_export_file(ready, generated.path)
    renamed = dirs["landing"] / "EMIGRANT_20260131_009.xml"
    shutil.copy(copy / generated.path.name, renamed)
    second = ingest_export_file(ready, renamed)

    assert (first.status, second.status) == ("loaded", "duplicate")
    assert second.duplicate_of == first.file_id
    assert burkit_counts(ready) == generated.rows
    assert [row[2] for row in ledger(ready)] == ["loaded", "duplicate"]
    assert sorted(p.name for p in dirs["archive"].iterdir()) == sorted(
        [generated.path.name, renamed.name]
    )
    assert list(dirs["landing"].iterdir()) == []


def test_a_conflicting_redelivery_of_a_package_is_refused(ready, dirs) -> None:
    first = generate(dirs["landing"], seed=1)
    ingest_export_file(ready, first.path)
    other = generate(dirs["landing"], seed=2)  # same name and package, other content

    ingestion = ingest_export_file(ready, other.path)

    assert ingestion.status == "refused"
    assert ingestion.refusal_rule == "conflicting_package"
    assert first.package in ingestion.reason
    assert burkit_counts(ready) == first.rows  # nothing of the second
    assert quarantine_counts(ready, ingestion.file_id) == {t: n for t, n in other.rows.items() if n}
    (filed,) = [p for p in dirs["quarantine"].iterdir() if p.suffix == ".xml"]
    report = filed.with_name(filed.name + ".report.json")
    assert '"conflicting_package"' in report.read_text()


def test_a_corrected_reexport_replaces_rows_instead_of_adding(ready, dirs) -> None:
    first = generate(dirs["landing"], persons=50, seed=3)
    ingest_export_file(ready, first.path)
    corrected = generate(
        dirs["landing"], persons=50, seed=3, seq=2, package="EM-2026-01-001-corrected"
    )

    ingestion = ingest_export_file(ready, corrected.path)

    assert ingestion.status == "loaded"
    assert burkit_counts(ready) == corrected.rows
    (files,) = ready.execute("SELECT count(DISTINCT file_id) FROM burkit.m_emigrant").fetchone()
    assert files == 1
    assert ready.execute("SELECT DISTINCT file_id FROM burkit.mc_passport").fetchall() == [
        (ingestion.file_id,)
    ]


def test_a_crash_between_copy_and_commit_leaves_nothing_and_a_retry_loads_once(
    ready, dirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = generate(dirs["landing"], persons=80, faults=[Fault.BAD_IIN_CHECK_DIGIT])
    real_merge = load._merge

    def merge_then_die(conn, table, stage):
        written = real_merge(conn, table, stage)
        if table.name == "MC_EMCHILDS":
            raise SystemExit("killed between COPY and commit")
        return written

    monkeypatch.setattr(load, "_merge", merge_then_die)
    with pytest.raises(SystemExit):
        ingest_export_file(ready, generated.path)

    assert set(burkit_counts(ready).values()) == {0}
    assert ready.execute("SELECT count(*) FROM quarantine.rejected_record").fetchone() == (0,)
    assert [row[2] for row in ledger(ready)] == ["processing"]
    assert generated.path.exists()

    monkeypatch.setattr(load, "_merge", real_merge)
    retried = ingest_export_file(ready, generated.path)

    assert retried.status == "loaded"
    assert burkit_counts(ready) == generated.loaded
    assert ready.execute(
        "SELECT status, attempts FROM ops.export_file WHERE file_id = %s", (retried.file_id,)
    ).fetchone() == ("loaded", 2)
    assert len(ledger(ready)) == 1


def test_two_runs_at_once_load_a_file_once(ready, dirs, warehouse: str) -> None:
    generated = generate(dirs["landing"], persons=300)
    twin = dirs["landing"] / "EMIGRANT_20260131_002.xml"
    shutil.copy(generated.path, twin)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def run(path: Path) -> None:
        with connect(warehouse) as conn:
            start.wait()
            outcomes.append(ingest_export_file(conn, path).status)

    threads = [threading.Thread(target=run, args=(p,)) for p in (generated.path, twin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(outcomes) in (["busy", "loaded"], ["duplicate", "loaded"])
    assert burkit_counts(ready) == generated.rows
    assert [row[2] for row in ledger(ready)].count("loaded") == 1


def test_too_many_rejected_persons_refuse_the_file(ready, dirs, monkeypatch) -> None:
    monkeypatch.setenv("ESTAT_MAX_REJECTED_SHARE", "0.05")
    generated = generate(dirs["landing"], persons=20, faults=[Fault.WRONG_SEX, Fault.MISSING_FIO])

    ingestion = ingest_export_file(ready, generated.path)

    assert ingestion.status == "refused"
    assert ingestion.refusal_rule == "rejected_share"
    assert "2 of 20 persons rejected (10.0%)" in ingestion.reason
    assert set(burkit_counts(ready).values()) == {0}
    # Nothing is lost: every record of the refused file is in quarantine, with the reason.
    assert quarantine_counts(ready, ingestion.file_id) == {
        t: n for t, n in generated.rows.items() if n
    }
    (refused_reason,) = ready.execute(
        "SELECT count(*) FROM quarantine.rejected_record "
        "WHERE NOT 'file_refused:rejected_share' = ANY(reasons)"
    ).fetchone()
    assert refused_reason == 0


def test_a_truncated_file_is_refused_and_quarantined_with_a_report(ready, dirs) -> None:
    generated = generate(dirs["landing"])
    data = generated.path.read_bytes()
    generated.path.write_bytes(data[: len(data) // 2])

    ingestion = ingest_export_file(ready, generated.path)

    assert ingestion.status == "refused"
    assert ingestion.refusal_rule == "not_well_formed"
    assert ingestion.reason.startswith(f"{generated.path.name}: not well-formed XML")
    assert set(burkit_counts(ready).values()) == {0}
    assert sorted(p.name for p in dirs["quarantine"].iterdir()) == [
        generated.path.name,
        generated.path.name + ".report.json",
    ]
    (status, reason) = ready.execute("SELECT status, reason FROM ops.export_file").fetchone()
    assert status == "refused"
    assert "not well-formed" in reason


def test_a_declared_row_count_that_differs_refuses_the_file(ready, dirs) -> None:
    generated = generate(dirs["landing"], persons=10)
    text = generated.path.read_text(encoding="utf-8")
    generated.path.write_text(
        text.replace('<M_EMIGRANT rows="10">', '<M_EMIGRANT rows="11">'), encoding="utf-8"
    )

    ingestion = ingest_export_file(ready, generated.path)

    assert ingestion.status == "refused"
    assert ingestion.refusal_rule == "declared_rows"
    assert "M_EMIGRANT holds 10 rows, not the declared number" in ingestion.reason


def test_a_name_that_disagrees_with_the_file_is_refused(ready, dirs) -> None:
    generated = generate(dirs["landing"], persons=5)
    misnamed = generated.path.rename(dirs["landing"] / "IMMIGRANT_20260131_001.xml")

    ingestion = ingest_export_file(ready, misnamed)

    assert ingestion.status == "refused"
    assert ingestion.refusal_rule == "file_name"


def test_media_files_keep_their_provenance(ready, dirs) -> None:
    generated = generate(dirs["media"], persons=10)

    imported = import_media_file(ready, generated.path, dirs["landing"])
    ingestion = ingest_export_file(ready, dirs["landing"] / generated.path.name)

    assert imported.status == "copied"
    assert generated.path.exists()  # the media is read, never changed
    assert ingestion.status == "loaded"
    assert ledger(ready) == [
        (ingestion.file_id, generated.path.name, "loaded", "electronic_media", None, None)
    ]


def test_media_files_that_fail_the_checks_are_not_copied(ready, dirs) -> None:
    generated = generate(dirs["media"], persons=10)
    truncated = dirs["media"] / "EMIGRANT_20260131_002.xml"
    truncated.write_bytes(generated.path.read_bytes()[:-40])
    misnamed = dirs["media"] / "export.xml"
    shutil.copy(generated.path, misnamed)

    for path, says in ((truncated, "not closed"), (misnamed, "does not follow")):
        with pytest.raises(MediaFileRefused, match=says):
            import_media_file(ready, path, dirs["landing"])

    assert list(dirs["landing"].iterdir()) == []
    assert ledger(ready) == []


def test_a_file_with_its_persons_last_loads_as_one_in_order(ready, dirs) -> None:
    from lxml import etree

    generated = generate(dirs["landing"], persons=400, faults=list(FAULTS_AND_REASONS))
    tree = etree.parse(str(generated.path))
    root = tree.getroot()
    root.append(root.find("M_EMIGRANT"))  # the child tables now come before their persons
    tree.write(str(generated.path), encoding="UTF-8", xml_declaration=True)

    ingestion = ingest_export_file(ready, generated.path)

    assert ingestion.status == "loaded"
    assert burkit_counts(ready) == generated.loaded
    assert quarantine_counts(ready, ingestion.file_id) == {
        t: n for t, n in generated.rejected.items() if n
    }
    assert ingestion.persons_rejected == generated.rejected_persons
