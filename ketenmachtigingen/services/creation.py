"""New ketenmachtigingen: a request sent to a relatie, or one already approved elsewhere.

Both are sent once per form: the wizard's draft carries a submission key, stored (unique) with
the ketenmachtiging it made; a second or concurrent submit of the same draft gets that one
back instead of making another.
"""

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, User
from catalogue.scopes import ScopeSelection, same_scope
from groepen.models import Groep

from .. import dates
from ..authorization import may_be_assigned
from ..constants import (
    MAX_DURATION_YEARS,
    MIN_DURATION_YEARS,
    REGISTER_APPROVED,
    REQUEST,
    Leverancier,
    Status,
    Transition,
    duration_range_message,
)
from ..errors import DomainError
from ..models import Ketenmachtiging
from .transitions import move

__all__ = [
    "Assignment",
    "RelatieContact",
    "ScopeSelection",
    "check_duration",
    "register_approved_ketenmachtiging",
    "request_ketenmachtiging",
]


@dataclass(frozen=True)
class RelatieContact:
    """The contact at the relatie, who receives the invitation."""

    initialen: str = ""
    tussenvoegsel: str = ""
    achternaam: str = ""
    email: str = ""
    telefoon: str = ""


@dataclass(frozen=True)
class Assignment:
    """What was chosen in "Kies gebruikers": people and groups of the intermediair."""

    gebruikers: Sequence[Membership] = ()
    groepen: Sequence[Groep] = field(default=())


def _refuse_identical_actief(
    *, intermediair: Organisation, relatie: Organisation, scope: ScopeSelection
) -> None:
    """A second Actief ketenmachtiging for exactly the same diensten is never what is meant
    (a renewal replaces the one it renews and is not asked here)."""
    actief = Ketenmachtiging.objects.filter(
        intermediair=intermediair, relatie=relatie, status=Status.ACTIEF
    ).prefetch_related("dienstverleners", "diensten")
    for km in actief:
        if same_scope(km, scope):
            raise DomainError(
                _(
                    "%(name)s heeft al een actieve ketenmachtiging voor precies deze diensten "
                    "(einddatum %(end)s). Er wordt geen tweede aangevraagd; verleng de bestaande "
                    "op het tabblad Acties."
                )
                # An active ketenmachtiging has its end date.
                % {
                    "name": relatie.name,
                    "end": cast(datetime.date, km.end_date).strftime("%d-%m-%Y"),
                }
            )


def check_duration(duration_years: int) -> None:
    if not MIN_DURATION_YEARS <= duration_years <= MAX_DURATION_YEARS:
        raise DomainError(duration_range_message())


def _validate(
    *,
    intermediair: Organisation,
    relatie: Organisation,
    scope: ScopeSelection,
    assignment: Assignment,
    duration_years: int,
) -> None:
    if relatie.pk == intermediair.pk:
        raise DomainError(_("Een organisatie kan zichzelf geen ketenmachtiging geven."))
    if scope.is_empty:
        raise DomainError(_("Kies één of meerdere diensten."))
    check_duration(duration_years)
    for membership in assignment.gebruikers:
        if membership.organisation_id != intermediair.pk:
            raise DomainError(_("Deze gebruiker hoort niet bij uw organisatie."))
        if not may_be_assigned(membership):
            raise DomainError(
                _("%(name)s heeft geen middel op minimaal niveau EH3.")
                % {"name": membership.user.display_name}
            )
    for groep in assignment.groepen:
        if groep.organisation_id != intermediair.pk:
            raise DomainError(_("Deze groep hoort niet bij uw organisatie."))


def _create(
    *,
    acting_user: User | None,
    transition: Transition,
    intermediair: Organisation,
    relatie: Organisation,
    scope: ScopeSelection,
    assignment: Assignment,
    duration_years: int,
    submission_key: uuid.UUID | None,
    note: str | None = None,
    **fields: Any,
) -> Ketenmachtiging:
    if submission_key is not None and (made := _made_by(submission_key)):
        return made
    _validate(
        intermediair=intermediair,
        relatie=relatie,
        scope=scope,
        assignment=assignment,
        duration_years=duration_years,
    )
    if fields.get("renews") is None:
        _refuse_identical_actief(intermediair=intermediair, relatie=relatie, scope=scope)
    km = Ketenmachtiging(
        intermediair=intermediair,
        relatie=relatie,
        algemene_bevoegdheid=scope.algemene_bevoegdheid,
        duration_years=duration_years,
        created_by=acting_user,
        submission_key=submission_key,
        **fields,
    )
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin trips the unique key
            move(km, transition, acting_user=acting_user, note=note)
    except IntegrityError:
        if submission_key is not None and (made := _made_by(submission_key)):
            return made
        raise
    if not scope.algemene_bevoegdheid:
        km.dienstverleners.set(scope.dienstverleners)
        km.diensten.set(scope.diensten)
    km.gebruikers.set(assignment.gebruikers)
    km.groepen.set(assignment.groepen)
    return km


def _made_by(submission_key: uuid.UUID) -> Ketenmachtiging | None:
    return Ketenmachtiging.objects.filter(submission_key=submission_key).first()


@transaction.atomic
def request_ketenmachtiging(
    *,
    acting_user: User | None,
    intermediair: Organisation,
    relatie: Organisation,
    scope: ScopeSelection,
    assignment: Assignment,
    duration_years: int,
    contact: RelatieContact,
    intermediair_email: str,
    intermediair_telefoon: str,
    language: str = "nl",
    personal_message: str = "",
    costs_agreed: bool,
    reference: str = "",
    renews: Ketenmachtiging | None = None,
    submission_key: uuid.UUID | None = None,
) -> Ketenmachtiging:
    """Verzend aanvraag tot goedkeuring: the relatie is invited to sign the form (the
    invitation is an outbox message of the same transaction)."""
    if not costs_agreed:
        raise DomainError(_("Ga akkoord met de kosten voor vastlegging van deze ketenmachtiging."))
    if not contact.email:
        raise DomainError(_("Vul het e-mailadres van de contactpersoon in."))
    if renews is not None and (
        renews.intermediair_id != intermediair.pk
        or renews.relatie_id != relatie.pk
        or renews.status != Status.ACTIEF
    ):
        raise DomainError(
            _("Alleen een actieve ketenmachtiging van deze relatie kan worden verlengd.")
        )
    now = timezone.now()
    return _create(
        acting_user=acting_user,
        transition=REQUEST,
        intermediair=intermediair,
        relatie=relatie,
        scope=scope,
        assignment=assignment,
        duration_years=duration_years,
        contact_initialen=contact.initialen,
        contact_tussenvoegsel=contact.tussenvoegsel,
        contact_achternaam=contact.achternaam,
        contact_email=contact.email,
        contact_telefoon=contact.telefoon,
        intermediair_email=intermediair_email,
        intermediair_telefoon=intermediair_telefoon,
        language=language,
        personal_message=personal_message,
        costs_agreed_at=now,
        sent_at=now,
        reference=reference,
        renews=renews,
        submission_key=submission_key,
    )


@transaction.atomic
def register_approved_ketenmachtiging(
    *,
    acting_user: User | None,
    intermediair: Organisation,
    relatie: Organisation,
    scope: ScopeSelection,
    assignment: Assignment,
    duration_years: int,
    leverancier: Leverancier,
    reference: str = "",
    submission_key: uuid.UUID | None = None,
) -> Ketenmachtiging:
    """Ik heb al goedkeuring ontvangen: already approved at a leverancier; active at once."""
    if leverancier not in Leverancier.values:
        raise DomainError(_("Kies de organisatie waar de ketenmachtiging is vastgelegd."))
    start = dates.today()
    return _create(
        acting_user=acting_user,
        transition=REGISTER_APPROVED,
        intermediair=intermediair,
        relatie=relatie,
        scope=scope,
        assignment=assignment,
        duration_years=duration_years,
        note=f"Verwerkt als goedgekeurd ({Leverancier(leverancier).label}).",
        leverancier=leverancier,
        start_date=start,
        end_date=dates.end_date_for(start, duration_years),
        activated_at=timezone.now(),
        reference=reference,
        submission_key=submission_key,
    )
