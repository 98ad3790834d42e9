"""Where the bars and labels of the expiry timeline go in its SVG, in viewBox units: the
template draws the chart from these numbers, without JavaScript, and the viewBox scales it."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from ..constants import Tab
from ..selectors import MonthCount

COLUMN_WIDTH = 28
BAR_WIDTH = 18
TOP = 18  # room for the count above the highest bar
BASELINE = 110
MONTH_LABEL_Y = 126
YEAR_LABEL_Y = 140
HEIGHT = 146
SMALLEST_BAR = 2  # one ketenmachtiging among hundreds still shows


@dataclass(frozen=True)
class Bar:
    month: MonthCount
    x: int  # left edge of the bar's column
    height: int
    is_current: bool
    is_selected: bool  # the overview list is filtered to this month
    shows_year: bool  # the first column and each January name the year

    @property
    def bar_x(self) -> int:
        return self.x + (COLUMN_WIDTH - BAR_WIDTH) // 2

    @property
    def bar_y(self) -> int:
        return BASELINE - self.height

    @property
    def center(self) -> int:
        return self.x + COLUMN_WIDTH // 2

    @property
    def count_y(self) -> int:
        return self.bar_y - 5

    @property
    def url(self) -> str:
        """The overview's Actief tab filtered to the ketenmachtigingen this bar counts."""
        query = {
            "tab": Tab.ACTIEF,
            "eind_van": self.month.first_day.isoformat(),
            "eind_tot": self.month.last_day.isoformat(),
        }
        return f"{reverse('ketenmachtigingen:overview')}?{urlencode(query)}"


@dataclass(frozen=True)
class ExpiryChart:
    bars: list[Bar]
    total: int
    width: int
    height: int = HEIGHT
    column_width: int = COLUMN_WIDTH
    bar_width: int = BAR_WIDTH
    baseline: int = BASELINE
    top: int = TOP
    month_label_y: int = MONTH_LABEL_Y
    year_label_y: int = YEAR_LABEL_Y

    @property
    def first_month(self) -> datetime.date:
        return self.bars[0].month.first_day

    @property
    def last_month(self) -> datetime.date:
        return self.bars[-1].month.first_day


def expiry_chart(
    months: list[MonthCount],
    *,
    end_from: datetime.date | None = None,
    end_to: datetime.date | None = None,
) -> ExpiryChart:
    """Bars in proportion to the busiest month; `end_from`/`end_to` are the overview's end
    date filter, which marks the bar whose month it is exactly."""
    peak = max((m.count for m in months), default=0)
    bars = [
        Bar(
            month=month,
            x=i * COLUMN_WIDTH,
            height=max(SMALLEST_BAR, round(month.count / peak * (BASELINE - TOP)))
            if month.count
            else 0,
            is_current=i == 0,
            is_selected=(end_from, end_to) == (month.first_day, month.last_day),
            shows_year=i == 0 or month.first_day.month == 1,
        )
        for i, month in enumerate(months)
    ]
    return ExpiryChart(
        bars=bars, total=sum(m.count for m in months), width=len(months) * COLUMN_WIDTH
    )
