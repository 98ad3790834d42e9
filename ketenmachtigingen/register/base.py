"""What every company register answers with, and how it refuses."""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from ..errors import DomainError


@dataclass(frozen=True)
class Company:
    """A company as a register describes it."""

    name: str
    kvk_nummer: str | None = None
    rsin: str | None = None
    straat: str = ""
    huisnummer: str = ""
    postcode: str = ""
    plaats: str = ""

    @classmethod
    def of(cls, record) -> "Company":
        """The company a record with the same fields describes: a register entry, an import
        row, an organisation. An empty KVK-nummer or RSIN is none."""
        values = {field.name: getattr(record, field.name) for field in fields(cls)}
        for number in ("kvk_nummer", "rsin"):
            values[number] = values[number] or None
        return cls(**values)


class CompanyNotFound(DomainError):
    def __init__(self, number: str):
        super().__init__(
            _("Er is geen bedrijf gevonden met nummer %(number)s. Controleer het nummer.")
            % {"number": number}
        )


class RegisterUnavailable(DomainError):
    def __init__(self):
        super().__init__(
            _(
                "Het KVK Handelsregister is op dit moment niet bereikbaar. "
                "Probeer het over enkele minuten opnieuw."
            )
        )


class CompanyRegister(Protocol):
    def lookup(self, kind: str, number: str) -> Company:
        """kind is "kvk" or "rsin"; raises CompanyNotFound or RegisterUnavailable."""
        ...

    def lookup_many(self, kind: str, numbers: Iterable[str]) -> dict[str, Company]:
        """The companies found, by number (unknown numbers are left out); raises
        RegisterUnavailable."""
        ...
