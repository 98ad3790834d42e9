"""Inloggen: username and password, then the code of the person's second factor.

django-two-factor-auth's wizard does the work; this subclass adds the login history, counts a
wrong code as a failed attempt for the lockout (django-axes counts wrong passwords itself), and
sends a person without a device to set one up.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from two_factor.views import LoginView

from .. import throttle
from ..constants import LoginFactor, LoginOutcome
from ..services import factor_of, record_login_attempt


def lockout_response(request, credentials=None, *args, **kwargs):
    """Shown for every attempt while the account is locked (AXES_LOCKOUT_CALLABLE)."""
    return render(request, "accounts/locked_out.html", status=429)


def throttled_response(request):
    """Shown for an attempt that came too soon after too many failures from the address."""
    response = render(request, "accounts/throttled.html", status=429)
    response["Retry-After"] = str(settings.LOGIN_ADDRESS_PACE_SECONDS)
    return response


class PortalLoginView(LoginView):
    def _is_locked(self, username: str) -> bool:
        return AxesProxyHandler.is_locked(self.request, {"username": username})

    def _locked_out(self, user, factor):
        self.storage.reset()
        record_login_attempt(
            request=self.request,
            username=user.username,
            user=user,
            factor=factor,
            outcome=LoginOutcome.LOCKED,
        )
        return lockout_response(self.request)

    def post(self, *args, **kwargs):
        if throttle.must_wait(self.request):
            record_login_attempt(
                request=self.request,
                username=self.request.POST.get(f"{self.AUTH_STEP}-username", "")
                or getattr(self.get_user(), "username", ""),
                factor=LoginFactor.PASSWORD,
                outcome=LoginOutcome.THROTTLED,
            )
            return throttled_response(self.request)
        user = self.get_user() if self.steps.current != self.AUTH_STEP else None
        # A locked account gets no further, not even with a correct code.
        if user and self._is_locked(user.username):
            return self._locked_out(user, factor_of(self.get_device()))
        return super().post(*args, **kwargs)

    def render(self, form=None, **kwargs):
        failed = self.request.method == "POST" and form is not None and form.is_bound
        if failed and form.errors:
            throttle.record_failure(self.request)
            if self.steps.current == self.AUTH_STEP:
                locked = getattr(self.request, "axes_locked_out", False)
                record_login_attempt(
                    request=self.request,
                    username=form.data.get(f"{self.AUTH_STEP}-username", ""),
                    factor=LoginFactor.PASSWORD,
                    outcome=LoginOutcome.LOCKED if locked else LoginOutcome.WRONG_PASSWORD,
                )
            else:
                user = self.get_user()
                record_login_attempt(
                    request=self.request,
                    username=user.username,
                    user=user,
                    factor=factor_of(self.get_device()),
                    outcome=LoginOutcome.WRONG_CODE,
                )
                user_login_failed.send(
                    sender=__name__, credentials={"username": user.username}, request=self.request
                )
                if self._is_locked(user.username):
                    self.storage.reset()
                    return lockout_response(self.request)
        return super().render(form, **kwargs)

    def done(self, form_list, **kwargs):
        user = self.get_user()
        response = super().done(form_list, **kwargs)
        device = getattr(user, "otp_device", None)
        record_login_attempt(
            request=self.request,
            username=user.username,
            user=user,
            factor=factor_of(device) if device else LoginFactor.PASSWORD,
            outcome=LoginOutcome.SUCCESS,
        )
        if device is None:
            # No second factor yet: set one up before any page opens.
            return redirect("two_factor:setup")
        return response
