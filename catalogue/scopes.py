"""What a person chose of the catalogue in "Kies diensten", and comparing it with a Scope."""

from collections.abc import Sequence
from dataclasses import dataclass

from .models import Dienst, Dienstverlener, Scope

__all__ = [
    "ScopeSelection",
    "same_scope",
]


@dataclass(frozen=True)
class ScopeSelection:
    """What was chosen in "Kies diensten"."""

    algemene_bevoegdheid: bool = False
    dienstverleners: Sequence[Dienstverlener] = ()
    diensten: Sequence[Dienst] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.algemene_bevoegdheid or self.dienstverleners or self.diensten)


def same_scope(km: Scope, scope: ScopeSelection) -> bool:
    """The ketenmachtiging covers exactly the chosen diensten (both Algemene bevoegdheid, or
    the same dienstverleners and the same diensten)."""
    if km.algemene_bevoegdheid or scope.algemene_bevoegdheid:
        return km.algemene_bevoegdheid == scope.algemene_bevoegdheid
    return {d.pk for d in km.dienstverleners.all()} == {d.pk for d in scope.dienstverleners} and {
        d.pk for d in km.diensten.all()
    } == {d.pk for d in scope.diensten}
