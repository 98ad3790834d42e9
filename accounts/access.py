"""Who may open which page: a verified second factor everywhere, a beheerder's EH3 middel for
the ketenmachtiging functions."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django_otp import user_has_device


def _unverified_response(request):
    if request.user.is_authenticated and not user_has_device(request.user):
        # Logged in with a password only: set up a second factor first.
        return redirect("two_factor:setup")
    return redirect_to_login(request.get_full_path())


def verified_required(view):
    """Logged in with password and second factor."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_verified()):
            return _unverified_response(request)
        return view(request, *args, **kwargs)

    return wrapper


def portal_view(view):
    """A ketenmachtiging page: a verified second factor and a beheerder's middel of EH3 or
    higher for the active organisation, which the view then finds on request.organisation."""

    @verified_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        membership = request.membership or None  # a lazy object; None when the person has none
        if membership is None and request.user.is_staff:
            return redirect("admin:index")  # Z login's staff work in the admin
        if membership is None or not membership.may_manage_ketenmachtigingen:
            return render(
                request, "accounts/no_access.html", {"membership": membership}, status=403
            )
        request.organisation = membership.organisation
        return view(request, *args, **kwargs)

    return wrapper
