"""Reads for the ketenmachtiging pages."""

from accounts.models import Organisation
from catalogue.models import Dienst
from catalogue.scopes import ScopeSelection

from ..constants import HIDDEN_STATUSES, Status
from ..models import Ketenmachtiging
from ..register import Company

__all__ = [
    "existing_relatie",
    "overlapping_ketenmachtigingen",
]


def existing_relatie(company: Company) -> Organisation | None:
    if company.kvk_nummer:
        return Organisation.objects.filter(kvk_nummer=company.kvk_nummer).first()
    return Organisation.objects.filter(rsin=company.rsin).first()


def _covered(scope: ScopeSelection | Ketenmachtiging) -> tuple[bool, set[int], set[int]]:
    """(all, dienstverlener ids, dienst ids) of a scope or a ketenmachtiging."""
    if isinstance(scope, ScopeSelection):
        return (
            scope.algemene_bevoegdheid,
            {d.pk for d in scope.dienstverleners},
            {d.pk for d in scope.diensten},
        )
    return (
        scope.algemene_bevoegdheid,
        {d.pk for d in scope.dienstverleners.all()},
        {d.pk for d in scope.diensten.all()},
    )


def _overlap(
    a: ScopeSelection | Ketenmachtiging,
    b: ScopeSelection | Ketenmachtiging,
    dienstverlener_of: dict[int, int],
) -> bool:
    all_a, providers_a, diensten_a = _covered(a)
    all_b, providers_b, diensten_b = _covered(b)
    if all_a or all_b:
        return True
    if providers_a & providers_b or diensten_a & diensten_b:
        return True
    return any(dienstverlener_of[d] in providers_b for d in diensten_a) or any(
        dienstverlener_of[d] in providers_a for d in diensten_b
    )


def overlapping_ketenmachtigingen(
    *, intermediair: Organisation, relatie: Organisation | None, scope: ScopeSelection
) -> list[Ketenmachtiging]:
    """Active or pending ketenmachtigingen of the relatie that already cover a chosen dienst."""
    if relatie is None:
        return []
    existing = list(
        Ketenmachtiging.objects.filter(intermediair=intermediair, relatie=relatie)
        .exclude(status__in=[*HIDDEN_STATUSES, Status.VERLOPEN])
        .prefetch_related("dienstverleners", "diensten")
    )
    if not existing:
        return []
    dienstverlener_of = dict(Dienst.objects.values_list("pk", "dienstverlener_id"))
    return [km for km in existing if _overlap(scope, km, dienstverlener_of)]
