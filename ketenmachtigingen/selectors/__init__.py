"""Every non-trivial read of ketenmachtigingen: the pages' and the authorization rule's (for
the API: ketenmachtigingen/authorization.py)."""

from ..authorization import (
    Decision,
    Reason,
    check_authorization,
    check_authorization_fast,
    decision_queryset,
    relaties_represented,
)
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
from .request import existing_relatie, overlapping_ketenmachtigingen
from .timeline import MonthCount, expiry_timeline

__all__ = [
    "Decision",
    "MonthCount",
    "OverviewFilters",
    "RelatieRow",
    "acties_count",
    "acties_page",
    "afgegeven_page",
    "Reason",
    "apply_filters",
    "check_authorization",
    "check_authorization_fast",
    "decision_queryset",
    "existing_relatie",
    "expiry_timeline",
    "ketenmachtigingen_for_export",
    "overlapping_ketenmachtigingen",
    "overview_page",
    "relaties_represented",
    "relatie_details",
    "tab_queryset",
]
