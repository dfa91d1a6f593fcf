"""Refresh the statistical registers and the data-quality report after every load.

Scheduled on the assets that ingestion (``estat_burkit_exports``) and dictionary loads
(``estat_ref_dictionaries``) update, so it runs after every load without anyone
triggering it; it can also be triggered by hand.

``refresh_registers`` rebuilds ``registers.migrant`` (one pseudonymous row per person and
migration event) and ``registers.migration_flow`` (the published tables with their
margins, small cells marked for suppression in ``registers.migration_flow_published``)
in one transaction: readers see the old registers until it commits. ``write_quality_report``
then writes the statisticians' report (one HTML page per reporting period and an index,
in Russian and Kazakh with English) next to the GX Data Docs, linked from the Airflow UI
as "Data quality". Neither holds personal data.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task

from estat.assets import BURKIT_EXPORTS, REF_DICTIONARIES, STATISTICAL_REGISTERS


@dag(
    dag_id="refresh_statistical_registers",
    schedule=(BURKIT_EXPORTS | REF_DICTIONARIES),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["estat", "registers"],
)
def refresh_statistical_registers():
    @task
    def migrate_warehouse() -> list[int]:
        """Bring the warehouse schema up to date (a no-op when it is)."""
        from estat.warehouse.connection import connect
        from estat.warehouse.migrations import migrate

        with connect() as conn:
            return migrate(conn)

    @task(outlets=[STATISTICAL_REGISTERS])
    def refresh_registers() -> dict:
        """Rebuild the registers from the loaded exports, atomically."""
        from estat import config
        from estat.registers import refresh_registers
        from estat.warehouse.connection import connect

        with connect() as conn:
            return refresh_registers(conn, config.pseudonym_key()).as_dict()

    @task
    def write_quality_report() -> list[str]:
        """Write the data-quality report pages (and rebuild the GX Data Docs index)."""
        from estat.deadlines import today_in_almaty
        from estat.deliveries import DeliverySchedule
        from estat.exports.docs import build_data_docs
        from estat.report import quality_report_dir, write_quality_report
        from estat.warehouse.connection import connect

        # Timeliness: each period's file against when the agreed periodicity made it due.
        due_dates = DeliverySchedule.from_environment().due_dates(today_in_almaty())
        with connect() as conn:
            pages = write_quality_report(conn, quality_report_dir(), due_dates=due_dates)
        build_data_docs()
        return [str(p) for p in pages]

    migrate_warehouse() >> refresh_registers() >> write_quality_report()


refresh_statistical_registers()
