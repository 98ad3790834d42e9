"""The OpenAPI document, the docs page rendered from it, and the health endpoint."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.constants import REFUSAL_REASONS
from api.docs import _marked_up
from api.schema import SCHEMA

pytestmark = pytest.mark.django_db


def test_the_schema_is_served_as_json(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert response.json() == SCHEMA
    assert response.json()["openapi"] == "3.1.0"


def test_the_schema_names_every_reason_code(client):
    reasons = SCHEMA["components"]["schemas"]["Reason"]["oneOf"]

    assert [r["const"] for r in reasons if "const" in r] == list(REFUSAL_REASONS)


def test_the_docs_page_renders_the_schema_without_external_resources(client):
    response = client.get("/api/docs/")

    page = response.content.decode()
    assert response.status_code == 200
    for path in SCHEMA["paths"]:
        assert path in page
    for code in REFUSAL_REASONS:
        assert f"<code>{code}</code>" in page
    assert "http://" not in page and "https://" not in page  # no CDN, nothing fetched
    assert 'href="/api/schema/"' in page


def test_the_docs_page_shows_code_spans_as_code(client):
    page = client.get("/api/docs/").content.decode()

    assert "Authenticate with <code>Authorization: Bearer &lt;API key&gt;</code>." in page
    assert "`" not in page.split("<pre>")[0]  # no CommonMark left in the prose


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("send `a <b>` here", "send <code>a &lt;b&gt;</code> here"),
        ("it`s <i>", "it`s &lt;i&gt;"),  # an unpaired backtick is no code span
        ("`x` and `y`", "<code>x</code> and <code>y</code>"),
    ],
)
def test_a_description_is_escaped_around_its_code_spans(text, html):
    assert _marked_up(text) == html


def test_health_touches_no_database(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/health")

    assert response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_the_api_sets_no_cookie_and_touches_no_session(api, some_body, client):
    response = api.check(some_body)

    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")
    assert "Set-Cookie" not in response
