"""The Verlopen tab in Chromium: "Vraag opnieuw aan" fills the wizard from the expired
ketenmachtiging and sends a new request; "Verwijder uit overzicht" asks, then the row is gone."""

import re

import pytest
from playwright.sync_api import expect

from catalogue.models import Dienst
from ketenmachtigingen.constants import Status
from ketenmachtigingen.models import Ketenmachtiging
from tests.factories import DEFAULT_PASSWORD, KetenmachtigingFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

OVERVIEW = "/ketenmachtigingen/van-relaties/"


@pytest.fixture
def setting(pietersen):
    org = pietersen.memberships.get().organisation
    jong = org.memberships.get(user__last_name="Jong")
    laag = org.memberships.get(user__last_name="Laag")  # EH2: no longer qualifies
    dienst = Dienst.objects.filter(active=True).order_by("name").first()
    bakkerij = KetenmachtigingFactory(
        intermediair=org,
        relatie=OrganisationFactory(name="Bakkerij Jansen B.V.", kvk_nummer="12345678"),
        verlopen=True,
        algemene_bevoegdheid=False,
        diensten=[dienst],
        gebruikers=[jong, laag],
        contact_initialen="P.",
        contact_achternaam="Dam",
        contact_email="p.dam@bakkerij.example.nl",
        contact_telefoon="+31301234567",
        language="en",
    )
    vos = KetenmachtigingFactory(
        intermediair=org, relatie=OrganisationFactory(name="Drukkerij Vos"), verlopen=True
    )
    return {"user": pietersen, "org": org, "dienst": dienst, "bakkerij": bakkerij, "vos": vos}


def open_row(page, tab, name):
    page.goto(f"{OVERVIEW}?tab={tab}")
    row = page.locator(".relatie-row", has_text=name)
    row.locator("summary").click()
    expect(row.locator(".km-detail").first).to_be_visible()
    return row


def log_in_as_pietersen(log_in, setting):
    log_in("a.pietersen", DEFAULT_PASSWORD, setting["user"].totpdevice_set.get())


def test_vraag_opnieuw_aan_sends_a_new_request(page, log_in, setting, screenshot):
    log_in_as_pietersen(log_in, setting)
    row = open_row(page, "verlopen", "Bakkerij Jansen B.V.")
    screenshot("verlopen-1-details")
    row.get_by_role("button", name="Vraag opnieuw aan").click()

    expect(page).to_have_url(re.compile(r"/toevoegen/#stap-4$"))
    expect(
        page.get_by_text("zijn overgenomen. Controleer ze en verstuur de aanvraag.")
    ).to_be_visible()
    expect(
        page.get_by_text("K. Laag is niet overgenomen: het middel heeft geen niveau EH3 of hoger.")
    ).to_be_visible()
    expect(page.locator(".company-card")).to_contain_text("Bakkerij Jansen B.V.")
    expect(page.locator(".company-card")).to_contain_text("12345678")
    expect(page.locator("#stap-2")).to_contain_text(setting["dienst"].name)
    expect(page.locator("#stap-3")).to_contain_text("S. de Jong")
    expect(page.locator("#stap-3")).not_to_contain_text("K. Laag")
    expect(page.get_by_label("Kies de duur van de machtigingen", exact=True)).to_have_value("5")
    screenshot("verlopen-2-wizard-overgenomen")

    page.get_by_role("button", name="Verstuur aanvraag tot goedkeuring").click()
    form = page.locator("form.send-form")
    expect(form.get_by_label("Achternaam")).to_have_value("Dam")
    expect(form.get_by_label("E-mailadres").first).to_have_value("p.dam@bakkerij.example.nl")
    expect(form.get_by_label("Voorkeurstaal ontvangers")).to_have_value("en")
    consent = form.get_by_label("Ja, ik ga akkoord met de kosten")
    expect(consent).not_to_be_checked()
    form.get_by_label("E-mailadres").nth(1).fill("km@pietersen.example.nl")
    form.get_by_label("Telefoonnummer").nth(1).fill("030 1234567")
    consent.check()
    screenshot("verlopen-3-aanvraag-versturen")
    form.get_by_role("button", name="Verzend aanvraag tot goedkeuring").click()

    expect(page.get_by_text("De ketenmachtiging is toegevoegd/ verzonden.")).to_be_visible()
    new = Ketenmachtiging.objects.exclude(status=Status.VERLOPEN).get()
    assert new.status == Status.AANVRAAG_VERSTUURD
    assert new.relatie_id == setting["bakkerij"].relatie_id
    assert [m.user.last_name for m in new.gebruikers.all()] == ["Jong"]
    page.get_by_role("link", name="Wachtend op afhandeling").click()
    expect(page.locator(".relatie-row", has_text="Bakkerij Jansen B.V.")).to_be_visible()
    screenshot("verlopen-4-wachtend")


def test_verwijder_uit_overzicht_asks_and_the_row_is_gone(page, log_in, setting, screenshot):
    log_in_as_pietersen(log_in, setting)
    row = open_row(page, "verlopen", "Drukkerij Vos")
    row.get_by_role("button", name="Verwijder uit overzicht").click()

    dialog = page.get_by_role("dialog", name="Verwijder uit overzicht")
    expect(dialog).to_contain_text(
        "De verlopen ketenmachtiging van Drukkerij Vos verdwijnt uit het overzicht Verlopen."
    )
    expect(dialog.get_by_role("button", name="Annuleer")).to_be_focused()
    screenshot("verlopen-5-verwijder-uit-overzicht")
    dialog.get_by_role("button", name="Ja, verwijder uit overzicht").click()

    expect(
        page.get_by_text("De verlopen ketenmachtiging van Drukkerij Vos is verwijderd uit het")
    ).to_be_visible()
    expect(page.locator(".relatie-row", has_text="Drukkerij Vos")).to_have_count(0)
    expect(page.locator(".relatie-row", has_text="Bakkerij Jansen B.V.")).to_be_visible()
    assert Ketenmachtiging.objects.get(pk=setting["vos"].pk).hidden_at is not None

    page.set_viewport_size({"width": 375, "height": 740})
    open_row(page, "verlopen", "Bakkerij Jansen B.V.")
    screenshot("verlopen-6-details-375")
