"""Reads for the groepen pages. Everything is scoped to one organisation."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Organisation
from accounts.selectors import gebruikers_of
from catalogue.models import Dienst, Dienstverlener
from catalogue.scopes import ScopeSelection

from .models import Groep
from .usage import uses

__all__ = [
    "chosen_toegestane_diensten",
    "groep_details",
    "groep_of",
    "groepen_overview",
    "has_toegestane_diensten",
    "linked_ketenmachtigingen_count",
    "member_candidates",
    "toegestane_diensten_of",
]


def _count(queryset: QuerySet[Any], outer_field: str) -> Coalesce:
    """A correlated COUNT(*) subquery: no joins that multiply each other's rows."""
    return Coalesce(
        Subquery(
            queryset.filter(**{outer_field: OuterRef("pk")})
            .order_by()
            .values(outer_field)
            .annotate(n=Count("*"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def groepen_overview(organisation: Organisation) -> QuerySet[Groep]:
    """The groepen page: every groep of the organisation with member_count, dienst_count,
    dienstverlener_count and ketenmachtiging_count, by name."""
    return (
        Groep.objects.filter(organisation=organisation)
        .annotate(
            member_count=_count(Groep.members.through.objects.all(), "groep_id"),
            dienst_count=_count(Groep.diensten.through.objects.all(), "groep_id"),
            dienstverlener_count=_count(Groep.dienstverleners.through.objects.all(), "groep_id"),
            ketenmachtiging_count=_count(uses().in_use(), "groep_id"),
        )
        .order_by("name", "pk")
    )


def groep_of(organisation: Organisation, groep_id: int) -> Groep:
    """The organisation's groep, or a 404: another organisation's groep does not exist here."""
    return get_object_or_404(Groep, pk=groep_id, organisation=organisation)


def groep_details(organisation: Organisation, groep_id: int) -> Groep:
    """A groep with its members (and their people) and toegestane diensten, or a 404."""
    queryset = Groep.objects.filter(organisation=organisation).prefetch_related(
        Prefetch(
            "members",
            queryset=Membership.objects.select_related("user").order_by(
                "user__last_name", "user__initials", "user__username"
            ),
        ),
        "dienstverleners",
        Prefetch("diensten", queryset=Dienst.objects.select_related("dienstverlener")),
    )
    return get_object_or_404(queryset, pk=groep_id)


def has_toegestane_diensten(groep: Groep) -> bool:
    """Whether "Voeg groep toe" was done: a new groep has no toegestane diensten yet."""
    # .all(): uses the prefetched lists of groep_details() when they are there.
    return groep.algemene_bevoegdheid or bool(groep.dienstverleners.all() or groep.diensten.all())


def linked_ketenmachtigingen_count(groep: Groep) -> int:
    """How many ketenmachtigingen use the groep (revoked and lapsed ones not counted)."""
    return uses().in_use().filter(groep_id=groep.pk).count()


def member_candidates(organisation: Organisation, *, search: str = "") -> QuerySet[Membership]:
    """Who can be chosen in "Voeg gebruikers toe": the organisation's active middelen."""
    return gebruikers_of(organisation, search=search).filter(active=True)


def toegestane_diensten_of(groep: Groep) -> ScopeSelection:
    """What "Beperk toegestane diensten" holds for the groep now (empty for Algemene
    bevoegdheid), in catalogue order."""
    if groep.algemene_bevoegdheid:
        return ScopeSelection()
    return ScopeSelection(
        dienstverleners=sorted(groep.dienstverleners.all(), key=lambda d: d.name),
        diensten=sorted(groep.diensten.all(), key=lambda d: (d.dienstverlener.name, d.name)),
    )


def chosen_toegestane_diensten(
    dienstverlener_ids: Iterable[int], dienst_ids: Iterable[int]
) -> ScopeSelection:
    """Diensten ticked in "Kies toegestane diensten" and not saved yet; unknown ids and
    diensten no longer in the catalogue fall away."""
    return ScopeSelection(
        dienstverleners=list(Dienstverlener.objects.filter(pk__in=dienstverlener_ids)),
        diensten=list(
            Dienst.objects.filter(pk__in=dienst_ids, active=True)
            .select_related("dienstverlener")
            .order_by("dienstverlener__name", "name")
        ),
    )
