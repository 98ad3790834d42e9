"""A local stand-in for the KVK API: Basisprofiel v1 and Zoeken v2 in KVK's documented format,
served over real HTTP so that the real client is tested. Not a product module."""

import copy
import json
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from stdnum.nl import bsn

PREFIX = "/api"


def basisprofiel(
    *, kvk_nummer: str, naam: str, rechtsvorm: str, adressen: list[dict], rsin: str | None = None
) -> dict:
    """A Basisprofiel v1 answer, trimmed to the parts the portal reads plus some context."""
    assert rsin is None or bsn.is_valid(rsin), rsin
    eigenaar = {"rechtsvorm": rechtsvorm, "uitgebreideRechtsvorm": rechtsvorm}
    if rsin:
        eigenaar["rsin"] = rsin
    return {
        "kvkNummer": kvk_nummer,
        "indNonMailing": "Nee",
        "naam": naam,
        "formeleRegistratiedatum": "20170131",
        "handelsnamen": [{"naam": naam, "volgorde": 0}],
        "_embedded": {
            "hoofdvestiging": {
                "vestigingsnummer": f"0000{kvk_nummer}",
                "kvkNummer": kvk_nummer,
                "eersteHandelsnaam": naam,
                "indHoofdvestiging": "Ja",
                "adressen": adressen,
            },
            "eigenaar": eigenaar,
        },
        "links": [
            {"rel": "self", "href": f"https://api.kvk.nl/test/api/v1/basisprofielen/{kvk_nummer}"}
        ],
    }


def adres(type_: str, **fields) -> dict:
    return {"type": type_, "indAfgeschermd": "Nee", **fields, "land": "Nederland"}


DONALD = basisprofiel(
    kvk_nummer="68750110",
    naam="Test BV Donald",
    rechtsvorm="BeslotenVennootschap",
    rsin="857567433",
    adressen=[
        # Listed first on purpose: the client must prefer the bezoekadres.
        adres("correspondentieadres", postbusnummer=1234, postcode="8820AA", plaats="Lollum"),
        adres(
            "bezoekadres",
            straatnaam="Hizzaarderlaan",
            huisnummer=3,
            postcode="8823SJ",
            plaats="Lollum",
        ),
    ],
)
# An eenmanszaak has no RSIN in the Handelsregister: its eigenaar is a natural person.
DAGOBERT = basisprofiel(
    kvk_nummer="69599084",
    naam="Test EMZ Dagobert",
    rechtsvorm="Eenmanszaak",
    adressen=[
        adres(
            "bezoekadres",
            straatnaam="Abebe Bikilalaan",
            huisnummer=17,
            huisletter="A",
            huisnummerToevoeging="2",
            postcode="1067ZA",
            plaats="Amsterdam",
        ),
    ],
)


@dataclass(frozen=True)
class Received:
    """One request as the fake saw it."""

    path: str
    query: dict[str, list[str]]
    apikey: str | None
    accept: str | None


def _fout(code: str, omschrijving: str) -> dict:
    return {"fout": [{"code": code, "omschrijving": omschrijving}]}


class FakeKvk:
    """Start with `start()` (or as a context manager); `url` is the API base as in KVK_API_URL.

    `companies` maps KVK-nummer → Basisprofiel and may be changed by a test; `answer_with()`
    forces every answer; `slow_down()` delays every answer; `received` lists the requests.
    """

    def __init__(self) -> None:
        self.companies: dict[str, dict] = {
            p["kvkNummer"]: copy.deepcopy(p) for p in (DONALD, DAGOBERT)
        }
        self.received: list[Received] = []
        self.forced: tuple[int, bytes, dict[str, str]] | None = None
        self.delay = 0.0
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    @property
    def api_keys(self) -> list[str | None]:
        return [r.apikey for r in self.received]

    def answer_with(
        self, status: int, body: dict | list | str | bytes = b"", headers: dict | None = None
    ) -> None:
        if isinstance(body, dict | list):
            body = json.dumps(body)
        self.forced = (status, body.encode() if isinstance(body, str) else body, headers or {})

    def slow_down(self, seconds: float) -> None:
        self.delay = seconds

    def start(self) -> "FakeKvk":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # release slow handlers
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> "FakeKvk":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- what KVK answers ---------------------------------------------------------------------

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict]:
        if path.startswith(f"{PREFIX}/v1/basisprofielen/"):
            kvk_nummer = path.removeprefix(f"{PREFIX}/v1/basisprofielen/")
            if not (len(kvk_nummer) == 8 and kvk_nummer.isdigit()):
                return 400, _fout("IPD0004", f"Het KVK-nummer {kvk_nummer} is niet valide.")
            if kvk_nummer not in self.companies:
                return 404, _fout(
                    "IPD0005",
                    f"Op basis van het KVK-nummer {kvk_nummer} kan het product niet worden "
                    "geleverd.",
                )
            return 200, self.companies[kvk_nummer]
        if path == f"{PREFIX}/v2/zoeken":
            return self._zoeken(query)
        return 404, {"fout": [{"code": "IPD9999", "omschrijving": "Onbekende resource."}]}

    def _zoeken(self, query: dict[str, list[str]]) -> tuple[int, dict]:
        (rsin,) = query.get("rsin", [None])
        (kvk_nummer,) = query.get("kvkNummer", [None])
        found = [
            p
            for p in self.companies.values()
            if (rsin is None or p["_embedded"]["eigenaar"].get("rsin") == rsin)
            and (kvk_nummer is None or p["kvkNummer"] == kvk_nummer)
        ]
        if not found:
            return 404, _fout(
                "IPD5200",
                "Er zijn geen gegevens gevonden die voldoen aan de opgegeven zoekparameters.",
            )
        return 200, {
            "pagina": 1,
            "resultatenPerPagina": 10,
            "totaal": len(found),
            "resultaten": [_zoekresultaat(p) for p in found],
            "links": [],
        }


def _zoekresultaat(profile: dict) -> dict:
    vestiging = profile["_embedded"]["hoofdvestiging"]
    bezoekadres = next(a for a in vestiging["adressen"] if a["type"] == "bezoekadres")
    return {
        "kvkNummer": profile["kvkNummer"],
        "vestigingsnummer": vestiging["vestigingsnummer"],
        "naam": profile["naam"],
        "adres": {
            "binnenlandsAdres": {
                "type": "bezoekadres",
                "straatnaam": bezoekadres["straatnaam"],
                "plaats": bezoekadres["plaats"],
            }
        },
        "type": "hoofdvestiging",
        "links": [
            {
                "rel": "basisprofiel",
                "href": f"https://api.kvk.nl/test/api/v1/basisprofielen/{profile['kvkNummer']}",
            }
        ],
    }


class _Server(ThreadingHTTPServer):
    fake: FakeKvk

    def handle_error(self, request, client_address):
        pass  # a client that gave up (the timeout test) leaves a broken pipe behind


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self):
        fake = self.server.fake
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        fake.received.append(
            Received(url.path, query, self.headers.get("apikey"), self.headers.get("Accept"))
        )
        if fake.delay and fake._stopping.wait(fake.delay):
            return
        if fake.forced is not None:
            status, body, headers = fake.forced
        else:
            status, answer = fake.answer(url.path, query)
            body, headers = json.dumps(answer).encode(), {}
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass
