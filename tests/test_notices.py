"""Every state a change notice can go through, in the real warehouse."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from estat.deadlines import check_notice
from estat.notices import (
    NoticeNotClosable,
    attach_conformity,
    awaiting_confirmation,
    awaiting_conformity,
    confirm_sent,
    mark_overdue,
    register_notice,
)

TODAY = date(2026, 3, 12)
NOW = datetime(2026, 3, 12, 6, 0, tzinfo=UTC)  # 11:00 in Almaty


def notice(**values):
    form = {
        "system": "e_statistics",
        "kind": "shutdown",
        "decision_date": "2026-03-10",
        "planned_date": "2026-04-01",
        "description": "e-Statistics intake stops for maintenance",
        "today": TODAY,
    }
    return check_notice(**{**form, **values})


def history(conn, notice_id: int) -> list[tuple]:
    return conn.execute(
        "SELECT change, status_before, status_after, changed_by FROM ops.change_notice_history "
        "WHERE notice_id = %s ORDER BY changed_at",
        (notice_id,),
    ).fetchall()


def report(conn, verdict: str) -> int:
    return conn.execute(
        "INSERT INTO ops.conformity_report (file_name, verdict, findings) "
        "VALUES ('EMIGRANT_20260131_001.xml', %s, '{}') RETURNING report_id",
        (verdict,),
    ).fetchone()[0]


def test_ours_open_then_sent_then_closed(conn) -> None:
    tracked = register_notice(conn, notice(), registered_by="aigerim", now=NOW)

    assert (tracked.status, tracked.due_date, tracked.owed_by) == (
        "open",
        date(2026, 3, 15),
        "statistics_committee",
    )
    assert [n.notice_id for n in awaiting_confirmation(conn)] == [tracked.notice_id]

    closed = confirm_sent(conn, tracked.notice_id, reference="No. 12-3/456", by="aigerim")

    assert closed.status == "closed"
    row = conn.execute(
        "SELECT sent_reference, confirmed_by, closed_at IS NOT NULL FROM ops.change_notice"
    ).fetchone()
    assert row == ("No. 12-3/456", "aigerim", True)
    assert history(conn, tracked.notice_id) == [
        ("registered", None, "open", "aigerim"),
        ("sent", "open", "open", "aigerim"),
        ("closed", "open", "closed", "aigerim"),
    ]
    assert awaiting_confirmation(conn) == []


def test_ours_becomes_overdue_the_day_after_the_due_date(conn) -> None:
    tracked = register_notice(conn, notice(), registered_by="aigerim", now=NOW)

    assert mark_overdue(conn, date(2026, 3, 15), by="tracker") == []
    overdue = mark_overdue(conn, date(2026, 3, 16), by="tracker")

    assert [n.notice_id for n in overdue] == [tracked.notice_id]
    assert overdue[0].status == "overdue"
    # Every day until closed, and only one transition recorded.
    assert [n.notice_id for n in mark_overdue(conn, date(2026, 3, 17), by="tracker")] == [
        tracked.notice_id
    ]
    assert [h[0] for h in history(conn, tracked.notice_id)] == ["registered", "overdue"]

    closed = confirm_sent(conn, tracked.notice_id, reference="late, No. 7", by="aigerim")

    assert closed.status == "closed"
    assert mark_overdue(conn, date(2026, 3, 18), by="tracker") == []


def test_a_planned_change_closes_only_with_a_passing_conformity_report(conn) -> None:
    tracked = register_notice(conn, notice(kind="planned_change"), registered_by="aigerim", now=NOW)
    assert [n.notice_id for n in awaiting_conformity(conn)] == [tracked.notice_id]

    sent = confirm_sent(conn, tracked.notice_id, reference="No. 8", by="aigerim")
    assert sent.status == "open"  # sent, but not yet shown to conform

    with pytest.raises(NoticeNotClosable, match="says FAIL, not PASS"):
        attach_conformity(conn, tracked.notice_id, report(conn, "FAIL"), by="aigerim")
    with pytest.raises(NoticeNotClosable, match="there is no conformity report 999"):
        attach_conformity(conn, tracked.notice_id, 999, by="aigerim")
    closed = attach_conformity(conn, tracked.notice_id, report(conn, "PASS"), by="marat")

    assert closed.status == "closed"
    assert [h[0] for h in history(conn, tracked.notice_id)] == [
        "registered",
        "sent",
        "conformity",
        "closed",
    ]


def test_theirs_records_its_receipt_and_a_shutdown_closes_at_once(conn) -> None:
    shutdown = register_notice(conn, notice(system="burkit_mo"), registered_by="aigerim", now=NOW)
    change = register_notice(
        conn, notice(system="burkit_mo", kind="planned_change"), registered_by="aigerim"
    )

    assert shutdown.status == "closed"
    assert shutdown.owed_by == "security_committee"
    assert change.status == "open"  # waits for the conformity check after the change
    received = conn.execute(
        "SELECT count(*) FROM ops.change_notice WHERE received_at IS NOT NULL"
    ).fetchone()
    assert received == (2,)
    # Their lateness is theirs: our tracker never marks their notice overdue.
    assert mark_overdue(conn, date(2026, 6, 1), by="tracker") == []
    assert awaiting_confirmation(conn) == []
    with pytest.raises(NoticeNotClosable, match="owed by the security committee"):
        confirm_sent(conn, change.notice_id, reference="x", by="aigerim")
    closed = attach_conformity(conn, change.notice_id, report(conn, "PASS"), by="marat")
    assert closed.status == "closed"


def test_a_confirmation_needs_a_reference_and_happens_once(conn) -> None:
    tracked = register_notice(conn, notice(kind="planned_change"), registered_by="aigerim", now=NOW)

    with pytest.raises(NoticeNotClosable, match="reference is missing"):
        confirm_sent(conn, tracked.notice_id, reference="  ", by="aigerim")
    confirm_sent(conn, tracked.notice_id, reference="No. 9", by="aigerim")
    with pytest.raises(NoticeNotClosable, match="already confirmed sent"):
        confirm_sent(conn, tracked.notice_id, reference="No. 10", by="aigerim")


def test_ours_registered_after_its_due_date_is_overdue_from_the_start(conn) -> None:
    late = register_notice(
        conn, notice(decision_date="2026-03-04"), registered_by="aigerim", now=NOW
    )

    assert late.status == "overdue"
    assert history(conn, late.notice_id) == [("registered", None, "overdue", "aigerim")]
