"""GET /api/v1/ketenmachtigingen/vertegenwoordigden: the relaties a person may act for."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from accounts.constants import EHNiveau
from tests.factories import (
    DienstFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
)

from .conftest import LOA3, LOA4

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def middel(intermediair):
    return MembershipFactory(organisation=intermediair)


@pytest.fixture
def params(middel, dienst):
    return {
        "intermediair": middel.organisation.kvk_nummer,
        "pseudonym": middel.pseudonym,
        "dienst": str(dienst.service_uuid),
        "loa": LOA3,
    }


def actief(intermediair, relatie, **fields):
    fields.setdefault("start_date", datetime.date(2025, 1, 1))
    return KetenmachtigingFactory(actief=True, intermediair=intermediair, relatie=relatie, **fields)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_only_the_relaties_the_person_may_act_for(api, params, intermediair, middel, dienst):
    groep = GroepFactory(organisation=intermediair, members=[middel])
    direct = OrganisationFactory(name="Bakkerij B.V.", with_rsin=True)
    via_groep = OrganisationFactory(name="Aannemer B.V.")
    actief(intermediair, direct, gebruikers=[middel])
    actief(intermediair, via_groep, groepen=[groep])
    # Not: someone else's, expired, outside the scope, another intermediair's, pending.
    actief(intermediair, OrganisationFactory(name="Ander B.V."), gebruikers=[MembershipFactory()])
    KetenmachtigingFactory(
        verlopen=True, intermediair=intermediair, relatie=OrganisationFactory(), gebruikers=[middel]
    )
    actief(
        intermediair,
        OrganisationFactory(name="Scope B.V."),
        algemene_bevoegdheid=False,
        diensten=[DienstFactory()],
        gebruikers=[middel],
    )
    other = MembershipFactory(user=middel.user)
    actief(other.organisation, OrganisationFactory(name="Elders B.V."), gebruikers=[other])
    KetenmachtigingFactory(
        intermediair=intermediair, relatie=OrganisationFactory(), gebruikers=[middel]
    )

    response = api.vertegenwoordigden(params)

    assert response.json() == {
        "results": [
            {"name": "Aannemer B.V.", "kvk_nummer": via_groep.kvk_nummer, "rsin": None},
            {"name": "Bakkerij B.V.", "kvk_nummer": direct.kvk_nummer, "rsin": direct.rsin},
        ],
        "next": None,
        "reason": None,
    }


def test_a_relatie_with_two_usable_ketenmachtigingen_is_listed_once(
    api, params, intermediair, middel
):
    relatie = OrganisationFactory(name="Dubbel B.V.")
    actief(intermediair, relatie, gebruikers=[middel])
    actief(intermediair, relatie, gebruikers=[middel], start_date=datetime.date(2025, 6, 1))

    assert names(api.vertegenwoordigden(params)) == ["Dubbel B.V."]


def test_pages_follow_the_next_link(api, params, intermediair, middel):
    for i in range(5):
        actief(intermediair, OrganisationFactory(name=f"Relatie {i}"), gebruikers=[middel])

    first = api.vertegenwoordigden({**params, "page_size": 2})
    next_url = first.json()["next"]
    second = api.vertegenwoordigden(parse_qs(urlsplit(next_url).query))
    third = api.vertegenwoordigden(parse_qs(urlsplit(second.json()["next"]).query))

    assert names(first) == ["Relatie 0", "Relatie 1"]
    assert next_url.startswith("http://testserver/api/v1/ketenmachtigingen/vertegenwoordigden?")
    assert parse_qs(urlsplit(next_url).query)["page"] == ["2"]
    assert parse_qs(urlsplit(next_url).query)["page_size"] == ["2"]
    assert names(second) == ["Relatie 2", "Relatie 3"]
    assert names(third) == ["Relatie 4"]
    assert third.json()["next"] is None


def test_a_page_holds_at_most_100(api, params, intermediair, middel):
    relaties = OrganisationFactory.create_batch(101)
    for relatie in relaties:
        actief(intermediair, relatie, gebruikers=[middel])

    response = api.vertegenwoordigden(params)

    assert len(response.json()["results"]) == 100
    assert response.json()["next"] is not None
    assert api.vertegenwoordigden({**params, "page_size": 101}).status_code == 400


def test_a_page_past_the_end_is_empty(api, params):
    response = api.vertegenwoordigden({**params, "page": 7})

    assert response.json() == {"results": [], "next": None, "reason": None}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"pseudonym": "0" * 32}, "unknown_person"),
        ({"intermediair": "99999999"}, "unknown_person"),
        ({"dienst": "00000000-0000-4000-8000-000000000000"}, "unknown_dienst"),
        ({"loa": LOA4}, "level_too_low"),
    ],
)
def test_why_the_list_is_empty(api, params, intermediair, middel, change, reason):
    actief(intermediair, OrganisationFactory(), gebruikers=[middel])

    response = api.vertegenwoordigden({**params, **change})

    assert response.json() == {"results": [], "next": None, "reason": reason}


@pytest.mark.parametrize(
    ("middel_fields", "reason"),
    [
        ({"active": False}, "middel_inactive"),
        ({"eh_niveau": EHNiveau.EH2_PLUS}, "level_too_low"),
        ({"belastingdienst_only": True}, "middel_restricted"),
    ],
)
def test_a_middel_that_may_not_act(api, params, intermediair, middel, middel_fields, reason):
    actief(intermediair, OrganisationFactory(), gebruikers=[middel])
    for name, value in middel_fields.items():
        setattr(middel, name, value)
    middel.save()

    assert api.vertegenwoordigden(params).json()["reason"] == reason


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"intermediair": "123"}, "intermediair"),
        ({"pseudonym": ""}, "pseudonym"),
        ({"dienst": "urn:etoegang:DV:1:services:1"}, "dienst"),
        ({"loa": "loa3"}, "loa"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"pseudonym": ["a", "b"]}, "pseudonym"),
    ],
)
def test_a_wrong_parameter_is_named(api, params, change, field):
    response = api.vertegenwoordigden({**params, **change})

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_missing_parameter_is_named(api, params):
    del params["pseudonym"]

    response = api.vertegenwoordigden(params)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "pseudonym", "message": "This field is required."}
    ]
