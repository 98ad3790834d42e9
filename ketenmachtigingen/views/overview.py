from django.shortcuts import render

from accounts.access import portal_view


@portal_view
def overview(request):
    """ketenmachtigingen | van relaties."""
    return render(request, "ketenmachtigingen/overview.html", {"menu": "van_relaties"})
