"""Track the change and shutdown notices: raise a human task for each duty, fail when overdue.

Runs every morning (09:00 in Almaty) and whenever a notice is registered (the asset
``estat_change_notices``). Each run:

* marks ``overdue`` every notice the statistics committee owes (a change of e-Statistics)
  that nobody confirmed sent by its due date, and fails ``report_overdue_notices`` loudly,
  naming them, every day until they are closed;
* asks, in a human task per notice (**Required actions** in the UI), the person
  responsible to confirm that the official notice was sent and by what reference; the
  answer records who confirmed, when, and the reference, and closes the notice unless it
  still waits for a conformity check;
* asks, for every planned change (of either system), for the conformity report of a
  sample export (run ``check_contract_conformity`` and enter its report id): only a PASS
  is accepted, and a planned change cannot close without one.

A human task that nobody answers within 23 hours takes the answer "Not yet", so the run
ends and the next day's run asks again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.standard.operators.hitl import HITLEntryOperator
from airflow.sdk import Param, dag, task
from airflow.sdk.definitions.timetables.assets import AssetOrTimeSchedule
from airflow.sdk.definitions.timetables.trigger import CronTriggerTimetable

from estat.assets import CHANGE_NOTICES

WAIT_FOR_AN_ANSWER = timedelta(hours=23)


@dag(
    dag_id="track_notification_deadlines",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 9 * * *", timezone="Asia/Almaty"),
        assets=[CHANGE_NOTICES],
    ),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    doc_md=__doc__,
    tags=["estat", "deadlines"],
)
def track_notification_deadlines():
    @task
    def find_notices() -> dict[str, list[dict]]:
        """Mark overdue notices; list the ones waiting for a person."""
        from estat.deadlines import today_in_almaty
        from estat.notices import awaiting_confirmation, awaiting_conformity, mark_overdue
        from estat.warehouse.connection import connect
        from estat.warehouse.migrations import migrate

        with connect() as conn:
            migrate(conn)
            overdue = mark_overdue(conn, today_in_almaty(), by="track_notification_deadlines")
            return {
                "overdue": [n.as_dict() for n in overdue],
                "confirm": [n.as_dict() for n in awaiting_confirmation(conn)],
                "conformity": [n.as_dict() for n in awaiting_conformity(conn)],
            }

    @task
    def report_overdue_notices(found: dict) -> int:
        """Fail, naming them, while any notice we owe is past its due date."""
        from airflow.sdk.exceptions import AirflowFailException

        overdue = found["overdue"]
        if overdue:
            named = "; ".join(
                f"notice {n['notice_id']} ({n['system']} {n['kind']}, decided "
                f"{n['decision_date']}) was due {n['due_date']}"
                for n in overdue
            )
            raise AirflowFailException(f"{len(overdue)} notice(s) overdue: {named}")
        return 0

    @task
    def confirmation_requests(found: dict) -> list[dict]:
        return [
            {
                "subject": f"Notice {n['notice_id']}: confirm the official notice was sent",
                "body": (
                    f"**{n['system']} {n['kind']}**, decided {n['decision_date']}, planned for "
                    f"{n['planned_date']}: {n['description']}\n\n"
                    f"The notice to the security committee is due **{n['due_date']}** "
                    f"(status: {n['status']}). Choose *Sent* and give the official notice's "
                    "reference once it has gone."
                ),
            }
            for n in found["confirm"]
        ]

    @task
    def conformity_requests(found: dict) -> list[dict]:
        return [
            {
                "subject": f"Notice {n['notice_id']}: attach a PASS conformity report",
                "body": (
                    f"**{n['system']} {n['kind']}** planned for {n['planned_date']}: "
                    f"{n['description']}\n\nAfter the change, run `check_contract_conformity` "
                    "on a sample export, then choose *Attach* and enter the report id it gave. "
                    "Only a PASS closes the notice."
                ),
            }
            for n in found["conformity"]
        ]

    confirm_notice_sent = HITLEntryOperator.partial(
        task_id="confirm_notice_sent",
        options=["Sent", "Not yet"],
        defaults=["Not yet"],
        params={"reference": Param("", type="string", title="Official notice reference")},
        response_timeout=WAIT_FOR_AN_ANSWER,
    )
    attach_conformity_report = HITLEntryOperator.partial(
        task_id="attach_conformity_report",
        options=["Attach", "Not yet"],
        defaults=["Not yet"],
        params={"report_id": Param(0, type="integer", title="Conformity report id")},
        response_timeout=WAIT_FOR_AN_ANSWER,
    )

    @task(trigger_rule="all_done")
    def record_answers(found: dict, confirmations, conformity) -> dict:
        """Record what people answered; fail on an answer that cannot be accepted."""
        from airflow.sdk.exceptions import AirflowFailException

        from estat.notices import NoticeNotClosable, attach_conformity, confirm_sent
        from estat.warehouse.connection import connect

        def answered(notices: list[dict], answers, option: str):
            # Mapped answers come in the order of the requests, one per notice.
            for notice, answer in zip(notices, list(answers or []), strict=False):
                if answer and option in (answer.get("chosen_options") or []):
                    user = answer.get("responded_by_user") or {}
                    who = user.get("name") or user.get("id") or "unknown"
                    yield notice["notice_id"], answer.get("params_input") or {}, who

        problems, recorded = [], {"sent": 0, "conformity": 0}
        with connect() as conn:
            for notice_id, values, user in answered(found["confirm"], confirmations, "Sent"):
                try:
                    confirm_sent(conn, notice_id, reference=values.get("reference"), by=user)
                    recorded["sent"] += 1
                except NoticeNotClosable as refusal:
                    problems.append(str(refusal))
            for notice_id, values, user in answered(found["conformity"], conformity, "Attach"):
                try:
                    report_id = int(values.get("report_id") or 0)
                    attach_conformity(conn, notice_id, report_id, by=user)
                    recorded["conformity"] += 1
                except NoticeNotClosable as refusal:
                    problems.append(str(refusal))
        if problems:
            raise AirflowFailException("; ".join(problems))
        return recorded

    found = find_notices()
    report_overdue_notices(found)
    sent = confirm_notice_sent.expand_kwargs(confirmation_requests(found))
    checked = attach_conformity_report.expand_kwargs(conformity_requests(found))
    record_answers(found, sent.output, checked.output)


track_notification_deadlines()
