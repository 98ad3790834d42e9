"""Verlengen from the Acties tab: one, or a selection; the renewal keeps scope, users, groups."""

import datetime

import pytest
from django.urls import reverse

from accounts.constants import EHNiveau
from ketenmachtigingen import dates
from ketenmachtigingen.constants import Status
from ketenmachtigingen.errors import DomainError
from ketenmachtigingen.models import Ketenmachtiging
from ketenmachtigingen.services import lifecycle
from ketenmachtigingen.services.renewals import request_renewal
from tests.factories import (
    DienstFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dates.today()
RENEW = reverse("ketenmachtigingen:renew")


def ending(org, name, **kwargs):
    """Active and ending in 40 days: due for renewal."""
    start = dates.add_years(TODAY + datetime.timedelta(days=40), -kwargs.get("duration_years", 5))
    return KetenmachtigingFactory(
        actief=True,
        intermediair=org,
        relatie=OrganisationFactory(name=name),
        start_date=start,
        contact_achternaam="Oud",
        contact_email="oud@example.nl",
        **kwargs,
    )


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


def row(km, naam, email, taal="nl"):
    return {f"{km.pk}-naam": naam, f"{km.pk}-email": email, f"{km.pk}-taal": taal}


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
    # The renewed ones leave the Acties tab.
    tab = client.get(reverse("ketenmachtigingen:overview"), {"tab": "acties"}).content.decode()
    assert "Een BV" not in tab and "Fout BV" in tab


def test_renewal_needs_the_cost_consent_and_own_ketenmachtigingen(
    client, verified_login, beheerder
):
    km = ending(beheerder.organisation, "Klant BV")
    theirs = ending(OrganisationFactory(), "Niet Van Mij BV")
    verified_login(beheerder.user)

    client.post(RENEW, {"een": km.pk, **row(km, "A", "a@example.nl")})
    client.post(RENEW, {"een": theirs.pk, "costs_agreed": "on", **row(theirs, "A", "a@example.nl")})

    assert not Ketenmachtiging.objects.filter(renews__isnull=False).exists()
