"""The invitation's PDF form, and the one way in the project to turn a template into a PDF."""

import base64
import datetime
import functools
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalogue.models import Dienst, Dienstverlener

from . import dates
from .models import Ketenmachtiging

INVITATION_LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class ScopeGroup:
    """The part of a scope that concerns one dienstverlener."""

    dienstverlener: Dienstverlener
    # Dienstverlenersmachtiging: all its diensten, now and in future.
    all_diensten: bool
    # Single diensten; empty when all_diensten.
    diensten: tuple[Dienst, ...] = ()


def scope_groups(km: Ketenmachtiging) -> list[ScopeGroup]:
    """The scope per dienstverlener, by name; empty for algemene bevoegdheid."""
    if km.algemene_bevoegdheid:
        return []
    whole = {dv.pk: dv for dv in km.dienstverleners.all()}
    single: dict[int, list[Dienst]] = {}
    by_pk = {}
    for dienst in km.diensten.select_related("dienstverlener").order_by("name"):
        if dienst.dienstverlener_id in whole:  # covered by the dienstverlenersmachtiging
            continue
        single.setdefault(dienst.dienstverlener_id, []).append(dienst)
        by_pk[dienst.dienstverlener_id] = dienst.dienstverlener
    groups = [ScopeGroup(dv, all_diensten=True) for dv in whole.values()]
    groups += [
        ScopeGroup(by_pk[pk], all_diensten=False, diensten=tuple(diensten))
        for pk, diensten in single.items()
    ]
    return sorted(groups, key=lambda g: (g.dienstverlener.name.casefold(), g.dienstverlener.pk))


def invitation_language(km: Ketenmachtiging) -> str:
    return km.language if km.language in INVITATION_LANGUAGES else "nl"


def invitation_deadline(km: Ketenmachtiging) -> datetime.date:
    # sent_at is set when the request is made; the fallback only guards odd rows.
    return dates.invitation_deadline(km.sent_at or timezone.now())


def address_lines(organisation) -> list[str]:
    street = " ".join(p for p in (organisation.straat, organisation.huisnummer) if p)
    town = " ".join(p for p in (organisation.postcode, organisation.plaats) if p)
    return [line for line in (street, town) if line]


def qr_code_data_uri(text: str) -> str:
    """A QR code of `text` as a small vector image (one SVG path), for an <img src>."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=4)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def invitation_context(km: Ketenmachtiging) -> dict:
    """What the invitation e-mail and its PDF form show."""
    return {
        "km": km,
        "relatie": km.relatie,
        "relatie_address": address_lines(km.relatie),
        "intermediair": km.intermediair,
        "intermediair_address": address_lines(km.intermediair),
        "scope_groups": scope_groups(km),
        "is_renewal": km.renews_id is not None,
        "renews": km.renews,
        "deadline": invitation_deadline(km),
        "postal_address": settings.ZLOGIN_POSTAL_ADDRESS,
        "request_code": km.request_code,
    }


_fonts = threading.local()


def _font_config():
    """The font configuration of this thread and process, made once.

    WeasyPrint otherwise makes one per document: it loads the fontconfig configuration and a
    Pango font map whose caches start cold, a tenth of a one-page form's rendering time. Pango
    objects are not shared between threads, nor across a fork (Celery's prefork pool).
    """
    from weasyprint.text.fonts import FontConfiguration

    if getattr(_fonts, "pid", None) != os.getpid():
        _fonts.config, _fonts.pid = FontConfiguration(), os.getpid()
    return _fonts.config


@functools.cache
def _stylesheet(template_name: str):
    """A stylesheet parsed once per process: parsing and compiling its selectors is a fair
    share of a small document's rendering time."""
    from weasyprint import CSS

    return CSS(string=render_to_string(template_name))


def render_to_pdf(
    template_name: str | Sequence[str], context: dict, *, stylesheet: str | None = None
) -> bytes:
    """Render a template under templates/pdf/ (or the first found of several) to PDF bytes.

    `stylesheet` names a context-free CSS template applied as well, parsed once per process.
    The document is self-contained: only data: URIs load, never the network or the disk.
    """
    # Imported here: WeasyPrint loads pango and fontconfig, which only PDF work needs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template_name, context)
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    return document.write_pdf(
        stylesheets=[_stylesheet(stylesheet)] if stylesheet else None, font_config=_font_config()
    )


def invitation_pdf_filename(km: Ketenmachtiging) -> str:
    """The attachment's name, in the invitation's language like the form itself."""
    with translation.override(invitation_language(km)):
        return _("ketenmachtiging-%(code)s.pdf") % {"code": km.request_code}


def invitation_pdf(km: Ketenmachtiging) -> bytes:
    """The form the relatie prints, signs and posts, in the language chosen for it."""
    language = invitation_language(km)
    context = invitation_context(km) | {"qr_code": qr_code_data_uri(km.request_code)}
    with translation.override(language):
        return render_to_pdf("pdf/invitation.html", context, stylesheet="pdf/invitation.css")
