"""Reads for the ketenmachtiging pages."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from accounts.models import Organisation

from ..constants import HIDDEN_STATUSES, Status
from ..models import Dienst, Dienstverlener, Ketenmachtiging
from ..register import Company
from ..services.creation import ScopeSelection


@dataclass(frozen=True)
class CatalogueGroup:
    dienstverlener: Dienstverlener
    diensten: list[Dienst]


def catalogue(search: str = "") -> list[CatalogueGroup]:
    """The diensten picker: per dienstverlener its active diensten, filtered by a search on
    dienst or dienstverlener ("Zoek op dienst of dienstverlener...")."""
    diensten = Dienst.objects.filter(active=True).order_by("name")
    dienstverleners = Dienstverlener.objects.order_by("name")
    for term in search.split():
        matches_provider = Q(name__icontains=term)
        dienstverleners = dienstverleners.filter(
            matches_provider | Q(diensten__name__icontains=term, diensten__active=True)
        ).distinct()
    groups = []
    for dienstverlener in dienstverleners.prefetch_related(
        Prefetch("diensten", queryset=diensten, to_attr="active_diensten")
    ):
        shown = dienstverlener.active_diensten
        terms = search.lower().split()
        if terms and not all(t in dienstverlener.name.lower() for t in terms):
            shown = [d for d in shown if all(t in d.name.lower() for t in terms)]
        groups.append(CatalogueGroup(dienstverlener, shown))
    return groups


def existing_relatie(company: Company) -> Organisation | None:
    if company.kvk_nummer:
        return Organisation.objects.filter(kvk_nummer=company.kvk_nummer).first()
    return Organisation.objects.filter(rsin=company.rsin).first()


def _covered(scope) -> tuple[bool, set[int], set[int]]:
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


def _overlap(a, b, dienstverlener_of: dict[int, int]) -> bool:
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
