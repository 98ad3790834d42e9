"""The check's reads (api/reads.py): the fast path answers exactly as the ORM reference, in
every situation of the rule, inside a transaction and (PostgreSQL) in autocommit mode, as the
server runs it, where the statements are prepared on the server."""

import pytest
from django.db import connection

from api import reads
from api.auth import hash_key
from api.inputs import DienstRef
from api.models import RelatieType
from ketenmachtigingen.authorization import decide
from tests.ketenmachtigingen.conftest import TODAY

from .situations import SITUATIONS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="autocommit reads prepared on the server"
)
MIDDEL_FIELDS = ("pk", "organisation_id", "eh_niveau", "active", "belastingdienst_only")


def _both(read) -> tuple:
    """What each implementation answers to `read(implementation)`, twice (the second time on
    the compiled, and on PostgreSQL prepared, statement)."""
    return read(reads.ORM), read(reads.PREPARED), read(reads.PREPARED)


def _middel_and_rows(world, s, by: str):
    relatie_type, value = (
        (RelatieType.KVK, world.relatie.kvk_nummer)
        if by == "kvk"
        else (RelatieType.RSIN, world.relatie.rsin)
    )

    def read(implementation):
        membership, rows = implementation.middel_and_decision_rows(
            intermediair_kvk=world.intermediair.kvk_nummer,
            pseudonym=s.middel.pseudonym,
            relatie_type=relatie_type,
            relatie_value=value,
            dienst=s.dienst,
            today=TODAY,
        )
        middel = None if membership is None else [getattr(membership, f) for f in MIDDEL_FIELDS]
        return middel, sorted(rows), decide(rows)

    return read


def _assert_alike(answers):
    orm, *prepared = answers
    assert prepared == [orm, orm]


@pytest.mark.parametrize("by", ["kvk", "rsin"])
@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda f: f.__name__)
def test_the_middel_and_the_rules_rows(world, situation, by):
    s = situation(world)

    answers = _both(_middel_and_rows(world, s, by))

    _assert_alike(answers)
    middel, _rows, _decision = answers[0]
    assert middel == [getattr(s.middel, f) for f in MIDDEL_FIELDS]


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda f: f.__name__)
def test_the_middel_and_the_rules_rows_in_autocommit_mode(world, situation):
    s = situation(world)

    _assert_alike(_both(_middel_and_rows(world, s, "kvk")))


def test_an_unknown_person_has_no_middel_and_no_rows(world):
    world.in_force(gebruikers=[world.middel])

    def read(implementation):
        return implementation.middel_and_decision_rows(
            intermediair_kvk=world.intermediair.kvk_nummer,
            pseudonym="f" * 32,
            relatie_type=RelatieType.KVK,
            relatie_value=world.relatie.kvk_nummer,
            dienst=world.dienst,
            today=TODAY,
        )

    assert _both(read) == ((None, []),) * 3


@pytest.mark.parametrize("service", ["uuid", "id", "unknown"])
def test_the_dienst(world, api_client_row, service):
    dienst = world.belastingdienst_dienst  # not a dienstverlener of the client: may not ask
    api_client_row.dienstverleners.set([world.uwv])
    refs = {
        "uuid": DienstRef(raw="", service_uuid=dienst.service_uuid),
        "id": DienstRef(raw="", oin=dienst.dienstverlener.oin, service_index=dienst.service_index),
        "unknown": DienstRef(raw="", oin="0" * 20, service_index=1),
    }

    def read(implementation):
        found = implementation.dienst(refs[service], api_client_row.pk)
        if found is None:
            return None
        return (
            found.pk,
            found.dienstverlener_id,
            found.min_eh_niveau,
            found.dienstverlener.is_belastingdienst,
            found.client_may_ask,
        )

    answers = _both(read)

    _assert_alike(answers)
    if service != "unknown":
        assert answers[0] == (
            dienst.pk,
            dienst.dienstverlener_id,
            dienst.min_eh_niveau,
            True,
            False,
        )


def test_the_dienst_a_client_may_ask_about(world, api_client_row):
    ref = DienstRef(raw="", service_uuid=world.dienst.service_uuid)

    answers = _both(lambda implementation: implementation.dienst(ref, api_client_row.pk))

    assert [answer.client_may_ask for answer in answers] == [True, True, True]


def test_the_api_key(api_key, api_client_row):
    def read(implementation):
        key = implementation.api_key(hash_key(api_key))
        return (
            key.pk,
            key.client_id,
            key.revoked_at,
            key.last_used_at,
            key.client.name,
            key.client.active,
        )

    answers = _both(read)

    _assert_alike(answers)
    assert answers[0][4:] == ("Broker", True)
    assert _both(lambda implementation: implementation.api_key(hash_key("zl_unknown"))) == (
        (None,) * 3
    )
