"""The dates the order puts on the parties' duties, counted in Asia/Almaty time.

Change and shutdown notices (the exchange contract, flow step 4): a planned change to, or
a decision to stop, either system must be notified to the other party no later than 5
calendar days after the decision. The days are counted like this:

* the day of the decision is day 0; the notice is due on day 5, the decision date plus five
  calendar days, weekends and public holidays included (the order says calendar days);
* the due date is a whole day in Asia/Almaty time: a notice sent at any moment of it, up
  to 23:59:59 Almaty time, is on time; from 00:00 of the next day it is overdue;
* "today" is always the date in Almaty, whatever the time zone of the machine or of the
  person registering the notice (a decision on the evening of 31 January in UTC may
  already be 1 February in Almaty).

Deliveries (flow steps 2 and 3): export files come at an agreed periodicity; a period is
due when its grace period after the period's end has passed (by default monthly, due 5
days after the month's end).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

ALMATY = ZoneInfo("Asia/Almaty")
NOTICE_DAYS = 5

SYSTEMS = ("burkit_mo", "e_statistics")
NOTICE_KINDS = ("planned_change", "shutdown")

# Who owns each system, and so owes the notice of its change; the notice goes to the other.
OWNER = {"burkit_mo": "security_committee", "e_statistics": "statistics_committee"}
OUR_SIDE = "statistics_committee"


def today_in_almaty(now: datetime | None = None) -> date:
    """The calendar date in Almaty at ``now`` (an aware datetime; the current time if None)."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("a moment without a time zone cannot be placed in Almaty")
    return moment.astimezone(ALMATY).date()


def notice_due_date(decision_date: date) -> date:
    """The last day on which the notice of a decision is on time."""
    return decision_date + timedelta(days=NOTICE_DAYS)


def notice_due_moment(decision_date: date) -> datetime:
    """The first moment at which the notice is late: the day after the due date, 00:00 Almaty."""
    after = notice_due_date(decision_date) + timedelta(days=1)
    return datetime(after.year, after.month, after.day, tzinfo=ALMATY)


def is_overdue(due_date: date, today: date) -> bool:
    return today > due_date


class NoticeRefused(ValueError):
    """A notice that cannot be registered, with the reason."""


@dataclass(frozen=True)
class Notice:
    system: str
    kind: str
    decision_date: date
    planned_date: date
    description: str
    due_date: date
    owed_by: str
    owed_to: str

    @property
    def ours(self) -> bool:
        """Whether the statistics committee owes this notice (a change of e-Statistics)."""
        return self.owed_by == OUR_SIDE


def _date(name: str, text: object) -> date:
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise NoticeRefused(f"{name} must be a date written YYYY-MM-DD, not {text!r}") from None


def check_notice(
    *,
    system: object,
    kind: object,
    decision_date: object,
    planned_date: object,
    description: object,
    today: date,
) -> Notice:
    """A valid notice from a form's values, or :class:`NoticeRefused` saying what is wrong.

    Refused: an unknown system or kind; a date that is not YYYY-MM-DD; a decision in the
    future (in Almaty); a planned date before the decision, or already past, for then no
    notice can still announce it in time.
    """
    if system not in SYSTEMS:
        raise NoticeRefused(f"system must be one of {', '.join(SYSTEMS)}, not {system!r}")
    if kind not in NOTICE_KINDS:
        raise NoticeRefused(f"kind must be one of {', '.join(NOTICE_KINDS)}, not {kind!r}")
    decided = _date("decision_date", decision_date)
    planned = _date("planned_date", planned_date)
    if decided > today:
        raise NoticeRefused(
            f"decision_date {decided} is in the future (today is {today} in Almaty)"
        )
    if planned < decided:
        raise NoticeRefused(f"planned_date {planned} is before decision_date {decided}")
    if planned < today:
        raise NoticeRefused(
            f"planned_date {planned} has passed (today is {today} in Almaty): a notice can "
            "no longer announce it"
        )
    text = str(description or "").strip()
    if not text:
        raise NoticeRefused("description must say what is changed or stopped")
    owner = OWNER[system]
    other = next(o for o in OWNER.values() if o != owner)
    return Notice(
        str(system), str(kind), decided, planned, text, notice_due_date(decided), owner, other
    )


# --- deliveries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    due: date


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def delivery_periods(
    first_period_end: date, today: date, *, months: int = 1, grace_days: int = 5
) -> list[Period]:
    """The reporting periods from the one ending ``first_period_end`` whose grace has passed.

    Periods are ``months`` long (1 monthly, 3 quarterly) and end on a month's last day; a
    period is due ``grace_days`` after its end and is listed once today is past that.
    """
    if months < 1 or 12 % months:
        raise ValueError("a reporting period is 1, 2, 3, 4, 6 or 12 months long")
    periods = []
    end = _month_end(first_period_end.year, first_period_end.month)
    while True:
        due = end + timedelta(days=grace_days)
        if due >= today:
            return periods
        start_month = (end.month - months) % 12 + 1
        start_year = end.year if start_month <= end.month else end.year - 1
        periods.append(Period(date(start_year, start_month, 1), end, due))
        month = end.month + months
        year = end.year + (month - 1) // 12
        end = _month_end(year, (month - 1) % 12 + 1)
