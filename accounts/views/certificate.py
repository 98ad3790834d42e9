"""Inloggen met het certificaat of an EH4 middel, and the beheerder's page for registering,
replacing and revoking that certificate (Gebruikers › Certificaat).

The login: the TLS proxy asked the browser for its certificate and passed it on
(accounts/certificates.py); the certificate is the whole authentication, no password or code.
It logs in as the person of the EH4 middel it is registered on, in that middel's organisation.
Every refusal is explained, written in the login history and counted by the lockout like a wrong
password: for the person when the certificate is registered on a middel (an expired or revoked
card of theirs), otherwise for all unknown certificates from the address together.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.signals import user_login_failed
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login

from audit.selectors import history_of

from .. import certificates, tenancy, throttle
from ..access import portal_view
from ..certificates import CertificateRefused, Refusal
from ..constants import EHNiveau, LoginFactor, LoginOutcome
from ..forms import CertificateUploadForm
from ..middleware import CERTIFICATE_SESSION_KEY, note_login
from ..models import Membership
from ..selectors import certificate_for_login, certificates_of, current_certificate
from ..services import (
    CertificateNotAllowed,
    record_login_attempt,
    register_certificate,
    revoke_certificate,
)
from .login import lockout_response, throttled_response

# The lockout's name for certificates that belong to nobody (none, unknown, another CA's): a
# colon is never in a username, so no person's lock is touched by them.
UNKNOWN_CERTIFICATE = "certificaat:onbekend"
# Refusals that say nothing about the person trying: not counted by the lockout.
NOT_COUNTED = {Refusal.NOT_AVAILABLE, Refusal.UNCHECKABLE}
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request) -> str:
    candidate = request.GET.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _middel_refusal(registered) -> Refusal | None:
    if registered is None:
        return Refusal.UNKNOWN
    if not (registered.membership.active and registered.user.is_active):
        return Refusal.INACTIVE
    if registered.membership.eh_niveau != EHNiveau.EH4:
        return Refusal.NOT_EH4
    return None


def _refused(request, reason: Refusal, *, username: str, registered, certificate):
    user = registered.user if registered else None
    counted = reason not in NOT_COUNTED
    if counted:
        throttle.record_failure(request, username)
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    locked = getattr(request, "axes_locked_out", False)
    if reason != Refusal.NOT_AVAILABLE:
        record_login_attempt(
            request=request,
            username=username if user else "",
            user=user,
            factor=LoginFactor.CERTIFICATE,
            outcome=LoginOutcome.LOCKED if locked else LoginOutcome.CERTIFICATE_REFUSED,
        )
    context = {
        "reason": reason.value,
        "certificate": certificates.details(certificate) if certificate else None,
        "common_name": certificates.common_name(certificate) if certificate else "",
        "membership": registered.membership if registered else None,
    }
    status = 503 if reason == Refusal.UNCHECKABLE else 403
    # The lockout page replaces this one when this failure locked the account (AxesMiddleware).
    return render(request, "accounts/certificate_refused.html", context, status=status)


@never_cache
@require_GET
def certificate_login(request):
    """Inloggen met certificaat: the link "In het bezit van EH4? Log in met uw certificaat"."""
    certificate = None
    try:
        certificate = certificates.presented_certificate(request)
        reason = None
    except CertificateRefused as refused:
        reason, certificate = refused.reason, refused.certificate
    if reason == Refusal.NOT_AVAILABLE:
        return _refused(request, reason, username="", registered=None, certificate=None)

    registered = (
        certificate_for_login(certificates.fingerprint(certificate)) if certificate else None
    )
    username = registered.user.username if registered else UNKNOWN_CERTIFICATE
    user = registered.user if registered else None
    # A locked person (or address) gets no further, not even with a good certificate.
    why = throttle.refusal(request, username)
    if why is None and AxesProxyHandler.is_locked(request, {"username": username}):
        why = "locked"
    if why:
        if throttle.first_refusal_in_a_while(request, username):
            record_login_attempt(
                request=request,
                username=username if user else "",
                user=user,
                factor=LoginFactor.CERTIFICATE,
                outcome=LoginOutcome.LOCKED if why == "locked" else LoginOutcome.THROTTLED,
            )
        if why == "locked":
            return lockout_response(request, credentials={"username": username})
        return throttled_response(request)

    reason = reason or _middel_refusal(registered)
    if reason is not None:
        return _refused(
            request, reason, username=username, registered=registered, certificate=certificate
        )

    login(request, user, backend=MODEL_BACKEND)
    otp_login(request, registered)  # the session counts as verified while it stays current
    # The certificate is the middel of one organisation: the session starts in it.
    request.session[tenancy.SESSION_KEY] = registered.membership.organisation_id
    request.session[CERTIFICATE_SESSION_KEY] = True
    note_login(request)
    record_login_attempt(
        request=request,
        username=user.username,
        user=user,
        factor=LoginFactor.CERTIFICATE,
        outcome=LoginOutcome.SUCCESS,
    )
    response = redirect(_next_url(request))
    throttle.remember_device(request, response, user.username)
    return response


# --- Gebruikers › Certificaat (the beheerder) -------------------------------------------------


def _middel(request, membership_id: int) -> Membership:
    """A middel of the active organisation; another organisation's is a 404."""
    try:
        return Membership.objects.select_related("user", "organisation").get(
            pk=membership_id, organisation=request.organisation
        )
    except Membership.DoesNotExist:
        raise Http404 from None


@portal_view
@require_http_methods(["GET", "POST"])
def middel_certificate(request, membership_id: int):
    """The certificate of an EH4 middel: what is registered, its history, and an upload to
    register or replace it."""
    membership = _middel(request, membership_id)
    is_eh4 = membership.eh_niveau == EHNiveau.EH4
    current = current_certificate(membership)
    form = CertificateUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and is_eh4 and form.is_valid():
        try:
            registered = register_certificate(
                acting_user=request.user,
                membership=membership,
                certificate=form.cleaned_data["certificate"],
            )
        except CertificateNotAllowed as refused:
            form.add_error("certificate", refused.message)
        else:
            if current is None:
                text = _("Het certificaat is geregistreerd bij het EH4-middel van %(name)s.")
            elif current.pk == registered.pk:
                text = _("Dit certificaat was al geregistreerd bij het EH4-middel van %(name)s.")
            else:
                text = _("Het certificaat van het EH4-middel van %(name)s is vervangen.")
            messages.success(request, text % {"name": membership.user.display_name})
            return redirect("accounts:middel_certificate", membership_id=membership.pk)
    return render(
        request,
        "accounts/middel_certificate.html",
        {
            "menu": "gebruikers",
            "membership": membership,
            "is_eh4": is_eh4,
            "current": current,
            "certificates": certificates_of(membership),
            "history": history_of(membership),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@portal_view
@require_http_methods(["GET", "POST"])
def revoke_middel_certificate(request, membership_id: int):
    """Intrekken: asked first (GET), done on the confirmation (POST)."""
    membership = _middel(request, membership_id)
    current = current_certificate(membership)
    if current is None:
        return redirect("accounts:middel_certificate", membership_id=membership.pk)
    if request.method == "POST":
        revoke_certificate(acting_user=request.user, membership=membership)
        messages.success(
            request,
            _("Het certificaat van %(name)s is ingetrokken: er kan niet meer mee worden ingelogd.")
            % {"name": membership.user.display_name},
        )
        return redirect("accounts:middel_certificate", membership_id=membership.pk)
    return render(
        request,
        "accounts/revoke_certificate.html",
        {"menu": "gebruikers", "membership": membership, "current": current},
    )
