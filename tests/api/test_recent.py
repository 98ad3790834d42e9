"""What each process remembers (api.recent), and for how long."""

import pytest

from api import recent
from api.services import revoke_api_key

from .conftest import check_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(intermediair, relatie, dienst):
    from tests.factories import MembershipFactory

    return check_body(MembershipFactory(organisation=intermediair), relatie, dienst)


def test_a_revoked_key_is_refused_at_once_in_this_process(api, body, api_client_row):
    assert api.check(body).status_code == 200

    revoke_api_key(key=api_client_row.keys.get())

    assert api.check(body).status_code == 401


def test_another_process_learns_of_a_revocation_within_the_interval(
    api, body, api_client_row, monkeypatch
):
    assert api.check(body).status_code == 200
    api_client_row.keys.update(revoked_at="2026-01-01T00:00:00Z")  # as another process would

    assert api.check(body).status_code == 200  # still remembered here
    now = recent.time.monotonic()
    monkeypatch.setattr(recent.time, "monotonic", lambda: now + 5.1)
    assert api.check(body).status_code == 401


def test_a_dienst_is_remembered_per_client(api, body, dienst, monkeypatch):
    assert api.check(body).json()["reason"] == "no_ketenmachtiging"
    dienst.active = False
    dienst.save()

    assert api.check(body).json()["reason"] == "no_ketenmachtiging"
    now = recent.time.monotonic()
    monkeypatch.setattr(recent.time, "monotonic", lambda: now + 5.1)
    assert api.check(body).json()["reason"] == "unknown_dienst"


def test_unknown_keys_are_not_remembered(api, body):
    for n in range(3):
        assert api.check(body, key=f"zl_guess{n}").status_code == 401

    assert recent.keys._entries == {}


def test_remembering_can_be_turned_off(api, body, dienst, settings):
    settings.API_LOOKUP_CACHE_SECONDS = 0
    api.check(body)
    dienst.active = False
    dienst.save()

    assert api.check(body).json()["reason"] == "unknown_dienst"
