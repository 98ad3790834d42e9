from django.core.paginator import Paginator
from django.shortcuts import render

from ..access import portal_view
from ..middelen import picker_warnings
from ..selectors import gebruikers_of

PAGE_SIZE = 25


@portal_view
def gebruikers(request):
    """gebruikers: the organisation's people and their middelen, read only, searchable."""
    search = request.GET.get("zoek", "").strip()[:100]
    page = Paginator(gebruikers_of(request.organisation, search=search), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    for membership in page:
        membership.warnings = picker_warnings(membership)
    partial = request.htmx
    template = "accounts/_gebruikers_table.html" if partial else "accounts/gebruikers.html"
    return render(request, template, {"menu": "gebruikers", "page": page, "search": search})
