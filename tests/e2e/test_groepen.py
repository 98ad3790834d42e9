"""groepen in Chromium: create a groep with two users and limited diensten, rename, delete."""

import re

import pytest
from playwright.sync_api import expect

from groepen.models import Groep
from ketenmachtigingen.constants import EventKind
from tests.factories import (
    DEFAULT_PASSWORD,
    GroepFactory,
    KetenmachtigingFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def salarisadministratie(pietersen):
    """A groep of Pietersen's organisation whose name a new groep may not take."""
    return GroepFactory(
        organisation=pietersen.memberships.get().organisation, name="Salarisadministratie"
    )


def test_create_rename_and_delete_a_groep(
    page, log_in, pietersen, salarisadministratie, screenshot
):
    log_in("a.pietersen", DEFAULT_PASSWORD, pietersen.totpdevice_set.get())
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="groepen").click()
    expect(page.get_by_role("heading", name="Groepen", exact=True)).to_be_visible()
    screenshot("groepen-1-lijst")

    # Stap 1: a name, unique whatever the case.
    page.get_by_role("link", name="+ Voeg toe").click()
    page.get_by_label("Groepsnaam").fill("salarisADMINISTRATIE")
    page.get_by_role("button", name="Sla op en voeg gebruikers toe").click()
    expect(page.get_by_text("Er bestaat al een groep met deze naam.")).to_be_visible()
    screenshot("groepen-2-naam-bestaat-al")
    page.get_by_label("Groepsnaam").fill("Loonadministratie")
    page.get_by_role("button", name="Sla op en voeg gebruikers toe").click()
    expect(page.get_by_role("heading", name="Loonadministratie", exact=True)).to_be_visible()
    screenshot("groepen-3-opgeslagen")

    # Stap 2: two users, found with the search; ticked people stay ticked while filtered out.
    page.get_by_role("link", name="Voeg gebruikers toe").click()
    search = page.get_by_placeholder("Zoek op gebruiker")
    expect(page.get_by_text("minimaal niveau EH3")).to_be_visible()  # K. Laag is flagged
    search.fill("jong")
    expect(page.get_by_label(re.compile("K. Laag"))).to_have_count(0)
    page.get_by_label(re.compile("S. de Jong")).check()
    search.fill("smit")
    expect(page.get_by_label(re.compile("S. de Jong"))).to_have_count(0)
    page.get_by_label(re.compile("L. Smit")).check()
    expect(page.get_by_text("Gebruikersgroep")).to_be_hidden()  # a groep holds no groepen
    screenshot("groepen-4-voeg-gebruikers-toe")
    page.get_by_role("button", name="Voeg gebruikers toe").click()
    members = page.locator("#stap-2")
    expect(members).to_contain_text("S. de Jong")
    expect(members).to_contain_text("L. Smit")
    expect(members).not_to_contain_text("K. Laag")
    expect(members).to_contain_text("alleen geschikt is om namens uw bedrijf in te loggen")

    # Stap 3: Beperk toegestane diensten, two diensten from the catalogue.
    step3 = page.locator("#stap-3")
    expect(step3.get_by_role("link", name="Kies toegestane diensten")).to_be_hidden()
    step3.get_by_label("Beperk toegestane diensten").check()
    expect(step3.get_by_role("link", name="Kies toegestane diensten")).to_be_visible()
    screenshot("groepen-5-toegestane-diensten")
    step3.get_by_role("link", name="Kies toegestane diensten").click()
    search = page.get_by_placeholder("Zoek op dienst of dienstverlener...")
    search.fill("loonheff")
    expect(page.get_by_label("Facet Portaal")).to_have_count(0)
    page.get_by_label("Aangifte loonheffingen").check()
    search.fill("cockpit")
    expect(page.get_by_label("Aangifte loonheffingen")).to_have_count(0)
    page.get_by_label("Adviseursportaal a.s.r. Cockpit").check()
    screenshot("groepen-6-kies-toegestane-diensten")
    page.get_by_role("button", name="Voeg machtiging(en) toe").click()
    step3 = page.locator("#stap-3")
    expect(step3).to_contain_text("Aangifte loonheffingen")
    expect(step3).to_contain_text("Adviseursportaal a.s.r. Cockpit")
    expect(step3.get_by_label("Beperk toegestane diensten")).to_be_checked()
    screenshot("groepen-7-voeg-groep-toe")
    step3.get_by_role("button", name="Voeg groep toe").click()

    expect(page.get_by_text("De groep “Loonadministratie” is toegevoegd.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Loonadministratie"))
    expect(row).to_contain_text("2 diensten")
    expect(row.get_by_role("cell").nth(1)).to_have_text("2")
    screenshot("groepen-8-lijst-met-groep")
    groep = Groep.objects.get(name="Loonadministratie")
    assert sorted(m.user.last_name for m in groep.members.all()) == ["Jong", "Smit"]
    assert sorted(d.name for d in groep.diensten.all()) == [
        "Aangifte loonheffingen",
        "Adviseursportaal a.s.r. Cockpit",
    ]
    assert groep.algemene_bevoegdheid is False

    # Rename.
    page.get_by_role("link", name="Loonadministratie").click()
    page.get_by_label("Groepsnaam").fill("Loonadministratie Noord")
    page.get_by_role("button", name="Wijzig naam").click()
    expect(page.get_by_role("heading", name="Loonadministratie Noord")).to_be_visible()
    expect(page.get_by_text("De naam van de groep is gewijzigd")).to_be_visible()
    screenshot("groepen-9-hernoemd")

    # Delete, while a ketenmachtiging uses the groep.
    km = KetenmachtigingFactory(intermediair=groep.organisation, actief=True, groepen=[groep])
    page.reload()
    page.get_by_role("button", name="Verwijder groep").click()
    dialog = page.get_by_role("dialog", name="Verwijder groep")
    expect(dialog).to_contain_text(
        "De groep “Loonadministratie Noord” wordt verwijderd. De groep wordt gebruikt in 1 "
        "ketenmachtiging."
    )
    screenshot("groepen-10-verwijder-groep")
    dialog.get_by_role("button", name="Ja, verwijder groep").click()

    expect(page.get_by_text("De groep “Loonadministratie Noord” is verwijderd.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Loonadministratie"))).to_have_count(0)
    screenshot("groepen-11-verwijderd")
    assert not Groep.objects.filter(pk=groep.pk).exists()
    assert [(e.kind, e.note) for e in km.events.all()] == [
        (EventKind.GROUP_REMOVED, "Loonadministratie Noord")
    ]
