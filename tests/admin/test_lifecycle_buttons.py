"""The buttons on a ketenmachtiging's change page: a confirmation page, then a lifecycle service.

Every POST that changes something asserts the status and the event; every refused one asserts
that nothing at all changed.
"""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from berichtenbox.models import Bericht
from ketenmachtigingen import dates
from ketenmachtigingen.constants import ActorKind, EventKind, Status
from ketenmachtigingen.models import KetenmachtigingEvent
from outbox.models import State
from outbox.services import messages_for
from tests.factories import (
    BeheerderFactory,
    KetenmachtigingFactory,
    UserFactory,
    ketenmachtiging_with_status,
)
from tests.ketenmachtigingen.conftest import state_of
from tests.network import closed_port

from .conftest import messages_of

pytestmark = pytest.mark.django_db

ACTIONS = ("mark_received", "mark_incomplete", "mark_failed", "activate")
LABELS = {
    "mark_received": "Markeer als ontvangen",
    "mark_incomplete": "Markeer als incompleet",
    "mark_failed": "Markeer als fout",
    "activate": "Activeer",
}
# Which buttons each status shows (the transitions Z login staff make).
BUTTONS = {
    Status.AANVRAAG_VERSTUURD: {"mark_received", "mark_failed"},
    Status.AANVRAAG_ONTVANGEN: {"mark_incomplete", "mark_failed", "activate"},
    Status.INCOMPLEET: {"mark_received", "mark_failed"},
    Status.FOUT: set(),
    Status.ACTIEF: set(),
    Status.VERLOPEN: set(),
    Status.INGETROKKEN: set(),
    Status.VERVALLEN: set(),
}


def url(name, km):
    return reverse(f"admin:ketenmachtigingen_ketenmachtiging_{name}", args=[km.pk])


def change_url(km):
    return url("change", km)


def d(day: datetime.date) -> str:
    return day.strftime("%d-%m-%Y")


def the_only_event(km) -> KetenmachtigingEvent:
    (event,) = KetenmachtigingEvent.objects.filter(ketenmachtiging=km)
    return event


def assert_staff_event(km, staff_user, *, from_status, to_status, note=""):
    event = the_only_event(km)
    assert event.kind == EventKind.STATUS
    assert event.actor_kind == ActorKind.STAFF
    assert event.actor == staff_user
    assert event.from_status == from_status
    assert event.to_status == to_status
    assert event.note == note


def assert_back_on_the_change_page(response, km, message):
    assert response.status_code == 302
    assert response.url == change_url(km)
    assert messages_of(response) == [message]


# --- which buttons ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(BUTTONS))
def test_the_change_page_shows_only_the_buttons_allowed_from_the_status(admin_client, status):
    km = ketenmachtiging_with_status(status)

    content = admin_client.get(change_url(km)).content.decode()

    shown = {name for name in ACTIONS if f'href="{url(name, km)}"' in content}
    assert shown == BUTTONS[status]
    for name in shown:
        assert LABELS[name] in content


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (status, name)
        for status, allowed in BUTTONS.items()
        for name in ACTIONS
        if name not in allowed
    ],
)
def test_a_button_not_allowed_from_the_status_is_refused_and_changes_nothing(
    admin_client, status, name
):
    km = ketenmachtiging_with_status(status)
    before = state_of(km)
    data = {"reason": "Handtekening ontbreekt", "received_on": "", "start_date": ""}

    for method in (admin_client.get, admin_client.post):
        response = method(url(name, km), data, follow=True)
        assert response.redirect_chain == [(change_url(km), 302)]
        (message,) = [str(m) for m in response.context["messages"]]
        assert message.startswith(f"Een ketenmachtiging met status “{km.get_status_display()}”")

    assert state_of(km) == before


def test_activeer_on_a_request_just_sent_is_absent_and_its_url_refuses(admin_client):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True)
    before = state_of(km)

    assert url("activate", km) not in admin_client.get(change_url(km)).content.decode()
    response = admin_client.post(url("activate", km), {"start_date": ""})

    assert_back_on_the_change_page(
        response, km, "Een ketenmachtiging met status “Aanvraag verstuurd” kan niet naar “Actief”."
    )
    assert state_of(km) == before


def test_someone_who_may_only_view_sees_no_buttons_and_cannot_use_them(client, verified_login):
    viewer = UserFactory(is_staff=True, with_totp_device=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_ketenmachtiging"))
    verified_login(viewer)
    km = KetenmachtigingFactory(aanvraag_verstuurd=True)
    before = state_of(km)

    content = client.get(change_url(km)).content.decode()

    assert url("mark_received", km) not in content
    assert client.get(url("mark_received", km)).status_code == 403
    assert client.post(url("mark_received", km), {"received_on": ""}).status_code == 403
    assert state_of(km) == before


def test_the_confirmation_is_protected_against_csrf(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = staff_user.totpdevice_set.get().persistent_id
    session.save()
    km = KetenmachtigingFactory(aanvraag_verstuurd=True)
    before = state_of(km)

    page = client.get(url("mark_received", km))
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert client.post(url("mark_received", km), {"received_on": ""}).status_code == 403
    assert state_of(km) == before


# --- Markeer als ontvangen ------------------------------------------------------------------------


def test_markeer_als_ontvangen_asks_for_the_receipt_date(admin_client):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True)
    before = state_of(km)

    response = admin_client.get(url("mark_received", km))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Markeer als ontvangen" in content
    assert km.request_code in content
    assert d(dates.invitation_deadline(km.sent_at)) in content  # the deadline, for the staff
    assert response.context["form"]["received_on"].value() == dates.today()
    assert f'value="{d(dates.today())}"' in content
    assert state_of(km) == before  # a GET changes nothing


def test_markeer_als_ontvangen_on_a_chosen_date(admin_client, staff_user):
    km = KetenmachtigingFactory(
        aanvraag_verstuurd=True, sent_at=timezone.now() - relativedelta(days=20)
    )
    received_on = dates.today() - datetime.timedelta(days=3)

    response = admin_client.post(url("mark_received", km), {"received_on": d(received_on)})

    assert_back_on_the_change_page(
        response, km, f"De ketenmachtiging {km.request_code} is gemarkeerd als ontvangen."
    )
    km.refresh_from_db()
    assert km.status == Status.AANVRAAG_ONTVANGEN
    assert km.received_at == dates.start_of(received_on)
    assert_staff_event(
        km, staff_user, from_status=Status.AANVRAAG_VERSTUURD, to_status=Status.AANVRAAG_ONTVANGEN
    )


def test_markeer_als_ontvangen_without_a_date_is_today(admin_client, staff_user):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True)

    response = admin_client.post(url("mark_received", km), {"received_on": ""})

    assert response.status_code == 302
    km.refresh_from_db()
    assert km.status == Status.AANVRAAG_ONTVANGEN
    assert timezone.localdate(km.received_at) == dates.today()
    assert the_only_event(km).actor_kind == ActorKind.STAFF


def test_markeer_als_ontvangen_more_than_3_months_after_sending_is_refused(admin_client):
    sent_at = timezone.now() - relativedelta(months=3, days=2)
    km = KetenmachtigingFactory(aanvraag_verstuurd=True, sent_at=sent_at)
    before = state_of(km)
    deadline = dates.invitation_deadline(sent_at)

    response = admin_client.post(url("mark_received", km), {"received_on": d(dates.today())})

    assert response.status_code == 200  # the page again, with the service's message
    expected = (
        f"Dit formulier is ontvangen na de uiterste datum {d(deadline)} "
        "(3 maanden na versturen) en kan niet worden verwerkt."
    )
    assert messages_of(response) == [expected]
    assert expected in response.content.decode()
    assert state_of(km) == before


def test_a_form_that_arrived_in_time_can_be_registered_later(admin_client, staff_user):
    sent_at = timezone.now() - relativedelta(months=3, days=2)
    km = KetenmachtigingFactory(aanvraag_verstuurd=True, sent_at=sent_at)
    arrived = timezone.localdate(sent_at) + relativedelta(months=2)

    response = admin_client.post(url("mark_received", km), {"received_on": d(arrived)})

    assert response.status_code == 302
    km.refresh_from_db()
    assert km.status == Status.AANVRAAG_ONTVANGEN


def test_markeer_als_ontvangen_in_the_future_is_refused(admin_client):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True)
    before = state_of(km)
    tomorrow = dates.today() + datetime.timedelta(days=1)

    response = admin_client.post(url("mark_received", km), {"received_on": d(tomorrow)})

    assert response.status_code == 200
    assert messages_of(response) == ["Een ontvangstdatum kan niet in de toekomst liggen."]
    assert state_of(km) == before


def test_an_incomplete_form_completed_is_marked_received_again(admin_client, staff_user):
    km = KetenmachtigingFactory(incompleet=True)

    response = admin_client.post(url("mark_received", km), {"received_on": ""})

    assert response.status_code == 302
    km.refresh_from_db()
    assert km.status == Status.AANVRAAG_ONTVANGEN
    assert km.status_reason == ""
    assert_staff_event(
        km, staff_user, from_status=Status.INCOMPLEET, to_status=Status.AANVRAAG_ONTVANGEN
    )


# --- Markeer als incompleet -----------------------------------------------------------------------

REASON = "De handtekening van de tweede bestuurder ontbreekt."


def test_markeer_als_incompleet_asks_what_is_missing(admin_client):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True)

    response = admin_client.get(url("mark_incomplete", km))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Wat ontbreekt er?" in content
    assert km.contact_email in content
    assert 'name="reason"' in content


def test_markeer_als_incompleet_mails_the_contact_and_posts_a_bericht(
    admin_client, staff_user, django_capture_on_commit_callbacks
):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True)
    beheerder = BeheerderFactory(organisation=km.intermediair)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("mark_incomplete", km), {"reason": f"  {REASON}\n"})

    assert_back_on_the_change_page(
        response,
        km,
        f"De ketenmachtiging {km.request_code} is gemarkeerd als incompleet. {km.contact_email} "
        "krijgt een e-mail met wat er ontbreekt; de intermediair krijgt een bericht.",
    )
    km.refresh_from_db()
    assert km.status == Status.INCOMPLEET
    assert km.status_reason == REASON
    assert_staff_event(
        km,
        staff_user,
        from_status=Status.AANVRAAG_ONTVANGEN,
        to_status=Status.INCOMPLEET,
        note=REASON,
    )

    (to_contact,) = [m for m in mail.outbox if m.to == [km.contact_email]]
    assert to_contact.subject == f"Ketenmachtiging voor {km.relatie.name}: formulier niet compleet"
    assert REASON in to_contact.body
    assert km.request_code in to_contact.body
    assert "per post naar Z login" in to_contact.body
    assert "Antwoordnummer 1234" in to_contact.body
    html, mimetype = to_contact.alternatives[0]
    assert mimetype == "text/html" and REASON in html

    (bericht,) = Bericht.objects.all()
    assert bericht.organisation == km.intermediair
    assert bericht.ketenmachtiging == km
    assert bericht.subject == f"Aanvraag incompleet: {km.relatie.name}"
    assert REASON in bericht.body
    # The bericht is announced to the intermediair's beheerders, as every bericht is.
    (announcement,) = [m for m in mail.outbox if m.to == [beheerder.user.email]]
    assert f"Aanvraag incompleet: {km.relatie.name}" in announcement.body
    assert len(mail.outbox) == 2


def test_the_incomplete_mail_is_in_the_language_of_the_ketenmachtiging(
    admin_client, django_capture_on_commit_callbacks
):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True, language="en")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url("mark_incomplete", km), {"reason": REASON})

    (message,) = mail.outbox
    assert message.to == [km.contact_email]
    assert message.subject == f"Chain authorisation for {km.relatie.name}: form not complete"
    assert "What is missing:" in message.body
    assert REASON in message.body
    # The bericht for the intermediair stays Dutch.
    assert Bericht.objects.get().subject == f"Aanvraag incompleet: {km.relatie.name}"


def test_nothing_is_sent_before_the_commit(admin_client, django_capture_on_commit_callbacks):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(url("mark_incomplete", km), {"reason": REASON})

    assert mail.outbox == []
    # The bericht's announcement, the mail to the contact and the mail to the afzender.
    assert len(callbacks) == 3


def test_markeer_als_incompleet_without_a_contact_address_posts_only_the_bericht(
    admin_client, django_capture_on_commit_callbacks
):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True, contact_email="")

    page = admin_client.get(url("mark_incomplete", km)).content.decode()
    assert "Er is geen e-mailadres van de contactpersoon bekend" in page
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url("mark_incomplete", km), {"reason": REASON})

    km.refresh_from_db()
    assert km.status == Status.INCOMPLEET
    assert mail.outbox == []
    assert Bericht.objects.count() == 1


def test_markeer_als_incompleet_needs_a_reason(admin_client, django_capture_on_commit_callbacks):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True)
    before = state_of(km)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("mark_incomplete", km), {"reason": "   "})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert state_of(km) == before
    assert mail.outbox == []
    assert Bericht.objects.count() == 0


# --- Markeer als fout -----------------------------------------------------------------------------


def test_markeer_als_fout_with_a_reason(admin_client, staff_user):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True)
    reason = "Het formulier is ondertekend door iemand die niet bevoegd is."

    page = admin_client.get(url("mark_failed", km))
    assert page.status_code == 200 and "Reden" in page.content.decode()
    response = admin_client.post(url("mark_failed", km), {"reason": reason})

    assert_back_on_the_change_page(
        response, km, f"De ketenmachtiging {km.request_code} is gemarkeerd als fout."
    )
    km.refresh_from_db()
    assert km.status == Status.FOUT
    assert km.status_reason == reason
    assert_staff_event(
        km, staff_user, from_status=Status.AANVRAAG_VERSTUURD, to_status=Status.FOUT, note=reason
    )


def test_markeer_als_fout_needs_a_reason(admin_client):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True)
    before = state_of(km)

    response = admin_client.post(url("mark_failed", km), {"reason": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert state_of(km) == before


# --- Activeer -------------------------------------------------------------------------------------


def test_activeer_shows_the_start_and_the_resulting_end_date(admin_client):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True, duration_years=3)
    today = dates.today()

    response = admin_client.get(url("activate", km))

    assert response.status_code == 200
    content = response.content.decode()
    assert f'value="{d(today)}"' in content
    assert f'<strong id="end-date">{d(dates.end_date_for(today, 3))}</strong>' in content
    assert "3 jaar" in content


def test_activeer_today(admin_client, staff_user):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True)
    today = dates.today()
    end = dates.end_date_for(today, 5)

    response = admin_client.post(url("activate", km), {"start_date": d(today), "_confirm": "1"})

    assert_back_on_the_change_page(
        response, km, f"De ketenmachtiging {km.request_code} is actief van {d(today)} tot {d(end)}."
    )
    km.refresh_from_db()
    assert km.status == Status.ACTIEF
    assert (km.start_date, km.end_date) == (today, end)
    assert_staff_event(
        km, staff_user, from_status=Status.AANVRAAG_ONTVANGEN, to_status=Status.ACTIEF
    )


def test_activeer_on_a_chosen_date(admin_client):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True, duration_years=2)
    start = dates.today() + datetime.timedelta(days=10)

    admin_client.post(url("activate", km), {"start_date": d(start)})

    km.refresh_from_db()
    assert km.status == Status.ACTIEF
    assert (km.start_date, km.end_date) == (start, dates.end_date_for(start, 2))


def test_bereken_einddatum_shows_the_end_date_for_the_chosen_start_and_changes_nothing(
    admin_client,
):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True)
    before = state_of(km)
    start = dates.today() + datetime.timedelta(days=40)

    response = admin_client.post(url("activate", km), {"start_date": d(start), "_preview": "1"})

    assert response.status_code == 200
    assert f'<strong id="end-date">{d(dates.end_date_for(start, 5))}</strong>' in (
        response.content.decode()
    )
    assert state_of(km) == before


def test_activeer_in_the_past_is_refused(admin_client):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True)
    before = state_of(km)
    yesterday = dates.today() - datetime.timedelta(days=1)

    response = admin_client.post(url("activate", km), {"start_date": d(yesterday)})

    assert response.status_code == 200
    assert response.context["form"].errors["start_date"] == [
        "Kies vandaag of een datum in de toekomst."
    ]
    assert state_of(km) == before


def test_a_renewal_starts_where_the_one_it_renews_ends(admin_client, staff_user):
    old = KetenmachtigingFactory(actief=True)
    old_end = old.end_date
    renewal = KetenmachtigingFactory(
        aanvraag_ontvangen=True, renews=old, relatie=old.relatie, intermediair=old.intermediair
    )

    page = admin_client.get(url("activate", renewal))
    assert f'value="{d(old_end)}"' in page.content.decode()
    assert old.request_code in page.content.decode()
    admin_client.post(url("activate", renewal), {"start_date": ""})

    renewal.refresh_from_db()
    assert renewal.status == Status.ACTIEF
    assert renewal.start_date == old_end
    assert renewal.end_date == dates.end_date_for(old_end, renewal.duration_years)


# --- the list actions -----------------------------------------------------------------------------

CHANGELIST = reverse("admin:ketenmachtigingen_ketenmachtiging_changelist")


def test_markeer_als_ontvangen_for_several_at_once(admin_client, staff_user):
    first = KetenmachtigingFactory(aanvraag_verstuurd=True)
    second = KetenmachtigingFactory(incompleet=True)
    too_late = KetenmachtigingFactory(
        aanvraag_verstuurd=True, sent_at=timezone.now() - relativedelta(months=4)
    )
    active = KetenmachtigingFactory(actief=True)
    selected = [first, second, too_late, active]
    late_before, active_before = state_of(too_late), state_of(active)
    data = {"action": "mark_received_selected", "_selected_action": [k.pk for k in selected]}

    confirmation = admin_client.post(CHANGELIST, data)

    assert confirmation.status_code == 200
    content = confirmation.content.decode()
    for km in selected:
        assert km.request_code in content
    assert content.count("Kan niet vanuit deze status") == 1  # the active one
    assert state_of(active) == active_before

    response = admin_client.post(CHANGELIST, {**data, "post": "yes", "received_on": ""})

    assert response.status_code == 302
    for km in (first, second):
        km.refresh_from_db()
        assert km.status == Status.AANVRAAG_ONTVANGEN
        assert the_only_event(km).actor_kind == ActorKind.STAFF
    assert state_of(too_late) == late_before
    assert state_of(active) == active_before
    messages = messages_of(response)
    assert "2 ketenmachtigingen gemarkeerd als ontvangen." in messages
    assert any(
        m.startswith(f"{too_late.request_code}: Dit formulier is ontvangen na") for m in messages
    )
    assert f"{active.request_code}: Een ketenmachtiging met status “Actief”" in " ".join(messages)


def test_activeer_for_several_at_once(admin_client):
    received = KetenmachtigingFactory(aanvraag_ontvangen=True)
    sent = KetenmachtigingFactory(aanvraag_verstuurd=True)
    sent_before = state_of(sent)
    data = {"action": "activate_selected", "_selected_action": [received.pk, sent.pk]}

    assert admin_client.post(CHANGELIST, data).status_code == 200
    response = admin_client.post(CHANGELIST, {**data, "post": "yes"})

    assert response.status_code == 302
    assert "1 ketenmachtiging geactiveerd." in messages_of(response)
    received.refresh_from_db()
    assert received.status == Status.ACTIEF
    assert received.start_date == dates.today()
    assert state_of(sent) == sent_before


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_does_not_touch_the_change(admin_client, settings):
    """Outside a test transaction the mail is attempted as the view's transaction commits: it
    fails, waits in the outbox for its next attempt, and the page confirms the change."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    km = KetenmachtigingFactory(aanvraag_ontvangen=True)

    response = admin_client.post(url("mark_incomplete", km), {"reason": REASON})

    assert_back_on_the_change_page(
        response,
        km,
        f"De ketenmachtiging {km.request_code} is gemarkeerd als incompleet. "
        f"{km.contact_email} krijgt een e-mail met wat er ontbreekt; de intermediair krijgt een "
        "bericht.",
    )
    km.refresh_from_db()
    assert km.status == Status.INCOMPLEET
    assert Bericht.objects.filter(ketenmachtiging=km).count() == 1
    [mail_message] = messages_for(km)
    assert (mail_message.state, mail_message.attempts) == (State.PENDING, 1)
    assert mail_message.last_error.startswith("ConnectionRefusedError")
