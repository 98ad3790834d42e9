from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from accounts.access import portal_view

from .selectors import berichten_for
from .services import mark_read

PAGE_SIZE = 20


@portal_view
def berichten(request):
    """Berichtenbox: the organisation's berichten, newest first, unread ones marked."""
    qs = berichten_for(organisation=request.organisation, user=request.user).select_related(
        "ketenmachtiging__relatie"
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "berichtenbox/list.html", {"menu": "berichtenbox", "page": page})


@portal_view
def bericht(request, bericht_id):
    item = get_object_or_404(
        berichten_for(organisation=request.organisation, user=request.user).select_related(
            "ketenmachtiging__relatie"
        ),
        pk=bericht_id,
    )
    mark_read(item)
    return render(request, "berichtenbox/detail.html", {"menu": "berichtenbox", "bericht": item})
