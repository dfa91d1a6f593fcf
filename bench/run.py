"""How fast the export file ingestion is, and how much memory it takes, against baselines.

One run on one machine, with everything it compares measured in that run:

1. an EMIGRANT export file of ``--persons`` persons is written with the project's
   generator;
2. the floor: a hardened lxml ``iterparse`` of it into tuples and a psycopg COPY of them
   into untyped text tables (nothing checked);
3. the pipeline: ``ingest_export_file``, what the ``ingest_export`` task runs, on a copy of
   the file, into a migrated warehouse database with the dictionaries loaded, with its
   steps timed; with ``--memory-series`` also at half and twice the persons;
4. the peer: ``pandas.read_xml`` per table and ``DataFrame.to_sql``, on ``--peer-persons``
   persons, its time scaled linearly to ``--persons``;
5. the parse time of every DAG file, each in a fresh interpreter;
6. ``airflow dags test ingest_burkit_exports`` on the file, end to end.

Each measured phase runs in its own interpreter (``bench/worker.py``), so its peak
resident memory is its own. Everything runs against an embedded PostgreSQL started in a
scratch directory, which is removed, with its server stopped, at the end. The report is
printed and written as JSON. Targets: pipeline/floor <= 2.0, pipeline peak RSS <= 1.5 GB
at 200,000 persons and growing clearly less than linearly with the persons, every DAG
file parsed in under 0.3 s, the DAG test within 2.5 x the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import report

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PLUGINS_DIR = ROOT / "plugins"
DAGS_DIR = ROOT / "dags"
GX_DIR = ROOT / "great_expectations"
DICTIONARY_DIR = ROOT / "include" / "dictionaries"
WORKER = BENCH_DIR / "worker.py"

KIND = "EMIGRANT"
FILE_NAME = "EMIGRANT_20260131_001.xml"
DAG_ID = "ingest_burkit_exports"
IMPORT_MARK = "estat-bench: DagBag starts"

if str(PLUGINS_DIR) not in sys.path:
    sys.path.insert(0, str(PLUGINS_DIR))


class PhaseFailed(Exception):
    """A measured phase exited with an error."""


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Export file ingestion speed and memory against a floor and a peer.",
    )
    parser.add_argument("--persons", type=int, default=200_000, help="persons in the export file")
    parser.add_argument(
        "--peer-persons",
        type=int,
        default=20_000,
        help="persons for the pandas peer, whose time is scaled linearly to --persons",
    )
    parser.add_argument("--skip-peer", action="store_true", help="leave out the pandas peer")
    parser.add_argument("--skip-dag", action="store_true", help="leave out airflow dags test")
    parser.add_argument(
        "--memory-series",
        action="store_true",
        help="also run the pipeline at half and twice --persons, to show how memory grows",
    )
    parser.add_argument(
        "--out", type=Path, default=BENCH_DIR / "results" / "latest.json", help="JSON report"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()),
        help="where the run's scratch directory is made (and removed)",
    )
    return parser.parse_args(argv)


# --- processes ---------------------------------------------------------------------------


def base_env(work: Path) -> dict[str, str]:
    """The environment of every phase: the project's package, a throwaway Airflow home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "ESTAT_"))}
    env.update(
        {
            "PYTHONPATH": str(PLUGINS_DIR),
            "AIRFLOW_HOME": str(work / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "ESTAT_STATE_DIR": str(work / "state"),
        }
    )
    return env


def run_process(
    command: list[str], env: dict[str, str], log_dir: Path, name: str
) -> dict[str, Any]:
    """Run a command to its end; its wall time, exit code, output and peak RSS (wait4)."""
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    started = time.perf_counter()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_seconds": time.perf_counter() - started,
        "returncode": process.returncode,
        # ru_maxrss is the largest of the process and its waited-for descendants, in KiB.
        "max_rss_bytes": usage.ru_maxrss * 1024,
        "stdout": out_path.read_text(errors="replace"),
        "stderr": err_path.read_text(errors="replace"),
    }


def run_phase(phase: str, parameters: dict[str, Any], env: dict[str, str], log_dir: Path):
    """Run one phase of ``bench/worker.py`` in a fresh interpreter; return its report."""
    finished = run_process(
        [sys.executable, str(WORKER), phase, json.dumps(parameters)], env, log_dir, phase
    )
    if finished["returncode"] != 0:
        raise PhaseFailed(f"{phase} exited {finished['returncode']}:\n{finished['stderr'][-3000:]}")
    result = json.loads(finished["stdout"].strip().splitlines()[-1])
    result["peak_rss_bytes"] = result["memory"]["peak_rss_bytes"]
    result["process_seconds"] = finished["wall_seconds"]
    return result


# --- warehouse ---------------------------------------------------------------------------


class Warehouse:
    """An embedded PostgreSQL in the scratch directory, and the databases made on it."""

    def __init__(self, data_dir: Path) -> None:
        from estat.warehouse import embedded

        self.server = embedded.start(data_dir)
        self.databases: list[str] = []

    def uri(self, database: str) -> str:
        return self.server.get_uri(database=database)

    def create(self, database: str, *, migrated: bool) -> str:
        """A fresh database; migrated and with the dictionaries loaded when asked."""
        import psycopg

        with psycopg.connect(self.server.get_uri(), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {database}")
        self.databases.append(database)
        if migrated:
            from estat.dictionaries import load_dictionary_dir
            from estat.warehouse.connection import connect
            from estat.warehouse.migrations import migrate

            with connect(self.uri(database)) as conn:
                migrate(conn)
                _, refused = load_dictionary_dir(conn, DICTIONARY_DIR)
                if refused:
                    raise RuntimeError(f"dictionary files refused: {refused}")
        return self.uri(database)

    def drop(self, database: str) -> None:
        import psycopg

        with psycopg.connect(self.server.get_uri(), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        self.databases.remove(database)

    def stop(self) -> None:
        for database in list(self.databases):
            self.drop(database)
        self.server.cleanup()


def sqlalchemy_url(uri: str) -> str:
    return re.sub(r"^postgresql://", "postgresql+psycopg://", uri)


# --- phases ------------------------------------------------------------------------------


def generate(
    work: Path, persons: int, env: dict[str, str], logs: Path, *, use: str = "files"
) -> dict[str, Any]:
    folder = work / f"{use}-{persons}"
    folder.mkdir(exist_ok=True)
    path = folder / FILE_NAME
    result = run_phase("generate", {"path": str(path), "kind": KIND, "persons": persons}, env, logs)
    result["path"] = str(path)
    return result


def measure_floor(generated: dict, warehouse: Warehouse, env: dict, logs: Path) -> dict:
    uri = warehouse.create("bench_floor", migrated=False)
    try:
        return run_phase("floor", {"path": generated["path"], "uri": uri, "kind": KIND}, env, logs)
    finally:
        warehouse.drop("bench_floor")


def scratch_gx_project(work: Path, name: str = "gx") -> Path:
    """A copy of the GX project without its stored results and Data Docs.

    Each ingestion builds Data Docs over every result the project holds, so a measure on
    the project itself would depend on how many files it had already checked.
    """
    target = work / name
    if not target.exists():
        shutil.copytree(
            GX_DIR,
            target,
            ignore=shutil.ignore_patterns("validations", "data_docs", ".ge_store_backend_id"),
        )
    return target


def measure_pipeline(
    generated: dict, warehouse: Warehouse, work: Path, env: dict, logs: Path
) -> dict:
    run_dir = work / f"pipeline-{generated['persons']}"
    landing = run_dir / "landing"
    landing.mkdir(parents=True)
    (run_dir / "archive").mkdir()
    (run_dir / "quarantine").mkdir()
    copy = landing / FILE_NAME
    shutil.copyfile(generated["path"], copy)
    phase_env = env | {
        "ESTAT_ARCHIVE_DIR": str(run_dir / "archive"),
        "ESTAT_QUARANTINE_DIR": str(run_dir / "quarantine"),
        "ESTAT_GX_DIR": str(scratch_gx_project(work)),
    }
    uri = warehouse.create("bench_pipeline", migrated=True)
    try:
        parameters = {"path": str(copy), "uri": uri}
        result = run_phase("pipeline", parameters, phase_env, logs)
    finally:
        warehouse.drop("bench_pipeline")
        shutil.rmtree(run_dir)
    result["persons"] = generated["persons"]
    if result["total_rows"] != generated["total_rows"]:
        raise PhaseFailed(f"the pipeline read {result['total_rows']} rows, not all of them")
    return result


def measure_peer(persons: int, scale_to: int, warehouse: Warehouse, work: Path, env, logs) -> dict:
    generated = generate(work, persons, env, logs, use="peer")
    uri = warehouse.create("bench_peer", migrated=False)
    try:
        parameters = {
            "path": generated["path"],
            "sqlalchemy_url": sqlalchemy_url(uri),
            "kind": KIND,
        }
        result = run_phase("peer", parameters, env, logs)
    finally:
        warehouse.drop("bench_peer")
        shutil.rmtree(Path(generated["path"]).parent)
    result["persons"] = persons
    result["scaled_to"] = scale_to
    result["scaled_seconds"] = result["seconds"] * scale_to / persons
    return result


def import_seconds_in_parse(stderr: str) -> float:
    """The cumulative time of the top-level imports the DagBag call made (-X importtime)."""
    _, _, after = stderr.partition(IMPORT_MARK)
    total = 0
    for line in after.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2]
            if len(name) - len(name.lstrip()) == 1:
                total += int(parts[1])
    return total / 1e6


def measure_dag_parse(env: dict[str, str], logs: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(DAGS_DIR.glob("*.py")):
        result = run_phase("parse", {"dag_file": str(path)}, env, logs)
        if result["errors"]:
            raise PhaseFailed(f"{path.name} does not parse: {result['errors']}")
        script = (
            "import sys\n"
            "from airflow.dag_processing.dagbag import DagBag\n"
            f"sys.stderr.write({IMPORT_MARK!r} + '\\n')\n"
            "sys.stderr.flush()\n"
            f"DagBag(dag_folder={str(path)!r})\n"
        )
        traced = run_process(
            [sys.executable, "-X", "importtime", "-c", script], env, logs, f"importtime-{path.stem}"
        )
        if traced["returncode"] == 0:
            result["import_seconds"] = import_seconds_in_parse(traced["stderr"])
        found[path.stem] = result
    return found


def measure_dag_test(generated: dict, warehouse: Warehouse, work: Path, env, logs) -> dict:
    from estat.warehouse import embedded

    run_dir = work / "dag-test"
    for name in ("landing", "archive", "quarantine"):
        (run_dir / name).mkdir(parents=True)
    shutil.copyfile(generated["path"], run_dir / "landing" / FILE_NAME)
    airflow = str(Path(sys.executable).with_name("airflow"))

    migrated = run_process([airflow, "db", "migrate"], env, logs, "airflow-db-migrate")
    if migrated["returncode"] != 0:
        raise PhaseFailed(f"airflow db migrate failed:\n{migrated['stderr'][-3000:]}")
    uri = warehouse.create("bench_dag_test", migrated=True)
    dag_env = env | {
        "AIRFLOW_CONN_ESTAT_WAREHOUSE": embedded.connection_json(
            warehouse.server, database="bench_dag_test"
        ),
        "ESTAT_LANDING_DIR": str(run_dir / "landing"),
        "ESTAT_ARCHIVE_DIR": str(run_dir / "archive"),
        "ESTAT_QUARANTINE_DIR": str(run_dir / "quarantine"),
        "ESTAT_SETTLE_SECONDS": "0",
        "ESTAT_GX_DIR": str(scratch_gx_project(work, "gx-dag-test")),
    }
    try:
        finished = run_process([airflow, "dags", "test", DAG_ID], dag_env, logs, "dags-test")
        ledger = _ledger(uri)
        tasks = _task_durations(Path(env["AIRFLOW_HOME"]))
    finally:
        warehouse.drop("bench_dag_test")
        shutil.rmtree(run_dir)
    if finished["returncode"] != 0:
        raise PhaseFailed(
            f"airflow dags test exited {finished['returncode']}:\n{finished['stderr'][-3000:]}"
        )
    if ledger["status"] != "loaded" or ledger["rows_received"] != generated["total_rows"]:
        raise PhaseFailed(f"airflow dags test did not load the file: {ledger}")
    return {
        "seconds": finished["wall_seconds"],
        "returncode": finished["returncode"],
        "peak_rss_bytes": finished["max_rss_bytes"],
        "airflow_db_migrate_seconds": migrated["wall_seconds"],
        "ledger": ledger,
        "task_seconds": tasks,
    }


def _task_durations(airflow_home: Path) -> dict[str, float]:
    """Each task instance's duration, as Airflow recorded it in its metadata database."""
    import sqlite3

    with sqlite3.connect(airflow_home / "airflow.db") as db:
        rows = db.execute(
            "SELECT task_id, map_index, duration FROM task_instance WHERE dag_id = ?", (DAG_ID,)
        ).fetchall()
    return {
        task if index < 0 else f"{task}[{index}]": duration or 0.0 for task, index, duration in rows
    }


def _ledger(uri: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(uri) as conn:
        row = conn.execute(
            "SELECT status, rows_received, rows_loaded FROM ops.export_file"
        ).fetchone()
    keys = ("status", "rows_received", "rows_loaded")
    return dict(zip(keys, row, strict=True)) if row else {"status": None, "rows_received": 0}


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "memory_bytes": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": date.today().isoformat(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# --- the run -----------------------------------------------------------------------------


def benchmark(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    logs = work / "logs"
    logs.mkdir()
    env = base_env(work)
    results: dict[str, Any] = {"machine": machine(), "persons": args.persons, "kind": KIND}
    warehouse = Warehouse(work / "warehouse")
    try:
        generated = generate(work, args.persons, env, logs)
        results["generate"] = generated
        results["floor"] = measure_floor(generated, warehouse, env, logs)
        results["pipeline"] = measure_pipeline(generated, warehouse, work, env, logs)

        if args.memory_series:
            runs = [results["pipeline"]]
            for persons in (args.persons // 2, args.persons * 2):
                other = generate(work, persons, env, logs)
                try:
                    runs.append(measure_pipeline(other, warehouse, work, env, logs))
                finally:
                    shutil.rmtree(Path(other["path"]).parent)
            runs.sort(key=lambda r: r["persons"])
            results["memory_series"] = {
                "runs": [
                    {k: r[k] for k in ("persons", "total_rows", "seconds", "peak_rss_bytes")}
                    | {"after_imports_bytes": r["memory_after_imports"]["peak_rss_bytes"]}
                    for r in runs
                ],
                "growth_exponent": report.growth_exponent(runs),
                "growth_exponent_above_imports": report.growth_exponent(runs, above_imports=True),
                "bytes_per_person": report.bytes_per_person(runs),
            }

        if not args.skip_peer:
            results["peer"] = measure_peer(
                args.peer_persons, args.persons, warehouse, work, env, logs
            )
        results["dag_parse"] = measure_dag_parse(env, logs)
        if not args.skip_dag:
            results["dag_test"] = measure_dag_test(generated, warehouse, work, env, logs)
    finally:
        warehouse.stop()

    results["ratios"] = report.ratios(results)
    results["targets"] = report.targets(results)
    return results


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="estat-bench-", dir=args.work))
    # The embedded server runs as its own system user when started by root.
    work.chmod(0o755)
    try:
        results = benchmark(args, work)
    except PhaseFailed as failure:
        sys.stderr.write(f"benchmark failed: {failure}\n")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)

    sys.stdout.write(report.render(results) + "\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    sys.stdout.write(f"\nwritten to {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
