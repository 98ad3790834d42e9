from django.shortcuts import redirect, render

from accounts.access import portal_view


def home(request):
    return redirect("ketenmachtigingen:overview")


@portal_view
def not_built(request, title, menu):
    """A menu item whose page does not exist yet says so, instead of pretending."""
    return render(request, "shell/not_built.html", {"title": title, "menu": menu})
