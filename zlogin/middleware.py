"""Project-wide middleware."""

from django.conf import settings


class AdminInlineStylesMiddleware:
    """Django's own admin templates carry a few inline styles (a `<style>` in the change list
    without actions, style attributes in some widgets). Under ADMIN_URL, and only there, the
    Content-Security-Policy also allows inline styles; scripts stay the admin's own files."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.ADMIN_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefix):
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return response
