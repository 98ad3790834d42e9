"""Inloggegevens vergeten: a new password through an activation link, or the username by mail.

Both pages only write a message for the outbox (accounts/recovery.py): they answer the same
whether or not the account exists, and do not wait for the mail server.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from django_ratelimit.core import is_ratelimited

from .. import recovery
from ..forms import UsernamePasswordResetForm, UsernameReminderForm


class RateLimitedRecovery(FormView):
    """At most RECOVERY_RATE_PER_ADDRESS requests from one address, for both pages together.
    (Per account the worker sends at most one mail per RECOVERY_MAIL_INTERVAL_SECONDS: a limit
    the page could show would tell whether the account exists.)"""

    def too_many(self) -> bool:
        return is_ratelimited(
            self.request,
            group="recovery-per-address",
            key="ip",
            rate=settings.RECOVERY_RATE_PER_ADDRESS,
            increment=True,
        )

    def refuse(self, form):
        form.add_error(
            None,
            _(
                "Vanaf uw netwerk is dit de afgelopen tijd al te vaak aangevraagd. Probeer het "
                "over een uur opnieuw, of neem contact op met de beheerder van uw organisatie."
            ),
        )
        return self.render_to_response(self.get_context_data(form=form), status=429)


class PasswordResetView(RateLimitedRecovery):
    form_class = UsernamePasswordResetForm
    template_name = "accounts/recovery/password_reset_form.html"

    def form_valid(self, form):
        if self.too_many():
            return self.refuse(form)
        recovery.request_password_reset(
            username=form.cleaned_data["username"], language=get_language()
        )
        return redirect("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/recovery/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/recovery/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/recovery/password_reset_complete.html"


class UsernameReminderView(RateLimitedRecovery):
    """Gebruikersnaam vergeten: the usernames registered for an e-mail address, by mail."""

    form_class = UsernameReminderForm
    template_name = "accounts/recovery/username_form.html"

    def form_valid(self, form):
        if self.too_many():
            return self.refuse(form)
        recovery.request_username_reminder(
            email=form.cleaned_data["email"], language=get_language()
        )
        return redirect("username_reminder_done")


class UsernameReminderDoneView(TemplateView):
    template_name = "accounts/recovery/username_done.html"
