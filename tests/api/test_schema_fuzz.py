"""The API fuzzed from its own OpenAPI document (schemathesis, in-process on the WSGI app):
no answer is a server error, and every answer matches the document."""

import copy

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from api.schema import SCHEMA
from tests.factories import DienstFactory, MembershipFactory
from zlogin.wsgi import application

schema = schemathesis.openapi.from_dict(copy.deepcopy(SCHEMA))
schema.app = application  # in-process: requests, and the checks' own probes, go to Django

ELFPROEF = {"field": "relatie.value", "message": "This RSIN fails the elfproef (eleven test)."}


def only_the_elfproef_is_beyond_the_schema(ctx, response, case):
    """Schema-valid data is accepted, except an RSIN failing the elfproef (which a pattern
    cannot express): then that must be the one error."""
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and response.status_code == 400:
        assert response.json()["errors"] == [ELFPROEF], response.text


@pytest.fixture
def in_test_transaction():
    """Django's test client does the same: a WSGI request must not close the connection that
    holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_key(api_key, api_client_row, dienst, intermediair):
    """A client key, and some rows for the fuzzer to run into."""
    MembershipFactory(organisation=intermediair)
    DienstFactory(dienstverlener=dienst.dienstverlener)
    return api_key


@pytest.mark.django_db
@pytest.mark.usefixtures("in_test_transaction")
@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_its_schema(case, fuzz_key):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzz_key}"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[only_the_elfproef_is_beyond_the_schema],
    )
