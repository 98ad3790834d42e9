"""POST /api/v1/ketenmachtigingen/check: the rule's situations through HTTP, the log row and
the last use."""

import datetime

import pytest
from django.db import connection

from accounts.constants import LOA_URNS, EHNiveau
from api import reads
from api.models import CheckLog
from ketenmachtigingen.authorization import Reason
from ketenmachtigingen.models import Ketenmachtiging
from tests.factories import MembershipFactory, OrganisationFactory

from .conftest import KVK_TYPE, LOA3, RSIN_TYPE, check_body
from .situations import SITUATIONS

# Statements that read the middel and the rule's rows: one on PostgreSQL (a LATERAL join).
MIDDEL_AND_RULE = 1 if connection.vendor == "postgresql" else 2

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def expected_answer(reason: Reason, km: Ketenmachtiging | None) -> dict:
    allowed = reason == Reason.ALLOWED
    return {
        "allowed": allowed,
        "reason": None if allowed else reason.value,
        "ketenmachtiging": None if km is None else {"id": km.pk, "end_date": _date(km)},
    }


def _date(km: Ketenmachtiging) -> str | None:
    km.refresh_from_db()
    return km.end_date.isoformat() if km.end_date else None


def _without_check_id(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "check_id"}


@pytest.fixture(params=["ORM", "PREPARED"])
def each_path(request, monkeypatch):
    """The check on the ORM reference path and on the fast path (api/reads.py)."""
    monkeypatch.setattr(reads, "current", getattr(reads, request.param))


@pytest.mark.usefixtures("each_path")
@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda f: f.__name__)
def test_the_rules_situations(api, world, situation):
    _assert_answer(api, world, situation(world))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statements prepared on the server")
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("each_path")
@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda f: f.__name__)
def test_the_rules_situations_outside_a_transaction(api, world, situation):
    """As in the server, in autocommit mode: on the fast path the statement prepared on the
    server, its rows read by psycopg's loaders."""
    s = situation(world)
    _assert_answer(api, world, s)
    _assert_answer(api, world, s)  # the second time on the prepared statement


def _assert_answer(api, world, s):
    loa = LOA_URNS[s.requested] if s.requested is not None else LOA3

    response = api.check(check_body(s.middel, world.relatie, s.dienst, loa=loa))

    assert response.status_code == 200
    assert _without_check_id(response.json()) == expected_answer(s.reason, s.km)


def test_an_allowed_answer_in_full(api, world):
    km = world.in_force(gebruikers=[world.middel])

    response = api.check(check_body(world.middel, world.relatie, world.dienst))

    log = CheckLog.objects.get()
    assert response.json() == {
        "allowed": True,
        "reason": None,
        "ketenmachtiging": {"id": km.pk, "end_date": "2030-01-01"},
        "check_id": log.pk,
    }
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"


def test_the_relatie_by_rsin(api, world):
    km = world.in_force(gebruikers=[world.middel])

    response = api.check(check_body(world.middel, world.relatie, world.dienst, by="rsin"))

    assert _without_check_id(response.json()) == expected_answer(Reason.ALLOWED, km)


def test_the_dienst_by_service_id(api, world):
    km = world.in_force(gebruikers=[world.middel])
    assert world.dienst.service_id.startswith(f"urn:etoegang:DV:{world.uwv.oin}:services:")

    response = api.check(check_body(world.middel, world.relatie, world.dienst, service="id"))

    assert _without_check_id(response.json()) == expected_answer(Reason.ALLOWED, km)


def test_a_kvk_nummer_of_no_organisation_has_no_ketenmachtiging(api, world):
    world.in_force(gebruikers=[world.middel])
    body = check_body(world.middel, world.relatie, world.dienst)
    body["relatie"] = {"type": KVK_TYPE, "value": "99999999"}

    response = api.check(body)

    assert _without_check_id(response.json()) == expected_answer(Reason.NO_KETENMACHTIGING, None)


def test_the_rsin_of_another_organisation_is_another_relatie(api, world):
    world.in_force(gebruikers=[world.middel])
    other = OrganisationFactory(with_rsin=True)
    body = check_body(world.middel, world.relatie, world.dienst)
    body["relatie"] = {"type": RSIN_TYPE, "value": other.rsin}

    response = api.check(body)

    assert _without_check_id(response.json()) == expected_answer(Reason.NO_KETENMACHTIGING, None)


def _refused(response, reason: str) -> None:
    assert response.status_code == 200
    assert _without_check_id(response.json()) == {
        "allowed": False,
        "reason": reason,
        "ketenmachtiging": None,
    }


def test_an_unknown_pseudonym(api, world):
    world.in_force(gebruikers=[world.middel])
    body = check_body(world.middel, world.relatie, world.dienst)
    body["pseudonym"] = "0" * 32

    _refused(api.check(body), "unknown_person")


def test_the_pseudonym_of_another_intermediairs_middel(api, world):
    """The same person's middel for another intermediair is not a middel of this one."""
    world.in_force(gebruikers=[world.middel])
    other = MembershipFactory(user=world.middel.user, organisation=OrganisationFactory())
    body = check_body(world.middel, world.relatie, world.dienst)
    body["pseudonym"] = other.pseudonym

    _refused(api.check(body), "unknown_person")


def test_an_unknown_intermediair(api, world):
    world.in_force(gebruikers=[world.middel])
    body = check_body(world.middel, world.relatie, world.dienst)
    body["intermediair"] = "99999999"

    _refused(api.check(body), "unknown_person")


def test_an_unknown_dienst(api, world):
    world.in_force(gebruikers=[world.middel])
    body = check_body(world.middel, world.relatie, world.dienst)
    body["dienst"] = "00000000-0000-4000-8000-000000000000"

    _refused(api.check(body), "unknown_dienst")


def test_a_retired_dienst_is_unknown(api, world):
    world.in_force(gebruikers=[world.middel])
    world.dienst.active = False
    world.dienst.save()

    _refused(api.check(check_body(world.middel, world.relatie, world.dienst)), "unknown_dienst")


def test_the_answer_never_names_another_relaties_ketenmachtiging(api, world):
    """The person may act for another relatie; asked about this one, only this one shows."""
    other = world.in_force(OrganisationFactory(), gebruikers=[world.middel])
    own = world.in_force()

    response = api.check(check_body(world.middel, world.relatie, world.dienst))

    assert response.json()["ketenmachtiging"]["id"] == own.pk != other.pk
    assert str(other.relatie.kvk_nummer) not in response.content.decode()


# --- the log and the last use ------------------------------------------------------------------


def test_every_answer_is_logged(api, world, api_client_row, frozen):
    km = world.in_force(gebruikers=[world.middel])
    body = check_body(world.middel, world.relatie, world.dienst, by="rsin")

    response = api.check(body)

    log = CheckLog.objects.get()
    assert response.json()["check_id"] == log.pk
    assert {
        "client": log.client,
        "intermediair_kvk": log.intermediair_kvk,
        "pseudonym": log.pseudonym,
        "relatie_type": log.relatie_type,
        "relatie_value": log.relatie_value,
        "dienst_identifier": log.dienst_identifier,
        "dienst": log.dienst,
        "loa": log.loa,
        "allowed": log.allowed,
        "reason": log.reason,
        "ketenmachtiging": log.ketenmachtiging,
        "created_at": log.created_at,
    } == {
        "client": api_client_row,
        "intermediair_kvk": world.intermediair.kvk_nummer,
        "pseudonym": world.middel.pseudonym,
        "relatie_type": RSIN_TYPE,
        "relatie_value": world.relatie.rsin,
        "dienst_identifier": str(world.dienst.service_uuid),
        "dienst": world.dienst,
        "loa": EHNiveau.EH3,
        "allowed": True,
        "reason": "allowed",
        "ketenmachtiging": km,
        "created_at": frozen,
    }


def test_refusals_are_logged_with_their_reason(api, world):
    body = check_body(world.middel, world.relatie, world.dienst)
    body["dienst"] = "00000000-0000-4000-8000-000000000000"

    api.check(body)
    api.check(check_body(world.middel, world.relatie, world.dienst))

    assert list(
        CheckLog.objects.order_by("pk").values_list(
            "allowed", "reason", "dienst", "ketenmachtiging"
        )
    ) == [
        (False, "unknown_dienst", None, None),
        (False, "no_ketenmachtiging", world.dienst.pk, None),
    ]


def test_an_allowed_check_sets_last_used_at(api, world, frozen):
    km = world.in_force(gebruikers=[world.middel])
    updated_at = Ketenmachtiging.objects.get(pk=km.pk).updated_at

    api.check(check_body(world.middel, world.relatie, world.dienst))

    km.refresh_from_db()
    assert km.last_used_at == frozen
    assert km.updated_at == updated_at  # using it is no change of the ketenmachtiging


def test_a_refused_check_leaves_last_used_at(api, world):
    km = world.in_force(gebruikers=[MembershipFactory(organisation=world.intermediair)])

    api.check(check_body(world.middel, world.relatie, world.dienst))

    km.refresh_from_db()
    assert km.last_used_at is None


def test_last_used_at_is_written_at_most_once_per_interval(
    api, world, frozen, settings, time_machine, django_assert_num_queries
):
    settings.API_LAST_USED_INTERVAL = 300
    km = world.in_force(gebruikers=[world.middel])
    body = check_body(world.middel, world.relatie, world.dienst)
    api.check(body)  # writes last_used_at (and the key's)

    time_machine.move_to(frozen + datetime.timedelta(seconds=299), tick=False)
    # The key and the dienst are remembered (api.recent): the middel and the rule (one
    # statement on PostgreSQL), the log row (at once: the test runs in a transaction).
    with django_assert_num_queries(MIDDEL_AND_RULE + 1):
        api.check(body)
    km.refresh_from_db()
    assert km.last_used_at == frozen

    time_machine.move_to(frozen + datetime.timedelta(seconds=301), tick=False)
    api.check(body)
    km.refresh_from_db()
    assert km.last_used_at == frozen + datetime.timedelta(seconds=301)


def test_without_remembering_a_check_is_five_queries(
    api, world, settings, django_assert_num_queries
):
    settings.API_LOOKUP_CACHE_SECONDS = 0
    world.in_force(gebruikers=[world.middel])
    body = check_body(world.middel, world.relatie, world.dienst)
    api.check(body)

    # The key, the dienst, the middel and the rule, the log row.
    with django_assert_num_queries(2 + MIDDEL_AND_RULE + 1):
        api.check(body)


def test_the_keys_last_use_is_noted(api, world, api_client_row, frozen):
    api.check(check_body(world.middel, world.relatie, world.dienst))

    assert api_client_row.keys.get().last_used_at == frozen
