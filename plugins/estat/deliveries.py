"""Delivery timeliness: the reporting periods whose export has not loaded in time.

Burkit-MO delivers one export per kind (EMIGRANT, IMMIGRANT) and reporting period at the
agreed periodicity (the exchange contract, flow step 2). A period whose grace after its end
has passed with no file of that kind and period loaded is a gap in ``ops.delivery_gap``:
someone must ask for the data on electronic media (flow step 3). The gap stays until a
file for the period loads, and is then closed with that file.

A gap that no Burkit-MO shutdown notice announced (a notice whose planned stop is on or
before the period's due date) is an unannounced stop, and is flagged as such.

Settings (environment variables): ``ESTAT_DELIVERY_FIRST_PERIOD`` the end of the first
period expected (default ``2026-01-31``), ``ESTAT_DELIVERY_MONTHS`` the length of a period
in months (default 1, monthly), ``ESTAT_DELIVERY_GRACE_DAYS`` the days after a period's end
by which its file is due (default 5), ``ESTAT_DELIVERY_KINDS`` the kinds expected (default
``EMIGRANT,IMMIGRANT``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

import psycopg

from estat.deadlines import Period, delivery_periods

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliverySchedule:
    first_period_end: date
    months: int
    grace_days: int
    kinds: tuple[str, ...]

    @classmethod
    def from_environment(cls) -> DeliverySchedule:
        kinds = tuple(
            k.strip().upper()
            for k in os.environ.get("ESTAT_DELIVERY_KINDS", "EMIGRANT,IMMIGRANT").split(",")
            if k.strip()
        )
        unknown = set(kinds) - {"EMIGRANT", "IMMIGRANT"}
        if unknown:
            raise ValueError(f"ESTAT_DELIVERY_KINDS holds unknown kinds: {sorted(unknown)}")
        return cls(
            first_period_end=date.fromisoformat(
                os.environ.get("ESTAT_DELIVERY_FIRST_PERIOD", "2026-01-31")
            ),
            months=int(os.environ.get("ESTAT_DELIVERY_MONTHS", "1")),
            grace_days=int(os.environ.get("ESTAT_DELIVERY_GRACE_DAYS", "5")),
            kinds=kinds,
        )

    def periods(self, today: date) -> list[Period]:
        return delivery_periods(
            self.first_period_end, today, months=self.months, grace_days=self.grace_days
        )

    def due_dates(self, today: date) -> dict[tuple[str, date], date]:
        """When each period's file was due, for every kind: what the quality report shows."""
        return {(kind, p.end): p.due for p in self.periods(today) for kind in self.kinds}


@dataclass(frozen=True)
class Gap:
    kind: str
    period_start: date
    period_end: date
    due_date: date
    announced_by: int | None
    requested_at: datetime | None

    def as_dict(self) -> dict:
        found = asdict(self)
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in found.items()}


def update_gaps(conn: psycopg.Connection, schedule: DeliverySchedule, today: date) -> list[Gap]:
    """Open a gap for every overdue period without a loaded file; close those now loaded."""
    with conn.transaction():
        loaded = {
            (kind, period_end): file_id
            for kind, period_end, file_id in conn.execute(
                "SELECT kind, period_end, min(file_id) FROM ops.export_file "
                "WHERE status = 'loaded' GROUP BY 1, 2"
            ).fetchall()
        }
        for period in schedule.periods(today):
            for kind in schedule.kinds:
                if (kind, period.end) in loaded:
                    continue
                announced = conn.execute(
                    "SELECT min(notice_id) FROM ops.change_notice WHERE system = 'burkit_mo' "
                    "AND kind = 'shutdown' AND planned_date <= %s",
                    (period.due,),
                ).fetchone()[0]
                inserted = conn.execute(
                    "INSERT INTO ops.delivery_gap (kind, period_start, period_end, due_date, "
                    "announced_by) VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING "
                    "RETURNING kind",
                    (kind, period.start, period.end, period.due, announced),
                ).fetchone()
                if inserted and announced is None:
                    log.warning(
                        "%s export of the period ending %s was due %s and has not come, and no "
                        "Burkit-MO shutdown notice announced a stop",
                        kind,
                        period.end,
                        period.due,
                    )
        for kind, period_end in conn.execute(
            "SELECT kind, period_end FROM ops.delivery_gap WHERE closed_at IS NULL"
        ).fetchall():
            file_id = loaded.get((kind, period_end))
            if file_id is not None:
                conn.execute(
                    "UPDATE ops.delivery_gap SET closed_at = %s, closed_by_file = %s "
                    "WHERE kind = %s AND period_end = %s",
                    (datetime.now(UTC), file_id, kind, period_end),
                )
                log.info("%s period ending %s has its file now: gap closed", kind, period_end)
    return open_gaps(conn)


def open_gaps(conn: psycopg.Connection) -> list[Gap]:
    rows = conn.execute(
        "SELECT kind, period_start, period_end, due_date, announced_by, requested_at "
        "FROM ops.delivery_gap WHERE closed_at IS NULL ORDER BY period_end, kind"
    ).fetchall()
    return [Gap(*row) for row in rows]


def record_request(
    conn: psycopg.Connection, kind: str, period_end: date, *, by: str, reference: str
) -> None:
    """Record that the data of a gap was requested on electronic media."""
    conn.execute(
        "UPDATE ops.delivery_gap SET requested_at = %s, requested_by = %s, "
        "request_reference = %s WHERE kind = %s AND period_end = %s AND closed_at IS NULL",
        (datetime.now(UTC), by, reference, kind, period_end),
    )
    log.info("%s period ending %s requested on electronic media by %s", kind, period_end, by)
