"""Every change of a ketenmachtiging's status, one function per action.

Each locks the row, checks what the action itself requires (a date, a reason), and applies
its declared transition (constants.LIFECYCLE) through the engine in transitions.py, which
saves only the fields it changes, writes the audit event and the side effects (outbox messages,
berichten) in the same transaction. Audit notes are Dutch whatever the language of the person
acting: the trail is read by Z login staff and must read the same for everyone.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation, User

from .. import dates
from ..constants import (
    ACTIVATE,
    EXPIRE,
    FAIL,
    INVITATION_SENT,
    INVITATION_VALID_MONTHS,
    LAPSE,
    MARK_INCOMPLETE,
    RECEIVE,
    RESEND_INVITATION,
    REVOKE_NOW,
    REVOKE_ON_DATE,
    SCHEDULE_REVOCATION,
    WITHDRAW,
    Status,
)
from ..errors import DomainError
from ..models import Ketenmachtiging
from .transitions import ensure_allowed, move

__all__ = [
    "activate",
    "activation_start",
    "execute_scheduled_revocation",
    "expire",
    "lapse",
    "locked",
    "mark_failed",
    "mark_incomplete",
    "mark_received",
    "record_invitation_sent",
    "resend_invitation",
    "revoke",
    "revoke_now",
    "revoke_relatie",
    "schedule_revocation",
    "withdraw",
]


@contextmanager
def locked(ketenmachtiging: Ketenmachtiging) -> Iterator[Ketenmachtiging]:
    """The row, freshly read and locked until the surrounding transaction ends."""
    with transaction.atomic():
        yield Ketenmachtiging.objects.select_for_update().get(pk=ketenmachtiging.pk)


def mark_received(
    ketenmachtiging: Ketenmachtiging,
    *,
    acting_user: User | None,
    received_on: datetime.date | None = None,
) -> Ketenmachtiging:
    """Staff registered the signed paper form (also after an incomplete form was completed)."""
    today = dates.today()
    received_on = received_on or today
    if received_on > today:
        raise DomainError(_("Een ontvangstdatum kan niet in de toekomst liggen."))
    with locked(ketenmachtiging) as km:
        ensure_allowed(RECEIVE, km.status)
        assert km.sent_at is not None  # a request waiting for its form was sent
        deadline = dates.invitation_deadline(km.sent_at)
        # The deadline is for the signed form; completing an incomplete one may come later.
        if km.status == Status.AANVRAAG_VERSTUURD and received_on > deadline:
            raise DomainError(
                ngettext(
                    "Dit formulier is ontvangen na de uiterste datum %(deadline)s "
                    "(%(months)s maand na versturen) en kan niet worden verwerkt.",
                    "Dit formulier is ontvangen na de uiterste datum %(deadline)s "
                    "(%(months)s maanden na versturen) en kan niet worden verwerkt.",
                    INVITATION_VALID_MONTHS,
                )
                % {"deadline": deadline.strftime("%d-%m-%Y"), "months": INVITATION_VALID_MONTHS}
            )
        return move(
            km,
            RECEIVE,
            acting_user=acting_user,
            received_at=timezone.now() if received_on == today else dates.start_of(received_on),
            status_reason="",
        )


def mark_incomplete(
    ketenmachtiging: Ketenmachtiging, *, acting_user: User | None, reason: str
) -> Ketenmachtiging:
    """Markeer als incompleet: the relatie's contact is mailed what is missing, the
    intermediair gets a bericht (the transition's effects)."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Geef aan wat er ontbreekt."))
    with locked(ketenmachtiging) as km:
        return move(km, MARK_INCOMPLETE, acting_user=acting_user, note=reason, status_reason=reason)


def mark_failed(
    ketenmachtiging: Ketenmachtiging, *, acting_user: User | None, reason: str
) -> Ketenmachtiging:
    """Sending the invitation failed, or the form was signed wrongly; the intermediair gets a
    bericht with the reason."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Geef de reden op."))
    with locked(ketenmachtiging) as km:
        return move(km, FAIL, acting_user=acting_user, note=reason, status_reason=reason)


def record_invitation_sent(km: Ketenmachtiging) -> Ketenmachtiging:
    """The invitation went out (outbox delivery); `km` is locked by the caller."""
    return move(
        km,
        INVITATION_SENT,
        acting_user=None,
        note=f"Uitnodiging verstuurd naar {km.contact_email}.",
        invitation_sent_at=timezone.now(),
    )


def resend_invitation(
    ketenmachtiging: Ketenmachtiging, *, acting_user: User | None
) -> Ketenmachtiging:
    """Staff send an invitation again whose delivery failed: it waits for its form again, with
    a new deadline."""
    with locked(ketenmachtiging) as km:
        if km.invitation_sent_at is not None:
            raise DomainError(_("De uitnodiging van deze ketenmachtiging is al verstuurd."))
        return move(
            km, RESEND_INVITATION, acting_user=acting_user, sent_at=timezone.now(), status_reason=""
        )


def activation_start(km: Ketenmachtiging, requested: datetime.date | None) -> datetime.date:
    """A renewal starts where the ketenmachtiging it renews ends, unless a date is chosen."""
    if requested:
        return requested
    today = dates.today()
    renews = km.renews if km.renews_id else None
    if renews is not None and renews.end_date and renews.end_date > today:
        return renews.end_date
    return today


def activate(
    ketenmachtiging: Ketenmachtiging,
    *,
    acting_user: User | None,
    start_date: datetime.date | None = None,
) -> Ketenmachtiging:
    with locked(ketenmachtiging) as km:
        start = activation_start(km, start_date)
        return move(
            km,
            ACTIVATE,
            acting_user=acting_user,
            start_date=start,
            end_date=dates.end_date_for(start, km.duration_years),
            activated_at=timezone.now(),
            status_reason="",
        )


def lapse(
    ketenmachtiging: Ketenmachtiging, *, today: datetime.date | None = None
) -> Ketenmachtiging:
    """The invitation was not answered within 3 months (the nightly job does this in bulk)."""
    today = today or dates.today()
    with locked(ketenmachtiging) as km:
        if km.status == Status.AANVRAAG_VERSTUURD and today <= dates.invitation_deadline(
            cast(datetime.datetime, km.sent_at)  # a sent request has its sent_at
        ):
            raise DomainError(_("Deze uitnodiging is nog geldig."))
        return move(km, LAPSE, acting_user=None)


def expire(
    ketenmachtiging: Ketenmachtiging, *, today: datetime.date | None = None
) -> Ketenmachtiging:
    """The end date passed (the nightly job does this in bulk)."""
    today = today or dates.today()
    with locked(ketenmachtiging) as km:
        # An active ketenmachtiging has its end date.
        if km.status == Status.ACTIEF and cast(datetime.date, km.end_date) > today:
            raise DomainError(_("Deze ketenmachtiging loopt nog tot %s.") % km.end_date)
        return move(km, EXPIRE, acting_user=None)


def revoke_now(ketenmachtiging: Ketenmachtiging, *, acting_user: User | None) -> Ketenmachtiging:
    """Verwijder bedrijf, per direct. The relatie is not notified. (A pending request is
    withdrawn instead.)"""
    with locked(ketenmachtiging) as km:
        return move(km, REVOKE_NOW, acting_user=acting_user, revoked_at=timezone.now())


def schedule_revocation(
    ketenmachtiging: Ketenmachtiging, *, acting_user: User | None, on_date: datetime.date
) -> Ketenmachtiging:
    """Op een specifieke einddatum in de toekomst: it stays in force until that date."""
    with locked(ketenmachtiging) as km:
        if km.status != Status.ACTIEF:
            raise DomainError(_("Alleen een actieve ketenmachtiging kan worden opgezegd."))
        assert km.end_date is not None  # an active ketenmachtiging has its end date
        if on_date <= dates.today():
            raise DomainError(_("Kies een opzeggingsdatum in de toekomst."))
        if on_date >= km.end_date:
            raise DomainError(
                _("Kies een datum vóór de einddatum %(end)s; daarna vervalt de machtiging al.")
                % {"end": km.end_date.strftime("%d-%m-%Y")}
            )
        return move(
            km,
            SCHEDULE_REVOCATION,
            acting_user=acting_user,
            note=f"Intrekking gepland op {on_date:%d-%m-%Y}.",
            revocation_date=on_date,
        )


def execute_scheduled_revocation(
    ketenmachtiging: Ketenmachtiging, *, today: datetime.date | None = None
) -> Ketenmachtiging:
    """The chosen revocation date has come (the nightly job does this in bulk)."""
    today = today or dates.today()
    with locked(ketenmachtiging) as km:
        if km.revocation_date is None or km.revocation_date > today:
            raise DomainError(_("Voor deze ketenmachtiging is geen intrekking gepland."))
        return move(km, REVOKE_ON_DATE, acting_user=None, revoked_at=timezone.now())


def withdraw(
    ketenmachtiging: Ketenmachtiging, *, acting_user: User | None, note: str | None = None
) -> Ketenmachtiging:
    """A pending request is withdrawn, or a failed one removed to request it again."""
    with locked(ketenmachtiging) as km:
        return move(km, WITHDRAW, acting_user=acting_user, note=note, revoked_at=timezone.now())


def revoke_relatie(
    *,
    acting_user: User | None,
    intermediair: Organisation,
    relatie: Organisation,
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
        return [revoke(km, acting_user=acting_user, on_date=on_date) for km in active]


def revoke(
    ketenmachtiging: Ketenmachtiging,
    *,
    acting_user: User | None,
    on_date: datetime.date | None = None,
) -> Ketenmachtiging:
    """One active ketenmachtiging ends on its own (the relatie's others stay): now, or on a
    date in the future."""
    if on_date is None:
        return revoke_now(ketenmachtiging, acting_user=acting_user)
    return schedule_revocation(ketenmachtiging, acting_user=acting_user, on_date=on_date)
