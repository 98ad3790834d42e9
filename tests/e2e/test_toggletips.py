"""The manual's ⓘ: an explanation that opens beside its label, by mouse and keyboard, without
ticking the box it explains, at Kies diensten, Stap 4 and the send form."""

import pytest
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_explanations_open_without_ticking_anything(
    page, log_in, pietersen, fiscalisten_and_zet, screenshot
):
    log_in("a.pietersen", DEFAULT_PASSWORD, pietersen.totpdevice_set.get())
    page.get_by_role("link", name="+ Voeg toe").click()
    page.get_by_label("KVK-nummer of fiscaal nummer").fill("39078749")
    page.get_by_role("button", name="Selecteer bedrijf").click()
    page.get_by_role("link", name="Kies diensten").click()

    # A click on the ⓘ beside "Algemene bevoegdheid" explains it and leaves the box alone.
    line = page.locator(".picker-line", has=page.locator("input[name=algemene_bevoegdheid]"))
    tip = line.get_by_label("Uitleg")
    explanation = page.get_by_text("Alle beschikbare diensten, nu en in de toekomst.")
    expect(explanation).to_be_hidden()
    tip.click()
    expect(explanation).to_be_visible()
    expect(page.get_by_role("checkbox", name="Algemene bevoegdheid")).not_to_be_checked()
    screenshot("uitleg-algemene-bevoegdheid")
    # By keyboard: Enter closes and opens it again.
    tip.focus()
    page.keyboard.press("Enter")
    expect(explanation).to_be_hidden()
    page.keyboard.press("Enter")
    expect(explanation).to_be_visible()

    page.get_by_role("checkbox", name="Algemene bevoegdheid").check()
    page.get_by_role("button", name="Voeg machtiging(en) toe").click()
    page.get_by_role("link", name="Kies gebruikers").click()
    page.get_by_label("Fiscalisten").check()
    page.get_by_role("button", name="Voeg gebruikers toe").click()

    # Stap 4: the duration explained.
    page.locator("#stap-4").get_by_label("Uitleg").click()
    expect(page.get_by_text("geldt voor het gekozen aantal jaren")).to_be_visible()

    # The send form: the language of what the relatie receives explained.
    page.get_by_role("button", name="Verstuur aanvraag tot goedkeuring").click()
    page.locator(".field-line", has=page.get_by_label("Voorkeurstaal ontvangers")).get_by_label(
        "Uitleg"
    ).click()
    expect(page.get_by_text("De taal van de e-mail en het formulier")).to_be_visible()
    screenshot("uitleg-voorkeurstaal")
