from django import template

from ..constants import EHNiveau
from ..selectors import current_certificate

register = template.Library()


@register.simple_tag
def current_certificate_of(membership):
    """The current certificate of an EH4 middel (one query, for EH4 middelen only), or None."""
    if membership.eh_niveau != EHNiveau.EH4:
        return None
    return current_certificate(membership)


@register.filter
def is_eh4(membership) -> bool:
    return membership.eh_niveau == EHNiveau.EH4
