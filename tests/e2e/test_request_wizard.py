"""Voeg nieuwe ketenmachtigingen toe, Eén bedrijf, in Chromium: both ways to finish."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from ketenmachtigingen.constants import Status
from ketenmachtigingen.models import Ketenmachtiging
from tests.factories import (
    DEFAULT_PASSWORD,
)

pytestmark = pytest.mark.django_db(transaction=True)


def walk_steps_1_to_4(page, log_in, beheerder, screenshot, prefix):
    log_in("a.pietersen", DEFAULT_PASSWORD, beheerder.totpdevice_set.get())
    page.get_by_role("link", name="+ Voeg toe").click()
    expect(page.get_by_role("heading", name="Voeg nieuwe ketenmachtigingen toe")).to_be_visible()
    screenshot(f"{prefix}-1-importeer-bedrijven")

    page.get_by_label("KVK-nummer of fiscaal nummer").fill("3907874")
    page.get_by_role("button", name="Selecteer bedrijf").click()
    expect(page.get_by_text("u vulde 7 cijfers in.")).to_be_visible()
    page.get_by_label("KVK-nummer of fiscaal nummer").fill("39078749")
    page.get_by_role("button", name="Selecteer bedrijf").click()
    expect(page.locator(".company-card")).to_contain_text("ZET solutions B.V.")
    expect(page.locator(".company-card")).to_contain_text("8218NH Lelystad")
    screenshot(f"{prefix}-2-bedrijf-geselecteerd")

    page.get_by_role("link", name="Kies diensten").click()
    search = page.get_by_placeholder("Zoek op dienst of dienstverlener...")
    search.fill("loonheff")
    expect(page.get_by_label("Facet Portaal")).to_have_count(0)  # filtered as you type
    page.get_by_label("Aangifte loonheffingen").check()
    search.fill("cockpit")
    expect(page.get_by_label("Aangifte loonheffingen")).to_have_count(0)
    page.get_by_label("Adviseursportaal a.s.r. Cockpit").check()
    screenshot(f"{prefix}-3-kies-diensten")
    page.get_by_role("button", name="Voeg machtiging(en) toe").click()
    step2 = page.locator("#stap-2")
    expect(step2).to_contain_text("Aangifte loonheffingen")  # kept while filtered out
    expect(step2).to_contain_text("Adviseursportaal a.s.r. Cockpit")

    page.get_by_role("link", name="Kies gebruikers").click()
    expect(page.get_by_label(re.compile("K. Laag"))).to_be_disabled()
    expect(
        page.get_by_text(
            "alleen geschikt is om namens uw bedrijf in te loggen bij de Belastingdienst"
        )
    ).to_be_visible()
    page.get_by_label(re.compile("S. de Jong")).check()
    page.get_by_label("Fiscalisten").check()
    screenshot(f"{prefix}-4-kies-gebruikers")
    page.get_by_role("button", name="Voeg gebruikers toe").click()
    expect(page.locator("#stap-3")).to_contain_text("S. de Jong")
    expect(page.locator("#stap-3")).to_contain_text("Fiscalisten")

    expect(page.get_by_label("Kies de duur van de machtigingen", exact=True)).to_have_value("5")
    screenshot(f"{prefix}-5-kies-duur")


def test_already_approved_path(page, log_in, pietersen, fiscalisten_and_zet, screenshot):
    walk_steps_1_to_4(page, log_in, pietersen, screenshot, "goedgekeurd")
    page.get_by_label("Kies de duur van de machtigingen", exact=True).select_option("4")
    page.get_by_role("button", name="Ik heb al goedkeuring ontvangen").click()

    expect(
        page.get_by_role("heading", name="Wilt u deze ketenmachtiging verwerken als goedgekeurd?")
    ).to_be_visible()
    screenshot("goedgekeurd-6-bevestig")
    page.get_by_role("link", name="Ja, leg de ketenmachtiging vast").click()
    page.get_by_text("Reconi").click()
    screenshot("goedgekeurd-7-kies-organisatie")
    page.get_by_role("button", name="Verwerk als goedgekeurd").click()

    expect(page.get_by_text("De ketenmachtiging is toegevoegd/ verzonden.")).to_be_visible()
    km = Ketenmachtiging.objects.get()
    assert (km.status, km.leverancier, km.duration_years) == (Status.ACTIEF, "reconi", 4)
    assert km.diensten.count() == 2
    assert [g.name for g in km.groepen.all()] == ["Fiscalisten"]


def test_send_path_mails_the_invitation_with_the_pdf(
    page, log_in, pietersen, fiscalisten_and_zet, screenshot
):
    walk_steps_1_to_4(page, log_in, pietersen, screenshot, "verzenden")
    page.get_by_role("button", name="Verstuur aanvraag tot goedkeuring").click()

    expect(page.get_by_text("Gegevens contactpersoon bij ZET solutions B.V.")).to_be_visible()
    form = page.locator("form.send-form")
    form.get_by_label("Initialen").fill("J.")
    form.get_by_label("Achternaam").fill("Zetman")
    form.get_by_label("E-mailadres").first.fill("j.zetman@zet.example.nl")
    form.get_by_label("Telefoonnummer").first.fill("06 12345678")
    form.get_by_label("E-mailadres").nth(1).fill("km@pietersen.example.nl")
    form.get_by_label("Telefoonnummer").nth(1).fill("030 1234567")
    form.get_by_label("Voorkeurstaal ontvangers").select_option("en")
    form.get_by_label("Persoonlijk bericht voor de ontvangers").fill("Graag snel retour.")
    form.get_by_role("button", name="Verzend aanvraag tot goedkeuring").click()
    expect(
        page.get_by_text("Ga akkoord met de kosten om de aanvraag te versturen.")
    ).to_be_visible()
    form = page.locator("form.send-form")
    form.get_by_label("Ja, ik ga akkoord met de kosten").check()
    screenshot("verzenden-6-aanvraag-versturen")
    form.get_by_role("button", name="Verzend aanvraag tot goedkeuring").click()

    expect(page.get_by_text("De ketenmachtiging is toegevoegd/ verzonden.")).to_be_visible()
    km = Ketenmachtiging.objects.get()
    assert km.status == Status.AANVRAAG_VERSTUURD
    assert [m.to for m in mail.outbox] == [["j.zetman@zet.example.nl"]]
    # The form in the language chosen for the relatie, under a name in that language.
    assert mail.outbox[0].attachments[0][0] == f"chain-authorisation-{km.request_code}.pdf"
    page.get_by_role("link", name="Wachtend op afhandeling").click()
    expect(page.locator(".relatie-row", has_text="ZET solutions B.V.")).to_be_visible()
    screenshot("verzenden-7-wachtend")


def test_boxes_ticked_while_a_search_is_under_way_stay_ticked(
    page, log_in, pietersen, fiscalisten_and_zet
):
    log_in("a.pietersen", DEFAULT_PASSWORD, pietersen.totpdevice_set.get())
    page.get_by_role("link", name="+ Voeg toe").click()
    page.get_by_label("KVK-nummer of fiscaal nummer").fill("39078749")
    page.get_by_role("button", name="Selecteer bedrijf").click()
    page.get_by_role("link", name="Kies diensten").click()

    held = []  # the search's answer waits until the boxes below are ticked
    page.route(re.compile(r"/diensten/\?.*picker=1"), lambda route: held.append(route))
    with page.expect_request(re.compile(r"picker=1")):
        page.get_by_placeholder("Zoek op dienst of dienstverlener...").fill("loonheff")
    while not held:
        page.wait_for_timeout(20)
    assert "csrfmiddlewaretoken" not in held[0].request.url  # a search's address is logged
    page.get_by_label("Facet Portaal").check()  # not among the search's results
    page.get_by_label("Aangifte loonheffingen").check()
    held[0].continue_()

    expect(page.get_by_label("Facet Portaal")).to_have_count(0)  # the filtered list is in
    expect(page.get_by_label("Aangifte loonheffingen")).to_be_checked()
    expect(page.get_by_label("Aangifte loonheffingen")).to_be_focused()
    page.get_by_role("button", name="Voeg machtiging(en) toe").click()
    step2 = page.locator("#stap-2")
    expect(step2).to_contain_text("Aangifte loonheffingen")
    expect(step2).to_contain_text("Facet Portaal")
