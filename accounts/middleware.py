import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import certificates, tenancy


class ActiveOrganisationMiddleware:
    """Makes request.membership (the active organisation's middel) available, lazily."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenancy.attach(request)
        return self.get_response(request)


class PortalLanguageMiddleware:
    """Dutch unless the person chose English with the language switch (a cookie).

    Unlike Django's LocaleMiddleware the browser's Accept-Language is ignored: the product is
    Dutch by default, also for someone whose browser happens to be set to English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override() restores the previous language afterwards: nothing leaks into the thread.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


API_PREFIX = "/api/"


def _logged_in(request) -> bool:
    """A portal request of a logged-in person. Asked only when a session cookie came along and
    not of the API: reading request.user reads the session (and adds Vary: Cookie)."""
    return (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        and not request.path.startswith(API_PREFIX)
        and request.user.is_authenticated
    )


class SessionLifetimeMiddleware:
    """A session ends SESSION_ABSOLUTE_LIFETIME after the login (noted by the login view; a
    session from before this was noted starts counting at its next request), however active it
    is kept (the idle timeout is SESSION_COOKIE_AGE): then the person logs in again. The API
    has no session and is left alone."""

    KEY = "logged_in_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _logged_in(request):
            now = int(time.time())
            started = request.session.setdefault(self.KEY, now)
            if now - started >= settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)  # a new, empty session
                messages.info(request, _("Uw sessie is verlopen. Log opnieuw in."))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


def note_login(request) -> None:
    """The moment of the login, from which the session's absolute lifetime counts."""
    request.session[SessionLifetimeMiddleware.KEY] = int(time.time())


class HtmxLoginRedirectMiddleware:
    """A part of a page asked by htmx after the session ended (idle or after its lifetime):
    the login page opens as a whole page instead of being swapped into the part."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.htmx and response.status_code == 302:
            login = resolve_url(settings.LOGIN_URL)
            if response["Location"].split("?")[0] == login:
                return HttpResponseClientRedirect(response["Location"])
        return response


class PrivatePagesMiddleware:
    """What a logged-in person sees is theirs: never kept by a browser's or proxy's cache. The
    same URL answers htmx (a part) and the browser (the page): caches must tell them apart."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _logged_in(request):
            patch_cache_control(response, no_store=True, private=True)
            patch_vary_headers(response, ["HX-Request"])
        return response


CERTIFICATE_SESSION_KEY = "logged_in_with_certificate"


class CertificateSessionMiddleware:
    """A session opened with the certificate of an EH4 middel holds while that certificate is
    current (django-otp stops counting it as verified when it is revoked or replaced): then the
    session ends. Left logged in but unverified, the person, who gave no password, could set
    up a second factor of their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            _logged_in(request)
            and request.session.get(CERTIFICATE_SESSION_KEY)
            and not request.user.is_verified()
        ):
            logout(request)
            messages.info(request, _("Uw certificaat is niet meer geldig. Log opnieuw in."))
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class ClientCertificateMiddleware:
    """The client certificate the TLS proxy passed on, as request.client_certificate (or
    None): taken only from CERTIFICATE_LOGIN_PROXIES, and its headers removed from every
    request, so that nothing after this reads what a client wrote itself. Before
    ClientAddressMiddleware, which replaces the proxy's address by the client's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        certificates.take_from_proxy(request)
        return self.get_response(request)
