"""Inloggegevens vergeten: a new password through an activation link, or the username by mail.

Both pages only write a message for the outbox (accounts/recovery.py): they answer the same
whether or not the account exists, and do not wait for the mail server.
"""

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.views.generic import FormView, TemplateView

from .. import recovery
from ..forms import UsernamePasswordResetForm, UsernameReminderForm


class PasswordResetView(FormView):
    form_class = UsernamePasswordResetForm
    template_name = "accounts/recovery/password_reset_form.html"

    def form_valid(self, form):
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


class UsernameReminderView(FormView):
    """Gebruikersnaam vergeten: the usernames registered for an e-mail address, by mail."""

    form_class = UsernameReminderForm
    template_name = "accounts/recovery/username_form.html"

    def form_valid(self, form):
        recovery.request_username_reminder(
            email=form.cleaned_data["email"], language=get_language()
        )
        return redirect("username_reminder_done")


class UsernameReminderDoneView(TemplateView):
    template_name = "accounts/recovery/username_done.html"
