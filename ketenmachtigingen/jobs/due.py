"""Which ketenmachtigingen each nightly job takes on `today`: the rules of the single-row
transitions in services/lifecycle.py, as queries that an index answers from the due rows alone.

Each is ordered along its index. The jobs take the due rows a batch at a time (LIMIT), and
PostgreSQL cannot know that a condition such as "actief and ended" is rare (history rows share
the dates): unordered, it may expect to find a batch soon in a sequential scan and read the whole
table; ordered, walking the index is the cheap way to the first rows. Revocations and reminders
order by (date, id), which only their partial indexes km_nightly_* provide; the broader indexes
on the same dates would also walk the rows revoked or reminded in earlier nights.
"""

import datetime

from django.db.models import QuerySet

from .. import dates
from ..constants import INVITATION_VALID_MONTHS, Status
from ..models import Ketenmachtiging

# The same rule as the Acties tab: a renewal requested and not (yet) failed or withdrawn.
from ..selectors.overview import _renewal_under_way as renewal_under_way

ONE_DAY = datetime.timedelta(days=1)


def lapse_cutoff(today: datetime.date) -> datetime.datetime:
    """Invitations sent before this moment are past their deadline on `today`
    (dates.invitation_deadline(sent_at) < today), as a bound for the (status, sent_at) index.

    The deadline never decreases with the day of sending, but several days share one:
    30 and 31 August both have 30 November. So step to the last day whose deadline has passed.
    """
    day = dates.add_months(today - ONE_DAY, -INVITATION_VALID_MONTHS)
    while dates.invitation_deadline(dates.start_of(day + ONE_DAY)) < today:
        day += ONE_DAY
    return dates.start_of(day + ONE_DAY)


def lapses_due(today: datetime.date) -> QuerySet:
    return Ketenmachtiging.objects.filter(
        status=Status.AANVRAAG_VERSTUURD, sent_at__lt=lapse_cutoff(today)
    ).order_by("sent_at")


def expiries_due(today: datetime.date) -> QuerySet:
    """The end date is exclusive: on it the ketenmachtiging is no longer in force."""
    return Ketenmachtiging.objects.filter(status=Status.ACTIEF, end_date__lte=today).order_by(
        "end_date"
    )


def revocations_due(today: datetime.date) -> QuerySet:
    return Ketenmachtiging.objects.filter(
        status=Status.ACTIEF, revocation_date__isnull=False, revocation_date__lte=today
    ).order_by("revocation_date", "pk")


def reminders_due(today: datetime.date) -> QuerySet:
    """In the Acties tab on `today` and not reminded before. The conditions repeat those of the
    partial index km_nightly_reminder so that PostgreSQL can use it."""
    return (
        Ketenmachtiging.objects.filter(
            status=Status.ACTIEF,
            reminder_sent_at__isnull=True,
            revocation_date__isnull=True,
            end_date__gt=today,
            end_date__lt=dates.renewal_window_start(today),
        )
        .exclude(renewal_under_way())
        .order_by("end_date", "pk")
    )
