from django.core.paginator import Paginator
from django.shortcuts import render
from django_otp import devices_for_user

from ..access import verified_required
from ..constants import LoginFactor
from ..services import factor_of
from ..tenancy import memberships_of

LOGIN_HISTORY_PAGE_SIZE = 20


@verified_required
def profile(request):
    """Mijn profiel: the person's data, middelen, second factors and login history."""
    history = Paginator(request.user.login_events.all(), LOGIN_HISTORY_PAGE_SIZE)
    return render(
        request,
        "accounts/profile.html",
        {
            "menu": "profiel",
            "memberships": memberships_of(request.user),
            "second_factors": [
                factor_of(device).label
                for device in devices_for_user(request.user)
                # The certificate of an EH4 middel is a login of its own, not a second factor.
                if factor_of(device) not in (LoginFactor.BACKUP, LoginFactor.CERTIFICATE)
            ],
            "history": history.get_page(request.GET.get("pagina")),
        },
    )
