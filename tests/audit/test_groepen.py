"""groepen/services.py writes one audit event per change, none for a write that changes nothing
or is refused."""

import pytest

from audit.constants import AuditKind
from audit.models import AuditEvent
from core.errors import DomainError
from groepen import services
from groepen.models import Groep
from tests.audit.conftest import trail
from tests.factories import (
    BeheerderFactory,
    DienstFactory,
    DienstverlenerFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(intermediair=True)


@pytest.fixture
def person(organisation):
    return BeheerderFactory(
        organisation=organisation,
        user=UserFactory(initials="A.B.M.", tussenvoegsel="", last_name="Pietersen"),
    ).user


def member(organisation, initials, last_name, tussenvoegsel=""):
    user = UserFactory(initials=initials, tussenvoegsel=tussenvoegsel, last_name=last_name)
    return MembershipFactory(organisation=organisation, user=user)


def groep_target(groep):
    return ("groep", groep.pk)


# --- create and rename ---------------------------------------------------------------------------


def test_create_groep_writes_groep_aangemaakt(person, organisation):
    groep = services.create_groep(
        acting_user=person, organisation=organisation, name=" Loonadministratie "
    )

    assert trail() == [
        (
            AuditKind.GROEP_CREATED,
            person,
            "A.B.M. Pietersen",
            organisation.pk,
            groep_target(groep),
            "Loonadministratie",
            None,
            {"name": "Loonadministratie"},
        )
    ]
    assert AuditEvent.objects.get().created_at is not None


def test_a_refused_create_writes_nothing(person, organisation):
    GroepFactory(organisation=organisation, name="Salaris")

    with pytest.raises(DomainError):
        services.create_groep(acting_user=person, organisation=organisation, name="SALARIS")

    assert not AuditEvent.objects.exists()


def test_rename_groep_writes_the_old_and_new_name(person, organisation):
    groep = GroepFactory(organisation=organisation, name="Loonadministratie")

    services.rename_groep(acting_user=person, groep=groep, name="Salaris")

    assert trail() == [
        (
            AuditKind.GROEP_RENAMED,
            person,
            "A.B.M. Pietersen",
            organisation.pk,
            groep_target(groep),
            "Salaris",
            {"name": "Loonadministratie"},
            {"name": "Salaris"},
        )
    ]


def test_a_change_of_case_is_a_rename(person, organisation):
    groep = GroepFactory(organisation=organisation, name="salaris")

    services.rename_groep(acting_user=person, groep=groep, name="Salaris")

    assert [(e.before, e.after) for e in AuditEvent.objects.all()] == [
        ({"name": "salaris"}, {"name": "Salaris"})
    ]


def test_renaming_to_the_same_name_writes_nothing(person, organisation):
    groep = GroepFactory(organisation=organisation, name="Salaris")

    services.rename_groep(acting_user=person, groep=groep, name="  Salaris ")

    assert not AuditEvent.objects.exists()


def test_a_refused_rename_writes_nothing(person, organisation):
    GroepFactory(organisation=organisation, name="Salaris")
    groep = GroepFactory(organisation=organisation, name="Fiscalisten")

    with pytest.raises(DomainError):
        services.rename_groep(acting_user=person, groep=groep, name="salaris")
    with pytest.raises(DomainError):
        services.rename_groep(acting_user=person, groep=groep, name="   ")

    assert Groep.objects.get(pk=groep.pk).name == "Fiscalisten"
    assert not AuditEvent.objects.exists()


# --- members -------------------------------------------------------------------------------------


def test_set_members_writes_the_names_before_and_after(person, organisation):
    vries = member(organisation, "K.", "Vries", "de")
    bakker = member(organisation, "M.", "Bakker")
    jong = member(organisation, "S.", "Jong", "de")
    groep = GroepFactory(organisation=organisation, members=[vries, bakker])

    services.set_members(acting_user=person, groep=groep, memberships=[jong, bakker])

    assert trail() == [
        (
            AuditKind.GROEP_MEMBERS_CHANGED,
            person,
            "A.B.M. Pietersen",
            organisation.pk,
            groep_target(groep),
            groep.name,
            {"members": ["K. de Vries", "M. Bakker"]},
            {"members": ["M. Bakker", "S. de Jong"]},
        )
    ]
    assert AuditEvent.objects.get().description == ["Leden: + S. de Jong, − K. de Vries"]


def test_the_same_members_in_another_order_write_nothing(person, organisation):
    a, b = member(organisation, "A.", "Aa"), member(organisation, "B.", "Bee")
    groep = GroepFactory(organisation=organisation, members=[a, b])

    services.set_members(acting_user=person, groep=groep, memberships=[b, a, b])

    assert not AuditEvent.objects.exists()


def test_a_refused_members_change_writes_nothing(person, organisation):
    groep = GroepFactory(organisation=organisation)
    stranger = MembershipFactory(organisation=OrganisationFactory(intermediair=True))
    inactive = MembershipFactory(organisation=organisation, active=False)

    for memberships in ([stranger], [inactive]):
        with pytest.raises(DomainError):
            services.set_members(acting_user=person, groep=groep, memberships=memberships)

    assert not AuditEvent.objects.exists()


# --- toegestane diensten -------------------------------------------------------------------------


@pytest.fixture
def catalogue():
    belastingdienst = DienstverlenerFactory(name="Belastingdienst", belastingdienst=True)
    return {
        "belastingdienst": belastingdienst,
        "asr": DienstverlenerFactory(name="A.S.R."),
        "loonheffingen": DienstFactory(
            name="Aangifte loonheffingen", dienstverlener=belastingdienst
        ),
        "cockpit": DienstFactory(
            name="Adviseursportaal a.s.r. Cockpit", dienstverlener__name="A.S.R. Portalen"
        ),
    }


def test_set_toegestane_diensten_writes_bevoegdheid_dienstverleners_and_diensten(
    person, organisation, catalogue
):
    groep = GroepFactory(organisation=organisation, algemene_bevoegdheid=True)

    services.set_toegestane_diensten(
        acting_user=person,
        groep=groep,
        algemene_bevoegdheid=False,
        dienstverleners=[catalogue["asr"]],
        diensten=[catalogue["loonheffingen"], catalogue["cockpit"]],
    )

    assert trail() == [
        (
            AuditKind.GROEP_DIENSTEN_CHANGED,
            person,
            "A.B.M. Pietersen",
            organisation.pk,
            groep_target(groep),
            groep.name,
            {"algemene_bevoegdheid": True, "dienstverleners": [], "diensten": []},
            {
                "algemene_bevoegdheid": False,
                "dienstverleners": ["A.S.R."],
                "diensten": [
                    "Aangifte loonheffingen (Belastingdienst)",
                    "Adviseursportaal a.s.r. Cockpit (A.S.R. Portalen)",
                ],
            },
        )
    ]
    assert AuditEvent.objects.get().description == [
        "Toegestane diensten: + A.S.R. (alle diensten), "
        "+ Aangifte loonheffingen (Belastingdienst), "
        "+ Adviseursportaal a.s.r. Cockpit (A.S.R. Portalen), − Algemene bevoegdheid"
    ]


def test_the_first_choice_of_a_new_groep_is_a_change(person, organisation):
    groep = GroepFactory(organisation=organisation, algemene_bevoegdheid=False)

    services.set_toegestane_diensten(acting_user=person, groep=groep, algemene_bevoegdheid=True)

    event = AuditEvent.objects.get()
    assert (event.before, event.after) == (
        {"algemene_bevoegdheid": False, "dienstverleners": [], "diensten": []},
        {"algemene_bevoegdheid": True, "dienstverleners": [], "diensten": []},
    )
    assert event.description == ["Toegestane diensten: + Algemene bevoegdheid"]


def test_the_same_toegestane_diensten_write_nothing(person, organisation, catalogue):
    limited = GroepFactory(
        organisation=organisation,
        algemene_bevoegdheid=False,
        dienstverleners=[catalogue["asr"]],
        diensten=[catalogue["loonheffingen"]],
    )
    algemeen = GroepFactory(organisation=organisation, algemene_bevoegdheid=True)

    services.set_toegestane_diensten(
        acting_user=person,
        groep=limited,
        algemene_bevoegdheid=False,
        dienstverleners=[catalogue["asr"]],
        diensten=[catalogue["loonheffingen"]],
    )
    # Lists beside Algemene bevoegdheid are not kept: still no change.
    services.set_toegestane_diensten(
        acting_user=person,
        groep=algemeen,
        algemene_bevoegdheid=True,
        diensten=[catalogue["cockpit"]],
    )

    assert not AuditEvent.objects.exists()


def test_a_refused_toegestane_diensten_change_writes_nothing(person, organisation):
    groep = GroepFactory(organisation=organisation, algemene_bevoegdheid=True)
    old = DienstFactory(name="Oude dienst", active=False)

    for diensten in ([], [old]):
        with pytest.raises(DomainError):
            services.set_toegestane_diensten(
                acting_user=person, groep=groep, algemene_bevoegdheid=False, diensten=diensten
            )

    assert not AuditEvent.objects.exists()


# --- delete --------------------------------------------------------------------------------------


def test_delete_groep_writes_what_the_groep_was_and_the_event_outlives_it(
    person, organisation, catalogue
):
    jong = member(organisation, "S.", "Jong", "de")
    groep = GroepFactory(
        organisation=organisation,
        name="Fiscalisten",
        algemene_bevoegdheid=False,
        members=[jong],
        diensten=[catalogue["loonheffingen"]],
    )
    KetenmachtigingFactory(intermediair=organisation, groepen=[groep])
    groep_pk = groep.pk

    services.delete_groep(acting_user=person, groep=groep)

    assert not Groep.objects.filter(pk=groep_pk).exists()
    assert trail() == [
        (
            AuditKind.GROEP_DELETED,
            person,
            "A.B.M. Pietersen",
            organisation.pk,
            ("groep", groep_pk),
            "Fiscalisten",
            {
                "name": "Fiscalisten",
                "members": ["S. de Jong"],
                "algemene_bevoegdheid": False,
                "dienstverleners": [],
                "diensten": ["Aangifte loonheffingen (Belastingdienst)"],
                "ketenmachtigingen": 1,
            },
            None,
        )
    ]
    assert AuditEvent.objects.get().description == [
        "Groep ‘Fiscalisten’ verwijderd",
        "Leden: S. de Jong",
        "Toegestane diensten: Aangifte loonheffingen (Belastingdienst)",
        "Was gekoppeld aan 1 ketenmachtiging",
    ]


def test_the_history_of_a_deleted_groep_stays(person, organisation):
    groep = services.create_groep(acting_user=person, organisation=organisation, name="Tijdelijk")
    services.delete_groep(acting_user=person, groep=groep)

    assert [e.kind for e in AuditEvent.objects.order_by("pk")] == [
        AuditKind.GROEP_CREATED,
        AuditKind.GROEP_DELETED,
    ]


def test_a_failing_delete_writes_nothing(person, organisation, monkeypatch):
    groep = GroepFactory(organisation=organisation)

    def broken_delete(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Groep, "delete", broken_delete)
    with pytest.raises(RuntimeError):
        services.delete_groep(acting_user=person, groep=groep)

    assert not AuditEvent.objects.exists()


# --- the trail outlives the person and the organisation ------------------------------------------


def test_the_actors_name_stays_when_the_person_is_deleted(person, organisation):
    services.create_groep(acting_user=person, organisation=organisation, name="Salaris")

    person.delete()

    event = AuditEvent.objects.get()
    assert (event.actor, event.actor_name) == (None, "A.B.M. Pietersen")


def test_the_event_stays_when_the_organisation_is_deleted(person, organisation):
    services.create_groep(acting_user=person, organisation=organisation, name="Salaris")

    organisation.delete()

    event = AuditEvent.objects.get()
    assert (event.organisation_id, event.target_label, event.kind) == (
        None,
        "Salaris",
        AuditKind.GROEP_CREATED,
    )


def test_two_people_of_the_same_name_swapped_is_a_change(person, organisation):
    first = member(organisation, "J.", "Jansen")
    second = member(organisation, "J.", "Jansen")
    groep = GroepFactory(organisation=organisation, members=[first])

    services.set_members(acting_user=person, groep=groep, memberships=[second])

    event = AuditEvent.objects.get()
    assert (event.before, event.after) == ({"members": ["J. Jansen"]}, {"members": ["J. Jansen"]})
    assert event.description == ["Leden van groep gewijzigd"]
