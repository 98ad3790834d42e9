"""What a person's EH-middel allows on its own, before any ketenmachtiging is looked at: the
first rung of the authorization rule (ketenmachtigingen/authorization.py builds on it) and the
warnings the manual's pickers show next to a person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .constants import KETENMACHTIGING_MIN_NIVEAU
from .models import Membership

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BELOW_EH3_WARNING = _(
    "Om gebruik te maken van de machtiging(en) dient de persoon te beschikken over een middel "
    "op minimaal niveau EH3."
)
BELASTINGDIENST_ONLY_WARNING = _(
    "Let op! Deze persoon beschikt over een middel dat alleen geschikt is om namens uw bedrijf "
    "in te loggen bij de Belastingdienst."
)


def below_ketenmachtiging_level(membership: Membership) -> bool:
    return membership.eh_niveau < KETENMACHTIGING_MIN_NIVEAU


def may_be_assigned(membership: Membership) -> bool:
    """Whether a person can be chosen for a ketenmachtiging or groep at all (the pickers)."""
    return membership.active and not below_ketenmachtiging_level(membership)


def picker_warnings(membership: Membership) -> list[StrOrPromise]:
    """The warnings the manual shows next to a person in "Kies gebruikers"."""
    warnings: list[StrOrPromise] = []
    if membership.active and below_ketenmachtiging_level(membership):
        warnings.append(BELOW_EH3_WARNING)
    if membership.belastingdienst_only:
        warnings.append(BELASTINGDIENST_ONLY_WARNING)
    return warnings
