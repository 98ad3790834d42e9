"""The error pages (zlogin/errors.py): 400, 403, 404, 500 and a CSRF failure, with DEBUG off.

Each answers with its status, in the portal's look, in the request's language, and without any
detail: no exception text, no traceback, no path, no CSRF reason.

This module is also the URLconf of the tests that need a view that fails: the portal's own
pages plus a few test views, with the portal's error handlers.
"""

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import include, path

from zlogin import errors
from zlogin.urls import handler400, handler403, handler404, handler500  # noqa: F401

pytestmark = pytest.mark.django_db

SECRET = "geheim-detail"


def _raise_runtime_error(request):
    raise RuntimeError(SECRET)


def _raise_permission_denied(request):
    raise PermissionDenied(SECRET)


def _raise_suspicious_operation(request):
    raise SuspiciousOperation(SECRET)


urlpatterns = [
    path("test-fout/500/", _raise_runtime_error),
    path("test-fout/403/", _raise_permission_denied),
    path("test-fout/400/", _raise_suspicious_operation),
    path("", include("zlogin.urls")),
]


@pytest.fixture(autouse=True)
def _production(settings):
    """As in production: DEBUG off, the portal's error handlers, the test views above."""
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def client():
    """Exceptions answered with the 500 page, as for a browser, not raised into the test."""
    client = Client()
    client.raise_request_exception = False
    return client


def assert_portal_error_page(response, status, title):
    content = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f"<h1>{title}</h1>" in content
    assert f"<title>{title} · Mijn Z login</title>" in content
    # The Z login look: the header with the logo, the portal's own stylesheet.
    assert '<header class="topbar">' in content
    assert '<span class="brand-mark">Z</span> <span class="brand-name">login</span>' in content
    assert "/static/css/zlogin.css" in content
    assert f"Foutcode {status}" in content
    # Nothing the Content-Security-Policy refuses: no inline style or script.
    assert "<script" not in content
    assert "style=" not in content
    assert "<style" not in content
    # No details.
    assert SECRET not in content
    assert "Traceback" not in content
    assert "Django" not in content
    return content


def test_pages_not_found_in_dutch_without_the_path(client):
    response = client.get("/geheim-pad-xyz/")

    content = assert_portal_error_page(response, 404, "Pagina niet gevonden")
    assert "Deze pagina bestaat niet (meer)." in content
    assert "geheim-pad-xyz" not in content
    assert '<html lang="nl">' in content
    # Logged out: the way back is the login page.
    assert 'href="/inloggen/"' in content
    assert "Naar de inlogpagina" in content


def test_missing_ketenmachtiging_page_when_logged_in(client, beheerder):
    from tests.logins import log_in_verified

    log_in_verified(client, beheerder.user)

    response = client.get("/ketenmachtigingen/van-relaties/relatie/999999/")

    content = assert_portal_error_page(response, 404, "Pagina niet gevonden")
    assert "Naar het overzicht" in content
    assert 'href="/"' in content
    # The standalone look: no menu, nothing about the person.
    assert beheerder.user.display_name not in content
    assert 'class="sidebar"' not in content


def test_permission_denied(client):
    response = client.get("/test-fout/403/")

    content = assert_portal_error_page(response, 403, "Geen toegang")
    assert "U heeft geen toegang tot deze pagina." in content


def test_bad_request_from_a_suspicious_operation(client):
    response = client.get("/test-fout/400/")

    content = assert_portal_error_page(response, 400, "Ongeldig verzoek")
    assert "Het verzoek kon niet worden verwerkt." in content


def test_bad_request_for_a_host_that_is_not_allowed(client, settings):
    settings.ALLOWED_HOSTS = ["zlogin.example"]

    response = client.get("/inloggen/", headers={"Host": "aanvaller.example"})

    content = assert_portal_error_page(response, 400, "Ongeldig verzoek")
    assert "aanvaller.example" not in content


def test_server_error_without_details(client):
    response = client.get("/test-fout/500/")

    content = assert_portal_error_page(response, 500, "Er ging iets mis")
    assert "de fout is voor ons vastgelegd" in content
    assert "RuntimeError" not in content
    assert "test-fout" not in content
    assert "Naar de startpagina" in content


def test_server_error_asks_nothing_of_the_person_or_the_database(django_assert_num_queries):
    class Unreadable:
        @property
        def is_authenticated(self):
            raise AssertionError("the 500 page must not read request.user")

    request = RequestFactory().get("/")
    request.user = Unreadable()

    with django_assert_num_queries(0):
        response = errors.server_error(request)

    assert response.status_code == 500
    assert "<h1>Er ging iets mis</h1>" in response.content.decode()


def test_server_error_falls_back_to_plain_text(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template kapot")

    monkeypatch.setattr(errors.loader, "render_to_string", broken)

    response = client.get("/test-fout/500/")

    assert response.status_code == 500
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    content = response.content.decode()
    assert "Er ging iets mis aan onze kant." in content
    assert SECRET not in content
    assert "template kapot" not in content


def test_csrf_failure_on_a_real_post_without_a_token(settings):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/inloggen/", {"auth-username": "iemand", "auth-password": "x"})

    content = assert_portal_error_page(response, 403, "Formulier verlopen")
    assert "Het formulier is verlopen of van een andere pagina ingestuurd." in content
    # Django's reason ("CSRF cookie not set.") stays in the log.
    assert "CSRF" not in content
    assert "cookie not set" not in content


@pytest.mark.parametrize(
    "url",
    ["/geheim-pad-xyz/", "/test-fout/403/", "/test-fout/400/", "/test-fout/500/"],
)
def test_in_english_after_choosing_it(client, url):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(url)

    content = response.content.decode()
    assert response.status_code in (400, 403, 404, 500)
    assert '<html lang="en">' in content
    assert response["Content-Language"] == "en"
    assert SECRET not in content


def test_csrf_failure_in_english():
    client = Client(enforce_csrf_checks=True)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post("/inloggen/", {})

    assert response.status_code == 403
    assert '<html lang="en">' in response.content.decode()


def test_the_portal_wires_its_error_handlers():
    from zlogin import urls

    assert urls.handler400 is errors.bad_request
    assert urls.handler403 is errors.permission_denied
    assert urls.handler404 is errors.page_not_found
    assert urls.handler500 is errors.server_error
