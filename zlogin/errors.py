"""The error pages: 400, 403, 404, 500 and a CSRF failure, in the portal's look.

Each page is a standalone template in the logged-out look (templates/errors/base.html): no
menus, no active organisation, no database, and rendered without the request's context
processors, so an error page itself cannot fail on what may have caused the error. The language
is the one PortalLanguageMiddleware activated (Dutch unless English was chosen).

No details are shown: no exception text, no path, no CSRF reason. Django logs them (the
"django.request" and "django.security.*" loggers) for us.
"""

import logging

from django.http import HttpResponse
from django.template import loader
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger("zlogin.errors")

# When even an error page cannot be rendered: plain text, in both languages.
PLAIN = {
    500: (
        "Er ging iets mis aan onze kant. Probeer het later opnieuw.\n"
        "Something went wrong on our side. Please try again later.\n"
    ),
}
PLAIN_OTHER = "Deze pagina kan niet worden getoond.\nThis page cannot be shown.\n"


def bad_request(request, exception=None):
    return _render(request, "errors/400.html", 400)


def permission_denied(request, exception=None):
    return _render(request, "errors/403.html", 403)


def page_not_found(request, exception=None):
    return _render(request, "errors/404.html", 404)


def server_error(request):
    # Nothing about the person: reading request.user may be what failed.
    return _render(request, "errors/500.html", 500, ask_user=False)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW. The reason stays in Django's log, not on the page."""
    return _render(request, "errors/csrf.html", 403)


def _render(request, template_name, status, ask_user=True):
    home = _url("home")
    if ask_user and not _logged_in(request):
        back_url = _url("two_factor:login", default=home)
        back_label = "login"
    elif ask_user:
        back_url, back_label = home, "overview"
    else:
        back_url, back_label = home, "home"
    context = {
        "status": status,
        "home_url": home,
        "back_url": back_url,
        "back_label": back_label,
    }
    try:
        # No request: no context processors (user, menus, organisation, messages).
        content = loader.render_to_string(template_name, context)
    except Exception:
        logger.exception("Error page %s could not be rendered", status)
        return HttpResponse(
            PLAIN.get(status, PLAIN_OTHER), status=status, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse(content, status=status)


def _url(name, default="/"):
    try:
        return reverse(name)
    except NoReverseMatch:
        return default


def _logged_in(request) -> bool:
    """Whether to offer the way back to the overview rather than to the login page. A request
    that failed before AuthenticationMiddleware has no user; a session that cannot be read
    counts as logged out."""
    user = getattr(request, "user", None)
    try:
        return bool(user is not None and user.is_authenticated)
    except Exception:
        logger.warning("Error page: could not tell whether the person is logged in")
        return False
