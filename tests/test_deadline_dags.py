"""End to end: notices registered by form, human tasks raised and answered, gaps requested."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import DICTIONARY_DIR, load_dag
from humans import Responder

from estat.contract import Kind
from estat.deadlines import today_in_almaty
from estat.dictionaries import load_dictionary_dir
from estat.exports.ingest import ingest_export_file
from estat.generator import export_file_name, write_export
from estat.warehouse.connection import connect


def states(run) -> dict[tuple[str, int], str]:
    return {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}


def form(days_ago: int, **values) -> dict:
    today = today_in_almaty()
    return {
        "system": "e_statistics",
        "kind": "shutdown",
        "decision_date": (today - timedelta(days=days_ago)).isoformat(),
        "planned_date": (today + timedelta(days=30)).isoformat(),
        "description": "e-Statistics intake stops for a migration of its servers",
        **values,
    }


def notices(warehouse: str) -> list[tuple]:
    with connect(warehouse) as conn:
        return conn.execute(
            "SELECT notice_id, system, kind, due_date, status, sent_reference, confirmed_by "
            "FROM ops.change_notice ORDER BY notice_id"
        ).fetchall()


def test_a_notice_decided_two_days_ago_is_open_and_due_in_three(airflow_db, warehouse) -> None:
    run = load_dag("register_change_notice").test(run_conf=form(days_ago=2))

    assert run.state == "success"
    ((_, system, kind, due, status, _, _),) = notices(warehouse)
    assert (system, kind, status) == ("e_statistics", "shutdown", "open")
    assert due == today_in_almaty() + timedelta(days=3)


def test_a_notice_decided_six_days_ago_is_overdue_at_once(airflow_db, warehouse, capfd) -> None:
    run = load_dag("register_change_notice").test(run_conf=form(days_ago=6))

    assert run.state == "success"
    ((_, _, _, due, status, _, _),) = notices(warehouse)
    assert status == "overdue"
    assert due == today_in_almaty() - timedelta(days=1)
    assert "overdue" in capfd.readouterr().out


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"system": "burkit"}, "system"),
        ({"decision_date": "2026-13-01"}, "decision_date"),
        ({"days_ahead": 1}, "in the future"),
        ({"planned_date": "2020-01-01"}, "planned_date"),
    ],
)
def test_invalid_input_fails_the_run_and_records_nothing(
    airflow_db, conn, warehouse, values, says, capfd
) -> None:
    conf = form(days_ago=1)
    if values.pop("days_ahead", None):
        conf["decision_date"] = (today_in_almaty() + timedelta(days=1)).isoformat()
    conf.update(values)

    from airflow.sdk.definitions.param import ParamValidationError

    try:
        run = load_dag("register_change_notice").test(run_conf=conf)
        refused, output = run.state == "failed", capfd.readouterr().out
    except ParamValidationError as error:
        # The form's own check (an unknown system is not among its choices) refuses first.
        refused, output = True, str(error)

    assert refused
    assert says in output
    with connect(warehouse) as conn:
        assert conn.execute("SELECT count(*) FROM ops.change_notice").fetchone() == (0,)


def test_the_tracker_fails_on_an_overdue_notice_and_closes_it_when_answered(
    airflow_db, warehouse
) -> None:
    assert load_dag("register_change_notice").test(run_conf=form(days_ago=6)).state == "success"
    assert (
        load_dag("register_change_notice")
        .test(run_conf=form(days_ago=2, kind="planned_change"))
        .state
        == "success"
    )
    with connect(warehouse) as conn:
        conn.execute(
            "INSERT INTO ops.conformity_report (file_name, verdict, findings) "
            "VALUES ('EMIGRANT_20260131_001.xml', 'PASS', '{}')"
        )
    answers = {
        "confirm_notice_sent": (["Sent"], {"reference": "No. 04-1/77"}, "aigerim"),
        "attach_conformity_report": (["Attach"], {"report_id": 1}, "marat"),
    }

    with Responder("track_notification_deadlines", answers) as humans:
        run = load_dag("track_notification_deadlines").test()

    # Overdue says so loudly: its task fails, the rest of the run goes on.
    task_states = states(run)
    assert task_states[("report_overdue_notices", -1)] == "failed"
    assert task_states[("record_answers", -1)] == "success"
    asked = sorted((task, body["subject"]) for task, _, body in humans.answered)
    assert asked == [
        ("attach_conformity_report", "Notice 2: attach a PASS conformity report"),
        ("confirm_notice_sent", "Notice 1: confirm the official notice was sent"),
        ("confirm_notice_sent", "Notice 2: confirm the official notice was sent"),
    ]
    assert [(n[0], n[4], n[5], n[6]) for n in notices(warehouse)] == [
        (1, "closed", "No. 04-1/77", "aigerim"),
        (2, "closed", "No. 04-1/77", "aigerim"),
    ]
    with connect(warehouse) as conn:
        changes = conn.execute(
            "SELECT notice_id, change FROM ops.change_notice_history ORDER BY notice_id, changed_at"
        ).fetchall()
    assert changes == [
        (1, "registered"),
        (1, "sent"),
        (1, "closed"),
        (2, "registered"),
        (2, "sent"),
        (2, "conformity"),
        (2, "closed"),
    ]


def test_a_missing_period_raises_its_task_and_clears_once_a_file_arrives(
    airflow_db, conn, warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_dictionary_dir(conn, DICTIONARY_DIR)
    for name in ("landing", "archive", "quarantine"):
        (tmp_path / name).mkdir()
        monkeypatch.setenv(f"ESTAT_{name.upper()}_DIR", str(tmp_path / name))
    # Two months ago ended a period whose file never came.
    today = today_in_almaty()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    period_end = last_month_end.replace(day=1) - timedelta(days=1)
    monkeypatch.setenv("ESTAT_DELIVERY_FIRST_PERIOD", period_end.isoformat())
    monkeypatch.setenv("ESTAT_DELIVERY_KINDS", "EMIGRANT")
    monkeypatch.setenv("ESTAT_DELIVERY_GRACE_DAYS", "5")
    answers = {"request_electronic_media": (["Requested"], {"reference": "No. 5/1"}, "dana")}

    with Responder("monitor_deliveries", answers) as humans:
        run = load_dag("monitor_deliveries").test()

    assert run.state == "success"
    requested = [body["subject"] for _, _, body in humans.answered]
    assert (
        f"EMIGRANT export for the period ending {period_end} is missing: request it on "
        "electronic media" in requested
    )
    gap = conn.execute(
        "SELECT closed_at, requested_by, request_reference, announced_by FROM ops.delivery_gap "
        "WHERE period_end = %s",
        (period_end,),
    ).fetchone()
    assert gap == (None, "dana", "No. 5/1", None)

    generated = write_export(
        tmp_path / "landing" / export_file_name(Kind.EMIGRANT, period_end),
        kind=Kind.EMIGRANT,
        persons=5,
        period_end=period_end,
    )
    assert ingest_export_file(conn, generated.path).status == "loaded"
    with Responder("monitor_deliveries", answers):
        again = load_dag("monitor_deliveries").test()

    assert again.state == "success"
    (closed_at, closed_by) = conn.execute(
        "SELECT closed_at, closed_by_file FROM ops.delivery_gap WHERE period_end = %s",
        (period_end,),
    ).fetchone()
    assert closed_at is not None
    assert closed_by is not None
    assert date.today() - timedelta(days=1) <= closed_at.date()
