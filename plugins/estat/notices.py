"""Change and shutdown notices in ``ops.change_notice``: registered, tracked, closed.

Who owes what (the exchange contract, flow step 4):

* a change or stop of **e-Statistics** is ours to notify, to the security committee. The
  notice is ``open`` until someone confirms it was sent (with its reference), then
  ``closed``; from the day after its due date it is ``overdue`` until then;
* a change or stop of **Burkit-MO** is the security committee's to notify. Registering
  it records when it was received (``received_at``; late if after its due date); it
  needs nothing more from us and is closed at once.

A ``planned_change`` of either system must be followed by a conformity check of a sample
export against the field list (rule 10 of the order): such a notice cannot close until a
conformity report with the verdict PASS is attached to it.

Every change of a notice is written to ``ops.change_notice_history`` with who made it.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from estat.deadlines import Notice, is_overdue, today_in_almaty

log = logging.getLogger(__name__)


class NoticeNotClosable(Exception):
    """An action that cannot close (or change) a notice, with the reason."""


@dataclass(frozen=True)
class TrackedNotice:
    notice_id: int
    system: str
    kind: str
    decision_date: date
    planned_date: date
    due_date: date
    status: str
    owed_by: str
    description: str
    sent_at: datetime | None
    conformity_report_id: int | None

    def as_dict(self) -> dict:
        found = asdict(self)
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in found.items()}

    @property
    def needs_conformity(self) -> bool:
        return self.kind == "planned_change" and self.conformity_report_id is None


def _history(conn, notice_id: int, by: str, change: str, before, after, **details) -> None:
    conn.execute(
        "INSERT INTO ops.change_notice_history (notice_id, changed_by, change, status_before, "
        "status_after, details) VALUES (%s, %s, %s, %s, %s, %s)",
        (notice_id, by, change, before, after, Jsonb(details)),
    )


def register_notice(
    conn: psycopg.Connection, notice: Notice, *, registered_by: str, now: datetime | None = None
) -> TrackedNotice:
    """Record a checked notice; the status follows from who owes it and the date."""
    moment = now or datetime.now(UTC)
    theirs = not notice.ours
    closes_at_once = theirs and notice.kind == "shutdown"
    status = "closed" if closes_at_once else "open"
    if notice.ours and is_overdue(notice.due_date, today_in_almaty(moment)):
        # Registered after its due date: it is late from the start, and says so.
        status = "overdue"
        log.error("notice registered after its due date %s: overdue", notice.due_date)
    with conn.transaction():
        (notice_id,) = conn.execute(
            "INSERT INTO ops.change_notice (system, kind, decision_date, planned_date, "
            "description, due_date, owed_by, owed_to, status, registered_at, registered_by, "
            "received_at, closed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "RETURNING notice_id",
            (
                notice.system,
                notice.kind,
                notice.decision_date,
                notice.planned_date,
                notice.description,
                notice.due_date,
                notice.owed_by,
                notice.owed_to,
                status,
                moment,
                registered_by,
                moment if theirs else None,
                moment if closes_at_once else None,
            ),
        ).fetchone()
        _history(
            conn,
            notice_id,
            registered_by,
            "registered" if notice.ours else "received",
            None,
            status,
            due_date=notice.due_date.isoformat(),
        )
    log.info(
        "registered notice %d: %s %s decided %s, due %s, owed by %s (%s)",
        notice_id,
        notice.system,
        notice.kind,
        notice.decision_date,
        notice.due_date,
        notice.owed_by,
        status,
    )
    return get_notice(conn, notice_id)


def get_notice(conn: psycopg.Connection, notice_id: int) -> TrackedNotice:
    row = (
        conn.cursor(row_factory=dict_row)
        .execute(
            "SELECT notice_id, system, kind, decision_date, planned_date, due_date, status, "
            "owed_by, description, sent_at, conformity_report_id FROM ops.change_notice "
            "WHERE notice_id = %s",
            (notice_id,),
        )
        .fetchone()
    )
    if row is None:
        raise NoticeNotClosable(f"no notice {notice_id}")
    return TrackedNotice(**row)


def mark_overdue(conn: psycopg.Connection, today: date, *, by: str) -> list[TrackedNotice]:
    """Mark open notices we owe whose due date has passed; return every overdue notice."""
    with conn.transaction():
        late = conn.execute(
            "SELECT notice_id, due_date FROM ops.change_notice WHERE status = 'open' "
            "AND owed_by = 'statistics_committee' AND sent_at IS NULL FOR UPDATE"
        ).fetchall()
        for notice_id, due_date in late:
            if is_overdue(due_date, today):
                conn.execute(
                    "UPDATE ops.change_notice SET status = 'overdue' WHERE notice_id = %s",
                    (notice_id,),
                )
                _history(conn, notice_id, by, "overdue", "open", "overdue", today=str(today))
                log.error("notice %d is overdue: it was due %s", notice_id, due_date)
    return notices_with(conn, "status = 'overdue'")


def notices_with(conn: psycopg.Connection, condition: str) -> list[TrackedNotice]:
    ids = conn.execute(
        f"SELECT notice_id FROM ops.change_notice WHERE {condition} ORDER BY notice_id"
    ).fetchall()
    return [get_notice(conn, notice_id) for (notice_id,) in ids]


def awaiting_confirmation(conn: psycopg.Connection) -> list[TrackedNotice]:
    """Notices we owe that nobody has confirmed as sent yet."""
    return notices_with(
        conn, "owed_by = 'statistics_committee' AND sent_at IS NULL AND status <> 'closed'"
    )


def awaiting_conformity(conn: psycopg.Connection) -> list[TrackedNotice]:
    """Planned changes, of either system, without a conformity report that passed."""
    return notices_with(
        conn, "kind = 'planned_change' AND conformity_report_id IS NULL AND status <> 'closed'"
    )


def _close_if_done(conn, notice: TrackedNotice, by: str, now: datetime) -> TrackedNotice:
    fresh = get_notice(conn, notice.notice_id)
    sent = fresh.sent_at is not None or fresh.owed_by != "statistics_committee"
    checked = fresh.kind != "planned_change" or fresh.conformity_report_id is not None
    if sent and checked and fresh.status != "closed":
        conn.execute(
            "UPDATE ops.change_notice SET status = 'closed', closed_at = %s WHERE notice_id = %s",
            (now, fresh.notice_id),
        )
        _history(conn, fresh.notice_id, by, "closed", fresh.status, "closed")
        log.info("notice %d closed", fresh.notice_id)
    return get_notice(conn, notice.notice_id)


def confirm_sent(
    conn: psycopg.Connection,
    notice_id: int,
    *,
    reference: str,
    by: str,
    now: datetime | None = None,
) -> TrackedNotice:
    """Record that our notice was sent, by whom and under what reference; close it if done."""
    moment = now or datetime.now(UTC)
    reference = (reference or "").strip()
    if not reference:
        raise NoticeNotClosable(f"notice {notice_id}: the official notice's reference is missing")
    with conn.transaction():
        notice = get_notice(conn, notice_id)
        if notice.owed_by != "statistics_committee":
            raise NoticeNotClosable(f"notice {notice_id} is owed by the security committee")
        if notice.sent_at is not None:
            raise NoticeNotClosable(f"notice {notice_id} was already confirmed sent")
        conn.execute(
            "UPDATE ops.change_notice SET sent_at = %s, sent_reference = %s, confirmed_by = %s "
            "WHERE notice_id = %s",
            (moment, reference, by, notice_id),
        )
        _history(conn, notice_id, by, "sent", notice.status, notice.status, reference=reference)
        return _close_if_done(conn, notice, by, moment)


def attach_conformity(
    conn: psycopg.Connection,
    notice_id: int,
    report_id: int,
    *,
    by: str,
    now: datetime | None = None,
) -> TrackedNotice:
    """Attach a conformity report to a planned change; only a PASS is accepted."""
    moment = now or datetime.now(UTC)
    with conn.transaction():
        notice = get_notice(conn, notice_id)
        if notice.kind != "planned_change":
            raise NoticeNotClosable(f"notice {notice_id} is a {notice.kind}: no check is due")
        row = conn.execute(
            "SELECT verdict FROM ops.conformity_report WHERE report_id = %s", (report_id,)
        ).fetchone()
        if row is None:
            raise NoticeNotClosable(
                f"notice {notice_id}: there is no conformity report {report_id}"
            )
        if row[0] != "PASS":
            raise NoticeNotClosable(
                f"notice {notice_id}: conformity report {report_id} says {row[0]}, not PASS"
            )
        conn.execute(
            "UPDATE ops.change_notice SET conformity_report_id = %s WHERE notice_id = %s",
            (report_id, notice_id),
        )
        _history(
            conn, notice_id, by, "conformity", notice.status, notice.status, report_id=report_id
        )
        return _close_if_done(conn, notice, by, moment)
