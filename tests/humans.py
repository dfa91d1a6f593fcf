"""Answering human-in-the-loop tasks while a dag.test() run waits for them.

``dag.test()`` parks a human task in AWAITING_INPUT and waits until an answer is recorded
from outside. :class:`Responder` records answers from a thread, the way the API server
does when someone answers in the UI: it writes the response to the task's HITL detail and
resumes the task.
"""

from __future__ import annotations

import threading
import time


class Responder:
    """Answer the human tasks of one DAG: ``answers[task_id]`` gives (options, params, user)."""

    def __init__(self, dag_id: str, answers: dict[str, tuple[list[str], dict, str]]) -> None:
        self.dag_id = dag_id
        self.answers = answers
        self.answered: list[tuple[str, int, dict]] = []  # (task_id, map_index, HITL detail)
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Responder:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        if self.errors:
            raise self.errors[0]

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._answer_waiting()
                time.sleep(0.5)
        except BaseException as error:  # reported on exit: a thread cannot fail the test
            self.errors.append(error)

    def _answer_waiting(self) -> None:
        from airflow.models.hitl import HITLDetail
        from airflow.models.taskinstance import TaskInstance
        from airflow.models.trigger import handle_event_submit
        from airflow.triggers.base import TriggerEvent
        from airflow.utils import timezone
        from airflow.utils.session import create_session
        from airflow.utils.state import TaskInstanceState
        from sqlalchemy import select

        with create_session() as session:
            waiting = session.scalars(
                select(TaskInstance).where(
                    TaskInstance.dag_id == self.dag_id,
                    TaskInstance.state == TaskInstanceState.AWAITING_INPUT,
                )
            ).all()
            for ti in waiting:
                if ti.task_id not in self.answers:
                    continue
                options, params, user = self.answers[ti.task_id]
                detail = session.scalar(select(HITLDetail).where(HITLDetail.ti_id == ti.id))
                detail.responded_by = {"id": user, "name": user}
                detail.responded_at = timezone.utcnow()
                detail.chosen_options = options
                detail.params_input = params
                session.add(detail)
                handle_event_submit(
                    TriggerEvent(detail.as_resume_event_payload()),
                    task_instance=ti,
                    session=session,
                )
                self.answered.append(
                    (ti.task_id, ti.map_index, {"subject": detail.subject, "body": detail.body})
                )
