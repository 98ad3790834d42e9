"""Reading and validating what a client sends. Every message names the field (in English)."""

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict

from accounts.constants import LOA_URNS, EHNiveau
from accounts.validators import validate_kvk_nummer, validate_rsin

from .models import RelatieType

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000

# Patterns shared with the OpenAPI document: ASCII digits only ([0-9], not \d, which in
# Python also matches other scripts' digits), and the whole value must match.
KVK_PATTERN = "^[0-9]{8}$"
PSEUDONYM_PATTERN = "^[!-~]{1,64}$"  # printable ASCII without spaces
SERVICE_UUID_PATTERN = (
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
RSIN_PATTERN = "^[0-9]{9}$"  # the elfproef is checked apart
SERVICE_ID_PATTERN = "^urn:etoegang:DV:([0-9]{20}):services:([0-9]{1,9})$"
LOA_VALUES = list(LOA_URNS.values())

CHECK_FIELDS = ("intermediair", "pseudonym", "relatie", "dienst", "loa")
RELATIE_FIELDS = ("type", "value")
LIST_FIELDS = ("intermediair", "pseudonym", "dienst", "loa")


@dataclass(frozen=True)
class DienstRef:
    """A dienst as a client names it: by ServiceUUID, or by ServiceID (OIN and number)."""

    raw: str
    service_uuid: uuid.UUID | None = None
    oin: str | None = None
    service_index: int | None = None


@dataclass(frozen=True)
class CheckInput:
    intermediair_kvk: str
    pseudonym: str
    relatie_type: RelatieType
    relatie_value: str
    dienst: DienstRef
    loa: EHNiveau


@dataclass(frozen=True)
class ListInput:
    intermediair_kvk: str
    pseudonym: str
    dienst: DienstRef
    loa: EHNiveau
    page: int
    page_size: int


@dataclass
class InvalidInput(Exception):
    """One or more fields are wrong: [(field, message), ...]."""

    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def message(self) -> str:
        """One sentence: "intermediair: A KVK-nummer is exactly 8 digits; loa: Must be …"."""
        return "; ".join(f"{name}: {text.rstrip('.')}" for name, text in self.errors) + "."


class _Reader:
    """Collects every error instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def error(self, name: str, text: str) -> None:
        self.errors.append((name, text))

    def string(self, data: Mapping[str, Any], name: str, label: str | None = None) -> str | None:
        label = label or name
        if name not in data:
            self.error(label, "This field is required.")
            return None
        value = data[name]
        if not isinstance(value, str):
            self.error(label, "Must be a string.")
            return None
        return value

    def kvk_nummer(self, value: str | None, label: str) -> str | None:
        if value is None:
            return None
        try:
            validate_kvk_nummer(value)
        except ValidationError:
            self.error(label, "A KVK-nummer is exactly 8 digits.")
            return None
        return value

    def rsin(self, value: str, label: str) -> str | None:
        if not re.fullmatch(RSIN_PATTERN, value):
            self.error(label, "An RSIN is exactly 9 digits.")
            return None
        try:
            validate_rsin(value)
        except ValidationError:
            self.error(label, "This RSIN fails the elfproef (eleven test).")
            return None
        return value

    def pseudonym(self, value: str | None, label: str) -> str | None:
        if value is not None and not re.fullmatch(PSEUDONYM_PATTERN, value):
            self.error(label, "A pseudonym is 1 to 64 printable ASCII characters without spaces.")
            return None
        return value

    def dienst(self, value: str | None, label: str) -> DienstRef | None:
        if value is None:
            return None
        if re.fullmatch(SERVICE_UUID_PATTERN, value):
            return DienstRef(raw=value, service_uuid=uuid.UUID(value))
        match = re.fullmatch(SERVICE_ID_PATTERN, value)
        if match:
            return DienstRef(raw=value, oin=match[1], service_index=int(match[2]))
        self.error(
            label,
            "Give a ServiceUUID (e.g. 9f1c2e4a-0b7d-4c55-9a61-3d2f8e6b1a70) or a ServiceID "
            "(urn:etoegang:DV:<OIN of 20 digits>:services:<number>).",
        )
        return None

    def loa(self, value: str | None, label: str) -> EHNiveau | None:
        if value is None:
            return None
        if value not in LOA_VALUES:
            self.error(label, "Must be one of " + ", ".join(LOA_VALUES) + ".")
            return None
        return EHNiveau.from_loa_urn(value)

    def unknown_fields(
        self, data: Mapping[str, Any], known: tuple[str, ...], prefix: str = ""
    ) -> None:
        for name in data:
            if name not in known:
                self.error(f"{prefix}{name}", "Unknown field.")

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


def parse_check(body: bytes) -> CheckInput:
    """The check request body, validated; InvalidInput names every wrong field."""
    reader = _Reader()
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        raise InvalidInput([("body", "The body is not valid JSON.")]) from None
    if not isinstance(data, dict):
        raise InvalidInput([("body", "The body must be a JSON object.")])
    reader.unknown_fields(data, CHECK_FIELDS)
    intermediair = reader.kvk_nummer(reader.string(data, "intermediair"), "intermediair")
    pseudonym = reader.pseudonym(reader.string(data, "pseudonym"), "pseudonym")
    relatie_type, relatie_value = _relatie(reader, data)
    dienst = reader.dienst(reader.string(data, "dienst"), "dienst")
    loa = reader.loa(reader.string(data, "loa"), "loa")
    reader.raise_if_errors()
    # Each None above recorded an error, so past raise_if_errors() every value is there.
    assert intermediair is not None and pseudonym is not None and relatie_type is not None
    assert relatie_value is not None and dienst is not None and loa is not None
    return CheckInput(
        intermediair_kvk=intermediair,
        pseudonym=pseudonym,
        relatie_type=relatie_type,
        relatie_value=relatie_value,
        dienst=dienst,
        loa=loa,
    )


def _relatie(reader: _Reader, data: Mapping[str, Any]) -> tuple[RelatieType | None, str | None]:
    if "relatie" not in data:
        reader.error("relatie", "This field is required.")
        return None, None
    relatie = data["relatie"]
    if not isinstance(relatie, dict):
        reader.error("relatie", 'Must be an object: {"type": ..., "value": ...}.')
        return None, None
    reader.unknown_fields(relatie, RELATIE_FIELDS, prefix="relatie.")
    kind = reader.string(relatie, "type", "relatie.type")
    value = reader.string(relatie, "value", "relatie.value")
    if kind is not None and kind not in RelatieType.values:
        reader.error("relatie.type", "Must be one of " + ", ".join(RelatieType.values) + ".")
        return None, None
    if kind is None or value is None:
        return None, None
    if kind == RelatieType.KVK:
        return RelatieType.KVK, reader.kvk_nummer(value, "relatie.value")
    return RelatieType.RSIN, reader.rsin(value, "relatie.value")


def parse_list(query: QueryDict) -> ListInput:
    """The query of the vertegenwoordigden list (a QueryDict), validated."""
    reader = _Reader()
    values: dict[str, str] = {}
    for name in (*LIST_FIELDS, "page", "page_size"):
        given = query.getlist(name)
        if len(given) > 1:
            reader.error(name, "Give this parameter once.")
        elif given:
            values[name] = given[0]
    reader.raise_if_errors()
    intermediair = reader.kvk_nummer(reader.string(values, "intermediair"), "intermediair")
    pseudonym = reader.pseudonym(reader.string(values, "pseudonym"), "pseudonym")
    dienst = reader.dienst(reader.string(values, "dienst"), "dienst")
    loa = reader.loa(reader.string(values, "loa"), "loa")
    page = _bounded_int(reader, values.get("page", "1"), "page", 1, MAX_PAGE)
    page_size = _bounded_int(
        reader, values.get("page_size", str(MAX_PAGE_SIZE)), "page_size", 1, MAX_PAGE_SIZE
    )
    reader.raise_if_errors()
    # Each None above recorded an error, so past raise_if_errors() every value is there.
    assert intermediair is not None and pseudonym is not None and dienst is not None
    assert loa is not None and page is not None and page_size is not None
    return ListInput(
        intermediair_kvk=intermediair,
        pseudonym=pseudonym,
        dienst=dienst,
        loa=loa,
        page=page,
        page_size=page_size,
    )


def _bounded_int(reader: _Reader, value: str, name: str, low: int, high: int) -> int | None:
    if re.fullmatch("[0-9]{1,6}", value) and low <= int(value) <= high:
        return int(value)
    reader.error(name, f"Must be a whole number from {low} to {high}.")
    return None
