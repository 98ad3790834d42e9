"""Inloggegevens vergeten: a new password through an activation link, or the username by mail."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.mail import send_mail
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from ..forms import UsernamePasswordResetForm, UsernameReminderForm
from ..models import User


class PasswordResetView(auth_views.PasswordResetView):
    form_class = UsernamePasswordResetForm
    template_name = "accounts/recovery/password_reset_form.html"
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


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
        email = form.cleaned_data["email"]
        usernames = list(
            User.objects.filter(email__iexact=email, is_active=True).values_list(
                "username", flat=True
            )
        )
        if usernames:
            body = render_to_string(
                "emails/username_reminder.txt",
                {"usernames": usernames, "login_url": settings.PORTAL_BASE_URL + "/"},
            )
            send_mail(_("Uw gebruikersnaam voor Mijn Z login"), body, None, [email])
        return redirect("username_reminder_done")


class UsernameReminderDoneView(TemplateView):
    template_name = "accounts/recovery/username_done.html"
