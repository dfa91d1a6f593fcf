"""Load the reference dictionaries into the warehouse's ``ref`` schema.

Every sql-insert file in ``ESTAT_DICTIONARY_DIR`` whose content differs from the last load
of its dictionary is loaded, each by its own task instance and in its own transaction, so
one refused file never holds back the others. The DAG checks the folder by content hash
every 15 minutes (a schedule, rather than a file watcher, because a dictionary arrives a
few times a year and a hash comparison is cheap and survives restarts), and runs on
demand: trigger it with ``force`` to reload every file even if unchanged.

A refused file fails its task instance with the file, line and reason, is recorded in
``ops.dictionary_load``, and leaves its table as it was. A load that changes rows updates
the asset ``estat_ref_dictionaries``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task

from estat.assets import REF_DICTIONARIES


@dag(
    dag_id="load_dictionaries",
    schedule=timedelta(minutes=15),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["estat", "dictionaries"],
    params={
        "force": Param(
            False,
            type="boolean",
            title="Reload every file",
            description="Load every dictionary file, even those unchanged since their last load.",
        ),
    },
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
)
def load_dictionaries():
    @task
    def migrate_warehouse() -> list[int]:
        """Bring the warehouse schema up to date (a no-op when it is)."""
        from estat.warehouse.connection import connect
        from estat.warehouse.migrations import migrate

        with connect() as conn:
            return migrate(conn)

    @task
    def find_changed_dictionaries() -> list[str]:
        """List the dictionary files whose content is not yet loaded."""
        from estat import config
        from estat.dictionaries import pending_dictionary_files
        from estat.warehouse.connection import connect

        force = bool(get_current_context()["params"]["force"])
        with connect() as conn:
            return [
                str(p) for p in pending_dictionary_files(conn, config.dictionary_dir(), force=force)
            ]

    @task(outlets=[REF_DICTIONARIES], map_index_template="{{ dictionary_file }}")
    def load_dictionary(path: str) -> dict:
        """Load one dictionary file in one transaction, or refuse it whole."""
        from pathlib import Path

        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from estat.dictionaries import DictionaryRefused, load_dictionary_file
        from estat.warehouse.connection import connect

        context = get_current_context()
        context["dictionary_file"] = Path(path).name  # names the mapped instance in the UI
        with connect() as conn:
            try:
                result = load_dictionary_file(conn, Path(path))
            except DictionaryRefused as refusal:
                # Retrying cannot mend a file: fail at once, with where and why.
                raise AirflowFailException(f"refused dictionary file {refusal}") from None
        if not (result.added or result.changed or result.withdrawn):
            # Nothing changed in ref: a skipped task does not announce the asset.
            raise AirflowSkipException(
                f"{result.file_name} loaded with no change ({result.unchanged} rows unchanged)"
            )
        context["outlet_events"][REF_DICTIONARIES].extra = {
            "dictionary": result.dictionary,
            "load_id": result.load_id,
        }
        return result.as_dict()

    changed = find_changed_dictionaries()
    migrate_warehouse() >> changed
    load_dictionary.expand(path=changed)


load_dictionaries()
