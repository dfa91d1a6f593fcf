"""Shared fixtures: a throwaway Airflow home and a real, embedded PostgreSQL.

Airflow reads its settings when it is first imported, so they are set here, before any
test module imports it. Every warehouse test gets a database of its own on one embedded
server, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DICTIONARY_DIR = ROOT / "include" / "dictionaries"

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="estat-test-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "ESTAT_STATE_DIR": str(ROOT / ".estat" / "test"),
    }
)
# A warehouse configured in the developer's shell must never receive test rows.
os.environ.pop("AIRFLOW_CONN_ESTAT_WAREHOUSE", None)


@pytest.fixture(scope="session")
def pg_server():
    """The embedded PostgreSQL the tests share (a real server, started once)."""
    from estat.warehouse import embedded

    return embedded.start(ROOT / ".estat" / "test" / "warehouse")


@pytest.fixture
def warehouse(pg_server, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty warehouse database; also configured as ``estat_warehouse``."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    from estat.warehouse import embedded

    monkeypatch.setenv(
        "AIRFLOW_CONN_ESTAT_WAREHOUSE", embedded.connection_json(pg_server, database=name)
    )
    yield pg_server.get_uri(database=name)
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def conn(warehouse: str):
    """A connection to a fresh warehouse whose schema is migrated."""
    from estat.warehouse.connection import connect
    from estat.warehouse.migrations import migrate

    with connect(warehouse) as connection:
        migrate(connection)
        yield connection


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """The throwaway Airflow home with its SQLite metadata database created."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
        timeout=600,
    )
    return _AIRFLOW_HOME


def load_dag(dag_id: str):
    """The DAG of ``dags/<dag_id>.py``, parsed from its own file, failing on import errors."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags" / f"{dag_id}.py"))
    assert bag.import_errors == {}
    return bag.get_dag(dag_id)
