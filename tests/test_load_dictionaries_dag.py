"""End to end: the load_dictionaries DAG run with dag.test() against the embedded warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DICTIONARY_DIR, ROOT

from estat.contract import DICTIONARIES
from estat.warehouse.connection import connect


@pytest.fixture
def dag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags" / "load_dictionaries.py"))
    assert bag.import_errors == {}
    return bag.get_dag("load_dictionaries")


def task_states(dag_run) -> dict[tuple[str, int], str]:
    return {(ti.task_id, ti.map_index): ti.state for ti in dag_run.get_task_instances()}


def ledger(warehouse: str) -> list[tuple]:
    with connect(warehouse) as conn:
        return conn.execute(
            "SELECT dictionary, status, rows_added, rows_changed, rows_unchanged "
            "FROM ops.dictionary_load ORDER BY load_id"
        ).fetchall()


def test_loads_every_dictionary_then_finds_nothing_to_do(
    dag, warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESTAT_DICTIONARY_DIR", str(DICTIONARY_DIR))

    first = dag.test()

    assert first.state == "success"
    states = task_states(first)
    loads = [state for (task, _), state in states.items() if task == "load_dictionary"]
    assert loads == ["success"] * len(DICTIONARIES)
    with connect(warehouse) as conn:
        for dictionary in DICTIONARIES.values():
            (count,) = conn.execute(f"SELECT count(*) FROM {dictionary.warehouse_table}").fetchone()
            assert count > 0, dictionary.name
    assert sorted(row[0] for row in ledger(warehouse)) == sorted(DICTIONARIES)

    second = dag.test()

    assert second.state == "success"
    # Nothing changed, so nothing is loaded: the mapped task has no instance to run.
    assert [s for (t, _), s in task_states(second).items() if t == "load_dictionary"] in (
        [],
        ["skipped"],
    )
    assert len(ledger(warehouse)) == len(DICTIONARIES)

    forced = dag.test(run_conf={"force": True})

    assert forced.state == "success"
    reloads = ledger(warehouse)[len(DICTIONARIES) :]
    assert len(reloads) == len(DICTIONARIES)
    assert all(added == changed == 0 for _, _, added, changed, _ in reloads)


def test_a_hostile_file_fails_its_task_and_changes_nothing(
    dag, warehouse: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shutil.copytree(DICTIONARY_DIR, tmp_path, dirs_exist_ok=True)
    hostile = tmp_path / "F_MARITAL.sql"
    hostile.write_text(
        hostile.read_text(encoding="utf-8") + "DELETE FROM F_MARITAL;\n", encoding="utf-8"
    )
    monkeypatch.setenv("ESTAT_DICTIONARY_DIR", str(tmp_path))

    run = dag.test()

    assert run.state == "failed"
    load_states = sorted(s for (t, _), s in task_states(run).items() if t == "load_dictionary")
    assert load_states == ["failed"] + ["success"] * (len(DICTIONARIES) - 1)
    refused = [row for row in ledger(warehouse) if row[1] == "refused"]
    assert refused == [("F_MARITAL", "refused", None, None, None)]
    with connect(warehouse) as conn:
        assert conn.execute("SELECT count(*) FROM ref.f_marital").fetchone() == (0,)
        (reason,) = conn.execute(
            "SELECT reason FROM ops.dictionary_load WHERE status = 'refused'"
        ).fetchone()
    assert reason.startswith("F_MARITAL.sql, line ")
    assert reason.endswith("only INSERT, SET and COMMIT statements may appear, found 'DELETE'")
