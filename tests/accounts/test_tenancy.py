"""Tenant isolation, discovered from the URLconf so that new pages are covered automatically.

Every portal URL is found by walking the URLconf. Its parameters are filled with objects of
ANOTHER organisation; a beheerder of the first organisation must get 404 (or 403) for each.
A new URL parameter without an entry in OTHER_ORGANISATION_OBJECTS fails the test, so nobody
can add a page without saying how it is isolated.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from ketenmachtigingen.models import BulkRequest
from tests.factories import (
    BeheerderFactory,
    BerichtFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Pages outside the tenant: login and recovery, the second-factor pages, language, admin,
# the API (its clients authenticate with a key; tested in tests/api), and the endpoints for
# machines: health (tests/test_health.py) and metrics with their token (tests/test_metrics.py).
NOT_PORTAL = re.compile(
    r"^((inloggen|account|uitloggen|inloggegevens-vergeten|wachtwoord-instellen|"
    r"gebruikersnaam-vergeten|i18n|admin|api|health)/|metrics$)"
)


def discover(patterns=None, prefix=""):
    """(route, parameter names) for every URL in the URLconf."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from discover(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, list(entry.pattern.converters)


def portal_routes():
    return [(route, params) for route, params in discover() if not NOT_PORTAL.match(route)]


def other_organisation_objects(intermediair):
    """For each URL parameter name, an object of an organisation that is not `intermediair`."""
    other = OrganisationFactory(intermediair=True)
    return {
        "pk": KetenmachtigingFactory(intermediair=other).pk,
        "ketenmachtiging_id": KetenmachtigingFactory(intermediair=other).pk,
        "groep_id": GroepFactory(organisation=other).pk,
        "membership_id": MembershipFactory(organisation=other).pk,
        "bericht_id": BerichtFactory(organisation=other).pk,
        "relatie_id": KetenmachtigingFactory(actief=True, intermediair=other).relatie_id,
        "bulk_id": BulkRequest.objects.create(organisation=other, filename="ander.xlsx").pk,
    }


def fill(route: str, values: dict) -> str:
    def replace(match):
        name = match.group(2)
        assert name in values, (
            f"URL parameter <{name}> in '{route}' has no object of another organisation in "
            "other_organisation_objects(): add one so the page's isolation is tested."
        )
        return str(values[name])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)


def test_discovery_finds_the_portal_pages():
    routes = [route for route, _ in portal_routes()]
    assert "gebruikers/" in routes
    assert "mijn-profiel/" in routes
    assert "ketenmachtigingen/van-relaties/" in routes


def test_every_portal_page_needs_a_login(client):
    for route, params in portal_routes():
        if params or route == "":
            continue
        response = client.get("/" + route)
        assert response.status_code in (302, 405), route
        if response.status_code == 302:
            assert response.url.startswith("/inloggen/"), route


def test_another_organisations_objects_are_not_found(client, verified_login):
    user = UserFactory(with_totp_device=True)
    own = BeheerderFactory(user=user, organisation=OrganisationFactory(intermediair=True))
    values = other_organisation_objects(own.organisation)
    verified_login(user)

    for route, params in portal_routes():
        if not params:
            continue
        url = fill(route, values)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (403, 404, 405), f"{method.__name__} {url}"
