"""The authorization rule: may this person of the intermediair act for the relatie at a dienst?"""

import datetime

import pytest
import time_machine

from accounts.constants import EHNiveau
from ketenmachtigingen.authorization import (
    Decision,
    Reason,
    check_authorization,
    in_force_q,
    may_be_assigned,
    picker_warnings,
)
from ketenmachtigingen.constants import Status
from ketenmachtigingen.models import Ketenmachtiging
from tests.factories import (
    DienstFactory,
    DienstverlenerFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    ketenmachtiging_with_status,
)

from .conftest import TODAY

pytestmark = pytest.mark.django_db

TOMORROW = TODAY + datetime.timedelta(days=1)
YESTERDAY = TODAY - datetime.timedelta(days=1)

BELOW_EH3 = (
    "Om gebruik te maken van de machtiging(en) dient de persoon te beschikken over een middel "
    "op minimaal niveau EH3."
)
BELASTINGDIENST_ONLY = (
    "Let op! Deze persoon beschikt over een middel dat alleen geschikt is om namens uw bedrijf "
    "in te loggen bij de Belastingdienst."
)


@pytest.fixture
def uwv():
    return DienstverlenerFactory(name="UWV")


@pytest.fixture
def dienst(uwv):
    return DienstFactory(dienstverlener=uwv, name="Werkgeversportaal")


@pytest.fixture
def andere_dienst(uwv):
    """Another dienst of the same dienstverlener."""
    return DienstFactory(dienstverlener=uwv, name="Ziek- en herstelmelding")


@pytest.fixture
def dienst_elders():
    """A dienst of another dienstverlener."""
    return DienstFactory(name="Jaarrekening deponeren")


@pytest.fixture
def belastingdienst_dienst():
    return DienstFactory(
        dienstverlener=DienstverlenerFactory(name="Belastingdienst", belastingdienst=True),
        name="Aangifte omzetbelasting",
    )


@pytest.fixture
def middel(intermediair):
    """An EH3 middel of a gebruiker of the intermediair."""
    return MembershipFactory(organisation=intermediair)


def in_force(intermediair, relatie, **fields):
    """ACTIEF from 1 January 2025 to 1 January 2030."""
    fields.setdefault("start_date", datetime.date(2025, 1, 1))
    fields.setdefault("duration_years", 5)
    return KetenmachtigingFactory(actief=True, intermediair=intermediair, relatie=relatie, **fields)


def check(middel, relatie, dienst, today=TODAY):
    return check_authorization(membership=middel, relatie=relatie, dienst=dienst, today=today)


# --- allowed, and who is assigned ---------------------------------------------------------------


def test_directly_assigned_person_is_allowed(middel, intermediair, relatie, dienst):
    km = in_force(intermediair, relatie, gebruikers=[middel])

    assert check(middel, relatie, dienst) == Decision(True, Reason.ALLOWED, km)


def test_allowed_via_a_groep_with_algemene_bevoegdheid(middel, intermediair, relatie, dienst):
    groep = GroepFactory(organisation=intermediair, algemene_bevoegdheid=True, members=[middel])
    km = in_force(intermediair, relatie, groepen=[groep])

    assert check(middel, relatie, dienst) == Decision(True, Reason.ALLOWED, km)


def test_allowed_via_a_groep_limited_to_the_dienst(middel, intermediair, relatie, dienst):
    groep = GroepFactory(
        organisation=intermediair, algemene_bevoegdheid=False, diensten=[dienst], members=[middel]
    )
    km = in_force(intermediair, relatie, groepen=[groep])

    assert check(middel, relatie, dienst) == Decision(True, Reason.ALLOWED, km)


def test_allowed_via_a_groep_limited_to_the_dienstverlener(
    middel, intermediair, relatie, dienst, uwv
):
    groep = GroepFactory(
        organisation=intermediair,
        algemene_bevoegdheid=False,
        dienstverleners=[uwv],
        members=[middel],
    )
    km = in_force(intermediair, relatie, groepen=[groep])

    assert check(middel, relatie, dienst) == Decision(True, Reason.ALLOWED, km)


def test_groep_limited_to_other_diensten_is_not_enough(
    middel, intermediair, relatie, dienst, andere_dienst, dienst_elders
):
    groep = GroepFactory(
        organisation=intermediair,
        algemene_bevoegdheid=False,
        diensten=[andere_dienst],
        dienstverleners=[dienst_elders.dienstverlener],
        members=[middel],
    )
    km = in_force(intermediair, relatie, groepen=[groep])

    assert check(middel, relatie, dienst) == Decision(False, Reason.NOT_ASSIGNED, km)


def test_groep_the_person_is_not_a_member_of_is_not_enough(middel, intermediair, relatie, dienst):
    groep = GroepFactory(
        organisation=intermediair, members=[MembershipFactory(organisation=intermediair)]
    )
    km = in_force(intermediair, relatie, groepen=[groep])

    assert check(middel, relatie, dienst) == Decision(False, Reason.NOT_ASSIGNED, km)


def test_person_not_assigned(middel, intermediair, relatie, dienst):
    km = in_force(intermediair, relatie, gebruikers=[MembershipFactory(organisation=intermediair)])

    assert check(middel, relatie, dienst) == Decision(False, Reason.NOT_ASSIGNED, km)


def test_a_groep_on_a_ketenmachtiging_of_another_relatie_does_not_count(
    middel, intermediair, relatie, dienst
):
    groep = GroepFactory(organisation=intermediair, members=[middel])
    in_force(intermediair, OrganisationFactory(), groepen=[groep])
    km = in_force(intermediair, relatie)

    assert check(middel, relatie, dienst) == Decision(False, Reason.NOT_ASSIGNED, km)


def test_the_ketenmachtiging_the_person_is_assigned_to_is_named(
    middel, intermediair, relatie, dienst
):
    in_force(intermediair, relatie)  # ends later, but the person is not on it
    assigned = in_force(
        intermediair, relatie, start_date=datetime.date(2025, 6, 1), duration_years=2
    )
    assigned.gebruikers.add(middel)

    assert check(middel, relatie, dienst) == Decision(True, Reason.ALLOWED, assigned)


# --- the middel ---------------------------------------------------------------------------------


@pytest.mark.parametrize("niveau", [EHNiveau.EH2, EHNiveau.EH2_PLUS])
def test_middel_below_eh3(intermediair, relatie, uwv, niveau):
    dienst_eh2 = DienstFactory(dienstverlener=uwv, min_eh_niveau=EHNiveau.EH2)
    low = MembershipFactory(organisation=intermediair, eh_niveau=niveau)
    in_force(intermediair, relatie, gebruikers=[low])

    assert check(low, relatie, dienst_eh2) == Decision(False, Reason.LEVEL_TOO_LOW)


def test_dienst_needing_eh4_refuses_an_eh3_middel(middel, intermediair, relatie, uwv):
    eh4_dienst = DienstFactory(dienstverlener=uwv, min_eh_niveau=EHNiveau.EH4)
    in_force(intermediair, relatie, gebruikers=[middel])

    assert check(middel, relatie, eh4_dienst) == Decision(False, Reason.LEVEL_TOO_LOW)


def test_dienst_needing_eh4_allows_an_eh4_middel(intermediair, relatie, uwv):
    eh4_dienst = DienstFactory(dienstverlener=uwv, min_eh_niveau=EHNiveau.EH4)
    eh4 = MembershipFactory(organisation=intermediair, eh_niveau=EHNiveau.EH4)
    km = in_force(intermediair, relatie, gebruikers=[eh4])

    assert check(eh4, relatie, eh4_dienst) == Decision(True, Reason.ALLOWED, km)


def test_belastingdienst_only_middel_at_the_belastingdienst(
    intermediair, relatie, belastingdienst_dienst
):
    bd_only = MembershipFactory(organisation=intermediair, belastingdienst_only=True)
    km = in_force(intermediair, relatie, gebruikers=[bd_only])

    assert check(bd_only, relatie, belastingdienst_dienst) == Decision(True, Reason.ALLOWED, km)


def test_belastingdienst_only_middel_elsewhere(intermediair, relatie, dienst):
    bd_only = MembershipFactory(organisation=intermediair, belastingdienst_only=True)
    in_force(intermediair, relatie, gebruikers=[bd_only])

    assert check(bd_only, relatie, dienst) == Decision(False, Reason.MIDDEL_RESTRICTED)


def test_inactive_middel(intermediair, relatie, dienst):
    inactive = MembershipFactory(organisation=intermediair, active=False)
    in_force(intermediair, relatie, gebruikers=[inactive])

    assert check(inactive, relatie, dienst) == Decision(False, Reason.MIDDEL_INACTIVE)


# --- the ketenmachtiging ------------------------------------------------------------------------


@pytest.mark.parametrize("trait", ["verlopen", "ingetrokken", "aanvraag_verstuurd"], ids=str)
def test_ketenmachtiging_that_is_not_active(frozen, middel, intermediair, relatie, dienst, trait):
    km = KetenmachtigingFactory(
        intermediair=intermediair, relatie=relatie, gebruikers=[middel], **{trait: True}
    )
    assert km.status != Status.ACTIEF

    assert check(middel, relatie, dienst) == Decision(False, Reason.NOT_ACTIVE, km)


def test_no_ketenmachtiging(middel, relatie, dienst):
    assert check(middel, relatie, dienst) == Decision(False, Reason.NO_KETENMACHTIGING)


def test_ketenmachtiging_to_another_intermediair_does_not_count(
    middel, intermediair, relatie, dienst
):
    other_intermediair = OrganisationFactory(intermediair=True)
    # The same person also holds a middel for the other intermediair, which is assigned there.
    elsewhere = MembershipFactory(user=middel.user, organisation=other_intermediair)
    in_force(other_intermediair, relatie, gebruikers=[elsewhere])

    assert check(middel, relatie, dienst) == Decision(False, Reason.NO_KETENMACHTIGING)
    assert check(elsewhere, relatie, dienst).allowed is True


def test_ketenmachtiging_of_another_relatie_does_not_count(middel, intermediair, relatie, dienst):
    in_force(intermediair, OrganisationFactory(), gebruikers=[middel])

    assert check(middel, relatie, dienst) == Decision(False, Reason.NO_KETENMACHTIGING)


def test_an_expired_one_next_to_one_in_force(frozen, middel, intermediair, relatie, dienst):
    KetenmachtigingFactory(
        verlopen=True, intermediair=intermediair, relatie=relatie, gebruikers=[middel]
    )
    km = in_force(intermediair, relatie, gebruikers=[middel])

    assert check(middel, relatie, dienst) == Decision(True, Reason.ALLOWED, km)


# The ordering of NULL end dates differs: last in SQLite, first in PostgreSQL.
def test_not_active_names_the_latest_dated_ketenmachtiging(
    frozen, middel, intermediair, relatie, dienst
):
    expired = KetenmachtigingFactory(
        verlopen=True, intermediair=intermediair, relatie=relatie, gebruikers=[middel]
    )
    KetenmachtigingFactory(
        aanvraag_verstuurd=True,
        intermediair=intermediair,
        relatie=relatie,
        renews=expired,
        gebruikers=[middel],
    )

    assert check(middel, relatie, dienst) == Decision(False, Reason.NOT_ACTIVE, expired)


# --- the scope ----------------------------------------------------------------------------------


def test_algemene_bevoegdheid_covers_any_dienst(
    middel, intermediair, relatie, dienst, dienst_elders, belastingdienst_dienst
):
    km = in_force(intermediair, relatie, algemene_bevoegdheid=True, gebruikers=[middel])

    for any_dienst in (dienst, dienst_elders, belastingdienst_dienst):
        assert check(middel, relatie, any_dienst) == Decision(True, Reason.ALLOWED, km)


def test_whole_dienstverlener_covers_its_diensten(
    middel, intermediair, relatie, uwv, dienst, andere_dienst
):
    km = in_force(
        intermediair,
        relatie,
        algemene_bevoegdheid=False,
        dienstverleners=[uwv],
        gebruikers=[middel],
    )

    assert check(middel, relatie, dienst) == Decision(True, Reason.ALLOWED, km)
    assert check(middel, relatie, andere_dienst) == Decision(True, Reason.ALLOWED, km)


def test_whole_dienstverlener_does_not_cover_another_dienstverlener(
    middel, intermediair, relatie, uwv, dienst_elders
):
    km = in_force(
        intermediair,
        relatie,
        algemene_bevoegdheid=False,
        dienstverleners=[uwv],
        gebruikers=[middel],
    )

    assert check(middel, relatie, dienst_elders) == Decision(False, Reason.OUTSIDE_SCOPE, km)


def test_single_dienst_scope(middel, intermediair, relatie, dienst, andere_dienst):
    km = in_force(
        intermediair, relatie, algemene_bevoegdheid=False, diensten=[dienst], gebruikers=[middel]
    )

    assert check(middel, relatie, dienst) == Decision(True, Reason.ALLOWED, km)
    assert check(middel, relatie, andere_dienst) == Decision(False, Reason.OUTSIDE_SCOPE, km)


def test_empty_limited_scope_covers_nothing(middel, intermediair, relatie, dienst):
    km = in_force(intermediair, relatie, algemene_bevoegdheid=False, gebruikers=[middel])

    assert check(middel, relatie, dienst) == Decision(False, Reason.OUTSIDE_SCOPE, km)


# --- the dates ----------------------------------------------------------------------------------


def test_actief_on_its_end_date_is_not_active(middel, intermediair, relatie, dienst):
    km = in_force(intermediair, relatie, start_date=datetime.date(2021, 3, 10), gebruikers=[middel])
    assert km.end_date == TODAY

    assert check(middel, relatie, dienst) == Decision(False, Reason.NOT_ACTIVE, km)


def test_actief_on_its_last_day(middel, intermediair, relatie, dienst):
    km = in_force(intermediair, relatie, start_date=datetime.date(2021, 3, 11), gebruikers=[middel])
    assert km.end_date == TOMORROW

    assert check(middel, relatie, dienst) == Decision(True, Reason.ALLOWED, km)


def test_actief_starting_in_the_future_is_not_active(middel, intermediair, relatie, dienst):
    km = in_force(intermediair, relatie, start_date=TOMORROW, gebruikers=[middel])

    assert check(middel, relatie, dienst) == Decision(False, Reason.NOT_ACTIVE, km)


def test_actief_on_its_start_date(middel, intermediair, relatie, dienst):
    km = in_force(intermediair, relatie, start_date=TODAY, gebruikers=[middel])

    assert check(middel, relatie, dienst) == Decision(True, Reason.ALLOWED, km)


def test_revocation_date_today_is_not_active(middel, intermediair, relatie, dienst):
    km = in_force(intermediair, relatie, revocation_date=TODAY, gebruikers=[middel])

    assert check(middel, relatie, dienst) == Decision(False, Reason.NOT_ACTIVE, km)


def test_revocation_date_tomorrow_is_still_active(middel, intermediair, relatie, dienst):
    km = in_force(intermediair, relatie, revocation_date=TOMORROW, gebruikers=[middel])

    assert check(middel, relatie, dienst) == Decision(True, Reason.ALLOWED, km)


def test_today_is_the_date_in_amsterdam(middel, intermediair, relatie, dienst):
    km = in_force(intermediair, relatie, start_date=datetime.date(2021, 3, 10), gebruikers=[middel])
    assert km.end_date == datetime.date(2026, 3, 10)

    # 9 March 23:30 UTC is 10 March 00:30 in Amsterdam: the end date has come.
    with time_machine.travel(
        datetime.datetime(2026, 3, 9, 23, 30, tzinfo=datetime.UTC), tick=False
    ):
        decision = check_authorization(membership=middel, relatie=relatie, dienst=dienst)

    assert decision == Decision(False, Reason.NOT_ACTIVE, km)


@pytest.mark.parametrize("status", list(Status))
def test_only_an_actief_one_is_in_force(frozen, status):
    """The rule's in-force condition holds for an Actief one only, whatever its dates."""
    km = ketenmachtiging_with_status(status)

    in_force_ids = set(
        Ketenmachtiging.objects.filter(in_force_q(TODAY)).values_list("pk", flat=True)
    )
    assert in_force_ids == ({km.pk} if status == Status.ACTIEF else set())


# --- the pickers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("middel_fields", "warnings"),
    [
        ({"eh_niveau": EHNiveau.EH3}, []),
        ({"eh_niveau": EHNiveau.EH4}, []),
        ({"eh_niveau": EHNiveau.EH2}, [BELOW_EH3]),
        ({"eh_niveau": EHNiveau.EH2_PLUS}, [BELOW_EH3]),
        ({"eh_niveau": EHNiveau.EH3, "belastingdienst_only": True}, [BELASTINGDIENST_ONLY]),
        (
            {"eh_niveau": EHNiveau.EH2_PLUS, "belastingdienst_only": True},
            [BELOW_EH3, BELASTINGDIENST_ONLY],
        ),
    ],
    ids=["eh3", "eh4", "eh2", "eh2+", "eh3-belastingdienst-only", "eh2+-belastingdienst-only"],
)
def test_picker_warnings(intermediair, middel_fields, warnings):
    membership = MembershipFactory(organisation=intermediair, **middel_fields)

    assert [str(w) for w in picker_warnings(membership)] == warnings


@pytest.mark.parametrize(
    ("middel_fields", "expected"),
    [
        ({"eh_niveau": EHNiveau.EH3}, True),
        ({"eh_niveau": EHNiveau.EH4}, True),
        ({"eh_niveau": EHNiveau.EH3, "belastingdienst_only": True}, True),
        ({"eh_niveau": EHNiveau.EH2}, False),
        ({"eh_niveau": EHNiveau.EH2_PLUS}, False),
        ({"eh_niveau": EHNiveau.EH4, "active": False}, False),
    ],
    ids=["eh3", "eh4", "eh3-belastingdienst-only", "eh2", "eh2+", "inactive"],
)
def test_may_be_assigned(intermediair, middel_fields, expected):
    membership = MembershipFactory(organisation=intermediair, **middel_fields)

    assert may_be_assigned(membership) is expected
