"""The local register table: the embedded stand-in for the KVK Handelsregister."""

from ..models import RegisterEntry
from .base import Company, CompanyNotFound

_FIELD_FOR_KIND = {"kvk": "kvk_nummer", "rsin": "rsin"}


class LocalRegister:
    def lookup(self, kind: str, number: str) -> Company:
        entry = RegisterEntry.objects.filter(**{_FIELD_FOR_KIND[kind]: number}).first()
        if entry is None:
            raise CompanyNotFound(number)
        return Company(
            name=entry.name,
            kvk_nummer=entry.kvk_nummer,
            rsin=entry.rsin,
            straat=entry.straat,
            huisnummer=entry.huisnummer,
            postcode=entry.postcode,
            plaats=entry.plaats,
        )
