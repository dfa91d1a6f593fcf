"""Command line of the pipeline: ``python -m estat <command>`` (with ``plugins`` on the path).

Commands:
  migrate             bring the warehouse schema up to date
  load-dictionaries   load the changed dictionary files of ESTAT_DICTIONARY_DIR
  ddl                 print the ref and burkit tables the exchange contract implies
  suites              store the expectation suites the contract implies in great_expectations/
  generate            write a synthetic export file (the test data generator)
  samples             write the sample export files into a directory (default: landing)
  run                 the whole pipeline locally: warehouse, dictionaries, Airflow
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from estat import config


def _migrate(_: argparse.Namespace) -> int:
    from estat.warehouse.connection import connect
    from estat.warehouse.migrations import migrate

    with connect() as conn:
        applied = migrate(conn)
    print(f"applied migrations: {applied or 'none (schema current)'}")
    return 0


def _load_dictionaries(args: argparse.Namespace) -> int:
    from estat.dictionaries import load_dictionary_dir
    from estat.warehouse.connection import connect
    from estat.warehouse.migrations import migrate

    with connect() as conn:
        migrate(conn)
        loads, refusals = load_dictionary_dir(conn, config.dictionary_dir(), force=args.force)
    for load in loads:
        print(
            f"{load.file_name}: {load.rows_in_file} rows, {load.added} added, "
            f"{load.changed} changed, {load.unchanged} unchanged, {load.withdrawn} withdrawn"
        )
    for refusal in refusals:
        print(f"refused {refusal}", file=sys.stderr)
    if not loads and not refusals:
        print("every dictionary is current")
    return 1 if refusals else 0


def _ddl(_: argparse.Namespace) -> int:
    from estat.warehouse.ddl import burkit_ddl, contract_ddl

    print(contract_ddl(), end="\n")
    print(burkit_ddl(), end="")
    return 0


def _suites(_: argparse.Namespace) -> int:
    from estat.exports.suites import gx_project_dir, write_suites

    names = write_suites()
    print(f"stored {len(names)} suites in {gx_project_dir()}: {', '.join(names)}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    from datetime import date

    from estat.generator import export_file_name, write_export

    period_end = date.fromisoformat(args.period_end)
    path = Path(args.into) / export_file_name(args.kind, period_end, args.seq)
    path.parent.mkdir(parents=True, exist_ok=True)
    generated = write_export(
        path,
        kind=args.kind,
        persons=args.persons,
        seed=args.seed,
        period_end=period_end,
        seq=args.seq,
        encoding=args.encoding,
        faults=args.fault,
    )
    print(
        f"{generated.path}: {generated.persons} persons, {generated.total_rows} rows, "
        f"{sum(generated.rejected.values())} to be rejected"
    )
    return 0


def _samples(args: argparse.Namespace) -> int:
    from estat.generator import write_samples

    directory = Path(args.into) if args.into else config.landing_dir()
    for generated in write_samples(directory):
        print(f"{generated.path}: {generated.persons} persons, {generated.total_rows} rows")
    return 0


def _run(args: argparse.Namespace) -> int:
    from estat.standalone import run

    return run(port=args.port, samples=args.samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m estat",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate").set_defaults(handler=_migrate)
    load = commands.add_parser("load-dictionaries")
    load.add_argument("--force", action="store_true", help="reload files that did not change")
    load.set_defaults(handler=_load_dictionaries)
    commands.add_parser("ddl").set_defaults(handler=_ddl)
    commands.add_parser("suites").set_defaults(handler=_suites)
    generate = commands.add_parser("generate")
    generate.add_argument("--kind", choices=["EMIGRANT", "IMMIGRANT"], default="EMIGRANT")
    generate.add_argument("--persons", type=int, default=1000)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--period-end", default="2026-01-31", help="YYYY-MM-DD")
    generate.add_argument("--seq", type=int, default=1)
    generate.add_argument("--encoding", default="UTF-8", choices=["UTF-8", "windows-1251"])
    generate.add_argument("--fault", action="append", default=[], help="a Fault to plant")
    generate.add_argument("--into", default=".", help="the directory to write into")
    generate.set_defaults(handler=_generate)
    samples = commands.add_parser("samples")
    samples.add_argument("--into", help="the directory (default: ESTAT_LANDING_DIR)")
    samples.set_defaults(handler=_samples)
    run = commands.add_parser("run")
    run.add_argument("--port", type=int, default=8080)
    run.add_argument(
        "--no-samples",
        dest="samples",
        action="store_false",
        help="do not drop the sample export files into the landing directory",
    )
    run.set_defaults(handler=_run)

    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
