"""The portal on a phone (375 px) and on a desktop (1280 px): no page scrolls sideways, "+ Voeg
toe" stays on the screen, and on the phone the side menu sits behind a "Menu" button."""

import datetime

import pytest
from playwright.sync_api import expect

from ketenmachtigingen import dates
from ketenmachtigingen.models import RegisterEntry
from tests.e2e.conftest import log_in_on
from tests.factories import (
    DEFAULT_PASSWORD,
    BerichtFactory,
    BulkRequestFactory,
    BulkRequestRowFactory,
    GroepFactory,
    KetenmachtigingFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE, DESKTOP = 375, 1280
OVERVIEW = "/ketenmachtigingen/van-relaties/"


@pytest.fixture
def portal(pietersen):
    """Pietersen's organisation with a row in every tab (long names, several users), a groep,
    berichten and an imported Excel file with refused rows and warnings."""
    organisation = pietersen.memberships.get().organisation
    people = list(organisation.memberships.exclude(user=pietersen))
    groep = GroepFactory(organisation=organisation, name="Salarisadministratie", members=people)
    KetenmachtigingFactory(
        actief=True,
        intermediair=organisation,
        relatie=OrganisationFactory(name="Internationale Transport- en Expeditiemaatschappij B.V."),
        gebruikers=people,
        groepen=[groep],
        reference="KLANT-2026-000123",
        contact_email="financiele.administratie.contactpersoon@transportmaatschappij.example.nl",
    )
    KetenmachtigingFactory(
        aanvraag_verstuurd=True,
        intermediair=organisation,
        relatie=OrganisationFactory(name="Kapsalon Knip & Co"),
        gebruikers=people[:1],
    )
    KetenmachtigingFactory(
        verlopen=True, intermediair=organisation, relatie=OrganisationFactory(name="Drukkerij Vos")
    )
    end = dates.today() + datetime.timedelta(days=30)
    KetenmachtigingFactory(
        actief=True,
        intermediair=organisation,
        relatie=OrganisationFactory(name="Bakkerij Van den Berg B.V."),
        start_date=dates.add_years(end, -5),
        contact_achternaam="Van den Berg",
        contact_email="administratie@bakkerij-vandenberg.example.nl",
    )
    BerichtFactory(organisation=organisation, subject="Uw ketenmachtiging verloopt binnenkort")
    bulk = BulkRequestFactory(
        organisation=organisation,
        created_by=pietersen,
        accepted_at=None,
        errors=[[4, "E-mailadres contactpersoon", "Dit is geen geldig e-mailadres."]],
        error_row_count=1,
    )
    BulkRequestRowFactory(
        bulk_request=bulk,
        name="Groothandel in Kantoorbenodigdheden Noord-Nederland B.V.",
        warning="Er is al een actieve ketenmachtiging voor dit bedrijf.",
    )
    RegisterEntry.objects.create(
        kvk_nummer="39078749",
        rsin="800000006",
        name="ZET solutions B.V.",
        straat="Albert Einsteinweg",
        huisnummer="4",
        postcode="8218NH",
        plaats="Lelystad",
    )
    return {"user": pietersen, "groep": groep, "bulk": bulk}


def assert_no_sideways_scrolling(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    sticking_out = page.evaluate(
        """width => [...document.querySelectorAll("body *")]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width)
            .filter(e => !(e.parentElement.getBoundingClientRect().right > width))
            .map(e => `${e.tagName}.${e.className}`)""",
        width,
    )
    assert scroll_width <= width, (page.url, scroll_width, sticking_out)


def assert_on_screen(page, locator, width: int) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (page.url, box)


def assert_the_title_fits(page) -> None:
    """The page's title is not cut or overlapped: its text fits its own box."""
    title = page.locator("h1").first
    if title.count():
        overflow = title.evaluate("h => h.scrollWidth - h.clientWidth")
        assert overflow <= 0, (page.url, title.inner_text(), overflow)


def check(page, screenshot, width: int, name: str) -> None:
    assert_no_sideways_scrolling(page, width)
    assert_the_title_fits(page)
    screenshot(f"responsive-{width}-{name}")


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_no_page_scrolls_sideways(page, log_in, portal, screenshot, width):
    page.set_viewport_size({"width": width, "height": 800})
    log_in("a.pietersen", DEFAULT_PASSWORD, portal["user"].totpdevice_set.get())

    for tab in ["actief", "wachtend", "verlopen"]:
        page.goto(f"{OVERVIEW}?tab={tab}")
        assert_on_screen(page, page.get_by_role("link", name="+ Voeg toe"), width)
        export = page.get_by_label("Export overzicht ketenmachtigingen")
        export.click()
        assert_on_screen(page, page.get_by_role("button", name="Downloaden"), width)
        export.click()
        row = page.locator(".relatie-row").first
        row.locator("summary").click()
        expect(row.locator(".relatie-details")).to_contain_text("Over:")
        check(page, screenshot, width, f"overzicht-{tab}")

    page.goto(f"{OVERVIEW}?tab=acties")
    assert_on_screen(page, page.get_by_role("link", name="+ Voeg toe"), width)
    assert_on_screen(page, page.get_by_role("button", name="Vraag verlenging aan"), width)
    assert_on_screen(page, page.get_by_label("Taal Bakkerij Van den Berg B.V."), width)
    check(page, screenshot, width, "overzicht-acties")

    # The wizard: Stap 1 with a company, the diensten and gebruikers pages, Stap 4.
    page.get_by_role("link", name="+ Voeg toe").click()
    page.get_by_label("KVK-nummer of fiscaal nummer").fill("39078749")
    page.get_by_role("button", name="Selecteer bedrijf").click()
    expect(page.locator(".company-card")).to_contain_text("ZET solutions B.V.")
    check(page, screenshot, width, "wizard-stap-1")
    page.get_by_role("link", name="Kies diensten").click()
    page.get_by_label("Aangifte loonheffingen").check()
    check(page, screenshot, width, "wizard-diensten")
    page.get_by_role("button", name="Voeg machtiging(en) toe").click()
    page.get_by_role("link", name="Kies gebruikers").click()
    page.get_by_label("Salarisadministratie").check()
    check(page, screenshot, width, "wizard-gebruikers")
    page.get_by_role("button", name="Voeg gebruikers toe").click()
    expect(page.locator("#stap-3")).to_contain_text("Salarisadministratie")
    check(page, screenshot, width, "wizard-stap-4")

    bulk = portal["bulk"]
    for name, url in [
        ("meerdere-bedrijven", "/ketenmachtigingen/van-relaties/toevoegen/meerdere/"),
        (
            "meerdere-controle",
            f"/ketenmachtigingen/van-relaties/toevoegen/meerdere/{bulk.pk}/controle/",
        ),
        ("meerdere-bekijk", f"/ketenmachtigingen/van-relaties/toevoegen/meerdere/{bulk.pk}/"),
        ("afgegeven", "/ketenmachtigingen/afgegeven/"),
        ("groepen", "/groepen/"),
        ("groep", f"/groepen/{portal['groep'].pk}/"),
        ("berichtenbox", "/berichtenbox/"),
        ("gebruikers", "/gebruikers/"),
        ("profiel", "/mijn-profiel/"),
    ]:
        page.goto(url)
        expect(page.locator("main h1")).to_be_visible()
        check(page, screenshot, width, name)

    page.goto("/berichtenbox/")
    page.get_by_role("link", name="Uw ketenmachtiging verloopt binnenkort").click()
    expect(page.locator("main h1")).to_have_text("Uw ketenmachtiging verloopt binnenkort")
    check(page, screenshot, width, "bericht")


def test_acties_rows_are_cards_with_visible_labels_on_a_phone(page, log_in, portal):
    page.set_viewport_size({"width": PHONE, "height": 800})
    log_in("a.pietersen", DEFAULT_PASSWORD, portal["user"].totpdevice_set.get())
    page.goto(f"{OVERVIEW}?tab=acties")
    row = page.locator(".acties-table tbody tr").first
    expect(page.locator(".acties-table thead")).not_to_be_in_viewport()
    labels = row.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels == ['"Naam ontvanger"', '"E-mailadres ontvanger"', '"Taal"']
    name = page.get_by_label("Naam ontvanger Bakkerij Van den Berg B.V.")
    email = page.get_by_label("E-mailadres ontvanger Bakkerij Van den Berg B.V.")
    # Stacked: each field under the previous one, as wide as the card.
    assert name.bounding_box()["y"] < email.bounding_box()["y"]
    assert name.bounding_box()["width"] > PHONE / 2


def test_menu_button_opens_and_closes_the_menu_with_the_keyboard(
    page, log_in, pietersen, screenshot
):
    page.set_viewport_size({"width": PHONE, "height": 800})
    log_in("a.pietersen", DEFAULT_PASSWORD, pietersen.totpdevice_set.get())
    page.goto(OVERVIEW)
    button = page.get_by_role("button", name="Menu")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(button).to_have_attribute("aria-controls", "menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()

    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    page.keyboard.press("Tab")
    expect(menu.locator(":focus")).to_have_count(1)  # the next stop is inside the menu
    screenshot("responsive-375-menu-open")
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Space")
    expect(menu).to_be_visible()
    menu.get_by_role("link", name="groepen").click()
    expect(page.get_by_role("heading", name="Groepen", exact=True)).to_be_visible()
    expect(menu).to_be_hidden()  # a new page starts with the menu closed
    page.get_by_role("button", name="Menu").press("Space")
    expect(menu.get_by_role("button", name="EN")).to_be_visible()
    page.get_by_role("button", name="Menu").press("Enter")
    expect(menu).to_be_hidden()

    page.set_viewport_size({"width": DESKTOP, "height": 800})
    expect(menu).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()


def test_without_javascript_the_menu_link_shows_the_menu(browser, live_server, pietersen):
    context = browser.new_context(
        base_url=live_server.url,
        locale="nl-NL",
        java_script_enabled=False,
        viewport={"width": PHONE, "height": 800},
    )
    page = context.new_page()
    try:
        log_in_on(page, "a.pietersen", DEFAULT_PASSWORD, pietersen.totpdevice_set.get())
        page.goto(OVERVIEW)
        menu = page.get_by_role("navigation", name="Hoofdmenu")
        expect(menu).to_be_hidden()
        page.get_by_role("link", name="Menu").click()
        expect(menu).to_be_visible()
        expect(menu.get_by_role("link", name="berichtenbox")).to_be_visible()
        assert_no_sideways_scrolling(page, PHONE)
    finally:
        context.close()
