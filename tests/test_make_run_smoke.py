"""`make run` for real: Airflow comes up healthy with our DAGs and stops with everything."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from conftest import ROOT

from estat.standalone import admin_password, health, is_healthy

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_get(port: int, path: str, token: str) -> dict:
    request = urllib.request.Request(
        f"http://localhost:{port}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def api_token(port: int, password: str) -> str:
    request = urllib.request.Request(
        f"http://localhost:{port}/auth/token",
        data=json.dumps({"username": "admin", "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["access_token"]


def wait_for(condition, timeout: float, step: float = 2):
    """``condition()`` once it is true, polling until ``timeout``; its last value then.

    A poll the busy API server does not answer in time counts as not yet (as in
    ``estat.standalone.health``): on two cores, ingestions running beside the whole
    Airflow stack can hold a request for longer than its timeout. The last poll counts.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except (TimeoutError, urllib.error.URLError):
            value = None
        if value:
            return value
        time.sleep(step)
    return condition()


def test_make_run_comes_up_healthy_and_stops_everything(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "ESTAT_STATE_DIR": str(tmp_path / "state"),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "PYTHONPATH": str(ROOT / "plugins"),
        "ESTAT_QUIET": "1",
        "ESTAT_LANDING_DIR": str(tmp_path / "data" / "landing"),
        "ESTAT_ARCHIVE_DIR": str(tmp_path / "data" / "archive"),
        "ESTAT_QUARANTINE_DIR": str(tmp_path / "data" / "quarantine"),
        "ESTAT_SETTLE_SECONDS": "2",
    }
    env.pop("AIRFLOW_CONN_ESTAT_WAREHOUSE", None)
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "estat", "run", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        healthy = wait_for(lambda: process.poll() is None and is_healthy(health(port)), 300)
        assert healthy, (tmp_path / "run.log").read_text()[-4000:]

        token = api_token(port, admin_password(tmp_path / "airflow"))
        dags = wait_for(
            lambda: {d["dag_id"] for d in api_get(port, "/api/v2/dags", token)["dags"]}, 120
        )
        assert {"load_dictionaries", "ingest_burkit_exports", "import_electronic_media"} <= dags
        assert api_get(port, "/api/v2/importErrors", token)["total_entries"] == 0

        # The runner loaded the dictionaries into its embedded warehouse before Airflow.
        output = (tmp_path / "run.log").read_text()
        assert "dictionaries: 9 loaded, 0 refused" in output
        started = psutil.Process(process.pid).children(recursive=True)
        assert any("airflow" in " ".join(p.cmdline()) for p in started)

        # The sample exports it dropped are ingested by the scheduler, without a trigger.
        assert "sample exports: 3 files" in output
        runs_path = "/api/v2/dags/ingest_burkit_exports/dagRuns?state=success"
        succeeded = wait_for(lambda: api_get(port, runs_path, token)["total_entries"], 240, 5)
        assert succeeded, (tmp_path / "run.log").read_text()[-4000:]
        archive = tmp_path / "data" / "archive"
        assert sorted(p.name for p in archive.iterdir()) == sorted(
            line for line in (tmp_path / "state" / "samples-dropped").read_text().split()
        )
        assert list((tmp_path / "data" / "landing").iterdir()) == []
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(120)
        log.close()

    assert process.returncode == 0
    _, alive = psutil.wait_procs(started, timeout=10)
    assert alive == [], [p.cmdline() for p in alive]
    assert not (tmp_path / "state" / "warehouse" / "postmaster.pid").exists()
