"""Calendar arithmetic in Europe/Amsterdam."""

import datetime

import pytest
import time_machine
from django.utils import translation

from ketenmachtigingen import dates
from ketenmachtigingen.constants import (
    INVITATION_VALID_MONTHS,
    RENEWAL_REMINDER_MONTHS,
    STATUS_EXPLANATIONS,
    Status,
)

D = datetime.date
UTC = datetime.UTC


@pytest.mark.parametrize(
    ("start", "years", "end"),
    [
        (D(2028, 2, 29), 5, D(2033, 2, 28)),
        (D(2024, 2, 29), 4, D(2028, 2, 29)),
        (D(2024, 2, 29), 1, D(2025, 2, 28)),
        (D(2026, 3, 10), 5, D(2031, 3, 10)),
        (D(2026, 12, 31), 1, D(2027, 12, 31)),
        (D(2026, 1, 1), 3, D(2029, 1, 1)),
    ],
)
def test_end_date_for(start, years, end):
    assert dates.end_date_for(start, years) == end


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2024, 2, 29), 4, D(2028, 2, 29)),
        (D(2024, 2, 29), 5, D(2029, 2, 28)),
        (D(2029, 2, 28), -5, D(2024, 2, 28)),
    ],
)
def test_add_years(day, years, expected):
    assert dates.add_years(day, years) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 8, 31), 3, D(2026, 11, 30)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2027, 11, 30), 3, D(2028, 2, 29)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2026, 5, 31), 3, D(2026, 8, 31)),
        (D(2026, 2, 28), 3, D(2026, 5, 28)),
        (D(2026, 10, 15), 3, D(2027, 1, 15)),
        (D(2026, 12, 31), 3, D(2027, 3, 31)),
    ],
)
def test_add_months(day, months, expected):
    assert dates.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("sent_at", "deadline"),
    [
        # 23:30 UTC on 31 January is 00:30 on 1 February in Amsterdam (CET, UTC+1).
        (datetime.datetime(2026, 1, 31, 23, 30, tzinfo=UTC), D(2026, 5, 1)),
        # 22:59 UTC is still 31 January in Amsterdam: 30 April, the end of the month.
        (datetime.datetime(2026, 1, 31, 22, 59, tzinfo=UTC), D(2026, 4, 30)),
        # Summer time (CEST, UTC+2): 22:30 UTC on 31 July is 1 August in Amsterdam.
        (datetime.datetime(2026, 7, 31, 22, 30, tzinfo=UTC), D(2026, 11, 1)),
        (datetime.datetime(2026, 7, 31, 21, 59, tzinfo=UTC), D(2026, 10, 31)),
        (datetime.datetime(2026, 11, 30, 12, 0, tzinfo=UTC), D(2027, 2, 28)),
    ],
)
def test_invitation_deadline(sent_at, deadline):
    assert dates.invitation_deadline(sent_at) == deadline


def test_the_texts_name_the_months_the_dates_count():
    """One number for the rule and its wording: what the beheerder reads is what happens."""
    sent = datetime.datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert dates.invitation_deadline(sent) == D(2026, 1 + INVITATION_VALID_MONTHS, 15)
    assert f"{INVITATION_VALID_MONTHS} maanden geldig" in str(
        STATUS_EXPLANATIONS[Status.AANVRAAG_VERSTUURD]
    )
    assert dates.renewal_window_start(D(2026, 1, 15)) == D(2026, 1 + RENEWAL_REMINDER_MONTHS, 15)
    with translation.override("en"):
        assert f"valid for {INVITATION_VALID_MONTHS} months" in str(
            STATUS_EXPLANATIONS[Status.AANVRAAG_VERSTUURD]
        )


def test_renewal_window_start():
    assert dates.renewal_window_start(D(2026, 8, 31)) == D(2026, 11, 30)


@pytest.mark.parametrize(
    ("instant", "today"),
    [
        (datetime.datetime(2026, 3, 9, 23, 30, tzinfo=UTC), D(2026, 3, 10)),
        (datetime.datetime(2026, 3, 9, 22, 59, tzinfo=UTC), D(2026, 3, 9)),
        (datetime.datetime(2026, 6, 30, 22, 0, tzinfo=UTC), D(2026, 7, 1)),
        (datetime.datetime(2026, 6, 30, 21, 59, tzinfo=UTC), D(2026, 6, 30)),
    ],
)
def test_today_is_the_date_in_amsterdam(instant, today):
    with time_machine.travel(instant, tick=False):
        assert dates.today() == today
