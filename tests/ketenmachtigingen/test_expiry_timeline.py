"""The expiry timeline on the Actief tab: Actief ketenmachtigingen per month of their end date,
each bar a link to exactly those ketenmachtigingen."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketenmachtigingen import dates
from ketenmachtigingen.selectors import expiry_timeline
from tests.factories import KetenmachtigingFactory, OrganisationFactory

from .conftest import TODAY  # Tuesday 10 March 2026, the `frozen` clock's day

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("ketenmachtigingen:overview")


def ending(intermediair, end_date, relatie=None, **status):
    """A ketenmachtiging of five years ending on `end_date` (Actief unless told otherwise)."""
    return KetenmachtigingFactory(
        intermediair=intermediair,
        relatie=relatie or OrganisationFactory(),
        **(status or {"actief": True}),
        start_date=dates.add_years(end_date, -5),
        end_date=end_date,
    )


def d(year, month, day):
    return datetime.date(year, month, day)


@pytest.fixture
def portal(client, verified_login, beheerder, frozen):
    verified_login(beheerder.user)
    return client


# The selector


def test_counts_per_month_from_the_current_month_on(org, django_assert_num_queries):
    for end in [
        d(2026, 2, 28),  # last month: before the timeline
        d(2026, 3, 1),  # first day of the current month
        d(2026, 3, 31),
        d(2026, 4, 1),  # the first day of a month belongs to that month
        d(2026, 4, 30),
        d(2026, 4, 30),
        d(2027, 2, 28),  # the twelfth month
        d(2027, 3, 1),  # the thirteenth: after the timeline
    ]:
        ending(org, end)
    # Not counted: not Actief, or another intermediair's.
    ending(org, d(2026, 4, 15), verlopen=True)
    ending(org, d(2026, 4, 15), ingetrokken=True)
    ending(org, d(2026, 4, 15), aanvraag_ontvangen=True)
    ending(OrganisationFactory(intermediair=True), d(2026, 4, 15))

    with django_assert_num_queries(1):
        months = expiry_timeline(org, today=TODAY)

    assert [(m.first_day, m.count) for m in months] == [
        (d(2026, 3, 1), 2),
        (d(2026, 4, 1), 3),
        (d(2026, 5, 1), 0),
        (d(2026, 6, 1), 0),
        (d(2026, 7, 1), 0),
        (d(2026, 8, 1), 0),
        (d(2026, 9, 1), 0),
        (d(2026, 10, 1), 0),
        (d(2026, 11, 1), 0),
        (d(2026, 12, 1), 0),
        (d(2027, 1, 1), 0),
        (d(2027, 2, 1), 1),
    ]
    assert [m.last_day for m in months[:2]] == [d(2026, 3, 31), d(2026, 4, 30)]


def test_a_new_organisation_has_twelve_empty_months(org):
    months = expiry_timeline(org, today=d(2026, 12, 31))

    assert [m.first_day for m in months][::11] == [d(2026, 12, 1), d(2027, 11, 1)]
    assert {m.count for m in months} == {0}


# The page


def bar_links(content: str) -> dict[str, str]:
    """Accessible name → href of each bar link in the chart."""
    start = content.index('<svg class="expiry-chart"')
    chart = content[start : content.index("</svg>", start)]
    return {
        html.unescape(label): html.unescape(href)
        for href, label in re.findall(r'<a href="([^"]+)" aria-label="([^"]+)"', chart)
    }


def relatie_rows(content: str) -> dict[str, str]:
    """Relatie name → its "n machtigingen" in the overview list."""
    name, count = r'<span class="relatie-name">([^<]+)<', r'<span class="relatie-count">([^<]+)<'
    return dict(re.findall(f"{name}.*?{count}", content, re.S))


@pytest.fixture
def april(org):
    """Three Actief ketenmachtigingen end in April 2026, two of them of one relatie; around
    them the ones that must stay out of the April list."""
    bakker = OrganisationFactory(name="Bakkerij April")
    ending(org, d(2026, 4, 1), relatie=bakker)
    ending(org, d(2026, 4, 30), relatie=bakker)
    ending(org, d(2026, 4, 17), relatie=OrganisationFactory(name="Drukkerij April"))
    ending(org, d(2026, 3, 31), relatie=OrganisationFactory(name="Slagerij Maart"))
    ending(org, d(2026, 5, 1), relatie=OrganisationFactory(name="Kapsalon Mei"))
    ending(org, d(2026, 4, 20), relatie=OrganisationFactory(name="Verlopen April"), verlopen=True)
    ending(OrganisationFactory(intermediair=True), d(2026, 4, 9))


def test_the_chart_shows_a_bar_per_month_with_its_count(portal, april):
    content = portal.get(OVERVIEW).content.decode()

    assert 'role="group" aria-labelledby="expiry-chart-title"' in content
    assert "Actieve ketenmachtigingen per maand waarin ze eindigen</title>" in content
    assert "Van maart 2026 tot en met februari 2027 eindigen 5 actieve ketenmachtigingen." in (
        content
    )
    links = bar_links(content)
    assert list(links) == [
        "maart 2026: 1 ketenmachtiging eindigt",
        "april 2026: 3 ketenmachtigingen eindigen",
        "mei 2026: 1 ketenmachtiging eindigt",
    ]
    assert links["april 2026: 3 ketenmachtigingen eindigen"] == (
        f"{OVERVIEW}?tab=actief&eind_van=2026-04-01&eind_tot=2026-04-30"
    )
    # A month without any is drawn, with its 0, but is no link.
    assert '<g role="img" aria-label="juni 2026: 0 ketenmachtigingen eindigen"' in content
    # The visible counts and month labels, the current month first.
    assert re.findall(r'class="expiry-count"[^>]*>(\d+)<', content) == ["1", "3", "1"] + ["0"] * 9
    months = re.findall(r'class="expiry-month"[^>]*>(\w+)<', content)
    assert months[:3] == ["mrt", "apr", "mei"] and months[-2:] == ["jan", "feb"]
    assert re.findall(r'class="expiry-year"[^>]*>(\d+)<', content) == ["2026", "2027"]
    assert 'class="expiry-column is-current"' in content
    # The same figures as a table.
    table = content[content.index('<details class="expiry-table">') :]
    assert re.findall(r"<th scope=\"row\">(?:<a [^>]+>)?([^<]+)<", table)[:2] == [
        "maart 2026",
        "april 2026",
    ]
    assert re.findall(r'<td class="numeric">(\d+)</td>', table)[:3] == ["1", "3", "1"]


def test_a_bar_leads_to_exactly_the_ketenmachtigingen_it_counts(portal, april):
    href = bar_links(portal.get(OVERVIEW).content.decode())[
        "april 2026: 3 ketenmachtigingen eindigen"
    ]

    content = portal.get(href).content.decode()

    assert relatie_rows(content) == {
        "Bakkerij April": "2 machtigingen",
        "Drukkerij April": "1 machtiging",
    }
    assert "2 relaties" in content
    # The filter panel shows what was chosen, and the bar is marked as the chosen month.
    assert '<details class="filter-panel" open>' in content
    assert 'value="2026-04-01"' in content and 'value="2026-04-30"' in content
    chosen = re.findall(r'<a [^>]*aria-label="([^"]+)"[^>]*aria-current="true"', content)
    assert chosen == ["april 2026: 3 ketenmachtigingen eindigen"]


def test_a_bad_end_date_is_named_and_the_other_filters_still_apply(portal, april):
    response = portal.get(
        OVERVIEW, {"tab": "actief", "zoek": "april", "eind_van": "2026-13-01", "eind_tot": "x"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert '<details class="filter-panel" open>' in content
    assert content.count("Voer een geldige datum in.") == 2
    assert relatie_rows(content) == {
        "Bakkerij April": "2 machtigingen",
        "Drukkerij April": "1 machtiging",
    }


def test_only_on_the_actief_tab_and_not_in_the_search_results(portal, april):
    for params in [{"tab": "wachtend"}, {"tab": "acties"}, {"tab": "verlopen"}]:
        assert "expiry-chart" not in portal.get(OVERVIEW, params).content.decode()
    partial = portal.get(OVERVIEW, {"zoek": "april"}, headers={"HX-Request": "true"})
    assert "expiry-chart" not in partial.content.decode()


def test_without_any_ending_soon_a_sentence_instead_of_a_chart(portal, org):
    ending(org, d(2028, 1, 1), relatie=OrganisationFactory(name="Later BV"))

    content = portal.get(OVERVIEW).content.decode()

    assert "Er eindigen geen actieve ketenmachtigingen in de komende 12 maanden." in content
    assert '<svg class="expiry-chart"' not in content
    assert "Later BV" in content


def test_in_english(portal, april):
    portal.post("/i18n/setlang/", {"language": "en", "next": OVERVIEW})

    content = portal.get(OVERVIEW).content.decode()

    assert "End dates in the next 12 months" in content
    assert list(bar_links(content))[:2] == [
        "March 2026: 1 chain authorisation ends",
        "April 2026: 3 chain authorisations end",
    ]
    months = re.findall(r'class="expiry-month"[^>]*>(\w+)<', content)
    assert months[:3] == ["Mar", "Apr", "May"] and months[-2:] == ["Jan", "Feb"]
    assert ">March 2026</a></th>" in content


def test_the_chart_costs_one_query(portal, april):
    def queries(tab):
        with CaptureQueriesContext(connection) as captured:
            assert portal.get(OVERVIEW, {"tab": tab}).status_code == 200
        return len(captured)

    # The Verlopen tab runs the same list code without the chart.
    assert queries("actief") == queries("verlopen") + 1
