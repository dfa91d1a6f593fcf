"""Show that a sample export conforms to the contract's field list, loading nothing.

After any change to the software of Burkit-MO or of e-Statistics, conformity with the
agreed field list must be shown again (the exchange contract, flow step 5). Trigger this
DAG with the path of a sample export file written by the changed software. The file is
checked against the contract (fields present and missing, mandatory fields left empty,
unknown tables and fields, values longer than the contract allows, codes not in their
dictionary, declared and received row counts) and nothing of it is loaded, claimed or
moved. The dictionaries must be loaded first: codes are judged against ``ref``.

Every check is kept in ``ops.conformity_report`` with its verdict and findings, and its
page ``conformity-<report_id>.html`` is written beside the data-quality report. A PASS
ends the run successfully; a FAIL is recorded first and then fails the run, naming how
many findings there are, so that it shows in the UI. A path that names no file fails the
run at once and records nothing.

From the command line: ``airflow dags test check_contract_conformity -c '{"path": "..."}'``.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, get_current_context, task


@dag(
    dag_id="check_contract_conformity",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    doc_md=__doc__,
    tags=["estat", "conformity"],
    params={
        "path": Param(
            type="string",
            minLength=1,
            title="Sample export file",
            description="The path of a sample export file written by the changed software.",
        ),
    },
)
def check_contract_conformity():
    @task
    def migrate_warehouse() -> list[int]:
        """Bring the warehouse schema up to date (a no-op when it is)."""
        from estat.warehouse.connection import connect
        from estat.warehouse.migrations import migrate

        with connect() as conn:
            return migrate(conn)

    @task
    def check_conformity() -> dict:
        """Check the sample against the field list and record the report and its page."""
        from pathlib import Path

        from airflow.sdk.exceptions import AirflowFailException

        from estat.conformity import DictionariesNotLoaded, check_conformity, record_conformity
        from estat.warehouse.connection import connect

        path = Path(get_current_context()["params"]["path"])
        if not path.is_file():
            raise AirflowFailException(f"no sample export file at {path}: nothing checked")
        with connect() as conn:
            try:
                report = check_conformity(conn, path)
            except DictionariesNotLoaded as missing:
                raise AirflowFailException(str(missing)) from None
            report_id = record_conformity(conn, report)
            (page,) = conn.execute(
                "SELECT page FROM ops.conformity_report WHERE report_id = %s", (report_id,)
            ).fetchone()
        return {
            "report_id": report_id,
            "file_name": report.file_name,
            "verdict": report.verdict,
            "findings": len(report.findings),
            "page": page,
        }

    @task
    def confirm_verdict(checked: dict) -> dict:
        """Succeed on PASS; fail the run on FAIL, the report being already recorded."""
        from airflow.sdk.exceptions import AirflowFailException

        if checked["verdict"] != "PASS":
            raise AirflowFailException(
                f"{checked['file_name']} does not conform to the contract's field list: "
                f"{checked['findings']} findings, see conformity report {checked['report_id']} "
                f"({checked['page']})"
            )
        return {key: checked[key] for key in ("report_id", "verdict", "page")}

    checked = check_conformity()
    migrate_warehouse() >> checked
    confirm_verdict(checked)


check_contract_conformity()
