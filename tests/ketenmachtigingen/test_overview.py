"""ketenmachtigingen | van relaties: tabs, details, search, filters, revocation, afgegeven."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.constants import EHNiveau
from accounts.models import Organisation
from ketenmachtigingen import dates
from ketenmachtigingen.constants import EventKind, Status, Tab
from ketenmachtigingen.models import Ketenmachtiging
from ketenmachtigingen.selectors import OverviewFilters, overview_page, tab_queryset
from tests.factories import (
    DienstFactory,
    DienstverlenerFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("ketenmachtigingen:overview")
TODAY = dates.today()


def km(org, name, **kwargs):
    return KetenmachtigingFactory(
        intermediair=org, relatie=OrganisationFactory(name=name), **kwargs
    )


@pytest.fixture
def every_status(org):
    """One ketenmachtiging per situation, named after where it belongs."""
    ending = dates.add_months(TODAY, 2)
    made = {
        "actief": km(org, "Actief BV", actief=True),
        "ending": km(org, "Bijna Verlopen BV", actief=True, start_date=dates.add_years(ending, -5)),
        "ending_renewed": km(
            org, "Al Verlengd BV", actief=True, start_date=dates.add_years(ending, -5)
        ),
        "ending_revoked": km(
            org,
            "Wordt Opgezegd BV",
            actief=True,
            start_date=dates.add_years(ending, -5),
            revocation_date=ending - datetime.timedelta(days=1),
        ),
        "verstuurd": km(org, "Verstuurd BV", aanvraag_verstuurd=True),
        "ontvangen": km(org, "Ontvangen BV", aanvraag_ontvangen=True),
        "incompleet": km(org, "Incompleet BV", incompleet=True),
        "fout": km(org, "Fout BV", fout=True),
        "verlopen": km(org, "Verlopen BV", verlopen=True),
        "ingetrokken": km(org, "Ingetrokken BV", ingetrokken=True),
        "vervallen": km(org, "Vervallen BV", vervallen=True),
    }
    renewal = made["ending_renewed"]
    KetenmachtigingFactory(
        intermediair=org, relatie=renewal.relatie, aanvraag_verstuurd=True, renews=renewal
    )
    km(OrganisationFactory(), "Van Een Ander BV", actief=True)  # another intermediair
    return made


def names(tab, org):
    qs = tab_queryset([org], tab)
    return sorted(qs.values_list("relatie__name", flat=True))


def test_each_tab_has_exactly_its_rows(org, every_status):
    assert names(Tab.ACTIEF, org) == [
        "Actief BV",
        "Al Verlengd BV",
        "Bijna Verlopen BV",
        "Wordt Opgezegd BV",
    ]
    assert names(Tab.WACHTEND, org) == [
        "Al Verlengd BV",  # its renewal request
        "Fout BV",
        "Incompleet BV",
        "Ontvangen BV",
        "Verstuurd BV",
    ]
    assert names(Tab.ACTIES, org) == ["Bijna Verlopen BV"]
    assert names(Tab.VERLOPEN, org) == ["Verlopen BV"]


def test_overview_page_rows_and_tabs(portal, every_status):
    content = portal.get(OVERVIEW).content.decode()

    for label in ["Actief", "Wachtend op afhandeling", "Verlopen", "+ Voeg toe"]:
        assert label in content
    assert 'Acties <span class="tab-count">1</span>' in content
    assert "4 relaties" in content
    assert "Ingetrokken BV" not in content and "Van Een Ander BV" not in content
    assert "1 machtiging" in content

    pending = portal.get(OVERVIEW, {"tab": "wachtend"}).content.decode()
    assert "Incompleet BV" in pending

    def details(name):
        relatie = every_status[name].relatie_id
        url = reverse("ketenmachtigingen:relatie", args=[relatie])
        return portal.get(url, {"tab": "wachtend"}, headers={"HX-Request": "true"}).content.decode()

    assert "De aanvraag is verstuurd naar uw relatie" in details("verstuurd")
    assert "Trek aanvraag in" in details("verstuurd")
    fout = details("fout")
    assert "Verwijder deze ketenmachtiging, bekijk of de ketenmachtiging al bestaat." in fout
    assert "<html" not in fout


def test_details_show_scope_end_date_people_and_effective_diensten(portal, org):
    belastingdienst = DienstverlenerFactory(name="Belastingdienst", is_belastingdienst=True)
    omzet = DienstFactory(name="Aangifte omzetbelasting", dienstverlener=belastingdienst)
    uwv = DienstFactory(name="Werkgeversportaal", dienstverlener__name="UWV")
    eh4 = DienstFactory(
        name="Loongegevens inzien", dienstverlener=uwv.dienstverlener, min_eh_niveau=EHNiveau.EH4
    )
    direct = MembershipFactory(organisation=org, user=UserFactory(last_name="Direct"))
    bd_only = MembershipFactory(
        organisation=org, user=UserFactory(last_name="Fiscaal"), belastingdienst_only=True
    )
    groep = GroepFactory(
        organisation=org, name="Loonadministratie", algemene_bevoegdheid=False, diensten=[uwv]
    )
    groep.members.set([MembershipFactory(organisation=org, user=UserFactory(last_name="Lid"))])
    k = km(
        org,
        "Klant BV",
        actief=True,
        algemene_bevoegdheid=False,
        reference="REF-9",
        gebruikers=[direct, bd_only],
        groepen=[groep],
    )
    k.dienstverleners.set([uwv.dienstverlener, belastingdienst])

    content = portal.get(reverse("ketenmachtigingen:relatie", args=[k.relatie_id])).content.decode()

    assert "Dienstverlenersmachtiging voor UWV" in content
    assert k.end_date.strftime("%Y") in content
    assert "<dd>REF-9</dd>" in content
    assert "Loonadministratie" in content
    # Each person's diensten come from the authorization rule.
    direct_row = content[content.index("Direct") :]
    assert "Alle diensten behalve: Loongegevens inzien (UWV)" in direct_row[:600]
    fiscaal_row = content[content.index("Fiscaal") :]
    assert "Aangifte omzetbelasting (Belastingdienst)" in fiscaal_row[:600]
    assert "Werkgeversportaal" not in fiscaal_row[:300]
    lid_row = content[content.index("Lid") :]
    assert "Werkgeversportaal (UWV)" in lid_row[:600]
    assert omzet.pk and eh4.pk


def test_search_and_filters(portal, org):
    uwv = DienstverlenerFactory(name="UWV")
    a = km(org, "Bakkerij Jansen", actief=True, reference="KLANT-7", algemene_bevoegdheid=False)
    a.dienstverleners.set([uwv])
    km(org, "Slagerij Pieters", actief=True, contact_achternaam="Visser")
    late = km(org, "Drukkerij Vos", actief=True, start_date=TODAY - datetime.timedelta(days=10))

    def rows(**params):
        return portal.get(OVERVIEW, params).content.decode()

    assert "Bakkerij Jansen" in rows(zoek="bakkerij") and "Slagerij" not in rows(zoek="bakkerij")
    assert "Bakkerij Jansen" in rows(zoek="KLANT-7")
    assert "Slagerij Pieters" in rows(zoek="visser")
    assert "Bakkerij Jansen" in rows(zoek=a.relatie.kvk_nummer)
    only_uwv = rows(dienstverlener=uwv.pk)
    assert "Bakkerij Jansen" in only_uwv and "Slagerij Pieters" in only_uwv  # algemeen covers UWV
    end = late.end_date.isoformat()
    by_date = rows(eind_van=end, eind_tot=end)
    assert "Drukkerij Vos" in by_date and "Bakkerij Jansen" not in by_date
    assert "Geen ketenmachtigingen gevonden" in rows(zoek="bestaatniet")
    partial = portal.get(OVERVIEW, {"zoek": "slager"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()


def test_pagination_by_relatie(org):
    for i in range(30):
        km(org, f"Relatie {i:02d}", actief=True)

    page, rows = overview_page(org, Tab.ACTIEF, OverviewFilters(), 2)

    assert page.paginator.count == 30
    assert [row.relatie.name for row in rows] == [f"Relatie {i:02d}" for i in range(25, 30)]


def _bulk_relaties(org, count, offset=0):
    relaties = Organisation.objects.bulk_create(
        Organisation(name=f"Bulk {i:05d}", kvk_nummer=f"{50_000_000 + i:08d}")
        for i in range(offset, offset + count)
    )
    start = TODAY - datetime.timedelta(days=30)
    Ketenmachtiging.objects.bulk_create(
        Ketenmachtiging(
            intermediair=org,
            relatie=relatie,
            status=Status.ACTIEF,
            algemene_bevoegdheid=True,
            start_date=start,
            end_date=dates.add_years(start, 5),
        )
        for relatie in relaties
    )


def _queries_for_page(portal, tab):
    with CaptureQueriesContext(connection) as queries:
        response = portal.get(OVERVIEW, {"tab": tab})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("tab", ["actief", "acties", "wachtend"])
def test_queries_per_page_do_not_grow_with_the_number_of_relaties(portal, org, tab):
    _bulk_relaties(org, 10)
    small = _queries_for_page(portal, tab)
    _bulk_relaties(org, 990, offset=10)
    large = _queries_for_page(portal, tab)

    assert small == large


def test_remove_a_user_ends_access_at_once_and_is_audited(portal, org, beheerder):
    person = MembershipFactory(organisation=org, user=UserFactory(last_name="Weg"))
    k = km(org, "Klant BV", actief=True, gebruikers=[person])

    url = reverse("ketenmachtigingen:remove_gebruiker", args=[k.pk, person.pk])
    response = portal.post(url, {"next": f"{OVERVIEW}?tab=actief"}, follow=True)

    assert "heeft geen toegang meer tot deze ketenmachtiging" in response.content.decode()
    assert list(k.gebruikers.all()) == []
    event = k.events.get(kind=EventKind.USER_REMOVED)
    assert (event.actor, event.note) == (beheerder.user, person.user.display_name)


def test_remove_a_group(portal, org):
    groep = GroepFactory(organisation=org, name="Team")
    k = km(org, "Klant BV", actief=True, groepen=[groep])

    portal.post(reverse("ketenmachtigingen:remove_groep", args=[k.pk, groep.pk]))

    assert list(k.groepen.all()) == []
    assert k.events.get(kind=EventKind.GROUP_REMOVED).note == "Team"


def test_add_users_and_groups_to_an_existing_ketenmachtiging(portal, org):
    k = km(org, "Klant BV", actief=True)
    person = MembershipFactory(organisation=org, user=UserFactory(last_name="Nieuw"))
    low = MembershipFactory(organisation=org, eh_niveau=EHNiveau.EH2)
    groep = GroepFactory(organisation=org, name="Team")
    url = reverse("ketenmachtigingen:add_gebruikers_to", args=[k.pk])

    page = portal.get(url).content.decode()
    assert "Voeg gebruiker toe" in page and "Nieuw" in page

    refused = portal.post(url, {"gebruikers": [low.pk]})
    assert "minimaal niveau EH3" in refused.content.decode()
    portal.post(url, {"gebruikers": [person.pk], "groepen": [groep.pk]})

    assert list(k.gebruikers.all()) == [person]
    assert list(k.groepen.all()) == [groep]
    assert sorted(k.events.values_list("kind", flat=True)) == [
        EventKind.GROUP_ADDED,
        EventKind.USER_ADDED,
    ]


def test_withdraw_a_pending_request_and_delete_a_failed_one(portal, org):
    pending = km(org, "Wacht BV", aanvraag_verstuurd=True)
    failed = km(org, "Fout BV", fout=True)

    for k in (pending, failed):
        portal.post(reverse("ketenmachtigingen:withdraw", args=[k.pk]))
        k.refresh_from_db()
        assert k.status == Status.INGETROKKEN

    rows = portal.get(OVERVIEW, {"tab": "wachtend"}).content.decode()
    assert "Wacht BV</span>" not in rows and "Fout BV</span>" not in rows


def test_revoke_now_removes_the_company_from_the_overview(portal, org):
    k = km(org, "Weg BV", actief=True)
    url = reverse("ketenmachtigingen:revoke_relatie", args=[k.relatie_id])

    page = portal.get(url).content.decode()
    for text in [
        "Weet u zeker dat u dit bedrijf en de daaraan gekoppelde machtigingen wilt verwijderen?",
        "Per direct",
        "Op een specifieke einddatum in de toekomst",
        "Kies een opzeggingsdatum",
        "Let op! Dit kan niet ongedaan gemaakt worden.",
        "Ja, verwijder bedrijf",
        "Annuleer",
    ]:
        assert text in page, text

    response = portal.post(url, {"wanneer": "direct"}, follow=True)

    assert "Weg BV is verwijderd uit het overzicht." in response.content.decode()
    k.refresh_from_db()
    assert k.status == Status.INGETROKKEN
    assert "Weg BV</span>" not in portal.get(OVERVIEW).content.decode()


def test_revoke_on_a_date_keeps_it_visible_until_then(portal, org):
    k = km(org, "Later BV", actief=True)
    url = reverse("ketenmachtigingen:revoke_relatie", args=[k.relatie_id])
    on = TODAY + datetime.timedelta(days=40)

    missing = portal.post(url, {"wanneer": "datum"})
    assert "Kies een opzeggingsdatum." in missing.content.decode()
    past = portal.post(url, {"wanneer": "datum", "datum": TODAY.isoformat()})
    assert "Kies een opzeggingsdatum in de toekomst." in past.content.decode()
    portal.post(url, {"wanneer": "datum", "datum": on.isoformat()})

    k.refresh_from_db()
    assert (k.status, k.revocation_date) == (Status.ACTIEF, on)
    assert "Later BV" in portal.get(OVERVIEW).content.decode()
    details = portal.get(reverse("ketenmachtigingen:relatie", args=[k.relatie_id]))
    assert "Opzeggingsdatum" in details.content.decode()


def test_one_of_two_active_ketenmachtigingen_is_revoked_on_its_own(portal, org):
    relatie = OrganisationFactory(name="Twee Keer BV")
    first, second = (
        KetenmachtigingFactory(intermediair=org, relatie=relatie, actief=True) for _ in range(2)
    )
    details = portal.get(reverse("ketenmachtigingen:relatie", args=[relatie.pk])).content.decode()
    assert details.count("Trek ketenmachtiging in") == 2
    url = reverse("ketenmachtigingen:revoke", args=[first.pk])

    page = portal.get(url).content.decode()
    for text in [
        "Wanneer wilt u deze ketenmachtiging intrekken?",
        "De andere ketenmachtigingen van dit bedrijf blijven actief.",
        "Let op! Dit kan niet ongedaan gemaakt worden.",
        "Ja, trek ketenmachtiging in",
    ]:
        assert text in page, text
    response = portal.post(url, {"wanneer": "direct"}, follow=True)

    assert "De ketenmachtiging van Twee Keer BV is ingetrokken." in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.INGETROKKEN, Status.ACTIEF)
    assert first.events.filter(to_status=Status.INGETROKKEN).exists()
    assert "Twee Keer BV" in portal.get(OVERVIEW).content.decode()
    # The one left is the relatie's only one: "Verwijder bedrijf" ends it, no second button.
    details = portal.get(reverse("ketenmachtigingen:relatie", args=[relatie.pk])).content.decode()
    assert "Trek ketenmachtiging in" not in details and "Verwijder bedrijf" in details


def test_one_ketenmachtiging_revoked_on_a_date(portal, org):
    relatie = OrganisationFactory(name="Later Twee BV")
    first, second = (
        KetenmachtigingFactory(intermediair=org, relatie=relatie, actief=True) for _ in range(2)
    )
    on = TODAY + datetime.timedelta(days=30)

    response = portal.post(
        reverse("ketenmachtigingen:revoke", args=[second.pk]),
        {"wanneer": "datum", "datum": on.isoformat()},
        follow=True,
    )

    expected = f"De ketenmachtiging van Later Twee BV eindigt op {on:%d-%m-%Y}."
    assert expected in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.revocation_date, second.revocation_date) == (None, on)


def test_revoking_one_is_only_for_the_organisations_own_active_ones(portal, org):
    foreign = KetenmachtigingFactory(actief=True)
    pending = km(org, "Wacht BV", aanvraag_verstuurd=True)
    for k in (foreign, pending):
        url = reverse("ketenmachtigingen:revoke", args=[k.pk])
        assert portal.get(url).status_code == 404
        assert portal.post(url, {"wanneer": "direct"}).status_code == 404
    foreign.refresh_from_db()
    pending.refresh_from_db()
    assert (foreign.status, pending.status) == (Status.ACTIEF, Status.AANVRAAG_VERSTUURD)


def test_afgegeven_lists_what_the_organisation_granted(portal, org):
    other = OrganisationFactory(name="Accountant Elders")
    KetenmachtigingFactory(intermediair=other, relatie=org, actief=True)
    KetenmachtigingFactory(
        intermediair=OrganisationFactory(name="Oud"), relatie=org, ingetrokken=True
    )

    content = portal.get(reverse("ketenmachtigingen:afgegeven")).content.decode()

    assert "Accountant Elders" in content
    assert "Algemene bevoegdheid" in content
    assert "Oud" not in content


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_of_the_open_tab(portal, org, every_status, fmt):
    response = portal.get(reverse("ketenmachtigingen:export"), {"tab": "wachtend", "formaat": fmt})

    assert response.status_code == 200
    assert (
        f"ketenmachtigingen-wachtend-op-afhandeling-{TODAY:%Y-%m-%d}.{fmt}"
        in response["Content-Disposition"]
    )
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        text = body.decode("utf-8-sig")
        assert "Incompleet BV" in text and "Actief BV" not in text


def test_export_of_all_my_organisations(client, verified_login):
    from tests.factories import BeheerderFactory

    user = UserFactory(with_totp_device=True)
    first = BeheerderFactory(
        user=user, organisation=OrganisationFactory(name="Eerste")
    ).organisation
    second = BeheerderFactory(
        user=user, organisation=OrganisationFactory(name="Tweede")
    ).organisation
    km(first, "Van Eerste BV", actief=True)
    km(second, "Van Tweede BV", actief=True)
    km(OrganisationFactory(), "Niet Van Mij BV", actief=True)
    verified_login(user)

    url = reverse("ketenmachtigingen:export")
    own = b"".join(client.get(url, {"tab": "actief", "formaat": "csv"}).streaming_content)
    everything = b"".join(
        client.get(url, {"tab": "actief", "formaat": "csv", "alle": "on"}).streaming_content
    ).decode("utf-8-sig")

    assert own.decode("utf-8-sig").count("BV") == 1
    assert "Van Eerste BV" in everything and "Van Tweede BV" in everything
    assert "Niet Van Mij BV" not in everything


def test_export_of_the_acties_tab_is_not_offered(portal):
    response = portal.get(reverse("ketenmachtigingen:export"), {"tab": "acties", "formaat": "csv"})

    assert response.status_code == 302


def test_details_of_a_relatie_without_own_ketenmachtiging_are_not_found(portal, org):
    theirs = KetenmachtigingFactory(actief=True)
    gone = km(org, "Ingetrokken BV", ingetrokken=True)

    for relatie_id in (theirs.relatie_id, gone.relatie_id):
        url = reverse("ketenmachtigingen:relatie", args=[relatie_id])
        assert portal.get(url).status_code == 404


@pytest.mark.parametrize("tab", list(Tab))
def test_search_as_you_type_on_every_tab(portal, org, tab):
    """htmx asks for the rows only (HX-Request), on every tab; the search filters them."""
    ending = dates.add_months(TODAY, 2)
    kwargs = {
        Tab.ACTIEF: {"actief": True},
        Tab.WACHTEND: {"aanvraag_verstuurd": True},
        Tab.ACTIES: {"actief": True, "start_date": dates.add_years(ending, -5)},
        Tab.VERLOPEN: {"status": Status.VERLOPEN},
    }[tab]
    km(org, "Bakkerij Jansen", **kwargs)
    km(org, "Slagerij Pieters", **kwargs)

    def partial(**params):
        response = portal.get(OVERVIEW, {"tab": tab, **params}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        return response.content.decode()

    everything, searched = partial(), partial(zoek="slager")

    assert "<html" not in everything
    assert "Bakkerij Jansen" in everything and "Slagerij Pieters" in everything
    assert "Slagerij Pieters" in searched and "Bakkerij Jansen" not in searched
    # The page itself has the place the rows go, on this tab too.
    assert 'id="overview-rows"' in portal.get(OVERVIEW, {"tab": tab}).content.decode()
