import datetime
import json

import pytest
import time_machine
from django.core.cache import cache

from api import checklog, recent
from api.ratelimit import forget_local_counts
from api.services import create_api_key
from tests.factories import (
    DienstFactory,
    DienstverlenerFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.ketenmachtigingen.conftest import NOW

from .factories import ApiClientFactory
from .situations import World

CHECK_URL = "/api/v1/ketenmachtigingen/check"
LIST_URL = "/api/v1/ketenmachtigingen/vertegenwoordigden"
KVK_TYPE = "urn:etoegang:1.9:EntityConcernedID:KvKnr"
RSIN_TYPE = "urn:etoegang:1.9:EntityConcernedID:RSIN"
LOA3 = "urn:etoegang:core:assurance-class:loa3"
LOA4 = "urn:etoegang:core:assurance-class:loa4"


@pytest.fixture(autouse=True)
def _fresh_memory():
    """Rate counts (in the cache) and remembered lookups (api.recent) outlive a test's
    database rollback, in which ids are used again."""
    for forget in (cache.clear, recent.keys.clear, recent.diensten.clear, forget_local_counts):
        forget()
    yield
    # What a transactional test left unwritten is dropped: its tables are already emptied.
    checklog.writer.stop(write=False)
    for forget in (cache.clear, recent.keys.clear, recent.diensten.clear, forget_local_counts):
        forget()


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def relatie(db):
    """A relatie with both a KVK-nummer and an RSIN."""
    return OrganisationFactory(with_rsin=True)


@pytest.fixture
def uwv(db):
    return DienstverlenerFactory(name="UWV")


@pytest.fixture
def dienst(uwv):
    return DienstFactory(dienstverlener=uwv, name="Werkgeversportaal")


@pytest.fixture
def api_client_row(uwv):
    """The API client, allowed to ask about the UWV's diensten."""
    return ApiClientFactory(name="Broker", dienstverleners=[uwv])


@pytest.fixture
def api_key(api_client_row):
    _key, plain = create_api_key(client=api_client_row, name="test")
    return plain


@pytest.fixture
def api(client, api_key):
    """The Django test client, sending the key and JSON."""

    class Api:
        key = api_key

        def check(self, body, key=api_key, raw=None):
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            data = raw if raw is not None else json.dumps(body)
            return client.post(CHECK_URL, data, content_type="application/json", headers=headers)

        def vertegenwoordigden(self, params, key=api_key):
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            return client.get(LIST_URL, params, headers=headers)

    return Api()


@pytest.fixture
def world(intermediair, relatie, uwv, dienst, api_client_row):
    """The rule's situations' world; the API client may ask about each of its dienstverleners."""
    w = World.build(intermediair, relatie, uwv, dienst)
    api_client_row.dienstverleners.set(w.dienstverleners)
    return w


def check_body(middel, relatie, dienst, *, loa=LOA3, by="kvk", service="uuid"):
    """A check request for this person, relatie and dienst."""
    if by == "kvk":
        identifier = {"type": KVK_TYPE, "value": relatie.kvk_nummer}
    else:
        identifier = {"type": RSIN_TYPE, "value": relatie.rsin}
    return {
        "intermediair": middel.organisation.kvk_nummer,
        "pseudonym": middel.pseudonym,
        "relatie": identifier,
        "dienst": str(dienst.service_uuid) if service == "uuid" else dienst.service_id,
        "loa": loa,
    }


@pytest.fixture
def some_body(intermediair, relatie, dienst):
    return check_body(MembershipFactory(organisation=intermediair), relatie, dienst)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)
