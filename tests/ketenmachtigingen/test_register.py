import logging
import socket
import time

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.models import Organisation
from ketenmachtigingen.models import RegisterEntry
from ketenmachtigingen.register import (
    Company,
    CompanyNotFound,
    RegisterUnavailable,
    lookup_company,
)
from ketenmachtigingen.services import relaties
from ketenmachtigingen.services.relaties import organisation_for_company
from tests.factories import OrganisationFactory, valid_rsin

UNAVAILABLE = (
    "Het KVK Handelsregister is op dit moment niet bereikbaar. "
    "Probeer het over enkele minuten opnieuw."
)

DONALD = Company(
    name="Test BV Donald",
    kvk_nummer="68750110",
    rsin="857567433",
    straat="Hizzaarderlaan",
    huisnummer="3",
    postcode="8823SJ",
    plaats="Lollum",
)


def not_found(number: str) -> str:
    return f"Er is geen bedrijf gevonden met nummer {number}. Controleer het nummer."


# --- the local register -------------------------------------------------------------------------


@pytest.fixture
def local_register(db, settings):
    settings.COMPANY_REGISTER = "local"
    return RegisterEntry.objects.create(
        kvk_nummer="30112233",
        rsin=valid_rsin(1),
        name="Bakkerij Van den Berg B.V.",
        straat="Dorpsstraat",
        huisnummer="21",
        postcode="3731GC",
        plaats="De Bilt",
    )


BAKKERIJ = Company(
    name="Bakkerij Van den Berg B.V.",
    kvk_nummer="30112233",
    rsin=valid_rsin(1),
    straat="Dorpsstraat",
    huisnummer="21",
    postcode="3731GC",
    plaats="De Bilt",
)


def test_local_register_finds_a_company_by_kvk_nummer(local_register):
    assert lookup_company("kvk", "30112233") == BAKKERIJ


def test_local_register_finds_a_company_by_rsin(local_register):
    assert lookup_company("rsin", valid_rsin(1)) == BAKKERIJ


@pytest.mark.parametrize(("kind", "number"), [("kvk", "30112234"), ("rsin", valid_rsin(2))])
def test_local_register_does_not_know_other_numbers(local_register, kind, number):
    with pytest.raises(CompanyNotFound) as error:
        lookup_company(kind, number)
    assert str(error.value) == not_found(number)


def test_a_kvk_nummer_is_not_matched_as_rsin(local_register):
    with pytest.raises(CompanyNotFound):
        lookup_company("rsin", "30112233")


def test_an_unknown_register_setting_is_a_configuration_error(settings):
    settings.COMPANY_REGISTER = "kvk-v3"
    with pytest.raises(ImproperlyConfigured):
        lookup_company("kvk", "68750110")


def test_a_kvk_api_url_that_is_not_http_is_a_configuration_error(settings):
    settings.COMPANY_REGISTER = "kvk"
    settings.KVK_API_URL = "file:///etc/passwd"
    with pytest.raises(ImproperlyConfigured):
        lookup_company("kvk", "68750110")


def test_an_unknown_kind_is_a_programming_error(local_register):
    with pytest.raises(ValueError):
        lookup_company("btw", "30112233")


# --- the KVK API, against the local fake ----------------------------------------------------


def test_kvk_api_finds_a_company_by_kvk_nummer(kvk_api):
    assert lookup_company("kvk", "68750110") == DONALD
    assert [r.path for r in kvk_api.received] == ["/api/v1/basisprofielen/68750110"]


def test_kvk_api_maps_huisletter_and_toevoeging_and_a_missing_rsin(kvk_api):
    # An eenmanszaak: no RSIN in the Handelsregister.
    assert lookup_company("kvk", "69599084") == Company(
        name="Test EMZ Dagobert",
        kvk_nummer="69599084",
        rsin=None,
        straat="Abebe Bikilalaan",
        huisnummer="17A-2",
        postcode="1067ZA",
        plaats="Amsterdam",
    )


def test_kvk_api_takes_the_first_address_without_a_bezoekadres(kvk_api):
    adressen = kvk_api.companies["68750110"]["_embedded"]["hoofdvestiging"]["adressen"]
    adressen.pop()  # the bezoekadres; the postbus remains

    company = lookup_company("kvk", "68750110")

    assert (company.straat, company.huisnummer, company.postcode, company.plaats) == (
        "Postbus",
        "1234",
        "8820AA",
        "Lollum",
    )


def test_kvk_api_reads_the_eigenaar_addresses_without_a_hoofdvestiging(kvk_api):
    embedded = kvk_api.companies["68750110"]["_embedded"]
    embedded["eigenaar"]["adressen"] = embedded.pop("hoofdvestiging")["adressen"]

    assert lookup_company("kvk", "68750110") == DONALD


def test_kvk_api_finds_a_company_by_rsin_through_zoeken(kvk_api):
    assert lookup_company("rsin", "857567433") == DONALD
    assert [(r.path, r.query) for r in kvk_api.received] == [
        ("/api/v2/zoeken", {"rsin": ["857567433"]}),
        ("/api/v1/basisprofielen/68750110", {}),
    ]


def test_kvk_api_sends_the_api_key_and_asks_for_json(kvk_api):
    lookup_company("rsin", "857567433")

    assert kvk_api.api_keys == ["test-key", "test-key"]
    assert [r.accept for r in kvk_api.received] == ["application/json", "application/json"]


def test_kvk_api_unknown_kvk_nummer_is_not_found(kvk_api):
    with pytest.raises(CompanyNotFound) as error:
        lookup_company("kvk", "12345678")
    assert str(error.value) == not_found("12345678")


def test_kvk_api_unknown_rsin_is_not_found(kvk_api):
    # Zoeken answers 404 with IPD5200 when nothing matches.
    with pytest.raises(CompanyNotFound) as error:
        lookup_company("rsin", valid_rsin(3))
    assert str(error.value) == not_found(valid_rsin(3))
    assert [r.path for r in kvk_api.received] == ["/api/v2/zoeken"]


def test_kvk_api_empty_zoeken_result_is_not_found(kvk_api):
    kvk_api.answer_with(
        200, {"pagina": 1, "resultatenPerPagina": 10, "totaal": 0, "resultaten": []}
    )
    with pytest.raises(CompanyNotFound) as error:
        lookup_company("rsin", "857567433")
    assert str(error.value) == not_found("857567433")


def test_kvk_api_rsin_whose_basisprofiel_is_gone_names_the_rsin(kvk_api):
    # Zoeken answers with 99999999, for which there is no Basisprofiel.
    kvk_api.companies["68750110"]["kvkNummer"] = "99999999"
    with pytest.raises(CompanyNotFound) as error:
        lookup_company("rsin", "857567433")
    assert str(error.value) == not_found("857567433")


@pytest.mark.parametrize("code", ["IPD0004", "IPD0005"])
def test_kvk_api_400_with_a_not_found_code_is_not_found(kvk_api, code):
    kvk_api.answer_with(400, {"fout": [{"code": code, "omschrijving": "…"}]})
    with pytest.raises(CompanyNotFound) as error:
        lookup_company("kvk", "68750110")
    assert str(error.value) == not_found("68750110")


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {"fout": [{"code": "IPD9999", "omschrijving": "Algemene technische fout."}]}),
        (503, "<html>Service Unavailable</html>"),
        (400, {"fout": [{"code": "IPD1999", "omschrijving": "Parameter ongeldig."}]}),
        (401, {"fout": [{"code": "IPD0001", "omschrijving": "Geen geldige API-key."}]}),
        (429, ""),
    ],
)
def test_kvk_api_errors_make_the_register_unavailable(kvk_api, status, body):
    kvk_api.answer_with(status, body)
    with pytest.raises(RegisterUnavailable) as error:
        lookup_company("kvk", "68750110")
    assert str(error.value) == UNAVAILABLE


@pytest.mark.parametrize(
    "body",
    [
        "<html>Onderhoud</html>",
        b"\xff\xfe",
        ["68750110"],
        {"naam": "Test BV Donald"},  # no kvkNummer
        {"kvkNummer": "68750110", "naam": ""},
        {"kvkNummer": "68750110", "naam": "X", "_embedded": {"hoofdvestiging": {"adressen": "?"}}},
    ],
)
def test_kvk_api_malformed_basisprofiel_makes_the_register_unavailable(kvk_api, body):
    kvk_api.answer_with(200, body)
    with pytest.raises(RegisterUnavailable) as error:
        lookup_company("kvk", "68750110")
    assert str(error.value) == UNAVAILABLE


@pytest.mark.parametrize(
    "body",
    [
        {"totaal": 1},
        {"resultaten": {}},
        {"resultaten": [{"naam": "X"}]},
        {"resultaten": [{"kvkNummer": "../x"}]},
    ],
)
def test_kvk_api_malformed_zoeken_makes_the_register_unavailable(kvk_api, body):
    kvk_api.answer_with(200, body)
    with pytest.raises(RegisterUnavailable):
        lookup_company("rsin", "857567433")
    assert len(kvk_api.received) == 1


def test_kvk_api_500_is_logged_without_the_api_key(kvk_api, caplog):
    kvk_api.answer_with(500, {"fout": [{"code": "IPD9999", "omschrijving": "Algemene fout."}]})
    with (
        caplog.at_level(logging.WARNING, logger="ketenmachtigingen.register.kvk"),
        pytest.raises(RegisterUnavailable),
    ):
        lookup_company("kvk", "68750110")

    assert [r.getMessage() for r in caplog.records] == [
        "KVK API answered 500 for /v1/basisprofielen/68750110: "
        '{"fout": [{"code": "IPD9999", "omschrijving": "Algemene fout."}]}'
    ]
    assert "test-key" not in caplog.text


def test_kvk_api_slow_answer_makes_the_register_unavailable_within_the_timeout(kvk_api):
    kvk_api.slow_down(10)
    started = time.monotonic()
    with pytest.raises(RegisterUnavailable) as error:
        lookup_company("kvk", "68750110")
    elapsed = time.monotonic() - started

    assert str(error.value) == UNAVAILABLE
    assert 0.4 < elapsed < 1.5  # KVK_API_TIMEOUT is 0.5


def test_kvk_api_connection_refused_makes_the_register_unavailable(settings):
    with socket.socket() as s:  # a port that was free a moment ago and has no listener now
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.COMPANY_REGISTER = "kvk"
    settings.KVK_API_URL = f"http://127.0.0.1:{port}/api"
    settings.KVK_API_TIMEOUT = 0.5

    with pytest.raises(RegisterUnavailable) as error:
        lookup_company("kvk", "68750110")
    assert str(error.value) == UNAVAILABLE


def test_kvk_api_redirect_is_not_followed_with_the_api_key(kvk_api):
    kvk_api.answer_with(302, headers={"Location": f"{kvk_api.url}/v1/basisprofielen/69599084"})
    with pytest.raises(RegisterUnavailable):
        lookup_company("kvk", "68750110")
    assert len(kvk_api.received) == 1


# --- the organisation for a company ---------------------------------------------------------


def fields_of(organisation: Organisation) -> dict:
    organisation = Organisation.objects.get(pk=organisation.pk)
    return {
        "name": organisation.name,
        "kvk_nummer": organisation.kvk_nummer,
        "rsin": organisation.rsin,
        "straat": organisation.straat,
        "huisnummer": organisation.huisnummer,
        "postcode": organisation.postcode,
        "plaats": organisation.plaats,
    }


DONALD_FIELDS = {
    "name": "Test BV Donald",
    "kvk_nummer": "68750110",
    "rsin": "857567433",
    "straat": "Hizzaarderlaan",
    "huisnummer": "3",
    "postcode": "8823SJ",
    "plaats": "Lollum",
}


@pytest.mark.django_db
def test_organisation_is_created_for_a_new_company():
    organisation = organisation_for_company(DONALD)

    assert fields_of(organisation) == DONALD_FIELDS
    assert organisation.ketenmachtigingen_enabled is False
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_existing_organisation_is_updated_from_the_register():
    existing = OrganisationFactory(
        kvk_nummer="68750110",
        name="Donald (oude naam)",
        straat="Oude Straat",
        huisnummer="1",
        postcode="1000AA",
        plaats="Amsterdam",
        intermediair=True,
        afzender_email="kantoor@donald.example.nl",
    )

    organisation = organisation_for_company(DONALD)

    assert organisation.pk == existing.pk
    assert fields_of(organisation) == DONALD_FIELDS
    existing.refresh_from_db()
    assert existing.ketenmachtigingen_enabled is True
    assert existing.afzender_email == "kantoor@donald.example.nl"
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_organisation_for_an_rsin_only_company():
    rsin = valid_rsin(4)
    stichting = Company(name="Stichting Zorg Dichtbij", rsin=rsin, plaats="Amersfoort")

    created = organisation_for_company(stichting)
    again = organisation_for_company(Company(name="Stichting Zorg Nabij", rsin=rsin))

    assert again.pk == created.pk
    assert fields_of(again) == {
        "name": "Stichting Zorg Nabij",
        "kvk_nummer": None,
        "rsin": rsin,
        "straat": "",
        "huisnummer": "",
        "postcode": "",
        "plaats": "",
    }


@pytest.mark.django_db
def test_organisation_known_by_rsin_gets_the_kvk_nummer_from_the_register():
    existing = OrganisationFactory(rsin_only=True, rsin="857567433", name="Donald")

    organisation = organisation_for_company(DONALD)

    assert organisation.pk == existing.pk
    assert fields_of(organisation) == DONALD_FIELDS


@pytest.mark.django_db
def test_register_without_rsin_leaves_the_stored_rsin_alone():
    existing = OrganisationFactory(kvk_nummer="69599084", rsin=valid_rsin(5))

    organisation_for_company(Company(name="Test EMZ Dagobert", kvk_nummer="69599084"))

    existing.refresh_from_db()
    assert (existing.name, existing.rsin) == ("Test EMZ Dagobert", valid_rsin(5))


@pytest.mark.django_db
def test_rsin_held_by_another_organisation_is_not_copied(caplog):
    other = OrganisationFactory(kvk_nummer="11111111", rsin="857567433")

    with caplog.at_level(logging.WARNING, logger="ketenmachtigingen.services.relaties"):
        organisation = organisation_for_company(DONALD)

    assert fields_of(organisation) == {**DONALD_FIELDS, "rsin": None}
    assert Organisation.objects.get(pk=other.pk).rsin == "857567433"
    assert [r.getMessage() for r in caplog.records] == [
        "RSIN 857567433 of KVK-nummer 68750110 is held by another organisation; not copied."
    ]


@pytest.mark.django_db
def test_a_long_statutaire_naam_is_cut_to_the_column():
    organisation = organisation_for_company(Company(name="N" * 250, kvk_nummer="68750110"))
    assert Organisation.objects.get(pk=organisation.pk).name == "N" * 200


@pytest.mark.django_db
def test_organisation_created_concurrently_is_read_again_and_updated(monkeypatch):
    # Another request creates the organisation between our read and our insert.
    existing = OrganisationFactory(kvk_nummer="68750110", name="Donald (oud)")
    real_find = relaties._find_for_update
    calls = []

    def find_missing_first(company):
        calls.append(company)
        return None if len(calls) == 1 else real_find(company)

    monkeypatch.setattr(relaties, "_find_for_update", find_missing_first)

    organisation = organisation_for_company(DONALD)

    assert len(calls) == 2
    assert organisation.pk == existing.pk
    assert fields_of(organisation) == DONALD_FIELDS
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_organisation_from_the_kvk_api(kvk_api):
    organisation = organisation_for_company(lookup_company("rsin", "857567433"))
    assert fields_of(organisation) == DONALD_FIELDS
