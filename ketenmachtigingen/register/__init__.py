"""Company lookup: the local register (embedded default) or the KVK API, chosen by the setting
COMPANY_REGISTER ("local" or "kvk"). Views call lookup_company(); nothing else knows which
register answers."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import Company, CompanyNotFound, CompanyRegister, RegisterUnavailable
from .kvk import KvkApiRegister
from .local import LocalRegister

__all__ = [
    "Company",
    "CompanyNotFound",
    "CompanyRegister",
    "KvkApiRegister",
    "LocalRegister",
    "RegisterUnavailable",
    "get_register",
    "lookup_companies",
    "lookup_company",
]

KINDS = ("kvk", "rsin")


def get_register() -> CompanyRegister:
    """The register named by settings.COMPANY_REGISTER, read on every call."""
    if settings.COMPANY_REGISTER == "local":
        return LocalRegister()
    if settings.COMPANY_REGISTER == "kvk":
        return KvkApiRegister.from_settings()
    raise ImproperlyConfigured(
        f"COMPANY_REGISTER is {settings.COMPANY_REGISTER!r}; expected 'local' or 'kvk'."
    )


def lookup_company(kind: str, number: str) -> Company:
    """kind is "kvk" or "rsin" (see accounts.validators.classify_company_number).

    Raises CompanyNotFound or RegisterUnavailable, whose messages are meant for the user.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return get_register().lookup(kind, number)


def lookup_companies(kind: str, numbers: Iterable[str]) -> dict[str, Company]:
    """Many numbers of one kind at once (an import): the companies found, by number. Numbers
    the register does not know are left out. Raises RegisterUnavailable."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return get_register().lookup_many(kind, numbers)
