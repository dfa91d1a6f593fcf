"""End to end: the sample exports of `make run` ingested, then the registers refreshed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DICTIONARY_DIR, load_dag

from estat.dictionaries import load_dictionary_dir
from estat.generator import write_samples
from estat.warehouse.connection import connect


@pytest.fixture
def sample_run(airflow_db, conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    load_dictionary_dir(conn, DICTIONARY_DIR)
    for name in ("landing", "archive", "quarantine"):
        (tmp_path / name).mkdir()
        monkeypatch.setenv(f"ESTAT_{name.upper()}_DIR", str(tmp_path / name))
    monkeypatch.setenv("ESTAT_SETTLE_SECONDS", "0")
    monkeypatch.setenv("ESTAT_PSEUDONYM_KEY", "test pseudonym key")
    monkeypatch.setenv("ESTAT_REPORT_DIR", str(tmp_path / "report"))
    samples = write_samples(tmp_path / "landing")
    assert load_dag("ingest_burkit_exports").test().state == "success"
    return samples, tmp_path


def test_the_registers_hold_exactly_the_sample_persons_loaded(sample_run, warehouse) -> None:
    samples, tmp_path = sample_run

    run = load_dag("refresh_statistical_registers").test()

    assert run.state == "success"
    # Counted from the generator's own account of what it wrote, not from the warehouse.
    expected: dict[tuple[str, str], int] = {}
    for sample in samples:
        direction = "EMIGRATION" if sample.kind.value == "EMIGRANT" else "IMMIGRATION"
        key = (direction, sample.period_end.isoformat())
        persons = sample.rows[sample.main_table] - sample.rejected_persons
        expected[key] = expected.get(key, 0) + persons
    with connect(warehouse) as conn:
        found = {
            (direction, period.isoformat()): count
            for direction, period, count in conn.execute(
                "SELECT direction, period_end, count(*) FROM registers.migrant GROUP BY 1, 2"
            ).fetchall()
        }
        small = conn.execute(
            "SELECT count(*) FROM registers.migration_flow AS f "
            "JOIN registers.migration_flow_published AS p USING (flow_table, period_end, "
            "direction, total_over) WHERE f.persons < 3 AND p.persons IS NOT NULL "
            "AND f.country IS NOT DISTINCT FROM p.country AND f.sex IS NOT DISTINCT FROM p.sex "
            "AND f.age_group IS NOT DISTINCT FROM p.age_group "
            "AND f.nationality IS NOT DISTINCT FROM p.nationality "
            "AND f.education IS NOT DISTINCT FROM p.education "
            "AND f.region IS NOT DISTINCT FROM p.region"
        ).fetchone()[0]
        refreshes = conn.execute("SELECT migrants FROM ops.register_refresh").fetchall()
    assert found == expected
    assert small == 0
    assert refreshes == [(sum(expected.values()),)]
    pages = sorted(p.name for p in (tmp_path / "report").glob("*.html"))
    assert "index.html" in pages
    assert len(pages) == 1 + len({s.period_end for s in samples})
    # Timeliness: January's files were due on 5 February (monthly, 5 days of grace).
    january = (tmp_path / "report" / "period-2026-01-31.html").read_text(encoding="utf-8")
    assert "05.02.2026" in january
