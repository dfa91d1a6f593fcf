"""Import export files from removable media into the landing directory.

When Burkit-MO cannot deliver, its files come on removable media (the exchange contract,
flow step 3). Mount the media, then trigger this DAG with the mounted path. Every
``*.xml`` file on it is checked (a contract file name, a closed root element) and copied
into ``ESTAT_LANDING_DIR`` atomically, one mapped task instance per file; the ledger
records ``electronic_media`` as its provenance. ``ingest_burkit_exports`` then ingests the
copies like any other delivery, within a minute: duplicates of files already loaded are
recorded as such and loaded nothing.

A file that fails the checks fails its own task instance, with the reason, and is not
copied; the others are.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, get_current_context, task

from estat import config


@dag(
    dag_id="import_electronic_media",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    doc_md=__doc__,
    tags=["estat", "exports"],
    params={
        "path": Param(
            str(config.media_dir()),
            type="string",
            minLength=1,
            title="Mounted media path",
            description="The directory where the removable media is mounted.",
        ),
    },
)
def import_electronic_media():
    @task
    def find_media_files() -> list[str]:
        """List the export files on the mounted media."""
        from pathlib import Path

        from airflow.sdk.exceptions import AirflowFailException

        from estat.exports.media import MediaFileRefused, media_files

        mount = Path(get_current_context()["params"]["path"])
        try:
            files = media_files(mount)
        except MediaFileRefused as refusal:
            raise AirflowFailException(str(refusal)) from None
        if not files:
            raise AirflowFailException(f"no *.xml export file on {mount}")
        return [str(p) for p in files]

    @task(map_index_template="{{ export_file }}")
    def copy_to_landing(source: str) -> dict:
        """Check one file and copy it into the landing directory."""
        from pathlib import Path

        from airflow.sdk.exceptions import AirflowFailException

        from estat.exports.media import MediaFileRefused, import_media_file
        from estat.warehouse.connection import connect
        from estat.warehouse.migrations import migrate

        path = Path(source)
        get_current_context()["export_file"] = path.name
        with connect() as conn:
            migrate(conn)
            try:
                return import_media_file(conn, path, config.landing_dir()).as_dict()
            except MediaFileRefused as refusal:
                raise AirflowFailException(str(refusal)) from None

    copy_to_landing.expand(source=find_media_files())


import_electronic_media()
