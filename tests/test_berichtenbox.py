"""Berichtenbox: berichten with an unread count, read on opening, announced by e-mail once."""

import pytest
from django.core import mail
from django.urls import reverse

from berichtenbox.mail import announce
from berichtenbox.models import Bericht
from berichtenbox.services import ANNOUNCEMENT, post_bericht
from outbox.models import OutboxMessage, State
from tests.factories import (
    BeheerderFactory,
    BerichtFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_list_shows_unread_count_and_only_own_berichten(client, verified_login, beheerder):
    org = beheerder.organisation
    BerichtFactory(organisation=org, subject="Verlenging nodig")
    BerichtFactory(organisation=org, subject="Al gelezen", read_at="2026-01-01T10:00:00Z")
    BerichtFactory(organisation=org, subject="Voor een ander", recipient=UserFactory())
    BerichtFactory(subject="Andere organisatie")
    verified_login(beheerder.user)

    content = client.get(reverse("berichtenbox:list")).content.decode()

    assert "Verlenging nodig" in content and "Al gelezen" in content
    assert "Voor een ander" not in content and "Andere organisatie" not in content
    assert '<span class="menu-count" aria-label="1 ongelezen bericht">1</span>' in content


def test_opening_a_bericht_marks_it_read_and_links_the_ketenmachtiging(
    client, verified_login, beheerder
):
    km = KetenmachtigingFactory(actief=True, intermediair=beheerder.organisation)
    bericht = BerichtFactory(organisation=beheerder.organisation, ketenmachtiging=km)
    verified_login(beheerder.user)

    content = client.get(reverse("berichtenbox:detail", args=[bericht.pk])).content.decode()

    bericht.refresh_from_db()
    assert bericht.read_at is not None
    assert reverse("ketenmachtigingen:relatie", args=[km.relatie_id]) in content
    assert 'class="menu-count"' not in content


def test_another_organisations_bericht_is_not_found(client, verified_login, beheerder):
    verified_login(beheerder.user)
    theirs = BerichtFactory()

    assert client.get(reverse("berichtenbox:detail", args=[theirs.pk])).status_code == 404


def test_new_berichten_are_announced_to_the_beheerders_once(
    beheerder, django_capture_on_commit_callbacks
):
    org = beheerder.organisation
    other = BeheerderFactory(organisation=org, user=UserFactory(email="tweede@example.nl"))
    MembershipFactory(organisation=org, user=UserFactory(email="gebruiker@example.nl"))

    with django_capture_on_commit_callbacks(execute=True):
        post_bericht(organisation=org, subject="Ketenmachtiging verloopt", body="…")
    with django_capture_on_commit_callbacks(execute=True):
        post_bericht(organisation=org, subject="Aanvraag incompleet", body="…")

    assert len(mail.outbox) == 2  # one per posting, each to all beheerders
    assert sorted(mail.outbox[0].to) == sorted([beheerder.user.email, other.user.email])
    assert "Ketenmachtiging verloopt" in mail.outbox[0].body
    assert "Aanvraag incompleet" in mail.outbox[1].body
    assert "Ketenmachtiging verloopt" not in mail.outbox[1].body
    assert Bericht.objects.filter(announced_at__isnull=True).count() == 0
    # Delivered again (a redelivered task): nothing is mailed twice.
    message = OutboxMessage.objects.filter(kind=ANNOUNCEMENT).first()
    assert announce(org.pk, message=message) == 0
    assert len(mail.outbox) == 2


def test_berichten_of_one_transaction_are_announced_in_one_mail(
    beheerder, django_capture_on_commit_callbacks
):
    org = beheerder.organisation
    with django_capture_on_commit_callbacks(execute=True):
        post_bericht(organisation=org, subject="Eerste", body="…")
        post_bericht(organisation=org, subject="Tweede", body="…")

    [message] = mail.outbox
    assert "- Eerste\n- Tweede" in message.body
    assert list(OutboxMessage.objects.values_list("state", flat=True).order_by("pk")) == [
        State.DELIVERED,
        State.SKIPPED,
    ]
