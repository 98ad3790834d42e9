"""The expiry timeline on the overview: how many Actief ketenmachtigingen end in each of the
coming months, the renewal workload at a glance."""

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth

from accounts.models import Organisation

from .. import dates
from ..constants import Tab
from .overview import tab_queryset

__all__ = [
    "MonthCount",
    "TIMELINE_MONTHS",
    "expiry_timeline",
]

TIMELINE_MONTHS = 12


@dataclass(frozen=True)
class MonthCount:
    first_day: datetime.date
    count: int  # Actief ketenmachtigingen whose end date lies in this month

    @property
    def last_day(self) -> datetime.date:
        return dates.add_months(self.first_day, 1) - datetime.timedelta(days=1)


def expiry_timeline(
    organisation: Organisation,
    *,
    today: datetime.date | None = None,
    months: int = TIMELINE_MONTHS,
) -> list[MonthCount]:
    """The current month and the ones after it, each with the number of the organisation's
    Actief ketenmachtigingen whose end date (the first day no longer in force, the date the
    overview shows) falls in it. One query; a month without any counts 0."""
    first = (today or dates.today()).replace(day=1)
    month_starts = [dates.add_months(first, i) for i in range(months)]
    # COUNT(*), not of the pk: the (intermediair, status, end_date) index answers alone.
    counts = dict(
        tab_queryset([organisation], Tab.ACTIEF)
        .filter(end_date__gte=first, end_date__lt=dates.add_months(first, months))
        .annotate(month=TruncMonth("end_date"))
        .values_list("month")
        .annotate(n=Count("*"))
        .order_by()
    )
    return [MonthCount(month, counts.get(month, 0)) for month in month_starts]
