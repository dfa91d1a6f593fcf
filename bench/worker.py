"""One measured phase of the ingestion benchmark, in an interpreter of its own.

``python bench/worker.py <phase> '<json parameters>'`` runs one phase and writes one JSON
line to stdout: what it did, how long it took, and its peak resident memory (``VmHWM``
of this process, read from ``/proc/self/status``; for the pipeline, plus its parse
process's). Each phase runs in a fresh interpreter started by ``bench/run.py``, so a peak
is that phase's alone.

Phases:

``generate``
    write an export file with the project's generator.
``floor``
    the least any ingestion must do: a hardened lxml ``iterparse`` of the file into one
    tuple per row, then a psycopg COPY of those tuples into untyped text tables, one per
    contract table of the file's kind. No check, no typing, no merge.
``pipeline``
    ``estat.exports.ingest.ingest_export_file`` (what the ``ingest_export`` task runs) on
    a copy of the file, into a migrated warehouse database with the dictionaries loaded.
    The pipeline's own functions are wrapped (never edited) to time each step; the steps
    of its parse process are timed as a whole. The GX project (``ESTAT_GX_DIR``) is a
    scratch copy of ``great_expectations/`` without its stored results, so the run adds
    nothing to the project's validation store or Data Docs.
``peer``
    a tutorial ingestion: ``pandas.read_xml`` once per table, then ``DataFrame.to_sql``
    through SQLAlchemy.
``parse``
    one DAG file parsed by ``DagBag`` in this fresh interpreter.

Heavy libraries are imported inside the phases, so that each phase pays its own imports.
"""

from __future__ import annotations

import functools
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROW = "ROW"


def memory_status() -> dict[str, int]:
    """This process's current and peak resident memory, in bytes."""
    found = _status_bytes("self", ("VmRSS", "VmHWM"))
    return {"rss_bytes": found["VmRSS"], "peak_rss_bytes": found["VmHWM"]}


def _status_bytes(pid: str, keys: tuple[str, ...]) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in keys:
            found[key] = int(value.split()[0]) * 1024
    return found


class ParseProcessPeak(threading.Thread):
    """The peak resident memory of the parse processes this process starts.

    Read from the child's own ``VmHWM`` while it runs, every 20 ms: the peak in rusage of
    a child would also count the memory of this process, which the child shared between
    its fork and its exec.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_bytes = 0
        self._done = threading.Event()

    def run(self) -> None:
        import psutil

        from estat.exports import parse_process

        me = psutil.Process()
        while not self._done.wait(0.02):
            for child in me.children():
                try:
                    if parse_process.__name__ not in child.cmdline():
                        continue  # not yet exec'd, or another child
                    peak = _status_bytes(str(child.pid), ("VmHWM",))["VmHWM"]
                except (psutil.Error, OSError, KeyError):
                    continue  # it ended meanwhile
                self.peak_bytes = max(self.peak_bytes, peak)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak_bytes


# --- generate ----------------------------------------------------------------------------


def generate(path: str, kind: str, persons: int, seed: int = 0) -> dict[str, Any]:
    from estat.generator import write_export

    started = time.perf_counter()
    generated = write_export(Path(path), kind=kind, persons=persons, seed=seed)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "persons": persons,
        "size_bytes": Path(path).stat().st_size,
        "rows": generated.rows,
        "total_rows": generated.total_rows,
        "loaded": generated.loaded,
    }


# --- floor -------------------------------------------------------------------------------


def _parse_rows(path: Path, fields_of: dict[str, tuple[str, ...]]) -> dict[str, list[tuple]]:
    from lxml import etree

    rows: dict[str, list[tuple]] = {name: [] for name in fields_of}
    events = etree.iterparse(
        str(path),
        events=("end",),
        tag=ROW,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    for _, row in events:
        table = row.getparent()
        values = {}
        for element in row:
            text = element.text
            values[element.tag] = (text.strip() or None) if text is not None else None
        rows[table.tag].append(tuple(values.get(f) for f in fields_of[table.tag]))
        row.clear(keep_tail=False)
        while row.getprevious() is not None:
            del table[0]
    return rows


def floor(path: str, uri: str, kind: str) -> dict[str, Any]:
    import psycopg

    from estat.contract import Kind, tables_of_kind

    fields_of = {t.name: t.field_names for t in tables_of_kind(Kind(kind))}

    started = time.perf_counter()
    rows = _parse_rows(Path(path), fields_of)
    parsed = time.perf_counter()
    with psycopg.connect(uri) as conn:
        for name, fields in fields_of.items():
            table = f"floor_{name.lower()}"
            columns = ", ".join(f"{f.lower()} text" for f in fields)
            conn.execute(f"CREATE TABLE {table} ({columns})")
            with conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows[name]:
                    copy.write_row(row)
        conn.commit()
    copied = time.perf_counter()
    return {
        "seconds": copied - started,
        "parse_seconds": parsed - started,
        "copy_seconds": copied - parsed,
        "rows": {name: len(found) for name, found in rows.items()},
        "total_rows": sum(len(found) for found in rows.values()),
    }


# --- pipeline ----------------------------------------------------------------------------


class StepClock:
    """Time spent in wrapped functions, and the peak memory after each top-level step."""

    def __init__(self) -> None:
        self.steps: dict[str, dict[str, float]] = {}
        self.peak_after: dict[str, int] = {}

    def wrap(
        self,
        owner: Any,
        attribute: str,
        step: str,
        *,
        part_of: str | None = None,
        concurrent: bool = False,
    ) -> None:
        """Time ``owner.attribute`` as ``step`` (a part of the step ``part_of``, if given).

        A ``concurrent`` step runs in a thread of its own, alongside the others.
        """
        original: Callable = getattr(owner, attribute)
        self.steps[step] = {
            "calls": 0,
            "seconds": 0.0,
            "part_of": part_of,
            "concurrent": concurrent,
        }

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.steps[step]["calls"] += 1
                self.steps[step]["seconds"] += time.perf_counter() - started
                if part_of is None:
                    self.peak_after[step] = memory_status()["peak_rss_bytes"]

        setattr(owner, attribute, timed)


def _wrap_pipeline(clock: StepClock) -> None:
    """Wrap the steps of an ingestion where the pipeline looks them up.

    The parse, the checks and the merge run at once (``estat.exports.pipeline``), so the
    times of the steps in the check and merge threads overlap the parse's.
    """
    from estat.exports import docs, ingest, load, pipeline, staging

    parse = "parse and COPY (parse process)"
    wait = "after the parse: last checks and merge, decision"
    check, merge = "check each table (check thread)", "merge each table (merge thread)"
    decision = "decision and commit (merge thread)"
    documents = "Data Docs (check thread, once every table is checked)"
    clock.wrap(ingest, "sha256_of", "claim: sha256 of the file")
    clock.wrap(pipeline.ConcurrentIngestion, "stream", parse)
    clock.wrap(pipeline.ConcurrentIngestion, "finish", wait)
    clock.wrap(staging, "check_table", check, concurrent=True)
    clock.wrap(staging, "prepare_table", "child tables with their person's columns", part_of=check)
    clock.wrap(staging, "_validate", "GX suites", part_of=check)
    clock.wrap(staging, "cascade", "cascade rejections", part_of=check)
    clock.wrap(load, "merge_table", merge, concurrent=True)
    clock.wrap(staging, "add_rejections", "rejections into the warehouse", part_of=merge)
    clock.wrap(load, "_replace_children", "replace children", part_of=merge)
    clock.wrap(load, "_merge", "merge into burkit", part_of=merge)
    clock.wrap(ingest, "_decide", decision, concurrent=True)
    clock.wrap(ingest, "_document", documents, concurrent=True)
    clock.wrap(docs, "store_results", "store GX results", part_of=documents)
    clock.wrap(docs, "build_data_docs", "build Data Docs", part_of=documents)
    clock.wrap(staging, "quarantine_staged", "quarantine rows", part_of=decision)
    clock.wrap(load, "record_outcomes", "record outcomes", part_of=decision)
    clock.wrap(staging, "drop_staging", "drop staging tables")
    clock.wrap(ingest.landing, "file_away", "file away")


def pipeline(path: str, uri: str) -> dict[str, Any]:
    started = time.perf_counter()
    # GX, which the ingestion imports in its check thread, is imported here too, so that
    # the imports are timed apart from the ingestion, as the other phases' are.
    import estat.exports.suites  # noqa: F401
    from estat.exports import ingest
    from estat.warehouse.connection import connect

    imported = time.perf_counter()
    memory_after_imports = memory_status()

    clock = StepClock()
    _wrap_pipeline(clock)

    parse_peak = ParseProcessPeak()
    parse_peak.start()
    with connect(uri) as conn:
        began = time.perf_counter()
        ingestion = ingest.ingest_export_file(conn, Path(path))
        seconds = time.perf_counter() - began
    memory = memory_status()
    # At most what the two processes held at once.
    memory["own_peak_rss_bytes"] = memory["peak_rss_bytes"]
    memory["parse_process_peak_rss_bytes"] = parse_peak.stop()
    memory["peak_rss_bytes"] += memory["parse_process_peak_rss_bytes"]
    if ingestion.status != "loaded":
        raise RuntimeError(f"the export file was {ingestion.status}: {ingestion.reason}")
    return {
        "seconds": seconds,
        "memory": memory,
        "import_seconds": imported - started,
        "memory_after_imports": memory_after_imports,
        "status": ingestion.status,
        "total_rows": ingestion.rows_received,
        "rows_loaded": ingestion.rows_loaded,
        "rows_quarantined": ingestion.rows_quarantined,
        "steps": clock.steps,
        "peak_rss_after_step": clock.peak_after,
    }


# --- peer --------------------------------------------------------------------------------


def peer(path: str, sqlalchemy_url: str, kind: str) -> dict[str, Any]:
    import pandas as pd
    from sqlalchemy import create_engine

    from estat.contract import Kind, tables_of_kind

    try:
        import lxml  # noqa: F401

        parser = "lxml"
    except ImportError:
        parser = "etree"
    engine = create_engine(sqlalchemy_url)
    tables: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    for table in tables_of_kind(Kind(kind)):
        began = time.perf_counter()
        frame = pd.read_xml(path, xpath=f"/*/{table.name}/{ROW}", parser=parser, dtype=str)
        read = time.perf_counter()
        frame.to_sql(table.name.lower(), engine, if_exists="replace", index=False)
        written = time.perf_counter()
        tables[table.name] = {
            "rows": len(frame),
            "read_xml_seconds": read - began,
            "to_sql_seconds": written - read,
        }
    seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "seconds": seconds,
        "parser": parser,
        "read_xml_seconds": sum(t["read_xml_seconds"] for t in tables.values()),
        "to_sql_seconds": sum(t["to_sql_seconds"] for t in tables.values()),
        "tables": tables,
        "total_rows": sum(int(t["rows"]) for t in tables.values()),
    }


# --- parse -------------------------------------------------------------------------------


def parse(dag_file: str) -> dict[str, Any]:
    started = time.perf_counter()
    from airflow.dag_processing.dagbag import DagBag

    imported = time.perf_counter()
    bag = DagBag(dag_folder=dag_file)
    parsed = time.perf_counter()
    return {
        "seconds": parsed - imported,
        "airflow_import_seconds": imported - started,
        "dags": sorted(bag.dag_ids),
        "errors": {str(k): str(v)[-500:] for k, v in bag.import_errors.items()},
    }


PHASES: dict[str, Callable[..., dict[str, Any]]] = {
    "generate": generate,
    "floor": floor,
    "pipeline": pipeline,
    "peer": peer,
    "parse": parse,
}


def main(argv: list[str]) -> int:
    phase, parameters = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    result = PHASES[phase](**parameters)
    result.setdefault("memory", memory_status())
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
