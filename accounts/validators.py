"""Identifiers of Dutch organisations."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.nl import bsn


def normalise_number(value) -> str:
    """Digits as typed or read from a spreadsheet: spaces and dots removed, ints made text."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # 12345678.0 is a whole number from a spreadsheet; 12345678.5 is no identifier at all.
        return str(int(value)) if value.is_integer() else str(value)
    return str(value or "").strip().replace(" ", "").replace(".", "")


def validate_kvk_nummer(value: str) -> None:
    """A KVK-nummer is exactly 8 digits; it has no check digit."""
    if not (len(value) == 8 and value.isascii() and value.isdigit()):
        raise ValidationError(
            _("Een KVK-nummer bestaat uit precies 8 cijfers."), code="invalid_kvk_nummer"
        )


def validate_rsin(value: str) -> None:
    """An RSIN (fiscaal nummer) is 9 digits passing the elfproef, as a BSN."""
    if not (len(value) == 9 and value.isascii() and value.isdigit()):
        raise ValidationError(
            _("Een fiscaal nummer (RSIN) bestaat uit precies 9 cijfers."), code="invalid_rsin"
        )
    if not bsn.is_valid(value):
        raise ValidationError(
            _("Dit fiscaal nummer (RSIN) klopt niet: de elfproef faalt."), code="invalid_rsin"
        )


def classify_company_number(raw) -> tuple[str, str]:
    """("kvk", number) or ("rsin", number) for what a user typed; else ValidationError."""
    value = normalise_number(raw)
    if not value:
        raise ValidationError(_("Vul een KVK-nummer of fiscaal nummer in."), code="required")
    if not (value.isascii() and value.isdigit()):
        raise ValidationError(
            _("Een KVK-nummer of fiscaal nummer bevat alleen cijfers."), code="not_digits"
        )
    if len(value) < 8 and isinstance(raw, int | float):
        return _restore_leading_zeros(value)
    if len(value) == 8:
        return "kvk", value
    if len(value) == 9:
        validate_rsin(value)
        return "rsin", value
    raise ValidationError(
        _(
            "Vul een KVK-nummer (8 cijfers) of een fiscaal nummer (9 cijfers) in; "
            "u vulde %(count)s cijfers in."
        ),
        params={"count": len(value)},
        code="wrong_length",
    )


def _restore_leading_zeros(value: str) -> tuple[str, str]:
    """A spreadsheet cell formatted as a number drops leading zeros (02029700 → 2029700).

    Put them back when exactly one reading fits: the KVK-nummer, or an RSIN that passes the
    elfproef. When both fit, ask for the number as text rather than guess.
    """
    kvk, rsin = value.zfill(8), value.zfill(9)
    rsin_fits = bsn.is_valid(rsin)
    if not rsin_fits:
        return "kvk", kvk
    raise ValidationError(
        _(
            "Het nummer %(value)s is als getal opgeslagen en de voorloopnullen zijn verloren: "
            "het kan KVK-nummer %(kvk)s of fiscaal nummer %(rsin)s zijn. "
            "Zet het nummer als tekst in het bestand."
        ),
        params={"value": value, "kvk": kvk, "rsin": rsin},
        code="ambiguous_leading_zeros",
    )


def normalise_phone_number(value: str) -> str:
    """A Dutch or international phone number in E.164 (+31612345678), or ValidationError.

    Numbers without a country code are read as Dutch: "06 1234 5678" and "030-1234567" work.
    """
    import phonenumbers

    text = (value or "").strip()
    try:
        number = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "Vul een geldig telefoonnummer in, bijvoorbeeld 06 12345678 of, "
                "voor een buitenlands nummer, +32 2 555 12 12."
            ),
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
