"""The benchmark's targets, their verdicts and the table ``bench/run.py`` prints.

Every figure compared here was measured in the same run, on the same machine: the
pipeline against the floor (a bare parse and COPY of the same file), the tutorial peer
against the pipeline, the end-to-end ``airflow dags test`` against the floor.
"""

from __future__ import annotations

import math
from typing import Any

PIPELINE_OVER_FLOOR = 2.0
PEAK_RSS_BYTES = 1.5e9
PEAK_RSS_PERSONS = 200_000
# Quadrupling the persons may at most double the peak: log(peak ratio) / log(4) <= 0.5.
MEMORY_GROWTH_EXPONENT = 0.5
DAG_PARSE_SECONDS = 0.3
DAG_TEST_OVER_FLOOR = 2.5

MET, NOT_MET, NOT_MEASURED = "MET", "NOT MET", "not measured"


def _verdict(ok: bool | None) -> str:
    return NOT_MEASURED if ok is None else (MET if ok else NOT_MET)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def growth_exponent(runs: list[dict[str, Any]], *, above_imports: bool = False) -> float | None:
    """How peak memory grows with persons from the smallest to the largest run (1 = linear).

    ``above_imports`` leaves out what the process held before ingesting (its imports), so
    that only the memory the file's data takes is compared.
    """
    if len(runs) < 2:
        return None
    low, high = runs[0], runs[-1]
    if high["persons"] <= low["persons"]:
        return None

    def held(run: dict[str, Any]) -> float:
        base = run["memory_after_imports"]["peak_rss_bytes"] if above_imports else 0
        return run["peak_rss_bytes"] - base

    return math.log(held(high) / held(low)) / math.log(high["persons"] / low["persons"])


def bytes_per_person(runs: list[dict[str, Any]]) -> float | None:
    """The peak memory each further person adds, from the smallest to the largest run."""
    if len(runs) < 2 or runs[-1]["persons"] <= runs[0]["persons"]:
        return None
    grown = runs[-1]["peak_rss_bytes"] - runs[0]["peak_rss_bytes"]
    return grown / (runs[-1]["persons"] - runs[0]["persons"])


def ratios(results: dict[str, Any]) -> dict[str, float | None]:
    floor = results["floor"]["seconds"]
    pipeline = results["pipeline"]["seconds"]
    peer = results.get("peer", {}).get("scaled_seconds")
    dag_test = results.get("dag_test", {}).get("seconds")
    return {
        "pipeline_over_floor": _ratio(pipeline, floor),
        "peer_over_pipeline": _ratio(peer, pipeline),
        "dag_test_over_floor": _ratio(dag_test, floor),
    }


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target, what was measured for it and whether it is met."""
    found = results["ratios"]
    persons = results["persons"]
    peak = results["pipeline"]["peak_rss_bytes"]
    exponent = results.get("memory_series", {}).get("growth_exponent")
    parse = results.get("dag_parse", {})
    slowest = max((p["seconds"] for p in parse.values()), default=None)
    rss_ok = peak <= PEAK_RSS_BYTES if persons == PEAK_RSS_PERSONS else None
    return [
        {
            "target": f"pipeline / floor <= {PIPELINE_OVER_FLOOR}",
            "measured": found["pipeline_over_floor"],
            "verdict": _verdict(found["pipeline_over_floor"] <= PIPELINE_OVER_FLOOR),
        },
        {
            "target": f"pipeline peak RSS <= 1.5 GB at {PEAK_RSS_PERSONS:,} persons",
            "measured": peak,
            "verdict": _verdict(rss_ok)
            if rss_ok is not None
            else f"{NOT_MEASURED} (run at {persons:,} persons)",
        },
        {
            "target": "peak RSS grows clearly less than linearly "
            f"(exponent <= {MEMORY_GROWTH_EXPONENT}; 1 is linear)",
            "measured": exponent,
            "verdict": _verdict(None if exponent is None else exponent <= MEMORY_GROWTH_EXPONENT),
        },
        {
            "target": f"every DAG file parses in < {DAG_PARSE_SECONDS} s",
            "measured": slowest,
            "verdict": _verdict(None if slowest is None else slowest < DAG_PARSE_SECONDS),
        },
        {
            "target": f"dag test / floor <= {DAG_TEST_OVER_FLOOR}",
            "measured": found["dag_test_over_floor"],
            "verdict": _verdict(
                None
                if found["dag_test_over_floor"] is None
                else found["dag_test_over_floor"] <= DAG_TEST_OVER_FLOOR
            ),
        },
    ]


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value / 1e6:,.0f} MB"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f} s"


def _rate(rows: int | None, seconds: float | None) -> str:
    return "-" if not rows or not seconds else f"{rows / seconds:,.0f}"


def _number(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:,.2f}{unit}"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def render(results: dict[str, Any]) -> str:
    """The report as text: timings, steps, memory, ratios and targets."""
    generated = results["generate"]
    rows = generated["total_rows"]
    out = [
        f"Ingestion benchmark, {results['machine']['date']}: {results['persons']:,} persons, "
        f"{rows:,} rows, {generated['size_bytes'] / 1e6:,.0f} MB "
        f"({results['machine']['nproc']} cores, "
        f"{results['machine']['memory_bytes'] / 2**30:,.0f} GiB, "
        f"Python {results['machine']['python']})",
        "",
    ]
    phases: list[tuple[str, ...]] = [
        (
            "generate export file",
            _seconds(generated["seconds"]),
            _rate(rows, generated["seconds"]),
            _mb(generated["peak_rss_bytes"]),
        ),
        (
            "floor: iterparse + COPY text",
            _seconds(results["floor"]["seconds"]),
            _rate(rows, results["floor"]["seconds"]),
            _mb(results["floor"]["peak_rss_bytes"]),
        ),
        (
            "  parse into tuples",
            _seconds(results["floor"]["parse_seconds"]),
            _rate(rows, results["floor"]["parse_seconds"]),
            "",
        ),
        (
            "  COPY into text tables",
            _seconds(results["floor"]["copy_seconds"]),
            _rate(rows, results["floor"]["copy_seconds"]),
            "",
        ),
        (
            "pipeline: ingest_export_file",
            _seconds(results["pipeline"]["seconds"]),
            _rate(rows, results["pipeline"]["seconds"]),
            _mb(results["pipeline"]["peak_rss_bytes"]),
        ),
    ]
    peer = results.get("peer")
    if peer:
        phases.append(
            (
                f"peer: read_xml + to_sql (scaled from {peer['persons']:,})",
                _seconds(peer["scaled_seconds"]),
                _rate(rows, peer["scaled_seconds"]),
                _mb(peer["peak_rss_bytes"]) + f" at {peer['persons']:,}",
            )
        )
        phases.append(
            (
                f"  measured at {peer['persons']:,} persons",
                _seconds(peer["seconds"]),
                _rate(peer["total_rows"], peer["seconds"]),
                "",
            )
        )
    dag_test = results.get("dag_test")
    if dag_test:
        phases.append(
            (
                "airflow dags test ingest_burkit_exports",
                _seconds(dag_test["seconds"]),
                _rate(rows, dag_test["seconds"]),
                _mb(dag_test["peak_rss_bytes"]),
            )
        )
        for task, seconds in sorted(dag_test.get("task_seconds", {}).items()):
            phases.append((f"  task {task}", _seconds(seconds), "", ""))
    out += _table(("phase", "time", "rows/s", "peak RSS"), phases)

    pipeline = results["pipeline"]
    total = pipeline["seconds"]
    step_rows = [
        (
            "imports (pandas, GX, psycopg), before the call",
            _seconds(pipeline["import_seconds"]),
            "",
            _mb(pipeline["memory_after_imports"]["peak_rss_bytes"]),
        )
    ]
    for name, step in pipeline["steps"].items():
        if step["part_of"] is not None:
            continue
        label = f"{name} *" if step.get("concurrent") else name
        step_rows.append(_step_row(label, step, total, pipeline["peak_rss_after_step"].get(name)))
        for part, inner in pipeline["steps"].items():
            if inner["part_of"] == name:
                step_rows.append(_step_row(f"  {part}", inner, total, None))
    accounted = sum(
        s["seconds"]
        for s in pipeline["steps"].values()
        if s["part_of"] is None and not s.get("concurrent")
    )
    step_rows.append(("other (ledger, locks, summaries)", _seconds(total - accounted), "", ""))
    out += [
        "",
        "Pipeline steps (indented rows are part of the step above them; the steps marked "
        "* run in threads of their own, alongside the parse, and are not part of the "
        "other rows' sum):",
    ]
    out += _table(("step", "time", "share", "peak RSS after"), step_rows)

    memory = results.get("memory_series", {})
    series = memory.get("runs")
    if series:
        out += [
            "",
            "Pipeline peak memory by size (growth exponent "
            f"{_number(memory['growth_exponent'])} in all, "
            f"{_number(memory['growth_exponent_above_imports'])} above the imports; "
            f"{_number(memory['bytes_per_person'])} bytes per further person):",
        ]
        out += _table(
            ("persons", "rows", "time", "peak RSS"),
            [
                (
                    f"{r['persons']:,}",
                    f"{r['total_rows']:,}",
                    _seconds(r["seconds"]),
                    _mb(r["peak_rss_bytes"]),
                )
                for r in series
            ],
        )

    parse = results.get("dag_parse")
    if parse:
        out += [
            "",
            f"DAG parse, each file in a fresh interpreter (target < {DAG_PARSE_SECONDS} s):",
        ]
        out += _table(
            ("DAG file", "DagBag", "imports in parse", "verdict"),
            [
                (
                    f"{stem}.py",
                    _seconds(p["seconds"]),
                    _seconds(p.get("import_seconds")),
                    MET if p["seconds"] < DAG_PARSE_SECONDS else NOT_MET,
                )
                for stem, p in parse.items()
            ],
        )

    found = results["ratios"]
    out += [
        "",
        "Ratios: "
        f"pipeline/floor {_number(found['pipeline_over_floor'], 'x')}, "
        f"peer/pipeline {_number(found['peer_over_pipeline'], 'x')}, "
        f"dag-test/floor {_number(found['dag_test_over_floor'], 'x')}",
        "",
    ]
    out += _table(
        ("target", "measured", "verdict"),
        [(t["target"], _measured(t), t["verdict"]) for t in results["targets"]],
    )
    return "\n".join(out)


def _step_row(name: str, step: dict, total: float, peak: int | None) -> tuple[str, ...]:
    share = f"{100 * step['seconds'] / total:.0f} %" if total else "-"
    return (name, _seconds(step["seconds"]), share, "" if peak is None else _mb(peak))


def _measured(target: dict[str, Any]) -> str:
    value = target["measured"]
    if value is None:
        return "-"
    if "RSS <=" in target["target"]:
        return _mb(value)
    if "parses" in target["target"]:
        return f"slowest {value:.3f} s"
    return f"{value:.2f}"
