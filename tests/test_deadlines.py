"""Deadline arithmetic: calendar days, month and year ends, and Almaty's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from estat.deadlines import (
    ALMATY,
    NoticeRefused,
    check_notice,
    delivery_periods,
    is_overdue,
    notice_due_date,
    notice_due_moment,
    today_in_almaty,
)


@pytest.mark.parametrize(
    ("decided", "due"),
    [
        (date(2026, 3, 10), date(2026, 3, 15)),
        (date(2026, 1, 29), date(2026, 2, 3)),  # over a month end
        (date(2026, 12, 29), date(2027, 1, 3)),  # over a year end
        (date(2028, 2, 26), date(2028, 3, 2)),  # over 29 February of a leap year
        (date(2027, 2, 26), date(2027, 3, 3)),
        (date(2026, 12, 5), date(2026, 12, 10)),  # weekends count: calendar days
    ],
)
def test_the_notice_is_due_five_calendar_days_after_the_decision(decided, due) -> None:
    assert notice_due_date(decided) == due


def test_the_due_date_lasts_until_midnight_in_almaty() -> None:
    late_from = notice_due_moment(date(2026, 3, 10))

    assert late_from == datetime(2026, 3, 16, tzinfo=ALMATY)
    # Almaty is UTC+5: 18:59:59 UTC on the due date is still on time.
    assert today_in_almaty(datetime(2026, 3, 15, 18, 59, 59, tzinfo=UTC)) == date(2026, 3, 15)
    assert today_in_almaty(datetime(2026, 3, 15, 19, 0, 0, tzinfo=UTC)) == date(2026, 3, 16)
    assert not is_overdue(date(2026, 3, 15), date(2026, 3, 15))
    assert is_overdue(date(2026, 3, 15), date(2026, 3, 16))


def test_today_is_almatys_date_whatever_the_zone_of_the_clock() -> None:
    moment = datetime(2026, 1, 31, 20, 30, tzinfo=UTC)  # 1 February, 01:30 in Almaty
    new_york = moment.astimezone(timezone(timedelta(hours=-5)))

    assert today_in_almaty(moment) == date(2026, 2, 1)
    assert today_in_almaty(new_york) == date(2026, 2, 1)
    with pytest.raises(ValueError, match="time zone"):
        today_in_almaty(datetime(2026, 1, 31, 20, 30))


def form(**values):
    base = {
        "system": "e_statistics",
        "kind": "planned_change",
        "decision_date": "2026-03-10",
        "planned_date": "2026-04-01",
        "description": "new release of the intake module",
        "today": date(2026, 3, 12),
    }
    return {**base, **values}


def test_a_valid_notice_says_who_owes_it_and_when() -> None:
    ours = check_notice(**form())
    theirs = check_notice(**form(system="burkit_mo", kind="shutdown"))

    assert (ours.due_date, ours.owed_by, ours.owed_to, ours.ours) == (
        date(2026, 3, 15),
        "statistics_committee",
        "security_committee",
        True,
    )
    assert (theirs.owed_by, theirs.owed_to, theirs.ours) == (
        "security_committee",
        "statistics_committee",
        False,
    )


def test_a_decision_six_days_ago_is_accepted_and_already_overdue() -> None:
    notice = check_notice(**form(decision_date="2026-03-06"))

    assert is_overdue(notice.due_date, date(2026, 3, 12))


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"system": "burkit"}, "system must be one of burkit_mo, e_statistics"),
        ({"kind": "upgrade"}, "kind must be one of planned_change, shutdown"),
        ({"decision_date": "10.03.2026"}, "decision_date must be a date written YYYY-MM-DD"),
        ({"decision_date": "2026-02-30"}, "decision_date must be a date"),
        ({"decision_date": "2026-03-13"}, "is in the future (today is 2026-03-12 in Almaty)"),
        ({"planned_date": "2026-03-09"}, "is before decision_date"),
        ({"planned_date": "2026-03-11"}, "has passed"),
        ({"description": "  "}, "description must say"),
    ],
)
def test_invalid_notices_are_refused_with_the_reason(values, says) -> None:
    with pytest.raises(NoticeRefused, match=says.replace("(", r"\(").replace(")", r"\)")):
        check_notice(**form(**values))


def test_monthly_periods_are_due_five_days_after_the_month_end() -> None:
    periods = delivery_periods(date(2026, 1, 31), date(2026, 4, 5))

    assert [(p.start, p.end, p.due) for p in periods] == [
        (date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 5)),
        (date(2026, 2, 1), date(2026, 2, 28), date(2026, 3, 5)),
    ]
    # March is due on 5 April: not missing until the day after.
    assert len(delivery_periods(date(2026, 1, 31), date(2026, 4, 6))) == 3


def test_periods_run_over_the_year_end_and_quarters() -> None:
    monthly = delivery_periods(date(2026, 11, 30), date(2027, 2, 10))
    quarterly = delivery_periods(date(2026, 3, 31), date(2027, 1, 10), months=3, grace_days=5)

    assert [p.end for p in monthly] == [date(2026, 11, 30), date(2026, 12, 31), date(2027, 1, 31)]
    assert [(p.start, p.end) for p in quarterly] == [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31)),
    ]
