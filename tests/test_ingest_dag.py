"""End to end: ingest_burkit_exports and import_electronic_media run with dag.test()."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import DICTIONARY_DIR, ROOT, load_dag

from estat.contract import CHILD_TABLES, Kind
from estat.dictionaries import load_dictionary_dir
from estat.generator import Fault, GeneratedExport, export_file_name, write_export
from estat.warehouse.connection import connect


@pytest.fixture
def landing(airflow_db, conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    load_dictionary_dir(conn, DICTIONARY_DIR)
    for name in ("landing", "archive", "quarantine", "media"):
        (tmp_path / name).mkdir()
        monkeypatch.setenv(f"ESTAT_{name.upper()}_DIR", str(tmp_path / name))
    # Files written by the test are complete at once; a truncated one must not wait an hour.
    monkeypatch.setenv("ESTAT_SETTLE_SECONDS", "0")
    monkeypatch.setenv("ESTAT_INCOMPLETE_AFTER_SECONDS", "0")
    return tmp_path / "landing"


def ingest_states(run) -> list[str]:
    return sorted(ti.state for ti in run.get_task_instances() if ti.task_id == "ingest_export")


def counts(warehouse: str, sql: str) -> dict:
    with connect(warehouse) as conn:
        return dict(conn.execute(sql).fetchall())


def table_counts(warehouse: str) -> dict[str, int]:
    found = {}
    with connect(warehouse) as conn:
        for kind in Kind:
            (found[f"M_{kind.value}"],) = conn.execute(
                f"SELECT count(*) FROM burkit.m_{kind.value.lower()}"
            ).fetchone()
            for table in CHILD_TABLES:
                (found[f"{table}/{kind.value}"],) = conn.execute(
                    f"SELECT count(*) FROM burkit.{table.lower()} WHERE kind = %s", (kind.value,)
                ).fetchone()
    return found


def expected_counts(*loaded: GeneratedExport) -> dict[str, int]:
    expected = {f"M_{k.value}": 0 for k in Kind}
    expected.update({f"{t}/{k.value}": 0 for t in CHILD_TABLES for k in Kind})
    for generated in loaded:
        for table, count in generated.loaded.items():
            key = table if table.startswith("M_") else f"{table}/{generated.kind.value}"
            expected[key] += count
    return expected


def test_a_landing_directory_of_mixed_deliveries(
    landing: Path, warehouse: str, capfd: pytest.CaptureFixture
) -> None:
    clean = write_export(
        landing / export_file_name(Kind.EMIGRANT, date(2026, 1, 31), 1),
        kind=Kind.EMIGRANT,
        persons=120,
        seed=11,
    )
    faulty = write_export(
        landing / export_file_name(Kind.EMIGRANT, date(2026, 2, 28), 1),
        kind=Kind.EMIGRANT,
        persons=100,
        seed=12,
        period_end=date(2026, 2, 28),
        faults=[Fault.BAD_IIN_CHECK_DIGIT, Fault.DUPLICATE_CODE, Fault.ORPHAN_PASSPORT],
    )
    cp1251 = write_export(
        landing / export_file_name(Kind.IMMIGRANT, date(2026, 1, 31), 1),
        kind=Kind.IMMIGRANT,
        persons=80,
        seed=13,
        encoding="windows-1251",
    )
    duplicate = landing / export_file_name(Kind.EMIGRANT, date(2026, 1, 31), 2)
    shutil.copy(clean.path, duplicate)
    truncated_source = write_export(
        landing.parent / "media" / export_file_name(Kind.IMMIGRANT, date(2026, 2, 28), 1),
        kind=Kind.IMMIGRANT,
        persons=30,
        seed=14,
        period_end=date(2026, 2, 28),
    )
    truncated = landing / truncated_source.path.name
    truncated.write_bytes(truncated_source.path.read_bytes()[:5000])
    originals = {p.name: p.read_bytes() for p in landing.iterdir()}

    run = load_dag("ingest_burkit_exports").test()

    assert run.state == "failed"  # the truncated file fails its own instance only
    assert ingest_states(run) == ["failed", "skipped", "success", "success", "success"]
    assert list(landing.iterdir()) == []
    assert table_counts(warehouse) == expected_counts(clean, faulty, cp1251)
    statuses = counts(warehouse, "SELECT file_name, status FROM ops.export_file")
    assert statuses == {
        clean.path.name: "loaded",
        duplicate.name: "duplicate",
        faulty.path.name: "loaded",
        cp1251.path.name: "loaded",
        truncated.name: "refused",
    } or statuses == {**statuses, clean.path.name: "duplicate", duplicate.name: "loaded"}
    quarantined = counts(
        warehouse, "SELECT table_name, count(*) FROM quarantine.rejected_record GROUP BY 1"
    )
    assert quarantined == {t: n for t, n in faulty.rejected.items() if n}
    archive = {p.name for p in (landing.parent / "archive").iterdir()}
    assert archive == {clean.path.name, duplicate.name, faulty.path.name, cp1251.path.name}
    quarantine = {p.name for p in (landing.parent / "quarantine").iterdir()}
    assert quarantine == {truncated.name, truncated.name + ".report.json"}
    # The files are filed away byte for byte.
    for name in archive:
        assert (landing.parent / "archive" / name).read_bytes() == originals[name]

    output = capfd.readouterr()
    assert_no_personal_data_left(warehouse, landing.parent, output.out + output.err)

    # Running again over the same deliveries changes nothing: all duplicates, one refusal.
    for name, data in originals.items():
        (landing / name).write_bytes(data)
    again = load_dag("ingest_burkit_exports").test()

    assert ingest_states(again) == ["failed", "skipped", "skipped", "skipped", "skipped"]
    assert table_counts(warehouse) == expected_counts(clean, faulty, cp1251)
    assert counts(warehouse, "SELECT status, count(*) FROM ops.export_file GROUP BY 1") == {
        "loaded": 3,
        "duplicate": 5,
        "refused": 2,
    }


def assert_no_personal_data_left(warehouse: str, data_dir: Path, log_text: str) -> None:
    """No IIN, name, birth date or document number of a rejected record outside the warehouse."""
    with connect(warehouse) as conn:
        records = [raw for (raw,) in conn.execute("SELECT raw FROM quarantine.rejected_record")]
        (loaded_iin, loaded_fio) = conn.execute(
            "SELECT iin, fio FROM burkit.m_emigrant ORDER BY code LIMIT 1"
        ).fetchone()
    secrets = {loaded_iin, loaded_fio}
    for raw in records:
        secrets.update(raw[f] for f in ("IIN", "FIO", "PNUM", "BIRTHDAY") if raw.get(f))
    assert any(len(s) == 12 and s.isdigit() for s in secrets)  # the planted bad IIN is there

    written = [
        *ROOT.joinpath("great_expectations", "uncommitted").rglob("*"),
        *Path(os.environ["AIRFLOW_HOME"]).rglob("*"),
        *data_dir.rglob("*.json"),
    ]
    searched = b""
    for path in written:
        if not path.is_file():
            continue
        content = path.read_bytes()
        searched += content[:0] if b"rows_loaded" not in content else b"rows_loaded"
        for secret in secrets:
            assert secret.encode("utf-8") not in content, f"personal data in {path}"
    for secret in secrets:
        assert secret not in log_text
    # The search saw the task results (XCom in the metadata database) and the task logs.
    assert b"rows_loaded" in searched
    assert "quarantined" in log_text


def test_media_import_lands_files_that_ingestion_loads_with_their_provenance(
    landing: Path, warehouse: str
) -> None:
    media = landing.parent / "media"
    (media / "disk1").mkdir()
    generated = write_export(
        media / "disk1" / export_file_name(Kind.EMIGRANT, date(2026, 3, 31), 1),
        kind=Kind.EMIGRANT,
        persons=25,
        period_end=date(2026, 3, 31),
    )
    (media / "disk1" / "notes.txt").write_text("not an export")

    imported = load_dag("import_electronic_media").test(run_conf={"path": str(media)})

    assert imported.state == "success"
    assert [p.name for p in landing.iterdir()] == [generated.path.name]
    assert generated.path.exists()

    ingested = load_dag("ingest_burkit_exports").test()

    assert ingested.state == "success"
    assert counts(
        warehouse, "SELECT file_name, provenance || '/' || status FROM ops.export_file"
    ) == {generated.path.name: "electronic_media/loaded"}
    assert table_counts(warehouse)["M_EMIGRANT"] == generated.rows["M_EMIGRANT"]


def test_media_import_of_a_path_that_is_not_mounted_fails(landing: Path, warehouse: str) -> None:
    run = load_dag("import_electronic_media").test(run_conf={"path": str(landing / "nowhere")})

    assert run.state == "failed"
    assert list(landing.iterdir()) == []
