"""Watch that every reporting period's export arrives, and ask for the missing ones on media.

Runs every morning (08:00 in Almaty). It compares the periods that should have arrived by
now (the agreed periodicity and grace, ``ESTAT_DELIVERY_*`` settings: by default monthly,
due 5 days after the month's end, for both kinds) with the files loaded in
``ops.export_file``. A period past its grace with no file loaded becomes a gap in
``ops.delivery_gap``, flagged when no Burkit-MO shutdown notice announced the stop. For
each gap not yet requested, a human task asks the person responsible to request the data
on electronic media and import it with ``import_electronic_media``; the answer records who
asked, when, and the reference. A gap is closed once a file for its period loads.

A human task that nobody answers within 23 hours takes the answer "Not yet", so the run
ends and the next day's run asks again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.standard.operators.hitl import HITLEntryOperator
from airflow.sdk import Param, dag, task
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable


@dag(
    dag_id="monitor_deliveries",
    schedule=CronTriggerTimetable("0 8 * * *", timezone="Asia/Almaty"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["estat", "deadlines"],
)
def monitor_deliveries():
    @task
    def find_missing_deliveries() -> list[dict]:
        """Open gaps for periods past their grace without a file; close the filled ones."""
        from estat.deadlines import today_in_almaty
        from estat.deliveries import DeliverySchedule, update_gaps
        from estat.warehouse.connection import connect
        from estat.warehouse.migrations import migrate

        with connect() as conn:
            migrate(conn)
            gaps = update_gaps(conn, DeliverySchedule.from_environment(), today_in_almaty())
        return [g.as_dict() for g in gaps]

    @task
    def media_requests(gaps: list[dict]) -> list[dict]:
        return [
            {
                "subject": (
                    f"{g['kind']} export for the period ending {g['period_end']} is missing: "
                    "request it on electronic media"
                ),
                "body": (
                    f"The {g['kind']} export of {g['period_start']} to {g['period_end']} was "
                    f"due **{g['due_date']}** and has not loaded. "
                    + (
                        "No Burkit-MO shutdown notice announced a stop of deliveries. "
                        if g["announced_by"] is None
                        else f"Burkit-MO announced a stop (notice {g['announced_by']}). "
                    )
                    + "Ask the security committee for the file on removable media, then run "
                    "`import_electronic_media` with the mounted path. Choose *Requested* and "
                    "give the request's reference."
                ),
            }
            for g in gaps
            if g["requested_at"] is None
        ]

    request_electronic_media = HITLEntryOperator.partial(
        task_id="request_electronic_media",
        options=["Requested", "Not yet"],
        defaults=["Not yet"],
        params={"reference": Param("", type="string", title="Request reference")},
        response_timeout=timedelta(hours=23),
    )

    @task(trigger_rule="all_done")
    def record_requests(gaps: list[dict], answers) -> int:
        """Record who requested which period's data, and under what reference."""
        from datetime import date

        from estat.deliveries import record_request
        from estat.warehouse.connection import connect

        pending = [g for g in gaps if g["requested_at"] is None]
        recorded = 0
        with connect() as conn:
            for gap, answer in zip(pending, list(answers or []), strict=False):
                if not answer or "Requested" not in (answer.get("chosen_options") or []):
                    continue
                user = answer.get("responded_by_user") or {}
                record_request(
                    conn,
                    gap["kind"],
                    date.fromisoformat(gap["period_end"]),
                    by=user.get("name") or user.get("id") or "unknown",
                    reference=(answer.get("params_input") or {}).get("reference") or "",
                )
                recorded += 1
        return recorded

    gaps = find_missing_deliveries()
    answers = request_electronic_media.expand_kwargs(media_requests(gaps))
    record_requests(gaps, answers.output)


monitor_deliveries()
