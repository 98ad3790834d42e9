"""Voeg nieuwe ketenmachtigingen toe, Meerdere bedrijven, in Chromium: from the Excel form to
the requests waiting in the overview."""

import re

import pytest
from django.core import mail
from openpyxl import load_workbook
from playwright.sync_api import expect

from ketenmachtigingen.constants import Status
from ketenmachtigingen.models import BulkRequest, BulkRequestState, Ketenmachtiging, RegisterEntry
from tests.factories import (
    DEFAULT_PASSWORD,
    BulkRequestFactory,
    BulkRequestRowFactory,
    valid_rsin,
)
from tests.ketenmachtigingen.bulk_steps import submit

pytestmark = pytest.mark.django_db(transaction=True)

COMPANIES = [
    ("39078749", "ZET solutions B.V.", "Albert Einsteinweg", "4", "8218NH", "Lelystad"),
    ("02029700", "Bakkerij Nul B.V.", "Kerkstraat", "12", "1011AB", "Amsterdam"),
    ("30112233", "Van den Berg Installaties B.V.", "Dorpsstraat", "21", "3731GC", "De Bilt"),
]


@pytest.fixture
def companies_in_register():
    """The COMPANIES in the local company register."""
    for i, (kvk, name, straat, huisnummer, postcode, plaats) in enumerate(COMPANIES):
        RegisterEntry.objects.create(
            kvk_nummer=kvk,
            rsin=valid_rsin(i + 80),
            name=name,
            straat=straat,
            huisnummer=huisnummer,
            postcode=postcode,
            plaats=plaats,
        )


def fill_the_form(downloaded, target):
    """The downloaded Excel form with three companies from the register and one unknown."""
    workbook = load_workbook(downloaded)
    sheet = workbook["Bedrijven"]
    sheet.append(["39078749", "J.", None, "Zetman", "j.zetman@zet.example.nl", "06 12345678",
                  "KLANT-1"])  # fmt: skip
    # Typed as a number: the leading zero is lost in the cell and restored on import.
    sheet.append([2029700, "M.", "van", "Nul", "m.vannul@bakkerij.example.nl", "020 1234567",
                  None])  # fmt: skip
    sheet.append(["30112233", "K.", "van den", "Berg", "k.berg@installaties.example.nl",
                  "+32 2 555 12 12", "KLANT-3"])  # fmt: skip
    sheet.append(["99999999", "X.", None, "Onbekend", "x@onbekend.example.nl", "0612345678",
                  None])  # fmt: skip
    workbook.save(target)


def test_many_companies_from_the_excel_form_to_wachtend(
    page, log_in, pietersen, companies_in_register, screenshot, tmp_path
):
    log_in("a.pietersen", DEFAULT_PASSWORD, pietersen.totpdevice_set.get())
    page.get_by_role("link", name="+ Voeg toe").click()
    page.get_by_role("link", name="Meerdere bedrijven").click()
    expect(page.get_by_role("link", name="Download het Excel-formulier")).to_be_visible()
    screenshot("meerdere-1-importeer-bedrijven")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download het Excel-formulier").click()
    download = info.value
    assert download.suggested_filename == "ketenmachtigingen-meerdere-bedrijven.xlsx"
    downloaded, filled = tmp_path / download.suggested_filename, tmp_path / "mijn-relaties.xlsx"
    download.save_as(downloaded)
    fill_the_form(downloaded, filled)

    # A CSV saved from the sheet is refused, with what to do instead.
    csv = tmp_path / "bedrijven.csv"
    csv.write_text("KVK-nummer;Voorletter(s);Achternaam\n39078749;J.;Zetman\n")
    page.get_by_label("Kies een bestand").set_input_files(csv)
    page.get_by_role("button", name="Importeer bedrijven").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Dit is een tekst- of CSV-bestand, geen Excel-bestand. Gebruik het Excel-formulier en "
        "sla het op als Excel-werkmap (.xlsx)."
    )
    screenshot("meerdere-1b-geweigerd")

    page.get_by_label("Kies een bestand").set_input_files(filled)
    page.get_by_role("button", name="Importeer bedrijven").click()

    # One row is refused, by row and column; go on with the three valid rows.
    errors = page.locator("table.bulk-errors")
    expect(errors).to_contain_text("KVK-nummer (kolom A)")
    expect(errors.locator("tr", has_text="99999999")).to_contain_text("6")
    screenshot("meerdere-2-controle")
    page.get_by_role("button", name="Ga verder met de 3 geldige rijen").click()

    step1 = page.locator("#stap-1")
    expect(step1).to_contain_text("Import van 3 bedrijven")
    screenshot("meerdere-3-import")
    step1.get_by_role("link", name="bekijk").click()
    rows = page.locator("table.bulk-rows tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Bakkerij Nul B.V.")
    expect(rows.nth(1)).to_contain_text("02029700")
    expect(rows.nth(1)).to_contain_text("M. van Nul")
    screenshot("meerdere-4-bekijk")
    page.get_by_role("link", name="Terug").click()

    page.get_by_role("link", name="Kies diensten").click()
    page.get_by_placeholder("Zoek op dienst of dienstverlener...").fill("loonheff")
    expect(page.get_by_label("Facet Portaal")).to_have_count(0)  # the list is filtered
    page.get_by_label("Aangifte loonheffingen").check()
    page.get_by_role("button", name="Voeg machtiging(en) toe").click()
    expect(page.locator("#stap-2")).to_contain_text("Aangifte loonheffingen")

    page.get_by_role("link", name="Kies gebruikers").click()
    page.get_by_label(re.compile("S. de Jong")).check()
    page.get_by_role("button", name="Voeg gebruikers toe").click()
    expect(page.locator("#stap-3")).to_contain_text("S. de Jong")
    expect(page.get_by_role("button", name="Ik heb al goedkeuring ontvangen")).to_be_visible()
    page.get_by_label("Kies de duur van de machtigingen", exact=True).select_option("3")
    screenshot("meerdere-5-kies-duur")
    page.get_by_role("button", name="Verstuur aanvraag tot goedkeuring").click()

    form = page.locator("form.send-form")
    expect(form).to_contain_text("Gegevens contactpersoon bij Pietersen Administratie B.V.")
    expect(form).to_contain_text("overgenomen uit het Excel-formulier")
    form.get_by_label("E-mailadres").fill("km@pietersen.example.nl")
    form.get_by_label("Telefoonnummer").fill("030 1234567")
    form.get_by_label("Voorkeurstaal ontvangers").select_option("nl")
    form.get_by_label("Persoonlijk bericht voor de ontvangers").fill("Graag voor 1 mei retour.")
    form.get_by_label(
        "Ja, ik ga akkoord met de kosten voor vastlegging van deze ketenmachtiging."
    ).check()
    screenshot("meerdere-6-aanvraag-versturen")
    form.get_by_role("button", name="Verzend aanvraag tot goedkeuring").click()

    expect(page.get_by_text("3 van 3 aanvragen verwerkt")).to_be_visible()
    expect(page.locator("progress#bulk-progress-bar")).to_have_attribute("value", "3")
    expect(page.get_by_text("3 aanvragen zijn verstuurd.")).to_be_visible()
    screenshot("meerdere-7-voortgang")

    bulk = BulkRequest.objects.get()
    assert bulk.state == BulkRequestState.DONE
    assert sorted(km.relatie.kvk_nummer for km in Ketenmachtiging.objects.all()) == [
        "02029700",
        "30112233",
        "39078749",
    ]
    assert set(Ketenmachtiging.objects.values_list("status", flat=True)) == {
        Status.AANVRAAG_VERSTUURD
    }
    assert sorted(m.to[0] for m in mail.outbox) == [
        "j.zetman@zet.example.nl",
        "k.berg@installaties.example.nl",
        "m.vannul@bakkerij.example.nl",
    ]

    page.get_by_role("link", name="Wachtend op afhandeling", exact=True).click()
    for _kvk, name, *_rest in COMPANIES:
        expect(page.locator(".relatie-row", has_text=name)).to_be_visible()
    screenshot("meerdere-8-wachtend")


def test_rows_whose_invitation_failed_are_sent_again(
    page, log_in, pietersen, companies_in_register, screenshot, settings
):
    """The mail server refuses: the progress names each failed row with the reason, and
    "Verstuur de mislukte aanvragen opnieuw" sends them once it accepts again."""
    settings.EMAIL_BACKEND = "tests.mail_backends.DisconnectingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    organisation = pietersen.memberships.get().organisation
    bulk = BulkRequestFactory(organisation=organisation, created_by=pietersen)
    rows = [
        BulkRequestRowFactory(bulk_request=bulk, kvk_nummer=kvk, name=name)
        for kvk, name, *_address in COMPANIES[:2]
    ]
    submit(bulk, pietersen.memberships.get())

    log_in("a.pietersen", DEFAULT_PASSWORD, pietersen.totpdevice_set.get())
    page.goto(f"/ketenmachtigingen/van-relaties/toevoegen/meerdere/{bulk.pk}/voortgang/")
    expect(page.get_by_text("2 van 2 aanvragen verwerkt")).to_be_visible()
    failed = page.locator("table.bulk-failed tbody tr")
    expect(failed).to_have_count(2)
    expect(failed.first).to_contain_text(
        "De uitnodiging kon niet worden verstuurd: SMTPServerDisconnected"
    )
    screenshot("meerdere-9-niet-verstuurd")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page.get_by_role("button", name="Verstuur de mislukte aanvragen opnieuw").click()

    expect(page.get_by_text("2 aanvragen worden opnieuw verstuurd.")).to_be_visible()
    expect(page.get_by_text("2 aanvragen zijn verstuurd.")).to_be_visible()
    expect(page.locator("table.bulk-failed")).to_have_count(0)
    screenshot("meerdere-10-opnieuw-verstuurd")
    # The invitations (with their forms) went to the relaties; the afzender hears of the
    # failed requests that were withdrawn to be sent again (status news, no attachment).
    invitations = [m for m in mail.outbox if m.attachments]
    assert sorted(m.to[0] for m in invitations) == sorted(row.contact_email for row in rows)
    page.get_by_role("link", name="bekijk de bedrijven").click()
    expect(page.locator("td.outcome-delivered")).to_have_count(2)
    screenshot("meerdere-11-bedrijven-verstuurd")
