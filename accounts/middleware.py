import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import translation
from django.utils.translation import gettext as _

from . import tenancy


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


class SessionLifetimeMiddleware:
    """A session ends SESSION_ABSOLUTE_LIFETIME after it was first used logged in, however
    active it is kept (the idle timeout is SESSION_COOKIE_AGE): then the person logs in again."""

    KEY = "logged_in_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a session cookie there is no session to end (and the API, which has none,
        # is left untouched: no session read, no Vary: Cookie).
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        if has_session and request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(self.KEY, now)
            if now - started >= settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)  # a new, empty session
                messages.info(request, _("Uw sessie is verlopen. Log opnieuw in."))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
