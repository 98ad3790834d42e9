"""Verlengen: a renewal is a new request to the relatie, linked to the ketenmachtiging it renews,
with the same diensten, users, groups and duration."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from catalogue.scopes import ScopeSelection

from ..authorization import may_be_assigned
from ..constants import PENDING_STATUSES, Status
from ..errors import AlreadyRequested, DomainError
from ..models import Ketenmachtiging
from .creation import Assignment, RelatieContact, request_ketenmachtiging
from .lifecycle import locked

__all__ = [
    "request_renewal",
]


@transaction.atomic
def request_renewal(
    ketenmachtiging: Ketenmachtiging,
    *,
    acting_user: User | None,
    contact_name: str,
    contact_email: str,
    language: str,
    costs_agreed: bool,
) -> Ketenmachtiging:
    """Vraag verlenging aan: invite the relatie to sign a new form for the same scope."""
    with locked(ketenmachtiging) as old:
        if old.status != Status.ACTIEF:
            raise DomainError(_("Alleen een actieve ketenmachtiging kan worden verlengd."))
        if old.renewals.filter(status__in=[*PENDING_STATUSES, Status.ACTIEF]).exists():
            raise AlreadyRequested(_("Voor deze ketenmachtiging is al een verlenging aangevraagd."))
        intermediair = old.intermediair
        return request_ketenmachtiging(
            acting_user=acting_user,
            intermediair=intermediair,
            relatie=old.relatie,
            scope=ScopeSelection(
                algemene_bevoegdheid=old.algemene_bevoegdheid,
                dienstverleners=list(old.dienstverleners.all()),
                diensten=list(old.diensten.all()),
            ),
            # People whose middel no longer qualifies are left out rather than block it.
            assignment=Assignment(
                gebruikers=[m for m in old.gebruikers.all() if may_be_assigned(m)],
                groepen=list(old.groepen.all()),
            ),
            duration_years=old.duration_years,
            contact=RelatieContact(
                achternaam=contact_name, email=contact_email, telefoon=old.contact_telefoon
            ),
            intermediair_email=intermediair.afzender_email or old.intermediair_email,
            intermediair_telefoon=intermediair.afzender_telefoon or old.intermediair_telefoon,
            language=language,
            costs_agreed=costs_agreed,
            reference=old.reference,
            renews=old,
        )
