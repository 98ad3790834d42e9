"""Meerdere bedrijven in Chromium, for relaties that already have a ketenmachtiging: the row is
left out unless ticked at "Toch aanvragen", and an import registered as already approved."""

import re

import pytest
from django.core import mail
from openpyxl import load_workbook
from playwright.sync_api import expect

from ketenmachtigingen import imports
from ketenmachtigingen.constants import Status
from ketenmachtigingen.models import Ketenmachtiging, RegisterEntry
from tests.factories import DEFAULT_PASSWORD, KetenmachtigingFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

ZET, NUL = "39078749", "02029700"


@pytest.fixture
def existing(pietersen):
    """ZET solutions B.V. already gave Pietersen Administratie an Actief Algemene bevoegdheid."""
    for kvk, name in [(ZET, "ZET solutions B.V."), (NUL, "Bakkerij Nul B.V.")]:
        RegisterEntry.objects.create(
            kvk_nummer=kvk, name=name, straat="Kerkstraat", huisnummer="1", postcode="1011AB",
            plaats="Amsterdam",
        )  # fmt: skip
    return KetenmachtigingFactory(
        actief=True,
        intermediair=pietersen.memberships.get().organisation,
        relatie=OrganisationFactory(kvk_nummer=ZET, name="ZET solutions B.V."),
        reference="KLANT-ZET",
    )


@pytest.fixture
def excel_file(tmp_path):
    """The Excel form with ZET solutions and Bakkerij Nul."""
    form, filled = tmp_path / imports.TEMPLATE_FILENAME, tmp_path / "relaties.xlsx"
    form.write_bytes(imports.build_template())
    workbook = load_workbook(form)
    sheet = workbook[imports.DATA_SHEET]
    sheet.append([ZET, "J.", None, "Zetman", "j.zetman@zet.example.nl", "06 12345678", None])
    sheet.append([NUL, "M.", "van", "Nul", "m.vannul@bakkerij.example.nl", "020 1234567", None])
    workbook.save(filled)
    return filled


def import_and_choose(page, excel_file, existing, screenshot, prefix):
    """Upload the file, see the warning, go on, and go through Stap 2 to 4."""
    page.goto("/ketenmachtigingen/van-relaties/toevoegen/meerdere/")
    page.get_by_label("Kies een bestand").set_input_files(excel_file)
    page.get_by_role("button", name="Importeer bedrijven").click()
    warning = page.locator("table.bulk-warnings tr", has_text="ZET solutions B.V.")
    expect(warning).to_contain_text(
        f"Actief — Algemene bevoegdheid — einddatum {existing.end_date:%d-%m-%Y} — KLANT-ZET"
    )
    screenshot(f"{prefix}-1-controle")
    page.get_by_role("button", name="Ga verder met de 2 geldige rijen").click()
    page.get_by_role("link", name="Kies diensten").click()
    page.get_by_placeholder("Zoek op dienst of dienstverlener...").fill("loonheff")
    page.get_by_label("Aangifte loonheffingen").check()
    page.get_by_role("button", name="Voeg machtiging(en) toe").click()
    expect(page.locator("#stap-2")).to_contain_text("Aangifte loonheffingen")
    page.get_by_role("link", name="Kies gebruikers").click()
    page.get_by_label(re.compile("S. de Jong")).check()
    page.get_by_role("button", name="Voeg gebruikers toe").click()


def send(page):
    form = page.locator("form.send-form")
    form.get_by_label("E-mailadres").fill("km@pietersen.example.nl")
    form.get_by_label("Telefoonnummer").fill("030 1234567")
    form.get_by_label(
        "Ja, ik ga akkoord met de kosten voor vastlegging van deze ketenmachtiging."
    ).check()
    form.get_by_role("button", name="Verzend aanvraag tot goedkeuring").click()


def requested_kvk_nummers(existing):
    return sorted(
        Ketenmachtiging.objects.exclude(pk=existing.pk).values_list(
            "relatie__kvk_nummer", flat=True
        )
    )


def test_a_row_for_an_actief_relatie_is_not_sent_unless_ticked(
    page, log_in, pietersen, existing, excel_file, screenshot
):
    log_in("a.pietersen", DEFAULT_PASSWORD, pietersen.totpdevice_set.get())
    import_and_choose(page, excel_file, existing, screenshot, "dubbel")
    page.get_by_role("button", name="Verstuur aanvraag tot goedkeuring").click()

    duplicates = page.locator("fieldset.bulk-duplicates")
    expect(duplicates).to_contain_text("1 bedrijf heeft al een ketenmachtiging")
    expect(duplicates).to_contain_text("Actief — Algemene bevoegdheid")
    toch = page.get_by_label("Toch aanvragen ZET solutions B.V.")
    expect(toch).not_to_be_checked()
    expect(page.locator("[data-paid-summary]")).to_have_text(
        "U verstuurt 1 aanvraag tot goedkeuring. Hieraan zijn kosten voor vastlegging verbonden."
    )
    screenshot("dubbel-2-versturen")
    send(page)

    expect(page.get_by_text("1 van 1 aanvragen verwerkt")).to_be_visible()
    expect(page.get_by_text("1 bedrijf is niet meegenomen")).to_be_visible()
    screenshot("dubbel-3-voortgang")
    assert requested_kvk_nummers(existing) == [NUL]
    assert [m.to[0] for m in mail.outbox if "zet" in m.to[0]] == []


def test_a_ticked_row_for_an_actief_relatie_is_sent(
    page, log_in, pietersen, existing, excel_file, screenshot
):
    log_in("a.pietersen", DEFAULT_PASSWORD, pietersen.totpdevice_set.get())
    import_and_choose(page, excel_file, existing, screenshot, "toch")
    page.get_by_role("button", name="Verstuur aanvraag tot goedkeuring").click()

    page.get_by_label("Toch aanvragen ZET solutions B.V.").check()
    expect(page.locator("[data-paid-summary]")).to_have_text(
        "U verstuurt 2 aanvragen tot goedkeuring, één per bedrijf. Aan elke aanvraag zijn "
        "kosten voor vastlegging verbonden."
    )
    screenshot("toch-2-aangevinkt")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("toch-2-aangevinkt-375")
    page.set_viewport_size({"width": 1280, "height": 800})
    send(page)

    expect(page.get_by_text("2 van 2 aanvragen verwerkt")).to_be_visible()
    assert requested_kvk_nummers(existing) == [NUL, ZET]
    assert set(
        Ketenmachtiging.objects.exclude(pk=existing.pk).values_list("status", flat=True)
    ) == {Status.AANVRAAG_VERSTUURD}


def test_an_import_registered_as_already_approved(
    page, log_in, pietersen, existing, excel_file, screenshot
):
    log_in("a.pietersen", DEFAULT_PASSWORD, pietersen.totpdevice_set.get())
    import_and_choose(page, excel_file, existing, screenshot, "goedgekeurd")
    page.get_by_role("button", name="Ik heb al goedkeuring ontvangen").click()

    expect(page.get_by_role("alertdialog")).to_contain_text("LET OP: gebruik deze optie alleen")
    screenshot("goedgekeurd-2-bevestig")
    page.get_by_role("link", name="Ja, leg de ketenmachtigingen vast").click()
    page.get_by_label("Toch aanvragen ZET solutions B.V.").check()
    page.get_by_text("Digidentity").click()
    expect(page.locator("[data-paid-summary]")).to_have_text(
        "U legt 2 ketenmachtigingen vast als goedgekeurd, één per bedrijf."
    )
    screenshot("goedgekeurd-3-kies-organisatie")
    page.get_by_role("button", name="Verwerk als goedgekeurd").click()

    expect(page.get_by_text("2 ketenmachtigingen zijn vastgelegd als goedgekeurd.")).to_be_visible()
    screenshot("goedgekeurd-4-vastgelegd")
    registered = Ketenmachtiging.objects.exclude(pk=existing.pk)
    assert sorted(registered.values_list("relatie__kvk_nummer", "status", "leverancier")) == [
        (NUL, Status.ACTIEF, "digidentity"),
        (ZET, Status.ACTIEF, "digidentity"),
    ]
    assert mail.outbox == []
