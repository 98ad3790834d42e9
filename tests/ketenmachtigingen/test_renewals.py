"""Verlengen from the Acties tab: one, or a selection; the renewal keeps scope, users, groups."""

import json
import re

import pytest
from django.urls import reverse

from accounts.constants import EHNiveau
from ketenmachtigingen import dates
from ketenmachtigingen.constants import Status
from ketenmachtigingen.errors import DomainError
from ketenmachtigingen.models import Ketenmachtiging
from ketenmachtigingen.services import lifecycle
from ketenmachtigingen.services.renewals import request_renewal
from outbox.models import OutboxMessage
from tests.factories import (
    DienstFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.html_inputs import the_input, ticked
from tests.ketenmachtigingen.renewals import ending, row

pytestmark = pytest.mark.django_db

TODAY = dates.today()
RENEW = reverse("ketenmachtigingen:renew")


def test_a_renewal_copies_scope_people_groups_and_is_activated_where_the_old_one_ends(beheerder):
    org = beheerder.organisation
    dienst = DienstFactory()
    person = MembershipFactory(organisation=org)
    low = MembershipFactory(organisation=org, eh_niveau=EHNiveau.EH2)
    groep = GroepFactory(organisation=org)
    old = ending(
        org,
        "Klant BV",
        algemene_bevoegdheid=False,
        diensten=[dienst],
        gebruikers=[person, low],
        groepen=[groep],
        duration_years=3,
        reference="REF-1",
    )

    new = request_renewal(
        old,
        acting_user=beheerder.user,
        contact_name="J. Nieuw",
        contact_email="nieuw@example.nl",
        language="en",
        costs_agreed=True,
    )

    assert (new.status, new.renews, new.relatie, new.duration_years) == (
        Status.AANVRAAG_VERSTUURD,
        old,
        old.relatie,
        3,
    )
    assert list(new.diensten.all()) == [dienst]
    assert list(new.gebruikers.all()) == [person]  # the EH2 middel no longer qualifies
    assert list(new.groepen.all()) == [groep]
    assert (new.contact_name, new.contact_email, new.language, new.reference) == (
        "J. Nieuw",
        "nieuw@example.nl",
        "en",
        "REF-1",
    )
    lifecycle.mark_received(new, acting_user=None)
    lifecycle.activate(new, acting_user=None)
    new.refresh_from_db()
    assert new.start_date == old.end_date
    assert new.end_date == dates.add_years(old.end_date, 3)


def test_no_second_renewal_and_only_active_ones(beheerder):
    old = ending(beheerder.organisation, "Klant BV")
    request_renewal(
        old,
        acting_user=None,
        contact_name="X",
        contact_email="x@example.nl",
        language="nl",
        costs_agreed=True,
    )

    with pytest.raises(DomainError, match="al een verlenging aangevraagd"):
        request_renewal(
            old,
            acting_user=None,
            contact_name="X",
            contact_email="x@example.nl",
            language="nl",
            costs_agreed=True,
        )
    expired = KetenmachtigingFactory(verlopen=True, intermediair=beheerder.organisation)
    with pytest.raises(DomainError, match="Alleen een actieve ketenmachtiging"):
        request_renewal(
            expired,
            acting_user=None,
            contact_name="X",
            contact_email="x@example.nl",
            language="nl",
            costs_agreed=True,
        )
    assert Ketenmachtiging.objects.filter(renews__isnull=False).count() == 1


def test_acties_tab_shows_the_renewal_table(client, verified_login, beheerder):
    km = ending(beheerder.organisation, "Klant BV")
    verified_login(beheerder.user)

    content = client.get(reverse("ketenmachtigingen:overview"), {"tab": "acties"}).content.decode()

    for label in ["Organisatie", "Naam ontvanger", "E-mailadres ontvanger", "Taal"]:
        assert f">{label}</th>" in content
    assert "Vraag verlenging aan" in content and "Verleng selectie" in content
    assert 'value="oud@example.nl"' in content
    assert f'name="selectie" value="{km.pk}"' in content
    # Each input has its label, its name in the form and the contact's current language.
    assert f'<label for="id_{km.pk}-email" class="visually-hidden">' in content
    assert f'name="{km.pk}-email" id="id_{km.pk}-email"' in content
    assert f'<option value="{km.language}" selected>' in content


def test_vraag_verlenging_aan_for_one(client, verified_login, beheerder):
    km = ending(beheerder.organisation, "Klant BV")
    other = ending(beheerder.organisation, "Ander BV")
    verified_login(beheerder.user)

    response = client.post(
        RENEW,
        {
            "een": km.pk,
            "costs_agreed": "on",
            **row(km, "J. Nieuw", "n@example.nl"),
            **row(other, "", ""),
        },
        follow=True,
    )

    assert "1 verlengingsverzoek is verstuurd." in response.content.decode()
    assert km.renewals.get().contact_email == "n@example.nl"
    assert not other.renewals.exists()


def test_verleng_selectie_sends_valid_rows_and_shows_invalid_ones(
    client, verified_login, beheerder
):
    org = beheerder.organisation
    good1, good2, bad = ending(org, "Een BV"), ending(org, "Twee BV"), ending(org, "Fout BV")
    verified_login(beheerder.user)

    response = client.post(
        RENEW,
        {
            "selectie": [good1.pk, good2.pk, bad.pk],
            "costs_agreed": "on",
            "getoond_aantal": "3",
            **row(good1, "A", "a@example.nl"),
            **row(good2, "B", "b@example.nl", "en"),
            **row(bad, "C", "geen-adres"),
        },
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "2 verlengingsverzoeken zijn verstuurd." in content
    assert "1 verlenging is niet verstuurd" in content
    assert "Fout BV" in content and "Voer een geldig e-mailadres in." in content
    # What was typed stays, marked as wrong, to be corrected.
    assert 'value="geen-adres" maxlength="320" required aria-invalid="true"' in content
    assert good1.renewals.count() == 1 and good2.renewals.get().language == "en"
    assert not bad.renewals.exists()
    # The row to correct stays chosen, with the consent given for it.
    assert ticked(content) == {f"selectie={bad.pk}", "costs_agreed=on"}
    assert "U vraagt 1 verlenging aan. Hieraan zijn kosten voor vastlegging verbonden." in content
    assert value_of(content, "getoond_aantal") == "1"
    # The renewed ones leave the Acties tab.
    tab = client.get(reverse("ketenmachtigingen:overview"), {"tab": "acties"}).content.decode()
    assert "Een BV" not in tab and "Fout BV" in tab


def test_renewal_needs_the_cost_consent_and_own_ketenmachtigingen(
    client, verified_login, beheerder
):
    km = ending(beheerder.organisation, "Klant BV")
    theirs = ending(OrganisationFactory(), "Niet Van Mij BV")
    verified_login(beheerder.user)

    refused = client.post(RENEW, {"een": km.pk, **row(km, "A", "a@example.nl")})
    client.post(RENEW, {"een": theirs.pk, "costs_agreed": "on", **row(theirs, "A", "a@example.nl")})

    assert "Ga akkoord met de kosten om de verlenging aan te vragen." in refused.content.decode()
    assert not Ketenmachtiging.objects.filter(renews__isnull=False).exists()


# --- Nothing paid without choosing it, and its number seen ------------------------------------


def value_of(content: str, name: str) -> str:
    return the_input(content, name)["value"]


def summaries(content: str) -> list[str]:
    """The line beside the consent for 0, 1, 2 … ticked rows, as the page's script shows it."""
    found = re.search(
        r'<script id="paid-summary-texts" type="application/json">(.*?)</script>', content
    )
    return json.loads(found.group(1))


def nothing_sent():
    return (
        not Ketenmachtiging.objects.filter(renews__isnull=False).exists()
        and not OutboxMessage.objects.exists()
    )


@pytest.fixture
def english(portal):
    portal.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return portal


def acties(client) -> str:
    return client.get(reverse("ketenmachtigingen:overview"), {"tab": "acties"}).content.decode()


def test_the_acties_tab_ticks_nothing_and_says_no_renewal_is_chosen(portal, beheerder):
    ending(beheerder.organisation, "Een BV")
    ending(beheerder.organisation, "Twee BV")

    content = acties(portal)

    assert ticked(content) == set()  # no row, and not the cost consent
    assert "Ja, ik ga akkoord met de kosten voor vastlegging van deze ketenmachtiging." in content
    assert (
        "U heeft nog geen ketenmachtiging geselecteerd. Aan elke verlenging zijn kosten voor "
        "vastlegging verbonden." in content
    )
    assert value_of(content, "getoond_aantal") == "0"
    assert summaries(content)[1:] == [
        "U vraagt 1 verlenging aan. Hieraan zijn kosten voor vastlegging verbonden.",
        "U vraagt 2 verlengingen aan. Aan elke verlenging zijn kosten voor vastlegging verbonden.",
    ]
    assert '<script src="/static/js/paid-summary.js" defer></script>' in content


def test_the_acties_tab_in_english(english, beheerder):
    ending(beheerder.organisation, "Een BV")
    ending(beheerder.organisation, "Twee BV")

    content = acties(english)

    assert ticked(content) == set()
    assert "Yes, I accept the costs of registering this chain authorisation." in content
    assert summaries(content) == [
        "You have not selected a chain authorisation yet. Each renewal incurs the costs of "
        "registering it.",
        "You are requesting 1 renewal. It incurs the costs of registering it.",
        "You are requesting 2 renewals. Each renewal incurs the costs of registering it.",
    ]


def test_verleng_selectie_without_the_consent_sends_nothing_and_keeps_the_choice(portal, beheerder):
    org = beheerder.organisation
    een, twee, drie = ending(org, "Een BV"), ending(org, "Twee BV"), ending(org, "Drie BV")

    response = portal.post(
        RENEW,
        {
            "selectie": [een.pk, twee.pk],
            "getoond_aantal": "2",
            "selectie_versturen": "1",
            **row(een, "J. Nieuw", "nieuw@example.nl", "en"),
            **row(twee, "B", "b@example.nl"),
            **row(drie, "C", "c@example.nl"),
        },
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert nothing_sent()
    assert "Ga akkoord met de kosten om de verlenging aan te vragen." in content
    assert 'aria-invalid="true" aria-describedby="id_costs_agreed-error"' in content
    assert ticked(content) == {f"selectie={een.pk}", f"selectie={twee.pk}"}
    assert "U vraagt 2 verlengingen aan. Aan elke verlenging zijn kosten" in content
    assert value_of(content, "getoond_aantal") == "2"
    # What was typed stays, without complaints about rows that were not chosen.
    assert value_of(content, f"{een.pk}-naam") == "J. Nieuw"
    taal = re.search(rf'<select name="{een.pk}-taal".*?</select>', content).group(0)
    assert '<option value="en" selected>' in taal
    assert "row-error" not in content


def test_verleng_selectie_without_the_consent_in_english(english, beheerder):
    org = beheerder.organisation
    een, twee = ending(org, "Een BV"), ending(org, "Twee BV")

    response = english.post(
        RENEW,
        {
            "selectie": [een.pk, twee.pk],
            "getoond_aantal": "2",
            **row(een, "A", "a@example.nl"),
            **row(twee, "B", "b@example.nl"),
        },
    )

    content = response.content.decode()
    assert nothing_sent()
    assert "Please accept the costs to request the renewal." in content
    assert "You are requesting 2 renewals. Each renewal incurs the costs of registering it." in (
        content
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Kies één of meerdere ketenmachtigingen om te verlengen."),
        ("en", "Choose one or more chain authorisations to renew."),
    ],
)
def test_verleng_selectie_with_no_row_ticked_sends_nothing(portal, beheerder, language, message):
    portal.post("/i18n/setlang/", {"language": language, "next": "/"})
    km = ending(beheerder.organisation, "Een BV")

    response = portal.post(
        RENEW,
        {"costs_agreed": "on", "getoond_aantal": "0", **row(km, "A", "a@example.nl")},
    )

    content = response.content.decode()
    assert nothing_sent()
    assert message in content
    assert ticked(content) == {"costs_agreed=on"}  # the consent given stays given


def test_without_its_number_shown_a_selection_is_shown_again_and_sent_the_second_time(
    portal, beheerder
):
    """Without JavaScript the line beside the consent cannot follow the ticks: the first click
    shows the number, the second sends."""
    org = beheerder.organisation
    een, twee = ending(org, "Een BV"), ending(org, "Twee BV")
    data = {
        "selectie": [een.pk],
        "costs_agreed": "on",
        "getoond_aantal": "0",  # as the page showed it, before a box was ticked
        **row(een, "A", "a@example.nl"),
        **row(twee, "B", "b@example.nl"),
    }

    first = portal.post(RENEW, data).content.decode()

    assert nothing_sent()
    assert (
        "U vraagt 1 verlenging aan. Hieraan zijn kosten voor vastlegging verbonden. Controleer "
        "de selectie en klik nogmaals op Verleng selectie om te versturen." in first
    )
    assert ticked(first) == {f"selectie={een.pk}", "costs_agreed=on"}
    assert value_of(first, "getoond_aantal") == "1"

    second = portal.post(RENEW, {**data, "getoond_aantal": "1"}, follow=True)

    assert "1 verlengingsverzoek is verstuurd." in second.content.decode()
    assert [een.renewals.count(), twee.renewals.count()] == [1, 0]


@pytest.mark.parametrize("shown", ["1", "3", None])
def test_a_selection_other_than_the_number_shown_is_not_sent(portal, beheerder, shown):
    org = beheerder.organisation
    een, twee = ending(org, "Een BV"), ending(org, "Twee BV")
    data = {
        "selectie": [een.pk, twee.pk],
        "costs_agreed": "on",
        **row(een, "A", "a@example.nl"),
        **row(twee, "B", "b@example.nl"),
    }
    if shown is not None:
        data["getoond_aantal"] = shown

    content = portal.post(RENEW, data).content.decode()

    assert nothing_sent()
    assert "U vraagt 2 verlengingen aan." in content
    assert "klik nogmaals op Verleng selectie" in content


def test_the_table_comes_back_with_the_tabs_search(portal, beheerder):
    org = beheerder.organisation
    een, twee = ending(org, "Een BV"), ending(org, "Twee BV")
    page = portal.get(
        reverse("ketenmachtigingen:overview"), {"tab": "acties", "zoek": "Een"}
    ).content.decode()
    assert f'action="{RENEW}?tab=acties&amp;zoek=Een"' in page

    refused = portal.post(
        f"{RENEW}?tab=acties&zoek=Een", {"selectie": [een.pk], **row(een, "A", "a@example.nl")}
    ).content.decode()

    assert "Een BV" in refused and "Twee BV" not in refused
    assert f'action="{RENEW}?tab=acties&amp;zoek=Een"' in refused
    assert nothing_sent() and not twee.renewals.exists()
