"""New ketenmachtigingen: a request sent to the relatie, or one approved elsewhere."""

import datetime

import pytest

from accounts.constants import EHNiveau
from ketenmachtigingen.constants import LIFECYCLE, ActorKind, EventKind, Leverancier, Status
from ketenmachtigingen.errors import DomainError, InvalidTransition
from ketenmachtigingen.models import Ketenmachtiging, KetenmachtigingEvent
from ketenmachtigingen.services.creation import (
    Assignment,
    RelatieContact,
    ScopeSelection,
    register_approved_ketenmachtiging,
    request_ketenmachtiging,
)
from ketenmachtigingen.services.transitions import move
from tests.factories import (
    DienstFactory,
    DienstverlenerFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
)

from .conftest import NOW, TODAY

pytestmark = pytest.mark.django_db

CONTACT = RelatieContact(
    initialen="A.B.",
    tussenvoegsel="van der",
    achternaam="Berg",
    email="a.vanderberg@relatie.example.nl",
    telefoon="0612345678",
)


def request(**overrides):
    kwargs = {
        "scope": ScopeSelection(algemene_bevoegdheid=True),
        "assignment": Assignment(),
        "duration_years": 5,
        "contact": CONTACT,
        "intermediair_email": "kantoor@intermediair.example.nl",
        "intermediair_telefoon": "0201234567",
        "costs_agreed": True,
    }
    kwargs.update(overrides)
    return request_ketenmachtiging(**kwargs)


def register(**overrides):
    kwargs = {
        "scope": ScopeSelection(algemene_bevoegdheid=True),
        "assignment": Assignment(),
        "duration_years": 5,
        "leverancier": Leverancier.KPN,
    }
    kwargs.update(overrides)
    return register_approved_ketenmachtiging(**kwargs)


def the_only_event(km) -> KetenmachtigingEvent:
    events = list(KetenmachtigingEvent.objects.all())
    assert len(events) == 1
    assert events[0].ketenmachtiging_id == km.pk
    return events[0]


# --- request_ketenmachtiging --------------------------------------------------------------------


def test_request_sends_an_invitation(frozen, person, beheerder, intermediair, relatie):
    collega = MembershipFactory(organisation=intermediair)
    groep = GroepFactory(organisation=intermediair)

    km = request(
        acting_user=person,
        intermediair=intermediair,
        relatie=relatie,
        assignment=Assignment(gebruikers=[beheerder, collega], groepen=[groep]),
        duration_years=3,
        language="en",
        personal_message="Graag uw handtekening.",
        reference="Dossier 42",
    )

    km = Ketenmachtiging.objects.get(pk=km.pk)
    assert km.intermediair == intermediair
    assert km.relatie == relatie
    assert km.status == Status.AANVRAAG_VERSTUURD
    assert km.duration_years == 3
    assert km.algemene_bevoegdheid is True
    assert list(km.dienstverleners.all()) == []
    assert list(km.diensten.all()) == []
    assert set(km.gebruikers.all()) == {beheerder, collega}
    assert list(km.groepen.all()) == [groep]
    assert (km.sent_at, km.costs_agreed_at) == (NOW, NOW)
    assert (km.received_at, km.activated_at, km.revoked_at) == (None, None, None)
    assert (km.start_date, km.end_date, km.revocation_date) == (None, None, None)
    assert km.leverancier == ""
    assert km.status_reason == ""
    assert km.renews is None
    assert km.created_by == person
    assert (
        km.contact_initialen,
        km.contact_tussenvoegsel,
        km.contact_achternaam,
        km.contact_email,
        km.contact_telefoon,
    ) == ("A.B.", "van der", "Berg", "a.vanderberg@relatie.example.nl", "0612345678")
    assert km.contact_name == "A.B. van der Berg"
    assert (km.intermediair_email, km.intermediair_telefoon) == (
        "kantoor@intermediair.example.nl",
        "0201234567",
    )
    assert km.language == "en"
    assert km.personal_message == "Graag uw handtekening."
    assert km.reference == "Dossier 42"

    event = the_only_event(km)
    assert event.kind == EventKind.STATUS
    assert event.actor == person
    assert event.actor_kind == ActorKind.PERSON
    assert (event.from_status, event.to_status) == ("", Status.AANVRAAG_VERSTUURD)
    assert event.note == ""


def test_request_with_a_limited_scope(person, intermediair, relatie):
    uwv = DienstverlenerFactory()
    facet = DienstFactory()

    km = request(
        acting_user=person,
        intermediair=intermediair,
        relatie=relatie,
        scope=ScopeSelection(dienstverleners=[uwv], diensten=[facet]),
    )

    km = Ketenmachtiging.objects.get(pk=km.pk)
    assert km.algemene_bevoegdheid is False
    assert list(km.dienstverleners.all()) == [uwv]
    assert list(km.diensten.all()) == [facet]


def test_algemene_bevoegdheid_stores_no_separate_diensten(person, intermediair, relatie):
    km = request(
        acting_user=person,
        intermediair=intermediair,
        relatie=relatie,
        scope=ScopeSelection(
            algemene_bevoegdheid=True,
            dienstverleners=[DienstverlenerFactory()],
            diensten=[DienstFactory()],
        ),
    )

    km = Ketenmachtiging.objects.get(pk=km.pk)
    assert km.algemene_bevoegdheid is True
    assert km.dienstverleners.count() == 0
    assert km.diensten.count() == 0


def test_request_a_renewal_links_the_current_one(person, intermediair, relatie):
    current = KetenmachtigingFactory(actief=True, intermediair=intermediair, relatie=relatie)

    km = request(acting_user=person, intermediair=intermediair, relatie=relatie, renews=current)

    km.refresh_from_db()
    assert km.renews == current
    assert list(current.renewals.all()) == [km]


# --- register_approved_ketenmachtiging ----------------------------------------------------------


@pytest.mark.parametrize(
    ("duration_years", "end_date"),
    [(5, datetime.date(2031, 3, 10)), (1, datetime.date(2027, 3, 10))],
)
def test_register_approved_is_active_at_once(
    frozen, person, beheerder, intermediair, relatie, duration_years, end_date
):
    km = register(
        acting_user=person,
        intermediair=intermediair,
        relatie=relatie,
        assignment=Assignment(gebruikers=[beheerder]),
        duration_years=duration_years,
        leverancier=Leverancier.KPN,
        reference="KPN-123",
    )

    km = Ketenmachtiging.objects.get(pk=km.pk)
    assert km.status == Status.ACTIEF
    assert km.leverancier == Leverancier.KPN
    assert (km.start_date, km.end_date) == (TODAY, end_date)
    assert km.activated_at == NOW
    assert (km.sent_at, km.costs_agreed_at, km.received_at) == (None, None, None)
    assert km.revocation_date is None
    assert km.reference == "KPN-123"
    assert km.created_by == person
    assert list(km.gebruikers.all()) == [beheerder]

    event = the_only_event(km)
    assert event.kind == EventKind.STATUS
    assert event.actor == person
    assert event.actor_kind == ActorKind.PERSON
    assert (event.from_status, event.to_status) == ("", Status.ACTIEF)
    assert event.note == "Verwerkt als goedgekeurd (KPN)."


def test_register_approved_by_staff(frozen, staff_user, intermediair, relatie):
    km = register(
        acting_user=staff_user,
        intermediair=intermediair,
        relatie=relatie,
        leverancier=Leverancier.WE_ID,
    )

    event = the_only_event(km)
    assert event.actor_kind == ActorKind.STAFF
    assert event.note == "Verwerkt als goedgekeurd (we-ID)."


@pytest.mark.parametrize("leverancier", ["", "eherkenning-bv"])
def test_register_approved_needs_a_known_leverancier(person, intermediair, relatie, leverancier):
    with pytest.raises(DomainError) as exc_info:
        register(
            acting_user=person, intermediair=intermediair, relatie=relatie, leverancier=leverancier
        )

    assert str(exc_info.value) == "Kies de organisatie waar de ketenmachtiging is vastgelegd."
    assert Ketenmachtiging.objects.count() == 0
    assert KetenmachtigingEvent.objects.count() == 0


# --- refusals common to both ways ---------------------------------------------------------------


def _to_itself(intermediair, relatie):
    return {"relatie": intermediair}, "Een organisatie kan zichzelf geen ketenmachtiging geven."


def _empty_scope(intermediair, relatie):
    return {"scope": ScopeSelection()}, "Kies één of meerdere diensten."


def _duration(years):
    def case(intermediair, relatie):
        return {"duration_years": years}, "Kies een duur van 1 tot en met 5 jaar."

    return case


def _gebruiker_of_another_organisation(intermediair, relatie):
    other = MembershipFactory(organisation=relatie)
    return (
        {"assignment": Assignment(gebruikers=[other])},
        "Deze gebruiker hoort niet bij uw organisatie.",
    )


def _gebruiker_below_eh3(intermediair, relatie):
    low = MembershipFactory(organisation=intermediair, eh_niveau=EHNiveau.EH2_PLUS)
    return (
        {"assignment": Assignment(gebruikers=[low])},
        f"{low.user.display_name} heeft geen middel op minimaal niveau EH3.",
    )


def _inactive_gebruiker(intermediair, relatie):
    inactive = MembershipFactory(organisation=intermediair, active=False)
    return (
        {"assignment": Assignment(gebruikers=[inactive])},
        f"{inactive.user.display_name} heeft geen middel op minimaal niveau EH3.",
    )


def _groep_of_another_organisation(intermediair, relatie):
    groep = GroepFactory(organisation=OrganisationFactory())
    return {"assignment": Assignment(groepen=[groep])}, "Deze groep hoort niet bij uw organisatie."


INVALID_CASES = {
    "relatie-is-intermediair": _to_itself,
    "empty-scope": _empty_scope,
    "duration-0": _duration(0),
    "duration-6": _duration(6),
    "gebruiker-of-another-organisation": _gebruiker_of_another_organisation,
    "gebruiker-below-eh3": _gebruiker_below_eh3,
    "inactive-gebruiker": _inactive_gebruiker,
    "groep-of-another-organisation": _groep_of_another_organisation,
}


@pytest.mark.parametrize("service", [request, register], ids=["request", "register_approved"])
@pytest.mark.parametrize("case", INVALID_CASES.values(), ids=INVALID_CASES.keys())
def test_invalid_ketenmachtiging_is_refused_and_nothing_is_created(
    person, intermediair, relatie, service, case
):
    overrides, message = case(intermediair, relatie)
    kwargs = {"acting_user": person, "intermediair": intermediair, "relatie": relatie}
    kwargs.update(overrides)

    with pytest.raises(DomainError) as exc_info:
        service(**kwargs)

    assert str(exc_info.value) == message
    assert Ketenmachtiging.objects.count() == 0
    assert KetenmachtigingEvent.objects.count() == 0


def test_request_without_agreeing_to_the_costs_is_refused(person, intermediair, relatie):
    with pytest.raises(DomainError) as exc_info:
        request(acting_user=person, intermediair=intermediair, relatie=relatie, costs_agreed=False)

    assert str(exc_info.value) == (
        "Ga akkoord met de kosten voor vastlegging van deze ketenmachtiging."
    )
    assert Ketenmachtiging.objects.count() == 0
    assert KetenmachtigingEvent.objects.count() == 0


def test_request_without_a_contact_email_is_refused(person, intermediair, relatie):
    with pytest.raises(DomainError) as exc_info:
        request(
            acting_user=person,
            intermediair=intermediair,
            relatie=relatie,
            contact=RelatieContact(initialen="A.", achternaam="Berg"),
        )

    assert str(exc_info.value) == "Vul het e-mailadres van de contactpersoon in."
    assert Ketenmachtiging.objects.count() == 0
    assert KetenmachtigingEvent.objects.count() == 0


@pytest.mark.parametrize(
    "transition", [t for t in LIFECYCLE if None not in t.sources], ids=lambda t: t.name
)
def test_only_request_and_register_approved_make_a_ketenmachtiging(transition, beheerder):
    new = KetenmachtigingFactory.build(
        intermediair=beheerder.organisation, relatie=OrganisationFactory(), status=""
    )

    with pytest.raises(InvalidTransition) as exc_info:
        move(new, transition, acting_user=beheerder.user)

    assert exc_info.value.from_status is None
    assert Ketenmachtiging.objects.count() == 0
    assert KetenmachtigingEvent.objects.count() == 0
