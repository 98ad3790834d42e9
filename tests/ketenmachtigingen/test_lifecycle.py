"""Every status change of an existing ketenmachtiging, through the lifecycle services.

An allowed move changes the status, exactly the fields that belong to it, and writes exactly one
event. A refused move raises and changes nothing at all.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine

from ketenmachtigingen import dates
from ketenmachtigingen.constants import (
    PENDING_STATUSES,
    TRANSITIONS,
    ActorKind,
    EventKind,
    Status,
)
from ketenmachtigingen.errors import DomainError, InvalidTransition
from ketenmachtigingen.models import KetenmachtigingEvent
from ketenmachtigingen.services import lifecycle
from tests.factories import KetenmachtigingFactory, UserFactory, ketenmachtiging_with_status

from .conftest import NOW, TODAY, state_of

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
FAR_FUTURE = datetime.date(2099, 1, 1)


def changes(before: dict, after: dict) -> dict:
    """The stored fields that differ, with their new values (not updated_at and events)."""
    return {
        key: after[key]
        for key in after
        if key not in ("updated_at", "events") and before[key] != after[key]
    }


def the_new_event(km, before: dict) -> KetenmachtigingEvent:
    """The one event written since `before`; fails when there are none or several."""
    new = list(
        KetenmachtigingEvent.objects.filter(ketenmachtiging=km).exclude(pk__in=before["events"])
    )
    assert len(new) == 1, new
    return new[0]


def assert_status_event(event, *, actor, actor_kind, from_status, to_status, note=""):
    assert event.kind == EventKind.STATUS
    assert event.actor_kind == actor_kind
    assert event.actor == actor
    assert event.from_status == from_status
    assert event.to_status == to_status
    assert event.note == note


# --- the transition table -----------------------------------------------------------------------


def test_the_transition_table_is_the_designed_lifecycle():
    designed = {
        None: {Status.AANVRAAG_VERSTUURD, Status.ACTIEF},
        Status.AANVRAAG_VERSTUURD: {
            Status.AANVRAAG_ONTVANGEN,
            Status.FOUT,
            Status.VERVALLEN,
            Status.INGETROKKEN,
        },
        Status.AANVRAAG_ONTVANGEN: {
            Status.ACTIEF,
            Status.INCOMPLEET,
            Status.FOUT,
            Status.INGETROKKEN,
        },
        Status.INCOMPLEET: {Status.AANVRAAG_ONTVANGEN, Status.FOUT, Status.INGETROKKEN},
        # Withdrawn, or waiting again when staff send a failed invitation again.
        Status.FOUT: {Status.INGETROKKEN, Status.AANVRAAG_VERSTUURD},
        Status.ACTIEF: {Status.VERLOPEN, Status.INGETROKKEN},
        Status.VERLOPEN: set(),
        Status.INGETROKKEN: set(),
        Status.VERVALLEN: set(),
    }
    assert designed == TRANSITIONS
    assert set(TRANSITIONS) == {None, *Status}


# --- mark_received ------------------------------------------------------------------------------


def test_mark_received_from_aanvraag_verstuurd(frozen, staff_user):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True, sent_at=NOW - datetime.timedelta(days=10))
    before = state_of(km)

    returned = lifecycle.mark_received(km, acting_user=staff_user)

    assert returned.pk == km.pk
    after = state_of(km)
    assert changes(before, after) == {"status": Status.AANVRAAG_ONTVANGEN, "received_at": NOW}
    assert_status_event(
        the_new_event(km, before),
        actor=staff_user,
        actor_kind=ActorKind.STAFF,
        from_status=Status.AANVRAAG_VERSTUURD,
        to_status=Status.AANVRAAG_ONTVANGEN,
    )


def test_mark_received_after_incompleet_clears_the_reason(frozen, staff_user):
    km = KetenmachtigingFactory(incompleet=True)
    assert km.status_reason == "De handtekening ontbreekt."
    before = state_of(km)

    lifecycle.mark_received(km, acting_user=staff_user)

    assert changes(before, state_of(km)) == {
        "status": Status.AANVRAAG_ONTVANGEN,
        "received_at": NOW,
        "status_reason": "",
    }
    assert_status_event(
        the_new_event(km, before),
        actor=staff_user,
        actor_kind=ActorKind.STAFF,
        from_status=Status.INCOMPLEET,
        to_status=Status.AANVRAAG_ONTVANGEN,
    )


# Sent just after midnight in Amsterdam on 1 February: the deadline is 1 May.
SENT_AT_NIGHT = datetime.datetime(2026, 1, 31, 23, 30, tzinfo=UTC)


def test_mark_received_on_the_deadline_is_allowed(staff_user):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True, sent_at=SENT_AT_NIGHT)

    lifecycle.mark_received(km, acting_user=staff_user, received_on=datetime.date(2026, 5, 1))

    km.refresh_from_db()
    assert km.status == Status.AANVRAAG_ONTVANGEN


def test_mark_received_the_day_after_the_deadline_is_refused(staff_user):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True, sent_at=SENT_AT_NIGHT)
    before = state_of(km)

    with pytest.raises(DomainError) as exc_info:
        lifecycle.mark_received(km, acting_user=staff_user, received_on=datetime.date(2026, 5, 2))

    assert not isinstance(exc_info.value, InvalidTransition)
    assert str(exc_info.value) == (
        "Dit formulier is ontvangen na de uiterste datum 01-05-2026 (3 maanden na versturen) "
        "en kan niet worden verwerkt."
    )
    assert state_of(km) == before


def test_mark_received_uses_todays_date_in_amsterdam(staff_user):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True, sent_at=SENT_AT_NIGHT)
    before = state_of(km)

    # 1 May 23:30 UTC is already 2 May in Amsterdam (CEST, UTC+2): one day too late.
    with (
        time_machine.travel(datetime.datetime(2026, 5, 1, 23, 30, tzinfo=UTC), tick=False),
        pytest.raises(DomainError),
    ):
        lifecycle.mark_received(km, acting_user=staff_user)

    assert state_of(km) == before


def test_mark_received_on_the_last_evening_in_amsterdam(staff_user):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True, sent_at=SENT_AT_NIGHT)

    # 1 May 21:30 UTC is 23:30 in Amsterdam: still the last day.
    with time_machine.travel(datetime.datetime(2026, 5, 1, 21, 30, tzinfo=UTC), tick=False):
        lifecycle.mark_received(km, acting_user=staff_user)

    km.refresh_from_db()
    assert km.status == Status.AANVRAAG_ONTVANGEN
    assert km.received_at == datetime.datetime(2026, 5, 1, 21, 30, tzinfo=UTC)


# --- mark_incomplete ----------------------------------------------------------------------------


def test_mark_incomplete_from_aanvraag_ontvangen(frozen, staff_user):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True)
    before = state_of(km)

    lifecycle.mark_incomplete(km, acting_user=staff_user, reason="Pagina 2 ontbreekt.")

    assert changes(before, state_of(km)) == {
        "status": Status.INCOMPLEET,
        "status_reason": "Pagina 2 ontbreekt.",
    }
    assert_status_event(
        the_new_event(km, before),
        actor=staff_user,
        actor_kind=ActorKind.STAFF,
        from_status=Status.AANVRAAG_ONTVANGEN,
        to_status=Status.INCOMPLEET,
        note="Pagina 2 ontbreekt.",
    )


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_mark_incomplete_needs_a_reason(staff_user, reason):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True)
    before = state_of(km)

    with pytest.raises(DomainError) as exc_info:
        lifecycle.mark_incomplete(km, acting_user=staff_user, reason=reason)

    assert str(exc_info.value) == "Geef aan wat er ontbreekt."
    assert state_of(km) == before


# --- mark_failed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "from_status", [Status.AANVRAAG_VERSTUURD, Status.AANVRAAG_ONTVANGEN, Status.INCOMPLEET]
)
def test_mark_failed(frozen, staff_user, from_status):
    km = ketenmachtiging_with_status(from_status)
    before = state_of(km)

    lifecycle.mark_failed(km, acting_user=staff_user, reason="Verkeerd ondertekend.")

    assert changes(before, state_of(km)) == {
        "status": Status.FOUT,
        "status_reason": "Verkeerd ondertekend.",
    }
    assert_status_event(
        the_new_event(km, before),
        actor=staff_user,
        actor_kind=ActorKind.STAFF,
        from_status=from_status,
        to_status=Status.FOUT,
        note="Verkeerd ondertekend.",
    )


def test_mark_failed_by_the_system(frozen):
    """The mail job marks an undeliverable invitation: no person acts."""
    km = KetenmachtigingFactory(aanvraag_verstuurd=True)
    before = state_of(km)

    lifecycle.mark_failed(km, acting_user=None, reason="Mailbox bestaat niet.")

    assert_status_event(
        the_new_event(km, before),
        actor=None,
        actor_kind=ActorKind.SYSTEM,
        from_status=Status.AANVRAAG_VERSTUURD,
        to_status=Status.FOUT,
        note="Mailbox bestaat niet.",
    )


@pytest.mark.parametrize("reason", ["", "  "])
def test_mark_failed_needs_a_reason(staff_user, reason):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True)
    before = state_of(km)

    with pytest.raises(DomainError) as exc_info:
        lifecycle.mark_failed(km, acting_user=staff_user, reason=reason)

    assert str(exc_info.value) == "Geef de reden op."
    assert state_of(km) == before


# --- activate -----------------------------------------------------------------------------------


def test_activate_starts_today(frozen, staff_user):
    km = KetenmachtigingFactory(
        aanvraag_ontvangen=True, duration_years=3, status_reason="Gebeld met de relatie."
    )
    before = state_of(km)

    lifecycle.activate(km, acting_user=staff_user)

    assert changes(before, state_of(km)) == {
        "status": Status.ACTIEF,
        "start_date": TODAY,
        "end_date": datetime.date(2029, 3, 10),
        "activated_at": NOW,
        "status_reason": "",
    }
    assert_status_event(
        the_new_event(km, before),
        actor=staff_user,
        actor_kind=ActorKind.STAFF,
        from_status=Status.AANVRAAG_ONTVANGEN,
        to_status=Status.ACTIEF,
    )


def test_activate_with_an_explicit_start_date(frozen, staff_user):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True, duration_years=5)
    before = state_of(km)

    lifecycle.activate(km, acting_user=staff_user, start_date=datetime.date(2026, 4, 1))

    assert changes(before, state_of(km)) == {
        "status": Status.ACTIEF,
        "start_date": datetime.date(2026, 4, 1),
        "end_date": datetime.date(2031, 4, 1),
        "activated_at": NOW,
    }
    assert the_new_event(km, before).to_status == Status.ACTIEF


def test_activate_a_renewal_starts_where_the_current_one_ends(frozen, staff_user):
    current = KetenmachtigingFactory(
        actief=True, start_date=datetime.date(2021, 6, 1), duration_years=5
    )
    assert current.end_date == datetime.date(2026, 6, 1)
    renewal = KetenmachtigingFactory(
        aanvraag_ontvangen=True,
        intermediair=current.intermediair,
        relatie=current.relatie,
        renews=current,
        duration_years=5,
    )
    current_before = state_of(current)
    before = state_of(renewal)

    lifecycle.activate(renewal, acting_user=staff_user)

    assert changes(before, state_of(renewal)) == {
        "status": Status.ACTIEF,
        "start_date": datetime.date(2026, 6, 1),
        "end_date": datetime.date(2031, 6, 1),
        "activated_at": NOW,
    }
    # The current one is untouched: it runs until its end date.
    assert state_of(current) == current_before


def test_activate_a_renewal_of_an_expired_one_starts_today(frozen, staff_user):
    expired = KetenmachtigingFactory(verlopen=True)
    assert expired.end_date == datetime.date(2026, 3, 9)
    renewal = KetenmachtigingFactory(
        aanvraag_ontvangen=True,
        intermediair=expired.intermediair,
        relatie=expired.relatie,
        renews=expired,
        duration_years=2,
    )

    lifecycle.activate(renewal, acting_user=staff_user)

    renewal.refresh_from_db()
    assert (renewal.start_date, renewal.end_date) == (TODAY, datetime.date(2028, 3, 10))


def test_activate_on_29_february_ends_on_28_february(staff_user):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True, duration_years=5)

    with time_machine.travel(datetime.datetime(2028, 2, 29, 12, tzinfo=UTC), tick=False):
        lifecycle.activate(km, acting_user=staff_user)

    km.refresh_from_db()
    assert (km.start_date, km.end_date) == (
        datetime.date(2028, 2, 29),
        datetime.date(2033, 2, 28),
    )


# --- lapse --------------------------------------------------------------------------------------


def test_lapse_refused_while_the_invitation_is_valid(frozen):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True, sent_at=NOW - datetime.timedelta(days=20))
    before = state_of(km)

    with pytest.raises(DomainError, match="Deze uitnodiging is nog geldig."):
        lifecycle.lapse(km)

    assert state_of(km) == before


def test_lapse_an_unanswered_invitation(frozen):
    km = KetenmachtigingFactory(aanvraag_verstuurd=True, sent_at=NOW - datetime.timedelta(days=95))
    before = state_of(km)

    lifecycle.lapse(km)

    assert changes(before, state_of(km)) == {"status": Status.VERVALLEN}
    assert_status_event(
        the_new_event(km, before),
        actor=None,
        actor_kind=ActorKind.SYSTEM,
        from_status=Status.AANVRAAG_VERSTUURD,
        to_status=Status.VERVALLEN,
        note="Niet binnen 3 maanden ontvangen.",
    )


# --- expire -------------------------------------------------------------------------------------


@pytest.mark.parametrize("days_after_end", [0, 3])
def test_expire_on_or_after_the_end_date(frozen, days_after_end):
    km = KetenmachtigingFactory(actief=True, start_date=datetime.date(2021, 3, 10))
    assert km.end_date == datetime.date(2026, 3, 10)
    before = state_of(km)

    lifecycle.expire(km, today=km.end_date + datetime.timedelta(days=days_after_end))

    assert changes(before, state_of(km)) == {"status": Status.VERLOPEN}
    assert_status_event(
        the_new_event(km, before),
        actor=None,
        actor_kind=ActorKind.SYSTEM,
        from_status=Status.ACTIEF,
        to_status=Status.VERLOPEN,
    )


def test_expire_defaults_to_today(frozen):
    km = KetenmachtigingFactory(actief=True, start_date=datetime.date(2021, 3, 10))

    lifecycle.expire(km)

    km.refresh_from_db()
    assert km.status == Status.VERLOPEN


def test_expire_before_the_end_date_is_refused(frozen):
    km = KetenmachtigingFactory(actief=True, start_date=datetime.date(2021, 3, 11))
    assert km.end_date == datetime.date(2026, 3, 11)
    before = state_of(km)

    with pytest.raises(DomainError) as exc_info:
        lifecycle.expire(km, today=TODAY)

    assert not isinstance(exc_info.value, InvalidTransition)
    assert str(exc_info.value) == "Deze ketenmachtiging loopt nog tot 2026-03-11."
    assert state_of(km) == before


# --- revoke_now ---------------------------------------------------------------------------------


@pytest.mark.parametrize("from_status", [Status.ACTIEF])
def test_revoke_now(frozen, person, from_status):
    km = ketenmachtiging_with_status(from_status)
    before = state_of(km)

    lifecycle.revoke_now(km, acting_user=person)

    assert changes(before, state_of(km)) == {"status": Status.INGETROKKEN, "revoked_at": NOW}
    assert_status_event(
        the_new_event(km, before),
        actor=person,
        actor_kind=ActorKind.PERSON,
        from_status=from_status,
        to_status=Status.INGETROKKEN,
        note="Per direct ingetrokken.",
    )


def test_revoke_now_by_staff_is_recorded_as_staff(frozen, staff_user):
    km = KetenmachtigingFactory(actief=True)
    before = state_of(km)

    lifecycle.revoke_now(km, acting_user=staff_user)

    assert_status_event(
        the_new_event(km, before),
        actor=staff_user,
        actor_kind=ActorKind.STAFF,
        from_status=Status.ACTIEF,
        to_status=Status.INGETROKKEN,
        note="Per direct ingetrokken.",
    )


# --- schedule_revocation ------------------------------------------------------------------------


def test_schedule_revocation(frozen, person):
    km = KetenmachtigingFactory(actief=True)
    before = state_of(km)

    lifecycle.schedule_revocation(km, acting_user=person, on_date=datetime.date(2026, 6, 1))

    assert changes(before, state_of(km)) == {"revocation_date": datetime.date(2026, 6, 1)}
    event = the_new_event(km, before)
    assert event.kind == EventKind.REVOCATION_SCHEDULED
    assert event.actor_kind == ActorKind.PERSON
    assert event.actor == person
    assert (event.from_status, event.to_status) == ("", "")
    assert event.note == "Intrekking gepland op 01-06-2026."


def test_schedule_revocation_tomorrow_and_on_the_day_before_the_end(frozen, person):
    km = KetenmachtigingFactory(actief=True, start_date=datetime.date(2025, 1, 1), duration_years=2)
    assert km.end_date == datetime.date(2027, 1, 1)

    lifecycle.schedule_revocation(km, acting_user=person, on_date=datetime.date(2026, 3, 11))
    km.refresh_from_db()
    assert km.revocation_date == datetime.date(2026, 3, 11)

    lifecycle.schedule_revocation(km, acting_user=person, on_date=datetime.date(2026, 12, 31))
    km.refresh_from_db()
    assert km.revocation_date == datetime.date(2026, 12, 31)
    assert km.events.filter(kind=EventKind.REVOCATION_SCHEDULED).count() == 2


@pytest.mark.parametrize(
    ("on_date", "message"),
    [
        (datetime.date(2026, 3, 9), "Kies een opzeggingsdatum in de toekomst."),
        (TODAY, "Kies een opzeggingsdatum in de toekomst."),
        (
            datetime.date(2027, 1, 1),
            "Kies een datum vóór de einddatum 01-01-2027; daarna vervalt de machtiging al.",
        ),
        (
            datetime.date(2027, 1, 2),
            "Kies een datum vóór de einddatum 01-01-2027; daarna vervalt de machtiging al.",
        ),
    ],
    ids=["yesterday", "today", "on-end-date", "after-end-date"],
)
def test_schedule_revocation_refused_dates(frozen, person, on_date, message):
    km = KetenmachtigingFactory(actief=True, start_date=datetime.date(2025, 1, 1), duration_years=2)
    before = state_of(km)

    with pytest.raises(DomainError) as exc_info:
        lifecycle.schedule_revocation(km, acting_user=person, on_date=on_date)

    assert str(exc_info.value) == message
    assert state_of(km) == before


# --- execute_scheduled_revocation ---------------------------------------------------------------


@pytest.mark.parametrize("days_late", [0, 2])
def test_execute_scheduled_revocation(frozen, days_late):
    km = KetenmachtigingFactory(
        actief=True,
        start_date=datetime.date(2025, 1, 1),
        revocation_date=TODAY - datetime.timedelta(days=days_late),
    )
    before = state_of(km)

    lifecycle.execute_scheduled_revocation(km, today=TODAY)

    assert changes(before, state_of(km)) == {"status": Status.INGETROKKEN, "revoked_at": NOW}
    assert_status_event(
        the_new_event(km, before),
        actor=None,
        actor_kind=ActorKind.SYSTEM,
        from_status=Status.ACTIEF,
        to_status=Status.INGETROKKEN,
        note="Ingetrokken op de gekozen datum.",
    )


@pytest.mark.parametrize(
    "revocation_date", [None, datetime.date(2026, 3, 11)], ids=["none", "tomorrow"]
)
def test_execute_scheduled_revocation_before_its_date_is_refused(frozen, revocation_date):
    km = KetenmachtigingFactory(
        actief=True, start_date=datetime.date(2025, 1, 1), revocation_date=revocation_date
    )
    before = state_of(km)

    with pytest.raises(DomainError) as exc_info:
        lifecycle.execute_scheduled_revocation(km)

    assert str(exc_info.value) == "Voor deze ketenmachtiging is geen intrekking gepland."
    assert state_of(km) == before


# --- withdraw -----------------------------------------------------------------------------------


@pytest.mark.parametrize("from_status", sorted(PENDING_STATUSES))
def test_withdraw_a_pending_request(frozen, person, from_status):
    km = ketenmachtiging_with_status(from_status)
    before = state_of(km)

    lifecycle.withdraw(km, acting_user=person)

    assert changes(before, state_of(km)) == {"status": Status.INGETROKKEN, "revoked_at": NOW}
    assert_status_event(
        the_new_event(km, before),
        actor=person,
        actor_kind=ActorKind.PERSON,
        from_status=from_status,
        to_status=Status.INGETROKKEN,
        note="Aanvraag ingetrokken.",
    )


# --- table-driven: every service from every status ----------------------------------------------


@dataclass(frozen=True)
class Service:
    name: str
    # (ketenmachtiging, acting user) -> call the service
    call: Any
    # The status it moves to; None when it does not change the status.
    to_status: Status | None
    allowed_from: frozenset
    event_kind: EventKind = EventKind.STATUS
    system: bool = False
    # Extra factory fields so that only the status decides.
    km_fields: dict = field(default_factory=dict)


def _to(status):
    return frozenset(s for s in Status if status in TRANSITIONS[s])


SERVICES = [
    Service(
        "mark_received",
        lambda km, user: lifecycle.mark_received(km, acting_user=user),
        Status.AANVRAAG_ONTVANGEN,
        _to(Status.AANVRAAG_ONTVANGEN),
    ),
    Service(
        "mark_incomplete",
        lambda km, user: lifecycle.mark_incomplete(km, acting_user=user, reason="Onleesbaar."),
        Status.INCOMPLEET,
        _to(Status.INCOMPLEET),
    ),
    Service(
        "mark_failed",
        lambda km, user: lifecycle.mark_failed(km, acting_user=user, reason="Bounce."),
        Status.FOUT,
        _to(Status.FOUT),
    ),
    Service(
        "activate",
        lambda km, user: lifecycle.activate(km, acting_user=user),
        Status.ACTIEF,
        _to(Status.ACTIEF),
    ),
    Service(
        "lapse",
        lambda km, user: lifecycle.lapse(km, today=FAR_FUTURE),
        Status.VERVALLEN,
        _to(Status.VERVALLEN),
        system=True,
    ),
    Service(
        "expire",
        lambda km, user: lifecycle.expire(km, today=FAR_FUTURE),
        Status.VERLOPEN,
        _to(Status.VERLOPEN),
        system=True,
    ),
    Service(
        "revoke_now",
        lambda km, user: lifecycle.revoke_now(km, acting_user=user),
        Status.INGETROKKEN,
        frozenset({Status.ACTIEF}),
    ),
    Service(
        "withdraw",
        lambda km, user: lifecycle.withdraw(km, acting_user=user),
        Status.INGETROKKEN,
        _to(Status.INGETROKKEN) & PENDING_STATUSES,
    ),
    Service(
        "schedule_revocation",
        lambda km, user: lifecycle.schedule_revocation(
            km, acting_user=user, on_date=dates.today() + datetime.timedelta(days=30)
        ),
        None,
        frozenset({Status.ACTIEF}),
        event_kind=EventKind.REVOCATION_SCHEDULED,
    ),
    Service(
        "execute_scheduled_revocation",
        lambda km, user: lifecycle.execute_scheduled_revocation(km),
        Status.INGETROKKEN,
        frozenset({Status.ACTIEF}),
        system=True,
        km_fields={"revocation_date": TODAY},
    ),
]


def test_the_expected_allowed_statuses():
    """Pins the table below, so that a change of TRANSITIONS shows up here."""
    allowed = {service.name: service.allowed_from for service in SERVICES}
    assert allowed == {
        "mark_received": {Status.AANVRAAG_VERSTUURD, Status.INCOMPLEET},
        "mark_incomplete": {Status.AANVRAAG_ONTVANGEN},
        "mark_failed": {Status.AANVRAAG_VERSTUURD, Status.AANVRAAG_ONTVANGEN, Status.INCOMPLEET},
        "activate": {Status.AANVRAAG_ONTVANGEN},
        "lapse": {Status.AANVRAAG_VERSTUURD},
        "expire": {Status.ACTIEF},
        "revoke_now": {Status.ACTIEF},
        "withdraw": set(PENDING_STATUSES),
        "schedule_revocation": {Status.ACTIEF},
        "execute_scheduled_revocation": {Status.ACTIEF},
    }


ALLOWED_CASES = [
    pytest.param(service, status, id=f"{service.name}-from-{status}")
    for service in SERVICES
    for status in sorted(service.allowed_from)
]
# A pending request never has a revocation date (only an ACTIEF one can be given one), so
# execute_scheduled_revocation is tried from pending statuses without one, further below.
_UNREACHABLE = {"execute_scheduled_revocation": PENDING_STATUSES}
REFUSED_CASES = [
    pytest.param(service, status, id=f"{service.name}-from-{status}")
    for service in SERVICES
    for status in sorted(set(Status) - service.allowed_from - _UNREACHABLE.get(service.name, set()))
]


def _actor_for(service, staff_user):
    return None if service.system else staff_user


@pytest.mark.parametrize(("service", "from_status"), ALLOWED_CASES)
def test_allowed_move(frozen, staff_user, service, from_status):
    km = ketenmachtiging_with_status(from_status, **service.km_fields)
    before = state_of(km)
    actor = _actor_for(service, staff_user)

    service.call(km, actor)

    after = state_of(km)
    assert after["status"] == (service.to_status or from_status)
    event = the_new_event(km, before)
    assert event.kind == service.event_kind
    assert event.actor == actor
    assert event.actor_kind == (ActorKind.SYSTEM if service.system else ActorKind.STAFF)
    if service.to_status is None:
        assert (event.from_status, event.to_status) == ("", "")
    else:
        assert (event.from_status, event.to_status) == (from_status, service.to_status)


@pytest.mark.parametrize(("service", "from_status"), REFUSED_CASES)
def test_refused_move_changes_nothing(staff_user, service, from_status):
    """Not frozen: a save would change updated_at, which the snapshot includes."""
    km = ketenmachtiging_with_status(from_status, **service.km_fields)
    before = state_of(km)
    event_count = KetenmachtigingEvent.objects.count()

    with pytest.raises(DomainError) as exc_info:
        service.call(km, _actor_for(service, staff_user))

    if service.to_status is not None:
        assert isinstance(exc_info.value, InvalidTransition)
        assert exc_info.value.from_status == from_status
        assert exc_info.value.to_status == service.to_status
    else:
        assert str(exc_info.value) == "Alleen een actieve ketenmachtiging kan worden opgezegd."
    km.refresh_from_db()
    assert km.status == from_status
    assert state_of(km) == before
    assert KetenmachtigingEvent.objects.count() == event_count


@pytest.mark.parametrize("from_status", sorted(set(Status) - {Status.ACTIEF}))
def test_execute_scheduled_revocation_without_a_date_is_refused(from_status):
    km = ketenmachtiging_with_status(from_status)
    assert km.revocation_date is None
    before = state_of(km)

    with pytest.raises(DomainError) as exc_info:
        lifecycle.execute_scheduled_revocation(km)

    assert str(exc_info.value) == "Voor deze ketenmachtiging is geen intrekking gepland."
    assert state_of(km) == before


def test_a_second_run_of_a_nightly_job_changes_nothing(frozen):
    km = KetenmachtigingFactory(actief=True, start_date=datetime.date(2021, 3, 10))
    lifecycle.expire(km)
    before = state_of(km)

    with pytest.raises(InvalidTransition):
        lifecycle.expire(km)

    assert state_of(km) == before


def test_a_stale_object_is_checked_against_the_stored_status(staff_user):
    """The service reads the row afresh: an object loaded before a revocation cannot activate."""
    km = KetenmachtigingFactory(aanvraag_ontvangen=True)
    lifecycle.withdraw(km, acting_user=UserFactory())
    assert km.status == Status.AANVRAAG_ONTVANGEN  # the stale copy
    before = state_of(km)

    with pytest.raises(InvalidTransition) as exc_info:
        lifecycle.activate(km, acting_user=staff_user)

    assert exc_info.value.from_status == Status.INGETROKKEN
    assert state_of(km) == before
