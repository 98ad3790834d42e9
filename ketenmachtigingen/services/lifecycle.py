"""Every change of a ketenmachtiging's status, one function per transition.

Audit notes are written in Dutch whatever the language of the person acting: the trail is
read by Z login staff and must read the same for everyone.

Each locks the row, checks the move against TRANSITIONS, saves only the fields it changes,
records an event in the same transaction and queues side effects on commit.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import dates
from ..constants import PENDING_STATUSES, TRANSITIONS, EventKind, Status
from ..errors import DomainError, InvalidTransition
from ..models import Ketenmachtiging
from .audit import record_event


def ensure_transition_allowed(from_status: str | None, to_status: str) -> None:
    if to_status not in TRANSITIONS[from_status]:
        raise InvalidTransition(from_status, to_status)


@contextmanager
def locked(ketenmachtiging: Ketenmachtiging) -> Iterator[Ketenmachtiging]:
    """The row, freshly read and locked until the surrounding transaction ends."""
    with transaction.atomic():
        yield Ketenmachtiging.objects.select_for_update().get(pk=ketenmachtiging.pk)


def _move(
    km: Ketenmachtiging, *, to_status: str, acting_user, note: str = "", **changes
) -> Ketenmachtiging:
    """Apply one transition to a locked row. The caller holds the transaction."""
    ensure_transition_allowed(km.status, to_status)
    from_status = km.status
    km.status = to_status
    for field, value in changes.items():
        setattr(km, field, value)
    km.save(update_fields=["status", "updated_at", *changes])
    record_event(
        km,
        kind=EventKind.STATUS,
        acting_user=acting_user,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    return km


def mark_received(
    ketenmachtiging: Ketenmachtiging, *, acting_user, received_on: datetime.date | None = None
) -> Ketenmachtiging:
    """Staff registered the signed paper form (also after an incomplete form was completed)."""
    today = dates.today()
    received_on = received_on or today
    if received_on > today:
        raise DomainError(_("Een ontvangstdatum kan niet in de toekomst liggen."))
    with locked(ketenmachtiging) as km:
        ensure_transition_allowed(km.status, Status.AANVRAAG_ONTVANGEN)
        deadline = dates.invitation_deadline(km.sent_at)
        # The deadline is for the signed form; completing an incomplete one may come later.
        if km.status == Status.AANVRAAG_VERSTUURD and received_on > deadline:
            raise DomainError(
                _(
                    "Dit formulier is ontvangen na de uiterste datum %(deadline)s "
                    "(3 maanden na versturen) en kan niet worden verwerkt."
                )
                % {"deadline": deadline.strftime("%d-%m-%Y")}
            )
        return _move(
            km,
            to_status=Status.AANVRAAG_ONTVANGEN,
            acting_user=acting_user,
            received_at=timezone.now() if received_on == today else dates.start_of(received_on),
            status_reason="",
        )


def mark_incomplete(ketenmachtiging: Ketenmachtiging, *, acting_user, reason: str):
    if not reason.strip():
        raise DomainError(_("Geef aan wat er ontbreekt."))
    with locked(ketenmachtiging) as km:
        return _move(
            km,
            to_status=Status.INCOMPLEET,
            acting_user=acting_user,
            note=reason,
            status_reason=reason,
        )


def mark_failed(ketenmachtiging: Ketenmachtiging, *, acting_user, reason: str):
    """Sending the invitation failed, or the form was signed wrongly."""
    if not reason.strip():
        raise DomainError(_("Geef de reden op."))
    with locked(ketenmachtiging) as km:
        return _move(
            km, to_status=Status.FOUT, acting_user=acting_user, note=reason, status_reason=reason
        )


def activation_start(km: Ketenmachtiging, requested: datetime.date | None) -> datetime.date:
    """A renewal starts where the ketenmachtiging it renews ends, unless a date is chosen."""
    if requested:
        return requested
    today = dates.today()
    if km.renews_id and km.renews.end_date and km.renews.end_date > today:
        return km.renews.end_date
    return today


def activate(
    ketenmachtiging: Ketenmachtiging, *, acting_user, start_date: datetime.date | None = None
) -> Ketenmachtiging:
    with locked(ketenmachtiging) as km:
        start = activation_start(km, start_date)
        return _move(
            km,
            to_status=Status.ACTIEF,
            acting_user=acting_user,
            start_date=start,
            end_date=dates.end_date_for(start, km.duration_years),
            activated_at=timezone.now(),
            status_reason="",
        )


def lapse(ketenmachtiging: Ketenmachtiging, *, today: datetime.date | None = None):
    """The invitation was not answered within 3 months (nightly job)."""
    today = today or dates.today()
    with locked(ketenmachtiging) as km:
        if km.status == Status.AANVRAAG_VERSTUURD and today <= dates.invitation_deadline(
            km.sent_at
        ):
            raise DomainError(_("Deze uitnodiging is nog geldig."))
        return _move(
            km,
            to_status=Status.VERVALLEN,
            acting_user=None,
            note="Niet binnen 3 maanden ontvangen.",
        )


def expire(ketenmachtiging: Ketenmachtiging, *, today: datetime.date | None = None):
    """The end date passed (nightly job)."""
    today = today or dates.today()
    with locked(ketenmachtiging) as km:
        if km.status == Status.ACTIEF and km.end_date > today:
            raise DomainError(_("Deze ketenmachtiging loopt nog tot %s.") % km.end_date)
        return _move(km, to_status=Status.VERLOPEN, acting_user=None)


def revoke_now(ketenmachtiging: Ketenmachtiging, *, acting_user) -> Ketenmachtiging:
    """Verwijder bedrijf, per direct. The relatie is not notified."""
    with locked(ketenmachtiging) as km:
        if km.status != Status.ACTIEF:  # a pending request is withdrawn instead
            raise InvalidTransition(km.status, Status.INGETROKKEN)
        return _move(
            km,
            to_status=Status.INGETROKKEN,
            acting_user=acting_user,
            note="Per direct ingetrokken.",
            revoked_at=timezone.now(),
        )


def schedule_revocation(
    ketenmachtiging: Ketenmachtiging, *, acting_user, on_date: datetime.date
) -> Ketenmachtiging:
    """Op een specifieke einddatum in de toekomst: it stays in force until that date."""
    with locked(ketenmachtiging) as km:
        if km.status != Status.ACTIEF:
            raise DomainError(_("Alleen een actieve ketenmachtiging kan worden opgezegd."))
        if on_date <= dates.today():
            raise DomainError(_("Kies een opzeggingsdatum in de toekomst."))
        if on_date >= km.end_date:
            raise DomainError(
                _("Kies een datum vóór de einddatum %(end)s; daarna vervalt de machtiging al.")
                % {"end": km.end_date.strftime("%d-%m-%Y")}
            )
        km.revocation_date = on_date
        km.save(update_fields=["revocation_date", "updated_at"])
        record_event(
            km,
            kind=EventKind.REVOCATION_SCHEDULED,
            acting_user=acting_user,
            note=f"Intrekking gepland op {on_date:%d-%m-%Y}.",
        )
        return km


def execute_scheduled_revocation(
    ketenmachtiging: Ketenmachtiging, *, today: datetime.date | None = None
) -> Ketenmachtiging:
    """The chosen revocation date has come (nightly job)."""
    today = today or dates.today()
    with locked(ketenmachtiging) as km:
        if km.revocation_date is None or km.revocation_date > today:
            raise DomainError(_("Voor deze ketenmachtiging is geen intrekking gepland."))
        ensure_transition_allowed(km.status, Status.INGETROKKEN)
        if km.status != Status.ACTIEF:
            raise InvalidTransition(km.status, Status.INGETROKKEN)
        return _move(
            km,
            to_status=Status.INGETROKKEN,
            acting_user=None,
            note="Ingetrokken op de gekozen datum.",
            revoked_at=timezone.now(),
        )


def withdraw(ketenmachtiging: Ketenmachtiging, *, acting_user) -> Ketenmachtiging:
    """A pending request is withdrawn, or a failed one removed to request it again."""
    with locked(ketenmachtiging) as km:
        if km.status not in PENDING_STATUSES:
            raise InvalidTransition(km.status, Status.INGETROKKEN)
        return _move(
            km,
            to_status=Status.INGETROKKEN,
            acting_user=acting_user,
            note="Aanvraag ingetrokken.",
            revoked_at=timezone.now(),
        )


def revoke_relatie(
    *,
    acting_user,
    intermediair,
    relatie,
    on_date: datetime.date | None = None,
) -> list[Ketenmachtiging]:
    """Verwijder bedrijf: every active ketenmachtiging of the relatie ends, now or on a date.

    All or nothing: when one cannot be revoked on that date, none is.
    """
    with transaction.atomic():
        active = list(
            Ketenmachtiging.objects.filter(
                intermediair=intermediair, relatie=relatie, status=Status.ACTIEF
            ).order_by("pk")
        )
        if not active:
            raise DomainError(_("Deze relatie heeft geen actieve ketenmachtiging."))
        if on_date is None:
            return [revoke_now(km, acting_user=acting_user) for km in active]
        return [schedule_revocation(km, acting_user=acting_user, on_date=on_date) for km in active]
