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

from .. import lockout, throttle
from ..constants import LoginFactor, LoginOutcome
from ..middleware import note_login
from ..services import factor_of, record_login_attempt


def lockout_response(request, original_response=None, credentials=None):
    """Shown for every attempt while the account is locked (AXES_LOCKOUT_CALLABLE), with when
    to try again."""
    ends_at = lockout.lock_ends_at(request, (credentials or {}).get("username") or "")
    context = {
        "cool_off_minutes": lockout.cool_off_minutes(request),
        "lock_ends_at": ends_at,
        "minutes_left": lockout.minutes_until(ends_at),
    }
    response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(context["minutes_left"] * 60)
    return response


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
        return lockout_response(self.request, credentials={"username": user.username})

    def post(self, *args, **kwargs):
        posted_step = self.request.POST.get(f"{self.prefix}-current_step", self.steps.current)
        if self.AUTH_STEP in (posted_step, self.steps.current):
            # The password step only: a session that passed it goes on to its code.
            username = self.request.POST.get(f"{self.AUTH_STEP}-username", "").strip()
            refused = throttle.refusal(self.request, username)
            if refused:
                return self._refused(username, refused)
        user = self.get_user() if self.steps.current != self.AUTH_STEP else None
        # A locked account gets no further, not even with a correct code.
        if user and self._is_locked(user.username):
            return self._locked_out(user, factor_of(self.get_device()))
        return super().post(*args, **kwargs)

    def _refused(self, username: str, why: str):
        if throttle.first_refusal_in_a_while(self.request, username):
            record_login_attempt(
                request=self.request,
                username=username,
                factor=LoginFactor.PASSWORD,
                outcome=LoginOutcome.LOCKED if why == "locked" else LoginOutcome.THROTTLED,
            )
        if why == "locked":
            return lockout_response(self.request, credentials={"username": username})
        return throttled_response(self.request)

    def render(self, form=None, **kwargs):
        failed = self.request.method == "POST" and form is not None and form.is_bound
        if failed and form.errors:
            if self.steps.current == self.AUTH_STEP:
                throttle.record_failure(
                    self.request, form.data.get(f"{self.AUTH_STEP}-username", "")
                )
                locked = getattr(self.request, "axes_locked_out", False)
                record_login_attempt(
                    request=self.request,
                    username=form.data.get(f"{self.AUTH_STEP}-username", ""),
                    factor=LoginFactor.PASSWORD,
                    outcome=LoginOutcome.LOCKED if locked else LoginOutcome.WRONG_PASSWORD,
                )
            else:
                user = self.get_user()
                throttle.record_failure(self.request, user.username)
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
                    return lockout_response(self.request, credentials={"username": user.username})
        return super().render(form, **kwargs)

    def done(self, form_list, **kwargs):
        user = self.get_user()
        response = super().done(form_list, **kwargs)
        note_login(self.request)
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
            response = redirect("two_factor:setup")
        throttle.remember_device(self.request, response, user.username)
        return response
