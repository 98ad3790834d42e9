"""Inloggegevens vergeten: activation link for a new password, username by e-mail."""

import re
import time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nieuw-wachtwoord-2026!"


def main_content(response) -> str:
    """The page's own content, without the per-request CSRF token in the shell."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def reset_link(message) -> str:
    match = re.search(r"http://testserver(/wachtwoord-instellen/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_form_has_the_manuals_texts(client):
    content = client.get(reverse("password_reset")).content.decode()

    assert "<h1>Wachtwoord vergeten</h1>" in content
    assert "een activatielink om een nieuw wachtwoord aan te vragen" in content
    assert '<label for="id_username">Gebruikersnaam</label>' in content
    assert "Verstuur activatielink" in content
    assert "Gebruikersnaam vergeten &gt;" in content


def test_activation_link_goes_to_the_registered_address_and_works_once(client):
    user = UserFactory(username="a.pietersen", email="a.pietersen@example.nl")

    response = client.post(reverse("password_reset"), {"username": "A.Pietersen"})

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


def test_activation_link_expires_after_an_hour(client):
    user = UserFactory(username="p.visser")
    client.post(reverse("password_reset"), {"username": "p.visser"})
    link = reset_link(mail.outbox[0])

    with time_machine.travel(time.time() + 61 * 60):
        content = client.get(link, follow=True).content.decode()

    assert "De activatielink is verlopen of al gebruikt." in content
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)


def test_unknown_username_gets_the_same_answer_and_no_mail(client):
    UserFactory(username="bestaat")

    known = client.post(reverse("password_reset"), {"username": "bestaat"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"username": "bestaat-niet"}, follow=True)

    assert len(mail.outbox) == 1
    assert main_content(known) == main_content(unknown)
    assert "Als deze gebruikersnaam bij ons bekend is" in unknown.content.decode()


def test_username_reminder_mails_the_username(client):
    UserFactory(username="s.jong", email="s.jong@example.nl")

    known = client.post(reverse("username_reminder"), {"email": "S.Jong@example.nl"}, follow=True)
    unknown = client.post(
        reverse("username_reminder"), {"email": "niemand@example.nl"}, follow=True
    )

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["S.Jong@example.nl"]
    assert "s.jong" in mail.outbox[0].body
    assert main_content(known) == main_content(unknown)


def test_username_reminder_refuses_an_invalid_address(client):
    response = client.post(reverse("username_reminder"), {"email": "geen-adres"})

    assert response.status_code == 200
    assert "Voer een geldig e-mailadres in." in response.content.decode()
    assert mail.outbox == []
