"""The KVK API as a company register: Zoeken v2 (RSIN → KVK-nummer) and Basisprofiel v1.

Standard library only. Every failure to get a usable answer becomes RegisterUnavailable; the
log says what KVK answered, never the api key.
"""

import dataclasses
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from http.client import HTTPException
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import Company, CompanyNotFound, RegisterUnavailable

logger = logging.getLogger(__name__)

# Besides 404, KVK answers 400 with one of these codes in its "fout" list for a number it does
# not know: KVK-nummer not valid, product not deliverable for it, RSIN not valid.
NOT_FOUND_CODES = frozenset({"IPD0004", "IPD0005", "IPD0010"})
MAX_BODY_BYTES = 1024 * 1024  # a Basisprofiel is a few kB
LOGGED_BODY_CHARS = 500


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would repeat the apikey header to wherever a redirect points.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


@dataclasses.dataclass(frozen=True)
class KvkApiRegister:
    base_url: str  # e.g. https://api.kvk.nl/test/api
    api_key: str
    timeout: float  # seconds, per connect and per read

    def __post_init__(self):
        if urllib.parse.urlsplit(self.base_url).scheme not in ("https", "http"):
            raise ImproperlyConfigured(f"KVK_API_URL must be an http(s) URL: {self.base_url!r}")

    @classmethod
    def from_settings(cls) -> "KvkApiRegister":
        return cls(
            base_url=settings.KVK_API_URL.rstrip("/"),
            api_key=settings.KVK_API_KEY,
            timeout=settings.KVK_API_TIMEOUT,
        )

    def lookup(self, kind: str, number: str) -> Company:
        try:
            kvk_nummer = number if kind == "kvk" else self._kvk_nummer_for_rsin(number)
            path = f"/v1/basisprofielen/{urllib.parse.quote(kvk_nummer, safe='')}"
            company = _company_from_basisprofiel(self._get(path, number=number))
        except (LookupError, TypeError, ValueError, AttributeError) as error:
            logger.error(
                "KVK API answered in an unexpected format for %s %s: %r", kind, number, error
            )
            raise RegisterUnavailable() from error
        if kind == "rsin" and not company.rsin:
            company = dataclasses.replace(company, rsin=number)
        return company

    def lookup_many(self, kind: str, numbers: Iterable[str]) -> dict[str, Company]:
        """One Basisprofiel per number: the API has no lookup of many numbers at once.
        Numbers KVK does not know are left out; RegisterUnavailable stops the whole lookup."""
        found: dict[str, Company] = {}
        for number in dict.fromkeys(numbers):
            try:
                found[number] = self.lookup(kind, number)
            except CompanyNotFound:
                continue
        return found

    def _kvk_nummer_for_rsin(self, rsin: str) -> str:
        answer = self._get("/v2/zoeken", query={"rsin": rsin}, number=rsin)
        resultaten = answer["resultaten"]
        if not isinstance(resultaten, list):
            raise TypeError(f"resultaten is a {type(resultaten).__name__}")
        if not resultaten:
            raise CompanyNotFound(rsin)
        kvk_nummer = resultaten[0]["kvkNummer"]
        if not (isinstance(kvk_nummer, str) and len(kvk_nummer) == 8 and kvk_nummer.isdigit()):
            raise ValueError(f"kvkNummer {kvk_nummer!r}")
        return kvk_nummer

    def _get(self, path: str, *, number: str, query: dict[str, str] | None = None) -> dict:
        """The JSON object KVK answers with; `number` is what the user asked for."""
        target = path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __post_init__
            self.base_url + target,
            headers={"apikey": self.api_key, "Accept": "application/json"},
        )
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                status, body = response.status, response.read(MAX_BODY_BYTES + 1)
        except urllib.error.HTTPError as error:
            status, body = error.code, _error_body(error)
        except (OSError, HTTPException) as error:  # refused, timed out, cut off, TLS
            logger.warning("KVK API not reachable for %s: %r", target, error)
            raise RegisterUnavailable() from error

        if status == 200 and len(body) <= MAX_BODY_BYTES:
            try:
                answer = json.loads(body)
            except ValueError:
                answer = None
            if isinstance(answer, dict):
                return answer
        elif status == 404 or (status == 400 and _fout_codes(body) & NOT_FOUND_CODES):
            raise CompanyNotFound(number)
        logger.log(
            logging.WARNING if status >= 500 else logging.ERROR,
            "KVK API answered %s for %s: %s",
            status,
            target,
            body[:LOGGED_BODY_CHARS].decode("utf-8", errors="replace"),
        )
        raise RegisterUnavailable()


def _error_body(error: urllib.error.HTTPError) -> bytes:
    try:
        return error.read(MAX_BODY_BYTES)
    except (OSError, HTTPException):
        return b""
    finally:
        error.close()


def _fout_codes(body: bytes) -> set[str]:
    """The codes in KVK's error answer {"fout": [{"code": "IPD0005", "omschrijving": …}]}."""
    try:
        fouten = json.loads(body)["fout"]
        return {fout["code"] for fout in fouten if isinstance(fout, dict) and "code" in fout}
    except (ValueError, LookupError, TypeError):
        return set()


def _company_from_basisprofiel(profile: dict[str, Any]) -> Company:
    embedded = profile.get("_embedded") or {}
    eigenaar = embedded.get("eigenaar") or {}
    # Without a hoofdvestiging (a holding, say) KVK puts the addresses in the eigenaar block.
    adressen = (embedded.get("hoofdvestiging") or eigenaar).get("adressen") or []
    address = next((a for a in adressen if a.get("type") == "bezoekadres"), None)
    address = address or (adressen[0] if adressen else {})
    straat, huisnummer = _street_and_number(address)
    rsin = eigenaar.get("rsin")
    name, kvk_nummer = profile["naam"], profile["kvkNummer"]
    if not (isinstance(name, str) and name.strip() and isinstance(kvk_nummer, str)):
        raise ValueError(f"naam {name!r}, kvkNummer {kvk_nummer!r}")
    return Company(
        name=name.strip(),
        kvk_nummer=kvk_nummer,
        rsin=str(rsin) if rsin else None,
        straat=straat,
        huisnummer=huisnummer,
        postcode=str(address.get("postcode") or ""),
        plaats=str(address.get("plaats") or ""),
    )


def _street_and_number(address: dict[str, Any]) -> tuple[str, str]:
    """("Hizzaarderlaan", "3"), ("Abebe Bikilalaan", "17A-2"), or ("Postbus", "1234")."""
    if not address.get("straatnaam") and address.get("postbusnummer"):
        return "Postbus", str(address["postbusnummer"])
    number = f"{address.get('huisnummer') or ''}{address.get('huisletter') or ''}"
    if toevoeging := address.get("huisnummerToevoeging"):
        number += f"-{toevoeging}"
    return str(address.get("straatnaam") or ""), number
