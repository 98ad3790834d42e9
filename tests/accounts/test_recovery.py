"""Inloggegevens vergeten: activation link for a new password, username by e-mail."""

import re
import time

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from outbox.models import OutboxMessage, State
from tests.factories import UserFactory
from tests.network import closed_port

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nieuw-wachtwoord-2026!"


def main_content(response) -> str:
    """The page's own content, without the per-request CSRF token in the shell."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def reset_link(message) -> str:
    """The link's path; it is on the portal's own address, whatever host the request named."""
    base = re.escape(settings.PORTAL_BASE_URL)
    match = re.search(base + r"(/wachtwoord-instellen/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """A POST whose mail the outbox delivers after the commit, as in production."""

    def do(url, data, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, **kwargs)

    return do


def test_password_reset_form_has_the_manuals_texts(client):
    content = client.get(reverse("password_reset")).content.decode()

    assert "<h1>Wachtwoord vergeten</h1>" in content
    assert "een activatielink om een nieuw wachtwoord aan te vragen" in content
    assert '<label for="id_username">Gebruikersnaam</label>' in content
    assert "Verstuur activatielink" in content
    assert "Gebruikersnaam vergeten &gt;" in content


def test_activation_link_goes_to_the_registered_address_and_works_once(client, post):
    user = UserFactory(username="a.pietersen", email="a.pietersen@example.nl")

    response = post(reverse("password_reset"), {"username": "A.Pietersen"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a.pietersen@example.nl"]
    assert mail.outbox[0].subject == "Activatielink voor een nieuw wachtwoord voor Mijn Z login"
    link = reset_link(mail.outbox[0])

    form_url = client.get(link).url  # Django moves the token into the session
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    again = client.get(link, follow=True).content.decode()
    assert "De activatielink is verlopen of al gebruikt." in again


def test_activation_link_expires_after_an_hour(client, post):
    user = UserFactory(username="p.visser")
    post(reverse("password_reset"), {"username": "p.visser"})
    link = reset_link(mail.outbox[0])

    with time_machine.travel(time.time() + 61 * 60):
        content = client.get(link, follow=True).content.decode()

    assert "De activatielink is verlopen of al gebruikt." in content
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)


def test_unknown_username_gets_the_same_answer_and_no_mail(post):
    UserFactory(username="bestaat")

    known = post(reverse("password_reset"), {"username": "bestaat"}, follow=True)
    unknown = post(reverse("password_reset"), {"username": "bestaat-niet"}, follow=True)

    assert len(mail.outbox) == 1
    # Both wrote the same kind of message: the page did the same work either way.
    assert list(OutboxMessage.objects.values_list("state", flat=True).order_by("pk")) == [
        State.DELIVERED,
        State.SKIPPED,
    ]
    assert main_content(known) == main_content(unknown)
    assert "Als deze gebruikersnaam bij ons bekend is" in unknown.content.decode()


def test_username_reminder_mails_the_username(post):
    UserFactory(username="s.jong", email="s.jong@example.nl")

    known = post(reverse("username_reminder"), {"email": "S.Jong@example.nl"}, follow=True)
    unknown = post(reverse("username_reminder"), {"email": "niemand@example.nl"}, follow=True)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["s.jong@example.nl"]  # as stored, not as typed
    assert "s.jong" in mail.outbox[0].body
    assert main_content(known) == main_content(unknown)


def test_username_reminder_refuses_an_invalid_address(client):
    response = client.post(reverse("username_reminder"), {"email": "geen-adres"})

    assert response.status_code == 200
    assert "Voer een geldig e-mailadres in." in response.content.decode()
    assert mail.outbox == []


def test_the_pages_answer_when_the_mail_server_is_down(post, settings):
    """The request only writes the message; the mail is retried later, not raised here."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    UserFactory(username="k.vries", email="k.vries@example.nl")

    reset = post(reverse("password_reset"), {"username": "k.vries"})
    reminder = post(reverse("username_reminder"), {"email": "k.vries@example.nl"})

    assert (reset.status_code, reminder.status_code) == (302, 302)
    pending = OutboxMessage.objects.order_by("pk")
    assert [(m.state, m.attempts) for m in pending] == [(State.PENDING, 1), (State.PENDING, 1)]
    assert [m.last_error.split(":")[0] for m in pending] == ["ConnectionRefusedError"] * 2
