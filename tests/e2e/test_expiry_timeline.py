"""The expiry timeline on the Actief tab in Chromium: a bar leads to the ketenmachtigingen it
counts, the table shows the same figures, and the chart fits a phone."""

import datetime

import pytest
from django.utils import dateformat, translation
from playwright.sync_api import expect

from ketenmachtigingen import dates
from tests.factories import (
    DEFAULT_PASSWORD,
    BeheerderFactory,
    KetenmachtigingFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def ending(intermediair, end_date, relatie):
    return KetenmachtigingFactory(
        actief=True,
        intermediair=intermediair,
        relatie=relatie,
        start_date=dates.add_years(end_date, -5),
        end_date=end_date,
    )


def month_name(day: datetime.date, language: str) -> str:
    with translation.override(language):
        return dateformat.format(day, "F Y")


@pytest.fixture
def setting():
    """Next month three ketenmachtigingen end, two of them of one relatie; one ends in the
    current month and one in four months."""
    user = UserFactory(username="a.pietersen", with_totp_device=True)
    org = OrganisationFactory(name="Pietersen Administratie B.V.", intermediair=True)
    BeheerderFactory(user=user, organisation=org)
    this_month = dates.today().replace(day=1)
    next_month = dates.add_months(this_month, 1)
    bakkerij = OrganisationFactory(name="Bakkerij Van den Berg B.V.")
    ending(org, next_month, bakkerij)
    ending(org, dates.add_months(next_month, 1) - datetime.timedelta(days=1), bakkerij)
    ending(org, next_month + datetime.timedelta(days=9), OrganisationFactory(name="Drukkerij Vos"))
    ending(
        org,
        dates.add_months(this_month, 1) - datetime.timedelta(days=1),
        OrganisationFactory(name="Slagerij Nu"),
    )
    ending(org, dates.add_months(this_month, 4), OrganisationFactory(name="Kapsalon Later"))
    return {"user": user, "next_month": next_month}


def test_a_bar_opens_the_ketenmachtigingen_ending_in_its_month(page, log_in, setting, screenshot):
    log_in("a.pietersen", DEFAULT_PASSWORD, setting["user"].totpdevice_set.get())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/ketenmachtigingen/van-relaties/")
    chart = page.get_by_role("group", name="Actieve ketenmachtigingen per maand waarin ze eindigen")
    expect(chart).to_be_visible()
    expect(page.locator(".expiry-summary")).to_contain_text("5 actieve ketenmachtigingen eindigen")
    bar = chart.get_by_role(
        "link", name=f"{month_name(setting['next_month'], 'nl')}: 3 ketenmachtigingen eindigen"
    )
    bar.focus()
    screenshot("vervaltijdlijn-1280")

    bar.click()

    rows = page.locator(".relatie-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Bakkerij Van den Berg B.V.")
    expect(rows.nth(0)).to_contain_text("2 machtigingen")
    expect(rows.nth(1)).to_contain_text("Drukkerij Vos")
    expect(rows.nth(1)).to_contain_text("1 machtiging")
    expect(bar).to_have_attribute("aria-current", "true")
    first, last = setting["next_month"], dates.add_months(setting["next_month"], 1)
    expect(page.get_by_label("Einddatum vanaf")).to_have_value(first.isoformat())
    expect(page.get_by_label("Einddatum tot en met")).to_have_value(
        (last - datetime.timedelta(days=1)).isoformat()
    )

    page.get_by_text("Toon als tabel").click()
    table = page.get_by_role("table", name="Actieve ketenmachtigingen per maand waarin ze eindigen")
    expect(table.get_by_role("row")).to_have_count(13)
    expect(table.get_by_role("row").nth(2)).to_have_text(
        f"{month_name(setting['next_month'], 'nl')} 3", use_inner_text=True
    )
    screenshot("vervaltijdlijn-gefilterd-1280")

    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("link", name="Actief", exact=True).click()
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    screenshot("vervaltijdlijn-375")

    page.get_by_role("button", name="Menu").click()  # the language switch is in the side menu
    page.get_by_role("button", name="EN", exact=True).click()
    expect(
        page.get_by_role(
            "link", name=f"{month_name(setting['next_month'], 'en')}: 3 chain authorisations end"
        )
    ).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("vervaltijdlijn-en-1280")
