"""WCAG 2.1 AA on every portal page, in Chromium: axe-core finds no serious or critical
violation, on the login steps, the overview's tabs with a relatie's details opened, both
ways to add ketenmachtigingen, groepen, berichtenbox, gebruikers, the settings, a
confirmation dialog and the error page."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from ketenmachtigingen import dates
from ketenmachtigingen.constants import Status
from ketenmachtigingen.models import Ketenmachtiging, RegisterEntry
from tests.browser import totp_now
from tests.e2e import test_bulk
from tests.e2e.axe import describe, serious_violations
from tests.factories import (
    DEFAULT_PASSWORD,
    BerichtFactory,
    GroepFactory,
    KetenmachtigingFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

OVERVIEW = "/ketenmachtigingen/van-relaties/"


# Opened details put several ketenmachtigingen's headings and regions on one page.
STRUCTURE = frozenset({"heading-order", "landmark-unique"})


class Audit:
    """axe on each page visited; the test fails afterwards naming every page with violations."""

    def __init__(self, page):
        self.page = page
        self.found = {}

    def __call__(self, name: str, also: frozenset[str] = frozenset()) -> None:
        violations = serious_violations(self.page, also)
        if violations:
            self.found[f"{name} ({self.page.url})"] = describe(violations)

    def assert_clean(self) -> None:
        assert not self.found, "\n\n".join(f"{n}:\n{v}" for n, v in self.found.items())


@pytest.fixture
def audit(page):
    return Audit(page)


@pytest.fixture
def setting(pietersen):
    """Pietersen's organisation with a ketenmachtiging on every tab, a groep and a bericht."""
    org = pietersen.memberships.get().organisation
    jong = org.memberships.get(user__last_name="Jong")
    fiscalisten = GroepFactory(organisation=org, name="Fiscalisten", algemene_bevoegdheid=True)

    def km(name, **kwargs):
        return KetenmachtigingFactory(
            intermediair=org, relatie=OrganisationFactory(name=name), **kwargs
        )

    km("Bakkerij Van den Berg B.V.", actief=True, gebruikers=[jong], groepen=[fiscalisten])
    ends_soon = dates.today() + datetime.timedelta(days=40)  # on the Acties tab
    km("Drukkerij Vos", actief=True, start_date=dates.add_years(ends_soon, -5), end_date=ends_soon)
    km("Kapsalon Knip & Co", aanvraag_verstuurd=True)
    km("Bloemenhandel Roos", verlopen=True)
    BerichtFactory(organisation=org, subject="Uw ketenmachtiging verloopt binnenkort")
    RegisterEntry.objects.create(
        kvk_nummer="39078749",
        name="ZET solutions B.V.",
        straat="Albert Einsteinweg",
        huisnummer="4",
        postcode="8218NH",
        plaats="Lelystad",
    )
    return {"user": pietersen, "groep": fiscalisten}


def log_in_auditing(page, audit, user):
    page.goto("/inloggen/")
    audit("Inloggen: wachtwoord")
    page.get_by_label("Gebruikersnaam").fill(user.username)
    page.get_by_label("Wachtwoord", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_label("Code")).to_be_visible()
    audit("Inloggen: code")
    page.get_by_label("Code").fill(totp_now(user.totpdevice_set.get().key))
    page.get_by_role("button", name="Bevestig code").click()
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()


def open_first_row(page):
    row = page.locator(".relatie-row").first
    row.locator("summary").click()
    expect(row.locator(".km-detail").first).to_be_visible()


def test_login_overview_and_the_menu_pages(page, audit, setting):
    log_in_auditing(page, audit, setting["user"])

    for tab, label in [
        ("acties", "Acties"),
        ("actief", "Actief"),
        ("wachtend", "Wachtend op afhandeling"),
        ("verlopen", "Verlopen"),
    ]:
        page.goto(f"{OVERVIEW}?tab={tab}")
        audit(f"Overzicht, tab {label}")
        if page.locator(".relatie-row").count():
            # Every relatie's details open at once: headings and landmarks stay unique.
            for summary in page.locator(".relatie-row summary").all():
                summary.click()
            expect(page.locator(".relatie-row .km-detail").first).to_be_visible()
            audit(f"Overzicht, tab {label}, details geopend", also=STRUCTURE)

    page.goto(OVERVIEW + "?tab=actief")
    open_first_row(page)
    page.get_by_role("button", name="Verwijder bedrijf").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    audit("Bevestigingsdialoog Verwijder bedrijf")

    page.goto("/ketenmachtigingen/afgegeven/")
    audit("Ketenmachtigingen afgegeven")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="groepen").click()
    audit("Groepen")
    page.get_by_role("link", name="Fiscalisten").click()
    expect(page.get_by_role("heading", name="Fiscalisten", exact=True)).to_be_visible()
    audit("Groep Fiscalisten")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name=re.compile("berichtenbox")
    ).click()
    audit("Berichtenbox")
    page.get_by_role("link", name=re.compile("Uw ketenmachtiging verloopt")).click()
    audit("Bericht")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="gebruikers").click()
    audit("Gebruikers")
    page.goto("/instellingen/afzender/")
    audit("Afzenderinstellingen")
    page.goto("/bestaat-niet/")
    expect(page.locator(".error-code")).to_be_visible()
    audit("Foutpagina 404")

    audit.assert_clean()


def test_one_company_wizard(page, log_in, audit, setting):
    log_in("a.pietersen", DEFAULT_PASSWORD, setting["user"].totpdevice_set.get())
    page.goto(OVERVIEW)
    page.get_by_role("link", name="+ Voeg toe").click()
    audit("Voeg toe, Stap 1")
    page.get_by_label("KVK-nummer of fiscaal nummer").fill("3907874")
    page.get_by_role("button", name="Selecteer bedrijf").click()
    expect(page.get_by_text("u vulde 7 cijfers in.")).to_be_visible()
    audit("Voeg toe, Stap 1 met een fout")
    page.get_by_label("KVK-nummer of fiscaal nummer").fill("39078749")
    page.get_by_role("button", name="Selecteer bedrijf").click()
    expect(page.locator(".company-card")).to_contain_text("ZET solutions B.V.")
    audit("Voeg toe, bedrijf geselecteerd")

    page.get_by_role("link", name="Kies diensten").click()
    audit("Kies diensten")
    page.get_by_label("Aangifte loonheffingen").check()
    page.get_by_role("button", name="Voeg machtiging(en) toe").click()
    expect(page.locator("#stap-2")).to_contain_text("Aangifte loonheffingen")
    page.get_by_role("link", name="Kies gebruikers").click()
    audit("Kies gebruikers")
    page.get_by_label(re.compile("S. de Jong")).check()
    page.get_by_role("button", name="Voeg gebruikers toe").click()
    expect(page.locator("#stap-3")).to_contain_text("S. de Jong")
    audit("Voeg toe, Stap 4 kies duur")
    page.get_by_role("button", name="Verstuur aanvraag tot goedkeuring").click()
    expect(page.locator("form.send-form")).to_be_visible()
    audit("Verzend aanvraag tot goedkeuring")
    page.locator("form.send-form").get_by_role(
        "button", name="Verzend aanvraag tot goedkeuring"
    ).click()
    expect(page.locator(".error").first).to_be_visible()
    audit("Verzend aanvraag tot goedkeuring, met fouten")

    audit.assert_clean()


def test_bulk_upload_and_review(page, log_in, audit, setting, tmp_path):
    log_in("a.pietersen", DEFAULT_PASSWORD, setting["user"].totpdevice_set.get())
    for kvk, name, straat, huisnummer, postcode, plaats in test_bulk.COMPANIES[1:]:
        RegisterEntry.objects.create(
            kvk_nummer=kvk,
            name=name,
            straat=straat,
            huisnummer=huisnummer,
            postcode=postcode,
            plaats=plaats,
        )
    page.goto(OVERVIEW)
    page.get_by_role("link", name="+ Voeg toe").click()
    page.get_by_role("link", name="Meerdere bedrijven").click()
    audit("Meerdere bedrijven")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download het Excel-formulier").click()
    downloaded, filled = tmp_path / "formulier.xlsx", tmp_path / "mijn-relaties.xlsx"
    info.value.save_as(downloaded)
    test_bulk.fill_the_form(downloaded, filled)
    page.get_by_label("Kies een bestand").set_input_files(filled)
    page.get_by_role("button", name="Importeer bedrijven").click()
    expect(page.locator("table.bulk-errors")).to_be_visible()
    audit("Meerdere bedrijven, controle van de import")
    page.get_by_role("button", name="Ga verder met de 3 geldige rijen").click()
    expect(page.locator("#stap-1")).to_contain_text("Import van 3 bedrijven")
    audit("Meerdere bedrijven, Stap 1 klaar")
    page.locator("#stap-1").get_by_role("link", name="bekijk").click()
    expect(page.locator("table.bulk-rows tbody tr")).to_have_count(3)
    audit("Meerdere bedrijven, bekijk de import")

    audit.assert_clean()


def tab_to(page, target, key="Tab", limit=120):
    """Press Tab (or `key`) until `target` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{key} never reached {target}")


def test_the_one_company_wizard_by_keyboard_alone(page, log_in, setting):
    log_in("a.pietersen", DEFAULT_PASSWORD, setting["user"].totpdevice_set.get())
    page.goto(OVERVIEW)

    tab_to(page, page.get_by_role("link", name="+ Voeg toe"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("KVK-nummer of fiscaal nummer"))
    page.keyboard.type("39078749")
    page.keyboard.press("Enter")
    expect(page.locator(".company-card")).to_contain_text("ZET solutions B.V.")

    tab_to(page, page.get_by_role("link", name="Kies diensten"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_placeholder("Zoek op dienst of dienstverlener..."))
    page.keyboard.type("loonheff")
    expect(page.get_by_label("Facet Portaal")).to_have_count(0)  # the list is filtered
    tab_to(page, page.get_by_label("Aangifte loonheffingen"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Aangifte loonheffingen")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Voeg machtiging(en) toe"))
    page.keyboard.press("Enter")
    expect(page.locator("#stap-2")).to_contain_text("Aangifte loonheffingen")

    tab_to(page, page.get_by_role("link", name="Kies gebruikers"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Voeg gebruikers toe"))
    # Back up to the person: Shift+Tab through the list.
    tab_to(page, page.get_by_label(re.compile("S. de Jong")), key="Shift+Tab")
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Voeg gebruikers toe"))
    page.keyboard.press("Enter")
    expect(page.locator("#stap-3")).to_contain_text("S. de Jong")

    tab_to(page, page.get_by_role("button", name="Ik heb al goedkeuring ontvangen"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Ja, leg de ketenmachtiging vast"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("radio").first)
    # Within a radio group the arrow keys move the focus and the choice.
    tab_to(page, page.get_by_label("Reconi"), key="ArrowDown", limit=10)
    page.keyboard.press("Space")
    expect(page.get_by_label("Reconi")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Verwerk als goedgekeurd"))
    page.keyboard.press("Enter")

    expect(page.get_by_text("De ketenmachtiging is toegevoegd/ verzonden.")).to_be_visible()
    km = Ketenmachtiging.objects.get(relatie__kvk_nummer="39078749")
    assert (km.status, km.leverancier) == (Status.ACTIEF, "reconi")
    assert [d.name for d in km.diensten.all()] == ["Aangifte loonheffingen"]
    assert [m.user.last_name for m in km.gebruikers.all()] == ["Jong"]
