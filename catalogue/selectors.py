"""Reads of the catalogue: the diensten picker."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q

from .models import Dienst, Dienstverlener

__all__ = [
    "diensten_picker",
    "ticked_ids",
    "CatalogueGroup",
    "catalogue",
]


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


def ticked_ids(values: Iterable[str]) -> set[int]:
    """The ids a picker's checkboxes sent (anything else is ignored)."""
    return {int(v) for v in values if v.isdigit()}


def diensten_picker(
    search: str,
    *,
    chosen_dienstverleners: set[int],
    chosen_diensten: set[int],
    chosen_algemeen: bool = False,
    show_algemeen: bool = False,
) -> dict[str, Any]:
    """The diensten picker's part of a page (templates/ketenmachtigingen/_diensten_list.html):
    the catalogue filtered by the search, what is ticked, and what is ticked but filtered out
    (kept as hidden inputs, so a search never drops a choice)."""
    groups = catalogue(search)
    return {
        "search": search,
        "groups": groups,
        "show_algemeen": show_algemeen,
        "chosen_algemeen": chosen_algemeen,
        "chosen_dienstverleners": chosen_dienstverleners,
        "chosen_diensten": chosen_diensten,
        "hidden_dienstverleners": chosen_dienstverleners - {g.dienstverlener.pk for g in groups},
        "hidden_diensten": chosen_diensten - {d.pk for g in groups for d in g.diensten},
    }
