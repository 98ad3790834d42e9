"""Z login staff manage API clients and keys in the admin; the key is shown once."""

import hashlib
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import ApiClient, ApiKey, CheckLog
from tests.factories import DienstverlenerFactory, UserFactory

from .factories import ApiClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, verified_login):
    user = UserFactory(is_staff=True, is_superuser=True, with_totp_device=True)
    return verified_login(user)


def test_creating_a_key_shows_it_once_and_stores_its_hash(staff, api_client_row):
    response = staff.post(
        "/admin/api/apikey/add/", {"client": api_client_row.pk, "name": "productie"}
    )

    assert response.status_code == 200
    key = ApiKey.objects.get()
    plain = re.search(r'<code id="api-key"[^>]*>([^<]+)</code>', response.content.decode())[1]
    assert plain.startswith("zl_") and len(plain) > 40
    assert key.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert key.prefix == plain[:11]
    assert (key.client, key.name) == (api_client_row, "productie")
    page = staff.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    assert plain not in page
    assert key.prefix in page


def test_the_new_key_works(staff, api_client_row, client, some_body):
    response = staff.post("/admin/api/apikey/add/", {"client": api_client_row.pk, "name": ""})
    plain = re.search(r'<code id="api-key"[^>]*>([^<]+)</code>', response.content.decode())[1]

    answer = client.post(
        "/api/v1/ketenmachtigingen/check",
        some_body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {plain}"},
    )

    assert answer.status_code == 200


def test_revoking_keys_in_the_admin(staff, api_key, api_client_row):
    key = api_client_row.keys.get()

    staff.post(
        "/admin/api/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )

    key.refresh_from_db()
    assert key.revoked_at is not None


def test_the_client_page_lists_its_keys_and_dienstverleners(staff, api_key, api_client_row):
    page = staff.get(f"/admin/api/apiclient/{api_client_row.pk}/change/").content.decode()

    assert api_client_row.keys.get().prefix in page
    assert "UWV" in page


@pytest.mark.parametrize(
    "url", ["/admin/api/apiclient/", "/admin/api/apikey/", "/admin/api/checklog/"]
)
def test_the_lists_open(staff, api, some_body, url):
    api.check(some_body)

    assert staff.get(url).status_code == 200


def test_the_check_log_is_read_only(staff, api, some_body):
    api.check(some_body)
    log = CheckLog.objects.get()

    assert staff.get("/admin/api/checklog/add/").status_code == 403
    assert staff.get(f"/admin/api/checklog/{log.pk}/change/").status_code == 200
    assert staff.post(f"/admin/api/checklog/{log.pk}/delete/").status_code == 403


def test_the_check_log_page_counts_and_shows_only_the_newest(staff, api, some_body, monkeypatch):
    monkeypatch.setattr("api.admin.CHECK_LOG_SHOWN", 3)
    for _ in range(5):
        api.check(some_body)

    with CaptureQueriesContext(connection) as queries:
        page = staff.get("/admin/api/checklog/").content.decode()

    assert "3 autorisatiecontroles" in page
    assert 'id="shown-at-most"' in page
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 3" in sql for sql in counts)
    assert not [q for q in queries if "DISTINCT" in q["sql"].upper()]


def test_the_check_log_is_filtered_by_reason(staff, api, some_body, intermediair):
    api.check(some_body)
    api.check({**some_body, "pseudonym": "onbekend"})

    page = staff.get("/admin/api/checklog/", {"reason": "unknown_person"}).content.decode()

    assert "1 autorisatiecontrole" in page
    assert "onbekend" in page
    assert "?reason=not_active" in page  # every code is offered, also one never answered yet


def test_revoking_a_key_needs_the_change_permission(client, verified_login, api_key):
    viewer = UserFactory(is_staff=True, with_totp_device=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_apikey"))
    key = ApiKey.objects.get()

    response = verified_login(viewer).post(
        "/admin/api/apikey/", {"action": "revoke", "_selected_action": [key.pk]}
    )

    key.refresh_from_db()
    assert key.revoked_at is None
    assert response.status_code == 200  # the list again, without the action


# --- the management command ---------------------------------------------------------------------


def test_create_api_key_prints_a_working_key(api_client_row):
    out = io.StringIO()

    call_command("create_api_key", api_client_row.name, "--name", "cli", stdout=out)

    plain = out.getvalue().strip()
    key = ApiKey.objects.get(key_hash=hashlib.sha256(plain.encode()).hexdigest())
    assert (key.client, key.name) == (api_client_row, "cli")


def test_create_api_key_can_create_the_client_with_its_dienstverleners(db):
    dienstverlener = DienstverlenerFactory()

    call_command(
        "create_api_key",
        "Nieuwe broker",
        "--create",
        "--dienstverlener",
        dienstverlener.oin,
        stdout=io.StringIO(),
    )

    client = ApiClient.objects.get(name="Nieuwe broker")
    assert list(client.dienstverleners.all()) == [dienstverlener]
    assert client.keys.count() == 1


def test_create_api_key_for_an_unknown_client(db):
    ApiClientFactory(name="Bestaand")

    with pytest.raises(CommandError, match="No API client named 'Onbekend'; use --create."):
        call_command("create_api_key", "Onbekend", stdout=io.StringIO())
    assert ApiKey.objects.count() == 0
