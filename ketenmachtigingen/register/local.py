"""The local register table: the embedded stand-in for the KVK Handelsregister."""

from collections.abc import Iterable

from ..models import RegisterEntry
from .base import Company, CompanyNotFound

_FIELD_FOR_KIND = {"kvk": "kvk_nummer", "rsin": "rsin"}
_COMPANY_FIELDS = ("name", "kvk_nummer", "rsin", "straat", "huisnummer", "postcode", "plaats")


# Numbers per query in lookup_many: below SQLite's and Oracle's limits on parameters.
LOOKUP_BATCH = 900


class LocalRegister:
    def lookup(self, kind: str, number: str) -> Company:
        entry = RegisterEntry.objects.filter(**{_FIELD_FOR_KIND[kind]: number}).first()
        if entry is None:
            raise CompanyNotFound(number)
        return Company.of(entry)

    def lookup_many(self, kind: str, numbers: Iterable[str]) -> dict[str, Company]:
        """The companies found, by number; numbers not in the register are left out.
        A few queries for thousands of numbers (an import), not one per number."""
        field = _FIELD_FOR_KIND[kind]
        wanted = sorted(set(numbers))
        found: dict[str, Company] = {}
        for start in range(0, len(wanted), LOOKUP_BATCH):
            batch = wanted[start : start + LOOKUP_BATCH]
            entries = RegisterEntry.objects.filter(**{f"{field}__in": batch}).values_list(
                field, *_COMPANY_FIELDS
            )
            for number, *values in entries:
                found[number] = Company(**dict(zip(_COMPANY_FIELDS, values, strict=True)))
        return found
