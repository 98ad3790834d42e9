"""ketenmachtigingen | van relaties in Chromium: details, users, revocation, export."""

import csv
import datetime
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from ketenmachtigingen import dates
from ketenmachtigingen.constants import Status
from tests.factories import (
    DEFAULT_PASSWORD,
    BeheerderFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setting():
    user = UserFactory(
        username="a.pietersen", initials="A.B.M.", last_name="Pietersen", with_totp_device=True
    )
    org = OrganisationFactory(name="Pietersen Administratie B.V.", intermediair=True)
    BeheerderFactory(user=user, organisation=org)
    jong = MembershipFactory(
        organisation=org, user=UserFactory(initials="S.", tussenvoegsel="de", last_name="Jong")
    )
    visser = MembershipFactory(
        organisation=org, user=UserFactory(initials="P.", last_name="Visser")
    )
    groep = GroepFactory(organisation=org, name="Fiscalisten", members=[visser])
    bakkerij = KetenmachtigingFactory(
        actief=True,
        intermediair=org,
        relatie=OrganisationFactory(name="Bakkerij Van den Berg B.V."),
        gebruikers=[jong],
        groepen=[groep],
        reference="KLANT-1",
    )
    drukkerij = KetenmachtigingFactory(
        actief=True,
        intermediair=org,
        relatie=OrganisationFactory(name="Drukkerij Vos"),
    )
    KetenmachtigingFactory(
        aanvraag_verstuurd=True,
        intermediair=org,
        relatie=OrganisationFactory(name="Kapsalon Knip & Co"),
    )
    return {"user": user, "bakkerij": bakkerij, "drukkerij": drukkerij, "visser": visser}


def login(page, log_in, setting):
    log_in("a.pietersen", DEFAULT_PASSWORD, setting["user"].totpdevice_set.get())
    page.goto("/ketenmachtigingen/van-relaties/")


def test_details_remove_and_add_a_user(page, log_in, setting, screenshot):
    login(page, log_in, setting)
    row = page.locator(".relatie-row", has_text="Bakkerij Van den Berg B.V.")
    row.locator("summary").click()
    expect(row).to_contain_text("Algemene bevoegdheid: Alle diensten")
    expect(row).to_contain_text("KLANT-1")
    expect(row).to_contain_text("via groep Fiscalisten")
    screenshot("overzicht-details")

    row.get_by_role("button", name="Verwijder S. de Jong").click()
    page.get_by_role("dialog").get_by_role("button", name="Ja, verwijder gebruiker").click()
    expect(
        page.get_by_text("S. de Jong heeft geen toegang meer tot deze ketenmachtiging.")
    ).to_be_visible()
    assert list(setting["bakkerij"].gebruikers.all()) == []

    row = page.locator(".relatie-row", has_text="Bakkerij Van den Berg B.V.")
    row.locator("summary").click()
    row.get_by_role("link", name="Voeg gebruiker toe").click()
    page.get_by_label("S. de Jong").check()
    screenshot("overzicht-voeg-gebruiker-toe")
    page.get_by_role("button", name="Voeg gebruikers toe").click()
    expect(
        page.get_by_text("De gebruikers zijn toegevoegd aan de ketenmachtiging.")
    ).to_be_visible()
    assert [m.user.last_name for m in setting["bakkerij"].gebruikers.all()] == ["Jong"]


def test_a_user_ticked_before_a_search_is_added_with_the_one_found(page, log_in, setting):
    login(page, log_in, setting)
    row = page.locator(".relatie-row", has_text="Drukkerij Vos")
    row.locator("summary").click()
    row.get_by_role("link", name="Voeg gebruiker toe").click()
    page.get_by_label("S. de Jong").check()
    page.get_by_placeholder("Zoek op gebruiker").fill("Visser")
    expect(page.get_by_label("S. de Jong")).to_have_count(0)  # filtered out, still chosen
    page.get_by_label("P. Visser").check()
    page.get_by_role("button", name="Voeg gebruikers toe").click()

    expect(
        page.get_by_text("De gebruikers zijn toegevoegd aan de ketenmachtiging.")
    ).to_be_visible()
    added = setting["drukkerij"].gebruikers.all()
    assert sorted(m.user.last_name for m in added) == ["Jong", "Visser"]


def test_revoke_now_and_on_a_date(page, log_in, setting, screenshot):
    login(page, log_in, setting)
    row = page.locator(".relatie-row", has_text="Drukkerij Vos")
    row.locator("summary").click()
    row.get_by_role("button", name="Verwijder bedrijf").click()
    dialog = page.get_by_role("dialog", name="Verwijder bedrijf")
    expect(dialog).to_contain_text("Let op! Dit kan niet ongedaan gemaakt worden.")
    screenshot("verwijder-bedrijf")
    dialog.get_by_label("Per direct").check()
    dialog.get_by_role("button", name="Ja, verwijder bedrijf").click()
    expect(page.get_by_text("Drukkerij Vos is verwijderd uit het overzicht.")).to_be_visible()
    expect(page.locator(".relatie-row", has_text="Drukkerij Vos")).to_have_count(0)
    setting["drukkerij"].refresh_from_db()
    assert setting["drukkerij"].status == Status.INGETROKKEN

    row = page.locator(".relatie-row", has_text="Bakkerij Van den Berg B.V.")
    row.locator("summary").click()
    row.get_by_role("button", name="Verwijder bedrijf").click()
    dialog = page.get_by_role("dialog", name="Verwijder bedrijf")
    dialog.get_by_label("Op een specifieke einddatum in de toekomst").check()
    on = dates.today() + datetime.timedelta(days=45)
    dialog.get_by_label("Kies een opzeggingsdatum").fill(on.isoformat())
    dialog.get_by_role("button", name="Ja, verwijder bedrijf").click()
    expect(page.get_by_text(f"wordt op {on:%d-%m-%Y} verwijderd uit het overzicht")).to_be_visible()
    expect(page.locator(".relatie-row", has_text="Bakkerij Van den Berg B.V.")).to_have_count(1)
    setting["bakkerij"].refresh_from_db()
    assert (setting["bakkerij"].status, setting["bakkerij"].revocation_date) == (Status.ACTIEF, on)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_download_the_export(page, log_in, setting, fmt):
    login(page, log_in, setting)
    page.locator(".export-menu summary").click()
    page.get_by_label(f".{fmt}").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Downloaden").click()
    download = info.value
    assert download.suggested_filename.endswith(f".{fmt}")
    content = download.path().read_bytes()
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    relaties = sorted(r[1] for r in rows[1:])
    assert relaties == ["Bakkerij Van den Berg B.V.", "Drukkerij Vos"]


def test_tabs_and_search(page, log_in, setting, screenshot):
    login(page, log_in, setting)
    page.get_by_role("link", name="Wachtend op afhandeling").click()
    expect(page.locator(".relatie-row")).to_have_count(1)
    row = page.locator(".relatie-row", has_text="Kapsalon Knip & Co")
    row.locator("summary").click()
    expect(row).to_contain_text("De aanvraag is verstuurd naar uw relatie")
    screenshot("overzicht-wachtend")
    page.get_by_role("link", name="Actief", exact=True).click()
    page.get_by_placeholder("Zoek op bedrijf, KVK-nummer, referentie of contactpersoon").fill(
        "druk"
    )
    expect(page.locator(".relatie-row")).to_have_count(1)
    expect(page.locator(".relatie-row")).to_contain_text("Drukkerij Vos")
