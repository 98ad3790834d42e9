"""Inloggen met een EH4-certificaat in a real browser, through the real TLS proxy: Debian's
nginx with the config of `make run-tls` (scripts/nginx-tls.conf.template) in front of the live
server, asking Chromium for a client certificate of a test CA."""

import datetime
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from accounts import certificates, devpki
from accounts.constants import EHNiveau, LoginFactor, LoginOutcome
from accounts.models import LoginEvent
from accounts.services import register_certificate
from tests.factories import BeheerderFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "scripts" / "nginx-tls.conf.template"
LINK = "In het bezit van EH4? Log in met uw certificaat"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _nginx() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
    )


class Proxy:
    def __init__(self, directory: Path, backend_port: int):
        self.directory = directory
        self.pki = devpki.TestPki(directory / "pki")
        self.ca = self.pki.prepare()
        self.port = _free_port()
        self.origin = f"https://127.0.0.1:{self.port}"
        run = directory / "run"
        run.mkdir()
        config = TEMPLATE.read_text()
        for name, value in {
            "@TLS_PORT@": str(self.port),
            "@PORT@": str(backend_port),
            "@PKI_DIR@": str(self.pki.directory),
            "@RUN_DIR@": str(run),
            "@DAEMON@": "off",
            "@USER@": "user root;" if os.geteuid() == 0 else "",
        }.items():
            config = config.replace(name, value)
        (run / "nginx.conf").write_text(config)
        self.run = run

    def client_files(self, name: str, **kwargs) -> tuple[Path, Path, object]:
        certificate, key = devpki.issue_client_certificate(self.ca, common_name=name, **kwargs)
        crt, pem_key = self.directory / f"{name}.crt", self.directory / f"{name}.key"
        crt.write_bytes(devpki.certificate_pem(certificate))
        pem_key.write_bytes(devpki.key_pem(key))
        return crt, pem_key, certificate


@pytest.fixture
def proxy(live_server, settings, tmp_path):
    nginx = _nginx()
    if nginx is None:
        pytest.skip("nginx is not installed (make tools installs Debian's nginx-light)")
    backend_port = urlsplit(live_server.url).port
    proxy = Proxy(tmp_path, backend_port)
    process = subprocess.Popen(
        [nginx, "-e", str(proxy.run / "error.log"), "-p", str(proxy.run), "-c", "nginx.conf"],
        cwd=proxy.run,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.skip(f"nginx did not start: {process.stderr.read().decode()[-500:]}")
        try:
            socket.create_connection(("127.0.0.1", proxy.port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.skip("nginx did not listen within 10 seconds")
    settings.CERTIFICATE_LOGIN_PROXIES = ["127.0.0.1"]
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.CERTIFICATE_LOGIN_CA_FILE = str(proxy.pki.ca_certificate)
    settings.CERTIFICATE_LOGIN_CRL_FILE = str(proxy.pki.crl)
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    yield proxy
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def eh4_beheerder():
    user = UserFactory(username="p.visser", initials="P.", last_name="Visser")
    organisation = OrganisationFactory(name="Pietersen Administratie B.V.", intermediair=True)
    return BeheerderFactory(user=user, organisation=organisation, eh_niveau=EHNiveau.EH4)


def context_for(browser, proxy, files=None, **kwargs):
    options = {"ignore_https_errors": True, "locale": "nl-NL", "base_url": proxy.origin}
    if files:
        crt, key = files
        options["client_certificates"] = [
            {"origin": proxy.origin, "certPath": str(crt), "keyPath": str(key)}
        ]
    context = browser.new_context(**options, **kwargs)
    context.set_default_timeout(10_000)
    return context


def shoot(page, name):
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_client_certificate_logs_in_through_the_proxy(browser, proxy, eh4_beheerder):
    crt, key, certificate = proxy.client_files("P. Visser")
    register_certificate(
        acting_user=None, membership=eh4_beheerder, certificate=certificates.details(certificate)
    )
    context = context_for(browser, proxy, (crt, key))
    page = context.new_page()

    page.goto("/inloggen/")
    page.get_by_role("link", name=LINK).click()

    expect(page).to_have_url(f"{proxy.origin}/ketenmachtigingen/van-relaties/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ketenmachtigingen")
    shoot(page, "certificate-login-portal")
    page.goto("/mijn-profiel/")
    history = page.get_by_role("row").filter(has_text="Certificaat")
    expect(history).to_contain_text("Gelukt")
    event = LoginEvent.objects.get()
    assert (event.username, event.factor, event.outcome) == (
        "p.visser",
        LoginFactor.CERTIFICATE,
        LoginOutcome.SUCCESS,
    )
    context.close()


def test_without_a_certificate_the_browser_gets_the_explanation(browser, proxy, eh4_beheerder):
    context = context_for(browser, proxy)
    page = context.new_page()

    page.goto("/inloggen/")
    page.get_by_role("link", name=LINK).click()

    expect(page.get_by_role("alert")).to_contain_text("Er is geen certificaat ontvangen.")
    expect(page.get_by_text("Controleer of uw smartcard of token is aangesloten")).to_be_visible()
    shoot(page, "certificate-login-missing")
    page.get_by_role("link", name="Inloggen met gebruikersnaam en wachtwoord").click()
    expect(page.get_by_label("Gebruikersnaam")).to_be_visible()
    context.close()


def test_an_expired_certificate_refused_by_the_proxy_is_explained(browser, proxy, eh4_beheerder):
    old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    crt, key, certificate = proxy.client_files(
        "P. Visser", not_before=old, not_after=datetime.datetime(2021, 3, 31, tzinfo=datetime.UTC)
    )
    register_certificate(
        acting_user=None, membership=eh4_beheerder, certificate=certificates.details(certificate)
    )
    context = context_for(browser, proxy, (crt, key))
    page = context.new_page()

    # nginx refuses the expired certificate (495) and hands the request to the portal.
    page.goto("/inloggen/")
    expect(page.get_by_label("Gebruikersnaam")).to_be_visible()  # the password login still works
    page.get_by_role("link", name=LINK).click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Uw certificaat is verlopen op 31 maart 2021."
    )
    page.goto("/mijn-profiel/")
    expect(page.get_by_label("Gebruikersnaam")).to_be_visible()  # not logged in: the login page
    outcomes = list(LoginEvent.objects.values_list("username", "outcome"))
    assert outcomes == [("p.visser", LoginOutcome.CERTIFICATE_REFUSED)]
    context.close()


def test_a_header_written_by_the_browser_itself_does_not_pass_the_proxy(
    browser, proxy, eh4_beheerder
):
    _crt, _key, certificate = proxy.client_files("P. Visser")
    register_certificate(
        acting_user=None, membership=eh4_beheerder, certificate=certificates.details(certificate)
    )
    forged = {
        "X-SSL-Client-Cert": quote(devpki.certificate_pem(certificate).decode()),
        "X-SSL-Client-Verify": "SUCCESS",
    }
    context = context_for(browser, proxy, extra_http_headers=forged)
    page = context.new_page()

    page.goto("/inloggen/certificaat/")

    expect(page.get_by_role("alert")).to_contain_text("Er is geen certificaat ontvangen.")
    assert not LoginEvent.objects.filter(outcome=LoginOutcome.SUCCESS).exists()
    context.close()
