"""Links to Z login's public website, where the manual links to it (settings
ZLOGIN_WEBSITE_URL and ZLOGIN_TARIEVEN_URL). Tags rather than context: the mails, the PDF and
the pages are rendered by different code, with and without a request."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def zlogin_website_url() -> str:
    return settings.ZLOGIN_WEBSITE_URL


@register.simple_tag
def zlogin_tarieven_url() -> str:
    return settings.ZLOGIN_TARIEVEN_URL
