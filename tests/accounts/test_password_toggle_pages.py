"""The show-password script is on the login and set-password pages only, with its button's name
in the page's language (the browser test tests/e2e/test_login_page.py presses it)."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script src="/static/js/password-toggle.js" data-label="{label}" defer></script>'


def set_password_page(client, user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return client.get(f"/wachtwoord-instellen/{uid}/{token}/", follow=True)


@pytest.mark.parametrize(
    ("language", "label"), [("nl", "Toon wachtwoord"), ("en", "Show password")]
)
def test_the_login_and_set_password_pages_load_it(client, language, label):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})

    login = client.get("/inloggen/").content.decode()
    set_password = set_password_page(client, UserFactory()).content.decode()

    assert SCRIPT.format(label=label) in login
    assert SCRIPT.format(label=label) in set_password
    assert 'type="password"' in set_password


def test_other_pages_do_not(client):
    forgotten = client.get(reverse("password_reset"))
    expired_link = client.get("/wachtwoord-instellen/MQ/verlopen-token/", follow=True)

    assert forgotten.status_code == 200
    assert "password-toggle.js" not in forgotten.content.decode()
    assert "De activatielink is verlopen of al gebruikt." in expired_link.content.decode()
    assert "password-toggle.js" not in expired_link.content.decode()
