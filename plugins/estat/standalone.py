"""``make run``: the whole pipeline on one machine.

Starts the embedded warehouse (unless the ``estat_warehouse`` connection is configured),
migrates it, loads the dictionaries, drops the generator's sample export files into the
landing directory (once per state directory), then runs ``airflow standalone`` on SQLite
with the project's DAGs and plugins, and says where the UI is and how to log in. Stopping it
(Ctrl-C or SIGTERM) stops Airflow and then the embedded warehouse.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from estat import config

log = logging.getLogger(__name__)

HEALTHY_COMPONENTS = ("metadatabase", "scheduler", "triggerer", "dag_processor")


def airflow_environment(port: int, warehouse_connection: str | None) -> dict[str, str]:
    """The environment ``airflow standalone`` runs with: our DAGs, plugins and warehouse."""
    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", str(config.state_dir() / "airflow"))
    env.update(
        {
            "AIRFLOW__CORE__DAGS_FOLDER": str(config.PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(config.PROJECT_ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__API__PORT": str(port),
            # A local run serves this machine only: the warehouse holds personal data.
            "AIRFLOW__API__HOST": "127.0.0.1",
            # Task processes report to the API server: it must be the one on our port.
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{port}/execution/",
            # standalone starts its components as `airflow ...` found on PATH.
            "PATH": os.pathsep.join((str(Path(sys.executable).parent), env.get("PATH", ""))),
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(config.PROJECT_ROOT / "plugins"), env.get("PYTHONPATH")) if p
            ),
        }
    )
    if warehouse_connection is not None:
        env["AIRFLOW_CONN_ESTAT_WAREHOUSE"] = warehouse_connection
    return env


def health(port: int) -> dict | None:
    """The API server's health report, or None while it does not answer."""
    url = f"http://localhost:{port}/api/v2/monitor/health"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
        return None


def is_healthy(report: dict | None) -> bool:
    return report is not None and all(
        report.get(name, {}).get("status") == "healthy" for name in HEALTHY_COMPONENTS
    )


def wait_until_healthy(port: int, process: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if is_healthy(health(port)):
            return True
        time.sleep(2)
    return False


def admin_password(airflow_home: Path) -> str | None:
    """The password the simple auth manager generated for ``admin``, once it has."""
    path = airflow_home / "simple_auth_manager_passwords.json.generated"
    try:
        return json.loads(path.read_text()).get("admin")
    except (OSError, json.JSONDecodeError):
        return None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(process: subprocess.Popen, grace: float = 30) -> None:
    """Stop ``airflow standalone`` and everything it started (its process group).

    standalone exits before all of its components have, so the whole group is waited
    for, and killed if it outlives the grace period.
    """
    pgid = process.pid  # started in a session of its own: its pid is the group's id
    if _group_alive(pgid):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _group_alive(pgid) and time.monotonic() < deadline:
        process.poll()
        time.sleep(0.5)
    if _group_alive(pgid):
        log.warning("Airflow did not stop within %d s: killing it", grace)
        os.killpg(pgid, signal.SIGKILL)
    process.wait()


def drop_samples() -> None:
    """Write the sample export files into the landing directory, once per state directory."""
    from estat.generator import write_samples

    marker = config.state_dir() / "samples-dropped"
    if marker.exists():
        return
    written = write_samples(config.landing_dir())
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("".join(f"{g.path.name}\n" for g in written))
    print(
        f"sample exports: {len(written)} files in {config.landing_dir()} for "
        "ingest_burkit_exports to pick up",
        flush=True,
    )


def run(port: int = 8080, startup_timeout: float = 300, samples: bool = True) -> int:
    """Run the pipeline locally until interrupted; return the exit code."""
    from estat.dictionaries import load_dictionary_dir
    from estat.warehouse import connection, embedded
    from estat.warehouse.migrations import migrate

    warehouse_connection = None
    if connection.configured_connection() is None:
        server = embedded.start()
        warehouse_connection = embedded.connection_json(server)
        os.environ["AIRFLOW_CONN_ESTAT_WAREHOUSE"] = warehouse_connection

    with connection.connect() as conn:
        migrate(conn)
        loads, refusals = load_dictionary_dir(conn, config.dictionary_dir())
    print(f"dictionaries: {len(loads)} loaded, {len(refusals)} refused", flush=True)
    for refusal in refusals:
        print(f"  refused: {refusal}", flush=True)
    if samples:
        drop_samples()

    env = airflow_environment(port, warehouse_connection)
    airflow = Path(sys.executable).with_name("airflow")
    process = subprocess.Popen(
        [str(airflow), "standalone"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL if os.environ.get("ESTAT_QUIET") else None,
    )

    def on_signal(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        if not wait_until_healthy(port, process, startup_timeout):
            print("Airflow did not become healthy; stopping", file=sys.stderr, flush=True)
            return 1
        airflow_home = Path(env["AIRFLOW_HOME"])
        print(
            f"\nAirflow is up: http://localhost:{port}\n"
            f"log in as admin, password: {admin_password(airflow_home)}\n"
            f"(kept in {airflow_home / 'simple_auth_manager_passwords.json.generated'})\n"
            "Ctrl-C stops Airflow and the embedded warehouse.",
            flush=True,
        )
        process.wait()
        return process.returncode or 0
    except KeyboardInterrupt:
        print("stopping Airflow...", flush=True)
        return 0
    finally:
        stop(process)
