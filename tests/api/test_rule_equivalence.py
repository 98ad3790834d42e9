"""The other forms of the rule give exactly check_authorization's answers: the API's
set-based ones and the details page's effective diensten."""

import pytest

from accounts.models import Organisation
from catalogue.models import Dienst
from ketenmachtigingen.authorization import (
    Reason,
    check_authorization,
    check_authorization_fast,
    effective_diensten,
    in_force_q,
    relaties_represented,
)
from ketenmachtigingen.models import Ketenmachtiging
from tests.ketenmachtigingen.conftest import TODAY

from .situations import SITUATIONS, World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def world(intermediair, relatie, uwv, dienst):
    return World.build(intermediair, relatie, uwv, dienst)


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda f: f.__name__)
def test_the_fast_check_answers_as_the_rule(world, situation):
    s = situation(world)
    rule = check_authorization(
        membership=s.middel, relatie=world.relatie, dienst=s.dienst, today=TODAY
    )
    fast = check_authorization_fast(
        membership=s.middel,
        relatie_field="pk",
        relatie_value=world.relatie.pk,
        dienst=s.dienst,
        today=TODAY,
    )

    assert fast == rule
    if s.requested is None:
        assert (rule.reason, rule.ketenmachtiging) == (s.reason, s.km)


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda f: f.__name__)
def test_the_requested_level_only_adds_level_too_low(world, situation):
    s = situation(world)
    rule = check_authorization(
        membership=s.middel, relatie=world.relatie, dienst=s.dienst, today=TODAY
    )
    fast = check_authorization_fast(
        membership=s.middel,
        relatie_field="pk",
        relatie_value=world.relatie.pk,
        dienst=s.dienst,
        today=TODAY,
        requested_niveau=s.requested,
    )

    assert (fast.reason, fast.ketenmachtiging) == (s.reason, s.km)
    if fast.reason != rule.reason:
        assert (rule.reason, fast.reason) == (Reason.ALLOWED, Reason.LEVEL_TOO_LOW)
        assert s.middel.eh_niveau < s.requested


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda f: f.__name__)
def test_the_relaties_list_holds_exactly_those_the_rule_allows(world, situation):
    s = situation(world)

    refusal, relaties = relaties_represented(
        membership=s.middel, dienst=s.dienst, today=TODAY, requested_niveau=s.requested
    )

    allowed_by_rule = {
        organisation
        for organisation in Organisation.objects.all()
        if check_authorization(
            membership=s.middel, relatie=organisation, dienst=s.dienst, today=TODAY
        ).allowed
    }
    assert (world.relatie in set(relaties)) == (s.reason == Reason.ALLOWED)
    if refusal is None:
        assert set(relaties) == allowed_by_rule
    else:
        assert refusal == s.reason
        assert list(relaties) == []


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda f: f.__name__)
def test_the_details_page_gives_the_dienst_exactly_when_the_rule_allows(world, situation):
    s = situation(world)
    rule = check_authorization(
        membership=s.middel, relatie=world.relatie, dienst=s.dienst, today=TODAY
    )
    catalogue = list(Dienst.objects.select_related("dienstverlener"))

    giving = [
        km
        for km in Ketenmachtiging.objects.filter(
            in_force_q(TODAY), intermediair_id=s.middel.organisation_id, relatie=world.relatie
        )
        if s.dienst
        in effective_diensten(
            s.middel,
            km,
            direct=km.gebruikers.filter(pk=s.middel.pk).exists(),
            via_groepen=list(km.groepen.filter(members=s.middel)),
            catalogue=catalogue,
        )
    ]

    assert bool(giving) == rule.allowed
