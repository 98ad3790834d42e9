"""The invitation e-mail to the relatie's contact: text, HTML and the PDF form attached."""

import re

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .models import Ketenmachtiging
from .pdf import invitation_context, invitation_language, invitation_pdf, invitation_pdf_filename


def _tidy_text(text: str) -> str:
    """Optional blocks in the text template leave runs of blank lines; keep at most one."""
    return re.sub(r"\n{3,}", "\n\n", text.strip()) + "\n"


def build_invitation_message(km: Ketenmachtiging, *, connection=None) -> EmailMultiAlternatives:
    """The invitation in the language chosen for the recipients, ready to send."""
    language = invitation_language(km)
    context = invitation_context(km)
    # One template per language (like the PDF): English is right without a catalogue.
    with translation.override(language):
        subject = render_to_string(f"emails/invitation_subject_{language}.txt", context)
        text = render_to_string(f"emails/invitation_{language}.txt", context)
        html = render_to_string(f"emails/invitation_{language}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # a header: one line
        body=_tidy_text(text),
        to=[km.contact_email],
        # Questions go to the intermediair, who asked for the ketenmachtiging.
        reply_to=[km.intermediair_email] if km.intermediair_email else None,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    message.attach(invitation_pdf_filename(km), invitation_pdf(km), "application/pdf")
    return message
