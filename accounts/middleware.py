from django.conf import settings
from django.utils import translation

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
