"""Ingest the Burkit-MO export files that land in ``ESTAT_LANDING_DIR``, each exactly once.

**Sensing.** The DAG runs every 10 minutes; its sensor looks at the landing directory
every 30 seconds (in reschedule mode, so it holds no worker slot between looks) and
hands on the files that are complete: an ``*.xml`` whose root element is closed and whose
size and time have stayed the same for ``ESTAT_SETTLE_SECONDS``. A file whose writer died
(root never closed) is handed on after ``ESTAT_INCOMPLETE_AFTER_SECONDS`` unchanged, to be
refused as truncated. A run that finds nothing ends skipped. A polling sensor rather than
an asset watcher: Airflow's file triggers fire on deletion, not on a file becoming
complete, and a directory listing every 30 seconds costs nothing.

**Per file** (one mapped task instance per file, named after it, so one bad file never
holds back the others): claim it under an advisory lock on its SHA-256 and a ledger row
in ``ops.export_file``; parse it with the hardened streaming reader; check it with the GX
suites in ``great_expectations/``; quarantine the records that break a rule (a rejected
person takes their documents, jobs, children and education with them); load the rest in
one transaction, merged on kind and CODE; file the original bytes away to the archive or,
when refused, to the quarantine directory with a ``.report.json`` beside it.

A loaded file updates the asset ``estat_burkit_exports``. A refused file fails its task
instance with the reason (retrying cannot mend a file); a duplicate delivery, or a file
another run is already ingesting, is skipped. Task results hold counts only: no record's
values ever reach XCom or the log.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import PokeReturnValue, dag, get_current_context, task

from estat.assets import BURKIT_EXPORTS


@dag(
    dag_id="ingest_burkit_exports",
    schedule=timedelta(minutes=10),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["estat", "exports"],
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
)
def ingest_burkit_exports():
    @task.sensor(poke_interval=30, timeout=9 * 60, mode="reschedule", soft_fail=True)
    def sense_export_files() -> PokeReturnValue:
        """Wait for complete export files in the landing directory."""
        from estat import config
        from estat.exports.landing import ready_files

        files = ready_files(
            config.landing_dir(),
            settle_seconds=config.settle_seconds(),
            incomplete_after_seconds=config.incomplete_after_seconds(),
        )
        return PokeReturnValue(is_done=bool(files), xcom_value=[f.as_dict() for f in files])

    @task
    def migrate_warehouse() -> list[int]:
        """Bring the warehouse schema up to date (a no-op when it is)."""
        from estat.warehouse.connection import connect
        from estat.warehouse.migrations import migrate

        with connect() as conn:
            return migrate(conn)

    @task(outlets=[BURKIT_EXPORTS], map_index_template="{{ export_file }}")
    def ingest_export(landed: dict) -> dict:
        """Claim, parse, check, split, load and file away one export file."""
        from pathlib import Path

        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from estat.exports.ingest import ingest_export_file
        from estat.exports.landing import LandedFile
        from estat.warehouse.connection import connect

        landed_file = LandedFile(**landed)
        path = Path(landed_file.path)
        context = get_current_context()
        context["export_file"] = path.name  # names the mapped instance in the UI
        if not landed_file.unchanged():
            raise AirflowSkipException(f"{path.name} changed or left since it was sensed")

        with connect() as conn:
            ingestion = ingest_export_file(conn, path)

        if ingestion.status == "busy":
            raise AirflowSkipException(f"{path.name} is being ingested by another run")
        if ingestion.status == "duplicate":
            raise AirflowSkipException(
                f"{path.name} duplicates export file {ingestion.duplicate_of}: "
                f"recorded as {ingestion.file_id} and archived, nothing loaded"
            )
        if ingestion.status == "refused":
            raise AirflowFailException(
                f"refused export file {ingestion.file_id}, {ingestion.reason} "
                f"(rule {ingestion.refusal_rule}; report beside {ingestion.filed_as})"
            )
        context["outlet_events"][BURKIT_EXPORTS].extra = {
            "file_id": ingestion.file_id,
            "package": ingestion.package,
            "kind": ingestion.kind,
        }
        return ingestion.as_dict()

    files = sense_export_files()
    migrate_warehouse() >> files
    ingest_export.expand(landed=files)


ingest_burkit_exports()
