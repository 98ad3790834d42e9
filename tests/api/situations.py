"""The situations of the authorization rule's tests (tests/ketenmachtigingen/
test_authorization.py), as data: each builds the rows and says the expected answer. The API
tests ask them through HTTP; the equivalence tests ask both variants of the rule."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from accounts.constants import EHNiveau
from accounts.models import Membership, Organisation
from catalogue.models import Dienst
from ketenmachtigingen.authorization import Reason
from ketenmachtigingen.models import Ketenmachtiging
from tests.factories import (
    DienstFactory,
    DienstverlenerFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.ketenmachtigingen.conftest import TODAY

TOMORROW = TODAY + datetime.timedelta(days=1)


@dataclass
class World:
    """One intermediair and one relatie; the UWV with two diensten, a dienst of another
    dienstverlener, and one of the Belastingdienst; an EH3 middel of a gebruiker."""

    intermediair: Organisation
    relatie: Organisation
    uwv: object
    dienst: Dienst
    andere_dienst: Dienst
    dienst_elders: Dienst
    belastingdienst_dienst: Dienst
    middel: Membership

    @classmethod
    def build(cls, intermediair, relatie, uwv, dienst) -> "World":
        return cls(
            intermediair=intermediair,
            relatie=relatie,
            uwv=uwv,
            dienst=dienst,
            andere_dienst=DienstFactory(dienstverlener=uwv, name="Ziek- en herstelmelding"),
            dienst_elders=DienstFactory(name="Jaarrekening deponeren"),
            belastingdienst_dienst=DienstFactory(
                dienstverlener=DienstverlenerFactory(name="Belastingdienst", belastingdienst=True),
                name="Aangifte omzetbelasting",
            ),
            middel=MembershipFactory(organisation=intermediair),
        )

    @property
    def dienstverleners(self) -> list:
        return [
            self.uwv,
            self.dienst_elders.dienstverlener,
            self.belastingdienst_dienst.dienstverlener,
        ]

    def in_force(self, relatie=None, **fields) -> Ketenmachtiging:
        """ACTIEF from 1 January 2025 to 1 January 2030."""
        fields.setdefault("start_date", datetime.date(2025, 1, 1))
        fields.setdefault("duration_years", 5)
        return KetenmachtigingFactory(
            actief=True, intermediair=self.intermediair, relatie=relatie or self.relatie, **fields
        )


@dataclass
class Situation:
    reason: Reason
    km: Ketenmachtiging | None
    middel: Membership
    dienst: Dienst
    # The level the dienstverlener asks for; None: the rule without it (EH3 through the API).
    requested: EHNiveau | None = None


def direct_user(w: World) -> Situation:
    return Situation(Reason.ALLOWED, w.in_force(gebruikers=[w.middel]), w.middel, w.dienst)


def via_groep_algemene_bevoegdheid(w: World) -> Situation:
    groep = GroepFactory(organisation=w.intermediair, members=[w.middel])
    return Situation(Reason.ALLOWED, w.in_force(groepen=[groep]), w.middel, w.dienst)


def via_groep_limited_to_the_dienst(w: World) -> Situation:
    groep = GroepFactory(
        organisation=w.intermediair,
        algemene_bevoegdheid=False,
        diensten=[w.dienst],
        members=[w.middel],
    )
    return Situation(Reason.ALLOWED, w.in_force(groepen=[groep]), w.middel, w.dienst)


def via_groep_limited_to_the_dienstverlener(w: World) -> Situation:
    groep = GroepFactory(
        organisation=w.intermediair,
        algemene_bevoegdheid=False,
        dienstverleners=[w.uwv],
        members=[w.middel],
    )
    return Situation(Reason.ALLOWED, w.in_force(groepen=[groep]), w.middel, w.dienst)


def groep_limited_to_other_diensten(w: World) -> Situation:
    groep = GroepFactory(
        organisation=w.intermediair,
        algemene_bevoegdheid=False,
        diensten=[w.andere_dienst],
        dienstverleners=[w.dienst_elders.dienstverlener],
        members=[w.middel],
    )
    return Situation(Reason.NOT_ASSIGNED, w.in_force(groepen=[groep]), w.middel, w.dienst)


def groep_the_person_is_not_in(w: World) -> Situation:
    groep = GroepFactory(
        organisation=w.intermediair, members=[MembershipFactory(organisation=w.intermediair)]
    )
    return Situation(Reason.NOT_ASSIGNED, w.in_force(groepen=[groep]), w.middel, w.dienst)


def person_not_assigned(w: World) -> Situation:
    km = w.in_force(gebruikers=[MembershipFactory(organisation=w.intermediair)])
    return Situation(Reason.NOT_ASSIGNED, km, w.middel, w.dienst)


def groep_on_another_relaties_ketenmachtiging(w: World) -> Situation:
    groep = GroepFactory(organisation=w.intermediair, members=[w.middel])
    w.in_force(OrganisationFactory(), groepen=[groep])
    return Situation(Reason.NOT_ASSIGNED, w.in_force(), w.middel, w.dienst)


def the_assigned_one_is_named(w: World) -> Situation:
    w.in_force()  # ends later, but the person is not on it
    assigned = w.in_force(start_date=datetime.date(2025, 6, 1), duration_years=2)
    assigned.gebruikers.add(w.middel)
    return Situation(Reason.ALLOWED, assigned, w.middel, w.dienst)


def middel_eh2(w: World) -> Situation:
    low = MembershipFactory(organisation=w.intermediair, eh_niveau=EHNiveau.EH2)
    w.in_force(gebruikers=[low])
    eh2_dienst = DienstFactory(dienstverlener=w.uwv, min_eh_niveau=EHNiveau.EH2)
    return Situation(Reason.LEVEL_TOO_LOW, None, low, eh2_dienst, requested=EHNiveau.EH2)


def middel_eh2_plus(w: World) -> Situation:
    low = MembershipFactory(organisation=w.intermediair, eh_niveau=EHNiveau.EH2_PLUS)
    w.in_force(gebruikers=[low])
    eh2_dienst = DienstFactory(dienstverlener=w.uwv, min_eh_niveau=EHNiveau.EH2)
    return Situation(Reason.LEVEL_TOO_LOW, None, low, eh2_dienst, requested=EHNiveau.EH2)


def dienst_needs_eh4_middel_eh3(w: World) -> Situation:
    eh4_dienst = DienstFactory(dienstverlener=w.uwv, min_eh_niveau=EHNiveau.EH4)
    w.in_force(gebruikers=[w.middel])
    return Situation(Reason.LEVEL_TOO_LOW, None, w.middel, eh4_dienst)


def dienst_needs_eh4_middel_eh4(w: World) -> Situation:
    eh4_dienst = DienstFactory(dienstverlener=w.uwv, min_eh_niveau=EHNiveau.EH4)
    eh4 = MembershipFactory(organisation=w.intermediair, eh_niveau=EHNiveau.EH4)
    km = w.in_force(gebruikers=[eh4])
    return Situation(Reason.ALLOWED, km, eh4, eh4_dienst, requested=EHNiveau.EH4)


def requested_level_above_the_middel(w: World) -> Situation:
    w.in_force(gebruikers=[w.middel])
    return Situation(Reason.LEVEL_TOO_LOW, None, w.middel, w.dienst, requested=EHNiveau.EH4)


def requested_level_below_eh3_is_not_a_loophole(w: World) -> Situation:
    """Asking for EH2 does not let an EH2 middel use a ketenmachtiging."""
    low = MembershipFactory(organisation=w.intermediair, eh_niveau=EHNiveau.EH2)
    w.in_force(gebruikers=[low])
    return Situation(Reason.LEVEL_TOO_LOW, None, low, w.dienst, requested=EHNiveau.EH2)


def requested_level_below_the_middel(w: World) -> Situation:
    eh4 = MembershipFactory(organisation=w.intermediair, eh_niveau=EHNiveau.EH4)
    km = w.in_force(gebruikers=[eh4])
    return Situation(Reason.ALLOWED, km, eh4, w.dienst, requested=EHNiveau.EH3)


def belastingdienst_only_at_the_belastingdienst(w: World) -> Situation:
    bd_only = MembershipFactory(organisation=w.intermediair, belastingdienst_only=True)
    km = w.in_force(gebruikers=[bd_only])
    return Situation(Reason.ALLOWED, km, bd_only, w.belastingdienst_dienst)


def belastingdienst_only_elsewhere(w: World) -> Situation:
    bd_only = MembershipFactory(organisation=w.intermediair, belastingdienst_only=True)
    w.in_force(gebruikers=[bd_only])
    return Situation(Reason.MIDDEL_RESTRICTED, None, bd_only, w.dienst)


def inactive_middel(w: World) -> Situation:
    inactive = MembershipFactory(organisation=w.intermediair, active=False)
    w.in_force(gebruikers=[inactive])
    return Situation(Reason.MIDDEL_INACTIVE, None, inactive, w.dienst)


def _with_trait(trait: str) -> Callable[[World], Situation]:
    def build(w: World) -> Situation:
        km = KetenmachtigingFactory(
            intermediair=w.intermediair, relatie=w.relatie, gebruikers=[w.middel], **{trait: True}
        )
        return Situation(Reason.NOT_ACTIVE, km, w.middel, w.dienst)

    build.__name__ = trait
    return build


expired = _with_trait("verlopen")
revoked = _with_trait("ingetrokken")
pending = _with_trait("aanvraag_verstuurd")


def revocation_date_today(w: World) -> Situation:
    km = w.in_force(revocation_date=TODAY, gebruikers=[w.middel])
    return Situation(Reason.NOT_ACTIVE, km, w.middel, w.dienst)


def revocation_date_tomorrow(w: World) -> Situation:
    km = w.in_force(revocation_date=TOMORROW, gebruikers=[w.middel])
    return Situation(Reason.ALLOWED, km, w.middel, w.dienst)


def on_its_end_date(w: World) -> Situation:
    km = w.in_force(start_date=datetime.date(2021, 3, 10), gebruikers=[w.middel])
    return Situation(Reason.NOT_ACTIVE, km, w.middel, w.dienst)


def on_its_last_day(w: World) -> Situation:
    km = w.in_force(start_date=datetime.date(2021, 3, 11), gebruikers=[w.middel])
    return Situation(Reason.ALLOWED, km, w.middel, w.dienst)


def starting_tomorrow(w: World) -> Situation:
    km = w.in_force(start_date=TOMORROW, gebruikers=[w.middel])
    return Situation(Reason.NOT_ACTIVE, km, w.middel, w.dienst)


def no_ketenmachtiging(w: World) -> Situation:
    return Situation(Reason.NO_KETENMACHTIGING, None, w.middel, w.dienst)


def ketenmachtiging_to_another_intermediair(w: World) -> Situation:
    other = OrganisationFactory(intermediair=True)
    elsewhere = MembershipFactory(user=w.middel.user, organisation=other)
    KetenmachtigingFactory(
        actief=True, intermediair=other, relatie=w.relatie, gebruikers=[elsewhere]
    )
    return Situation(Reason.NO_KETENMACHTIGING, None, w.middel, w.dienst)


def ketenmachtiging_of_another_relatie(w: World) -> Situation:
    w.in_force(OrganisationFactory(), gebruikers=[w.middel])
    return Situation(Reason.NO_KETENMACHTIGING, None, w.middel, w.dienst)


def expired_next_to_one_in_force(w: World) -> Situation:
    KetenmachtigingFactory(
        verlopen=True, intermediair=w.intermediair, relatie=w.relatie, gebruikers=[w.middel]
    )
    return Situation(Reason.ALLOWED, w.in_force(gebruikers=[w.middel]), w.middel, w.dienst)


def not_active_names_the_latest_dated(w: World) -> Situation:
    expired_km = KetenmachtigingFactory(
        verlopen=True, intermediair=w.intermediair, relatie=w.relatie, gebruikers=[w.middel]
    )
    KetenmachtigingFactory(
        aanvraag_verstuurd=True,
        intermediair=w.intermediair,
        relatie=w.relatie,
        renews=expired_km,
        gebruikers=[w.middel],
    )
    return Situation(Reason.NOT_ACTIVE, expired_km, w.middel, w.dienst)


def algemene_bevoegdheid_covers_another_dienstverlener(w: World) -> Situation:
    km = w.in_force(gebruikers=[w.middel])
    return Situation(Reason.ALLOWED, km, w.middel, w.dienst_elders)


def algemene_bevoegdheid_covers_the_belastingdienst(w: World) -> Situation:
    km = w.in_force(gebruikers=[w.middel])
    return Situation(Reason.ALLOWED, km, w.middel, w.belastingdienst_dienst)


def whole_dienstverlener_covers_its_diensten(w: World) -> Situation:
    km = w.in_force(algemene_bevoegdheid=False, dienstverleners=[w.uwv], gebruikers=[w.middel])
    return Situation(Reason.ALLOWED, km, w.middel, w.andere_dienst)


def whole_dienstverlener_not_another(w: World) -> Situation:
    km = w.in_force(algemene_bevoegdheid=False, dienstverleners=[w.uwv], gebruikers=[w.middel])
    return Situation(Reason.OUTSIDE_SCOPE, km, w.middel, w.dienst_elders)


def single_dienst_scope(w: World) -> Situation:
    km = w.in_force(algemene_bevoegdheid=False, diensten=[w.dienst], gebruikers=[w.middel])
    return Situation(Reason.ALLOWED, km, w.middel, w.dienst)


def single_dienst_scope_not_another(w: World) -> Situation:
    km = w.in_force(algemene_bevoegdheid=False, diensten=[w.dienst], gebruikers=[w.middel])
    return Situation(Reason.OUTSIDE_SCOPE, km, w.middel, w.andere_dienst)


def empty_limited_scope(w: World) -> Situation:
    km = w.in_force(algemene_bevoegdheid=False, gebruikers=[w.middel])
    return Situation(Reason.OUTSIDE_SCOPE, km, w.middel, w.dienst)


SITUATIONS: list[Callable[[World], Situation]] = [
    direct_user,
    via_groep_algemene_bevoegdheid,
    via_groep_limited_to_the_dienst,
    via_groep_limited_to_the_dienstverlener,
    groep_limited_to_other_diensten,
    groep_the_person_is_not_in,
    person_not_assigned,
    groep_on_another_relaties_ketenmachtiging,
    the_assigned_one_is_named,
    middel_eh2,
    middel_eh2_plus,
    dienst_needs_eh4_middel_eh3,
    dienst_needs_eh4_middel_eh4,
    requested_level_above_the_middel,
    requested_level_below_eh3_is_not_a_loophole,
    requested_level_below_the_middel,
    belastingdienst_only_at_the_belastingdienst,
    belastingdienst_only_elsewhere,
    inactive_middel,
    expired,
    revoked,
    pending,
    revocation_date_today,
    revocation_date_tomorrow,
    on_its_end_date,
    on_its_last_day,
    starting_tomorrow,
    no_ketenmachtiging,
    ketenmachtiging_to_another_intermediair,
    ketenmachtiging_of_another_relatie,
    expired_next_to_one_in_force,
    not_active_names_the_latest_dated,
    algemene_bevoegdheid_covers_another_dienstverlener,
    algemene_bevoegdheid_covers_the_belastingdienst,
    whole_dienstverlener_covers_its_diensten,
    whole_dienstverlener_not_another,
    single_dienst_scope,
    single_dienst_scope_not_another,
    empty_limited_scope,
]
