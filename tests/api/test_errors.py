"""What the API refuses before asking the rule: 400, 401, 403, 405 and 429."""

import json

import pytest

from api.models import CheckLog
from api.schema import SCHEMA
from api.services import create_api_key, revoke_api_key
from tests.factories import DienstFactory

from .conftest import RSIN_TYPE
from .factories import ApiClientFactory

ERROR_SCHEMA = SCHEMA["components"]["schemas"]["Error"]

pytestmark = pytest.mark.django_db

VALID_RSIN = "111222333"  # passes the elfproef
FAILING_RSIN = "111222334"


def _changed(body: dict, path: str, value) -> dict:
    """The body with one field replaced (or removed, for value=...)."""
    changed = json.loads(json.dumps(body))
    *parents, name = path.split(".")
    target = changed
    for parent in parents:
        target = target[parent]
    if value is ...:
        del target[name]
    else:
        target[name] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        ("intermediair", "1234567", "intermediair", "A KVK-nummer is exactly 8 digits."),
        ("intermediair", "123456789", "intermediair", "A KVK-nummer is exactly 8 digits."),
        ("intermediair", "1234567a", "intermediair", "A KVK-nummer is exactly 8 digits."),
        ("intermediair", "１２３４５６７８", "intermediair", "A KVK-nummer is exactly 8 digits."),
        ("intermediair", 12345678, "intermediair", "Must be a string."),
        ("intermediair", ..., "intermediair", "This field is required."),
        ("pseudonym", "", "pseudonym", "A pseudonym is 1 to 64 printable ASCII characters"),
        ("pseudonym", "a b", "pseudonym", "A pseudonym is 1 to 64 printable ASCII characters"),
        ("pseudonym", "x" * 65, "pseudonym", "A pseudonym is 1 to 64 printable ASCII characters"),
        ("pseudonym", "a\x00", "pseudonym", "A pseudonym is 1 to 64 printable ASCII characters"),
        ("pseudonym", None, "pseudonym", "Must be a string."),
        ("relatie", "12345678", "relatie", "Must be an object"),
        ("relatie", ..., "relatie", "This field is required."),
        (
            "relatie.type",
            "urn:etoegang:1.9:EntityConcernedID:BSN",
            "relatie.type",
            "Must be one of",
        ),
        ("relatie.type", ..., "relatie.type", "This field is required."),
        ("relatie.value", "1234567", "relatie.value", "A KVK-nummer is exactly 8 digits."),
        ("relatie.value", ..., "relatie.value", "This field is required."),
        ("relatie.extra", 1, "relatie.extra", "Unknown field."),
        ("dienst", "not-a-uuid", "dienst", "Give a ServiceUUID"),
        ("dienst", "urn:etoegang:DV:123:services:1", "dienst", "Give a ServiceUUID"),
        ("dienst", "urn:etoegang:DV:00000001234567890000:services:x", "dienst", "Give a Serv"),
        ("dienst", "urn:etoegang:DV:00000001234567890000:service:1", "dienst", "Give a Serv"),
        ("dienst", ..., "dienst", "This field is required."),
        ("loa", "urn:etoegang:core:assurance-class:loa5", "loa", "Must be one of"),
        ("loa", "loa3", "loa", "Must be one of"),
        ("loa", ..., "loa", "This field is required."),
        ("extra", "x", "extra", "Unknown field."),
    ],
)
def test_a_wrong_field_is_named(api, some_body, path, value, field, message):
    response = api.check(_changed(some_body, path, value))

    assert response.status_code == 400
    data = response.json()
    assert data["error"] == "invalid_request"
    assert [e["field"] for e in data["errors"]] == [field]
    assert data["errors"][0]["message"].startswith(message)
    assert data["message"].startswith(f"{field}: ")
    assert not CheckLog.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (FAILING_RSIN, "This RSIN fails the elfproef (eleven test)."),
        ("12345678", "An RSIN is exactly 9 digits."),
        ("1234567890", "An RSIN is exactly 9 digits."),
    ],
)
def test_an_rsin_is_checked(api, some_body, value, message):
    body = _changed(some_body, "relatie", {"type": RSIN_TYPE, "value": value})

    response = api.check(body)

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "relatie.value", "message": message}]


def test_a_valid_rsin_passes(api, some_body):
    body = _changed(some_body, "relatie", {"type": RSIN_TYPE, "value": VALID_RSIN})

    response = api.check(body)

    assert response.status_code == 200
    assert response.json()["reason"] == "no_ketenmachtiging"


def test_every_wrong_field_is_named_at_once(api):
    response = api.check({"intermediair": "1", "loa": "x", "relatie": {}})

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [
        "intermediair",
        "pseudonym",
        "relatie.type",
        "relatie.value",
        "dienst",
        "loa",
    ]


def test_the_message_names_every_wrong_field_in_one_sentence(api, some_body):
    body = {**some_body, "intermediair": "1", "pseudonym": "met spatie"}

    response = api.check(body)

    assert response.json()["message"] == (
        "intermediair: A KVK-nummer is exactly 8 digits; "
        "pseudonym: A pseudonym is 1 to 64 printable ASCII characters without spaces."
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{", "body: The body is not valid JSON."),
        ("", "body: The body is not valid JSON."),
        (b"\xff\xfe", "body: The body is not valid JSON."),
        ("[1, 2]", "body: The body must be a JSON object."),
        ("null", "body: The body must be a JSON object."),
        ("[" * 100_000, "body: The body is not valid JSON."),  # nested beyond the parser
    ],
)
def test_a_body_that_is_no_json_object(api, raw, message):
    response = api.check(None, raw=raw)

    assert response.status_code == 400
    assert response.json()["message"] == message


# --- 401 --------------------------------------------------------------------------------------


def _unauthorized(response, message: str) -> None:
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "message": message}
    assert response["WWW-Authenticate"] == "Bearer"


def test_no_key(api, some_body):
    _unauthorized(
        api.check(some_body, key=None),
        "Missing Authorization header; send 'Authorization: Bearer <API key>'.",
    )
    assert not CheckLog.objects.exists()


def test_a_wrong_key(api, some_body):
    _unauthorized(api.check(some_body, key=api.key + "x"), "Unknown API key.")


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer ", "Token zl_x"])
def test_a_malformed_header(client, some_body, header):
    response = client.post(
        "/api/v1/ketenmachtigingen/check",
        some_body,
        content_type="application/json",
        headers={"Authorization": header},
    )

    _unauthorized(
        response, "Malformed Authorization header; send 'Authorization: Bearer <API key>'."
    )


def test_a_revoked_key(api, some_body, api_client_row):
    revoke_api_key(key=api_client_row.keys.get())

    _unauthorized(api.check(some_body), "This API key has been revoked.")


def test_a_deactivated_client(api, some_body, api_client_row):
    api_client_row.active = False
    api_client_row.save()

    _unauthorized(api.check(some_body), "This API client has been deactivated.")


def test_the_list_needs_a_key_too(api):
    _unauthorized(
        api.vertegenwoordigden({}, key=None),
        "Missing Authorization header; send 'Authorization: Bearer <API key>'.",
    )


def test_another_key_of_the_same_client_still_works(api, some_body, api_client_row):
    revoke_api_key(key=api_client_row.keys.get())
    _key, plain = create_api_key(client=api_client_row)

    assert api.check(some_body, key=plain).status_code == 200


# --- 403 --------------------------------------------------------------------------------------


FORBIDDEN = {
    "error": "forbidden",
    "message": "This client may only ask about diensten of its own dienstverleners.",
}


@pytest.mark.parametrize("service", ["uuid", "id"])
def test_a_dienst_of_another_dienstverlener_is_forbidden(api, some_body, service):
    elsewhere = DienstFactory()  # its dienstverlener is not the client's
    dienst = str(elsewhere.service_uuid) if service == "uuid" else elsewhere.service_id

    response = api.check(_changed(some_body, "dienst", dienst))

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert not CheckLog.objects.exists()


def test_another_clients_dienstverlener_is_forbidden(api, some_body):
    elsewhere = DienstFactory()
    ApiClientFactory(dienstverleners=[elsewhere.dienstverlener])

    response = api.check(_changed(some_body, "dienst", str(elsewhere.service_uuid)))

    assert response.status_code == 403


def test_the_list_for_a_dienst_of_another_dienstverlener_is_forbidden(api, some_body):
    elsewhere = DienstFactory()
    params = {**some_body, "dienst": elsewhere.service_id}
    del params["relatie"]

    response = api.vertegenwoordigden(params)

    assert response.status_code == 403
    assert response.json() == FORBIDDEN


# --- 429 --------------------------------------------------------------------------------------


def test_the_rate_limit(api, some_body, settings, time_machine):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    time_machine.move_to("2026-03-10T10:00:15+01:00", tick=False)

    statuses = [api.check(some_body).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = api.check(some_body)
    assert response.status_code == 429
    assert response["Retry-After"] == "45"
    assert response.json() == {
        "error": "rate_limited",
        "message": "Rate limit of 3 requests per minute exceeded; retry after 45 seconds.",
    }
    assert CheckLog.objects.count() == 3

    time_machine.move_to("2026-03-10T10:01:00+01:00", tick=False)
    assert api.check(some_body).status_code == 200


def test_the_rate_limit_is_per_client(api, some_body, settings, api_client_row):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    other_client = ApiClientFactory(dienstverleners=api_client_row.dienstverleners.all())
    _key, other_key = create_api_key(client=other_client)

    assert api.check(some_body).status_code == 200
    assert api.check(some_body).status_code == 429
    assert api.check(some_body, key=other_key).status_code == 200


def test_a_rejected_key_is_not_counted(api, some_body, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1

    assert api.check(some_body, key="zl_wrong").status_code == 401
    assert api.check(some_body).status_code == 200


# --- methods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        ("get", "/api/v1/ketenmachtigingen/check", "POST"),
        ("put", "/api/v1/ketenmachtigingen/check", "POST"),
        ("post", "/api/v1/ketenmachtigingen/vertegenwoordigden", "GET"),
        ("post", "/api/health", "GET"),
        ("delete", "/api/schema/", "GET"),
    ],
)
def test_other_methods_are_not_allowed(client, method, url, allow):
    response = getattr(client, method)(url)

    assert response.status_code == 405
    assert response["Allow"] == allow
    assert response.json()["error"] == "method_not_allowed"
    assert "method_not_allowed" in ERROR_SCHEMA["properties"]["error"]["enum"]


def test_too_many_query_parameters_get_a_json_400(api, settings):
    params = {f"x{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = api.vertegenwoordigden(params)

    assert response.status_code == 400
    assert response.json()["message"] == "query: Too many query parameters."


def test_no_csrf_token_is_needed(api, some_body, client):
    client.handler.enforce_csrf_checks = True

    assert api.check(some_body).status_code == 200
