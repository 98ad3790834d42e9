from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import tenancy


@require_POST
def switch_organisation(request):
    """The organisation chooser on the left. Only the person's own organisations are accepted."""
    if not (request.user.is_authenticated and request.user.is_verified()):
        return redirect("two_factor:login")
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        organisation_id = 0
    if not tenancy.set_active_organisation(request, organisation_id):
        messages.error(request, _("U beheert deze organisatie niet."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    return redirect(next_url)
