"""Calendar arithmetic in Europe/Amsterdam: "3 months" and "5 years" as a person counts them."""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from .constants import INVITATION_VALID_MONTHS, RENEWAL_REMINDER_MONTHS


def today() -> datetime.date:
    return timezone.localdate()


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in Europe/Amsterdam."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """31 August + 3 months is 30 November: the day is clamped to the month's end."""
    return day + relativedelta(months=months)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """29 February + 5 years is 28 February."""
    return day + relativedelta(years=years)


def end_date_for(start: datetime.date, duration_years: int) -> datetime.date:
    """The first day on which a ketenmachtiging no longer applies."""
    return add_years(start, duration_years)


def invitation_deadline(sent_at: datetime.datetime) -> datetime.date:
    """The last day on which Z login accepts the signed form."""
    return add_months(timezone.localdate(sent_at), INVITATION_VALID_MONTHS)


def renewal_window_start(today_: datetime.date) -> datetime.date:
    """Ketenmachtigingen ending before this date are due for renewal (the Acties tab)."""
    return add_months(today_, RENEWAL_REMINDER_MONTHS)
