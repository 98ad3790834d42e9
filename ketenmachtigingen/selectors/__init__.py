"""Every non-trivial read of the ketenmachtiging pages."""

from .overview import (
    OverviewFilters,
    RelatieRow,
    acties_count,
    acties_page,
    afgegeven_page,
    apply_filters,
    ketenmachtigingen_for_export,
    overview_page,
    relatie_details,
    tab_queryset,
)
from .request import CatalogueGroup, catalogue, existing_relatie, overlapping_ketenmachtigingen
from .timeline import MonthCount, expiry_timeline

__all__ = [
    "CatalogueGroup",
    "MonthCount",
    "OverviewFilters",
    "RelatieRow",
    "acties_count",
    "acties_page",
    "afgegeven_page",
    "apply_filters",
    "catalogue",
    "existing_relatie",
    "expiry_timeline",
    "ketenmachtigingen_for_export",
    "overlapping_ketenmachtigingen",
    "overview_page",
    "relatie_details",
    "tab_queryset",
]
