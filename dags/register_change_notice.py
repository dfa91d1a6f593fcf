"""Register a notice of a planned change to, or a decision to stop, Burkit-MO or e-Statistics.

The order requires such a notice to reach the other party no later than 5 calendar days
after the decision (the exchange contract, flow step 4). Trigger this DAG with its form,
or with ``airflow dags test register_change_notice -c '{"system": "e_statistics", "kind":
"planned_change", "decision_date": "2026-03-10", "planned_date": "2026-04-01",
"description": "..."}'``, which works the same.

The notice is recorded in ``ops.change_notice`` with its due date, the decision date plus
5 calendar days (the decision's day is day 0; weekends and holidays count; the due date
lasts until midnight in Asia/Almaty), and who owes it: the security committee for a change
of Burkit-MO (registering it records when it was received), the statistics committee for a
change of e-Statistics. Invalid input (an unknown system or kind, a date that is not
YYYY-MM-DD, a decision in the future, a planned date before the decision or already past)
fails the run with the reason and records nothing.

Registering updates the asset ``estat_change_notices``, on which
``track_notification_deadlines`` runs, so the human tasks the notice needs (confirm it
was sent; for a planned change, attach a conformity report) appear at once.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, get_current_context, task

from estat.assets import CHANGE_NOTICES


@dag(
    dag_id="register_change_notice",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    doc_md=__doc__,
    tags=["estat", "deadlines"],
    params={
        "system": Param(
            "e_statistics",
            type="string",
            enum=["burkit_mo", "e_statistics"],
            title="System",
            description="burkit_mo (the security committee's) or e_statistics (ours).",
        ),
        "kind": Param(
            "planned_change",
            type="string",
            enum=["planned_change", "shutdown"],
            title="Kind of notice",
        ),
        "decision_date": Param(
            type="string", title="Decision date", description="YYYY-MM-DD, Almaty."
        ),
        "planned_date": Param(
            type="string", title="Planned date", description="When the change or stop happens."
        ),
        "description": Param(
            type="string", minLength=1, title="Description", description="What changes or stops."
        ),
    },
)
def register_change_notice():
    @task(outlets=[CHANGE_NOTICES])
    def register_notice() -> dict:
        """Check the form and record the notice with its due date."""
        from airflow.sdk.exceptions import AirflowFailException

        from estat.deadlines import NoticeRefused, check_notice, today_in_almaty
        from estat.notices import register_notice
        from estat.warehouse.connection import connect
        from estat.warehouse.migrations import migrate

        context = get_current_context()
        form = context["params"]
        try:
            notice = check_notice(
                system=form.get("system"),
                kind=form.get("kind"),
                decision_date=form.get("decision_date"),
                planned_date=form.get("planned_date"),
                description=form.get("description"),
                today=today_in_almaty(),
            )
        except NoticeRefused as refusal:
            raise AirflowFailException(f"notice not registered: {refusal}") from None
        registered_by = context["dag_run"].triggering_user_name or "airflow"
        with connect() as conn:
            migrate(conn)
            tracked = register_notice(conn, notice, registered_by=registered_by)
        context["outlet_events"][CHANGE_NOTICES].extra = {"notice_id": tracked.notice_id}
        return tracked.as_dict()

    register_notice()


register_change_notice()
