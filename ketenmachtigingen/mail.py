"""Mail to the relatie's contact: text and HTML in the recipients' language; the invitation
with the PDF form attached."""

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .models import Ketenmachtiging
from .pdf import invitation_context, invitation_language, invitation_pdf, invitation_pdf_filename


def tidy_text(text: str) -> str:
    """Optional blocks in the text template leave runs of blank lines; keep at most one."""
    return re.sub(r"\n{3,}", "\n\n", text.strip()) + "\n"


def contact_message(
    km: Ketenmachtiging, name: str, context: dict, **options
) -> EmailMultiAlternatives:
    """A mail to the relatie's contact from the templates emails/<name>_subject_<language>.txt,
    <name>_<language>.txt and <name>_<language>.html, in the language chosen for the
    recipients (one template per language, unlike the PDF form, which translates its
    strings). `options` go to the message (reply_to)."""
    language = invitation_language(km)
    with translation.override(language):
        subject = render_to_string(f"emails/{name}_subject_{language}.txt", context)
        text = render_to_string(f"emails/{name}_{language}.txt", context)
        html = render_to_string(f"emails/{name}_{language}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # a header: one line
        body=tidy_text(text),
        to=[km.contact_email],
        **options,
    )
    message.attach_alternative(html, "text/html")
    return message


def build_invitation_message(km: Ketenmachtiging) -> EmailMultiAlternatives:
    """The invitation with the PDF form, ready to send."""
    message = contact_message(
        km,
        "invitation",
        invitation_context(km),
        # Questions go to the intermediair, who asked for the ketenmachtiging.
        reply_to=[km.intermediair_email] if km.intermediair_email else None,
    )
    message.attach(invitation_pdf_filename(km), invitation_pdf(km), "application/pdf")
    return message


def build_incomplete_message(km: Ketenmachtiging, *, reason: str) -> EmailMultiAlternatives:
    """The mail to the relatie's contact: what is missing, and where the completed form goes."""
    return contact_message(
        km,
        "incomplete",
        {
            "km": km,
            "relatie": km.relatie,
            "intermediair": km.intermediair,
            "reason": reason.strip(),
            "request_code": km.request_code,
            "postal_address": settings.ZLOGIN_POSTAL_ADDRESS,
        },
    )
