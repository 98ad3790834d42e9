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
    """At most RECOVERY_RATE_PER_ADDRESS requests from one address and RECOVERY_RATE_PER_ACCOUNT
    for one username or e-mail address, whether or not it exists, so the answer tells
    nothing."""

    account_field: str

    def too_many(self, form) -> bool:
        account = form.cleaned_data[self.account_field].strip().casefold()
        per_address = is_ratelimited(
            self.request,
            group=f"recovery-address-{self.account_field}",
            key="ip",
            rate=settings.RECOVERY_RATE_PER_ADDRESS,
            increment=True,
        )
        per_account = is_ratelimited(
            self.request,
            group=f"recovery-account-{self.account_field}",
            key=lambda group, request: account,
            rate=settings.RECOVERY_RATE_PER_ACCOUNT,
            increment=True,
        )
        return per_address or per_account

    def refuse(self, form):
        form.add_error(
            None,
            _(
                "U heeft dit de afgelopen tijd al te vaak aangevraagd. Probeer het over een uur "
                "opnieuw, of neem contact op met de beheerder van uw organisatie."
            ),
        )
        return self.render_to_response(self.get_context_data(form=form), status=429)


class PasswordResetView(RateLimitedRecovery):
    form_class = UsernamePasswordResetForm
    template_name = "accounts/recovery/password_reset_form.html"
    account_field = "username"

    def form_valid(self, form):
        if self.too_many(form):
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
    account_field = "email"

    def form_valid(self, form):
        if self.too_many(form):
            return self.refuse(form)
        recovery.request_username_reminder(
            email=form.cleaned_data["email"], language=get_language()
        )
        return redirect("username_reminder_done")


class UsernameReminderDoneView(TemplateView):
    template_name = "accounts/recovery/username_done.html"
