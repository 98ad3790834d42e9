"""Inloggen met het certificaat of an EH4 middel, through the TLS proxy's header; the
beheerder registering, replacing and revoking it; the test CA's command.

Certificates, authorities and revocation lists are made with `cryptography` (accounts/devpki.py)
and passed as nginx passes them: URL-encoded PEM in X-SSL-Client-Cert, its verdict in
X-SSL-Client-Verify, from the proxy's address (the test client's 127.0.0.1).
"""

import datetime
import time
from urllib.parse import quote

import pytest
import time_machine
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import certificates, devpki
from accounts.constants import EHNiveau, LoginFactor, LoginOutcome, Role
from accounts.middleware import ClientCertificateMiddleware
from accounts.models import LoginEvent, MiddelCertificate
from accounts.services import register_certificate, revoke_certificate
from accounts.tenancy import SESSION_KEY
from audit.constants import AuditKind
from audit.models import AuditEvent
from tests.factories import (
    DEFAULT_PASSWORD,
    BeheerderFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CERTIFICATE_LOGIN = "/inloggen/certificaat/"
UTC = datetime.UTC


class Pki:
    """A test CA whose certificate and revocation list are the portal's trusted files."""

    def __init__(self, directory):
        self.directory = directory
        self.ca = devpki.make_ca("Test CA")
        (directory / "ca.crt").write_bytes(devpki.certificate_pem(self.ca.certificate))
        self.publish_crl()

    def publish_crl(self, *revoked, next_update=None):
        crl = devpki.make_crl(self.ca, revoked, next_update=next_update)
        (self.directory / "ca.crl").write_bytes(devpki.crl_pem(crl))

    def issue(self, name="P. Visser", **kwargs):
        certificate, _key = devpki.issue_client_certificate(self.ca, common_name=name, **kwargs)
        return certificate


@pytest.fixture
def pki(tmp_path, settings):
    pki = Pki(tmp_path)
    settings.CERTIFICATE_LOGIN_PROXIES = ["127.0.0.1", "::1"]
    settings.CERTIFICATE_LOGIN_CA_FILE = str(tmp_path / "ca.crt")
    settings.CERTIFICATE_LOGIN_CRL_FILE = str(tmp_path / "ca.crl")
    return pki


@pytest.fixture
def visser():
    """P. Visser, Gebruiker with an EH4 middel, no password factor of his own."""
    user = UserFactory(username="p.visser", initials="P.", last_name="Visser")
    return MembershipFactory(
        user=user,
        organisation=OrganisationFactory(name="Pietersen Administratie B.V.", intermediair=True),
        role=Role.GEBRUIKER,
        eh_niveau=EHNiveau.EH4,
    )


def register(membership, certificate, acting_user=None):
    return register_certificate(
        acting_user=acting_user,
        membership=membership,
        certificate=certificates.details(certificate),
    )


def proxy_headers(certificate, verdict="SUCCESS"):
    pem = devpki.certificate_pem(certificate).decode()
    return {"HTTP_X_SSL_CLIENT_CERT": quote(pem), "HTTP_X_SSL_CLIENT_VERIFY": verdict}


def log_in_with(client, certificate, **extra):
    return client.get(CERTIFICATE_LOGIN, **proxy_headers(certificate), **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def events():
    return list(LoginEvent.objects.order_by("pk").values_list("username", "factor", "outcome"))


# --- logging in -------------------------------------------------------------------------------


def test_the_login_page_links_to_the_certificate_login(client):
    content = client.get("/inloggen/").content.decode()

    assert (
        '<a href="/inloggen/certificaat/">In het bezit van EH4? Log in met uw certificaat &gt;</a>'
        in content
    )


def test_a_registered_eh4_certificate_logs_in_without_password_or_code(client, pki, visser):
    certificate = pki.issue()
    register(visser, certificate)

    response = log_in_with(client, certificate)

    assert response.status_code == 302
    assert response.url == reverse("ketenmachtigingen:overview")
    assert client.session["_auth_user_id"] == str(visser.user.pk)
    assert client.session[SESSION_KEY] == visser.organisation_id
    # Verified as after password and code: the pages that ask for a second factor open.
    profile = client.get(reverse("accounts:profile"))
    assert profile.status_code == 200
    assert "<td>Certificaat</td>" in profile.content.decode()
    # A Gebruiker sees why the ketenmachtigingen are closed to him, in the portal.
    overview = client.get(reverse("ketenmachtigingen:overview"))
    assert overview.status_code == 403
    assert "U bent Gebruiker bij Pietersen Administratie B.V." in overview.content.decode()
    assert events() == [("p.visser", LoginFactor.CERTIFICATE, LoginOutcome.SUCCESS)]


def test_a_beheerder_with_an_eh4_certificate_reaches_the_portal_and_the_next_page(client, pki):
    middel = BeheerderFactory(eh_niveau=EHNiveau.EH4)
    certificate = pki.issue(middel.user.display_name)
    register(middel, certificate)

    response = log_in_with(client, certificate, QUERY_STRING="next=/gebruikers/")
    assert response.status_code == 302
    assert response.url == "/gebruikers/"
    assert client.get("/gebruikers/").status_code == 200

    client.logout()
    response = client.get(
        CERTIFICATE_LOGIN + "?next=https://elders.example/", **proxy_headers(certificate)
    )
    assert response.url == reverse("ketenmachtigingen:overview")


def test_without_a_certificate_the_page_explains_and_nobody_logs_in(client, pki):
    response = client.get(CERTIFICATE_LOGIN)

    content = response.content.decode()
    assert response.status_code == 403
    assert "Er is geen certificaat ontvangen." in content
    assert "Controleer of uw smartcard of token is aangesloten" in content
    assert "U kunt ook inloggen met uw gebruikersnaam, wachtwoord en code." in content
    assert not logged_in(client)
    assert events() == [("", LoginFactor.CERTIFICATE, LoginOutcome.CERTIFICATE_REFUSED)]


def test_an_expired_certificate_is_refused_with_its_end_date(client, pki, visser):
    certificate = pki.issue(not_after=datetime.datetime(2030, 3, 31, 12, tzinfo=UTC))
    register(visser, certificate)

    with time_machine.travel(datetime.datetime(2030, 4, 2, tzinfo=UTC)):
        response = log_in_with(client, certificate)

    content = response.content.decode()
    assert response.status_code == 403
    assert "Uw certificaat is verlopen op 31 maart 2030." in content
    assert "Vraag een nieuw certificaat aan bij de uitgever van uw EH4-middel." in content
    assert not logged_in(client)
    assert events() == [("p.visser", LoginFactor.CERTIFICATE, LoginOutcome.CERTIFICATE_REFUSED)]


def test_a_certificate_not_yet_valid_is_refused(client, pki, visser):
    start = datetime.datetime.now(UTC) + datetime.timedelta(days=2)
    certificate = pki.issue(not_before=start)
    register(visser, certificate)

    response = log_in_with(client, certificate)

    assert response.status_code == 403
    assert "Uw certificaat is pas geldig vanaf" in response.content.decode()
    assert not logged_in(client)


def test_a_certificate_of_another_ca_is_refused_even_with_the_same_name(client, pki, visser):
    register(visser, pki.issue())
    other_ca = devpki.make_ca("Test CA")  # the same name, another key
    impostor, _key = devpki.issue_client_certificate(other_ca, common_name="P. Visser")

    response = log_in_with(client, impostor)

    content = response.content.decode()
    assert response.status_code == 403
    assert "niet uitgegeven door een certificaatautoriteit die Z login vertrouwt" in content
    assert not logged_in(client)
    assert events() == [("", LoginFactor.CERTIFICATE, LoginOutcome.CERTIFICATE_REFUSED)]


def test_a_certificate_on_the_revocation_list_is_refused(client, pki, visser):
    certificate = pki.issue()
    register(visser, certificate)
    assert log_in_with(Client(), certificate).status_code == 302  # before the revocation

    pki.publish_crl(certificate.serial_number)
    response = log_in_with(client, certificate)

    assert response.status_code == 403
    assert "Uw certificaat is ingetrokken door de uitgever" in response.content.decode()
    assert not logged_in(client)


def test_a_stale_revocation_list_refuses_every_certificate_without_counting(client, pki, visser):
    certificate = pki.issue()
    register(visser, certificate)
    pki.publish_crl(next_update=datetime.datetime.now(UTC) + datetime.timedelta(days=1))

    with time_machine.travel(datetime.datetime.now(UTC) + datetime.timedelta(days=2)):
        responses = [log_in_with(client, certificate) for _ in range(6)]

    assert [r.status_code for r in responses] == [503] * 6  # never the lockout's 429
    assert "kan op dit moment niet worden gecontroleerd" in responses[0].content.decode()
    assert not logged_in(client)


def test_the_header_from_an_untrusted_address_is_ignored(client, pki, visser):
    certificate = pki.issue()
    register(visser, certificate)

    response = log_in_with(client, certificate, REMOTE_ADDR="192.0.2.10")

    assert response.status_code == 403
    assert "Er is geen certificaat ontvangen." in response.content.decode()
    assert not logged_in(client)


def test_the_header_is_dropped_for_everything_after_the_middleware(pki, visser):
    certificate = pki.issue()
    seen = {}

    def view(request):
        seen["meta"] = {k: v for k, v in request.META.items() if k.startswith("HTTP_X_SSL")}
        seen["certificate"] = request.client_certificate
        return None

    middleware = ClientCertificateMiddleware(view)
    middleware(RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", **proxy_headers(certificate)))
    assert seen == {"meta": {}, "certificate": None}

    middleware(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", **proxy_headers(certificate)))
    assert seen["meta"] == {}
    assert seen["certificate"].pem == devpki.certificate_pem(certificate).decode()


def test_a_valid_certificate_registered_nowhere_is_refused(client, pki, visser):
    response = log_in_with(client, pki.issue("Iemand Anders"))

    content = response.content.decode()
    assert response.status_code == 403
    assert "niet (meer) geregistreerd bij een EH4-middel" in content
    assert "Iemand Anders" in content
    assert not logged_in(client)


def test_a_certificate_on_a_middel_that_is_no_longer_eh4_is_refused(client, pki, visser):
    certificate = pki.issue()
    register(visser, certificate)
    visser.eh_niveau = EHNiveau.EH3  # staff lowered the middel in the admin
    visser.save(update_fields=["eh_niveau"])

    response = log_in_with(client, certificate)

    assert response.status_code == 403
    assert "hoort bij een EH-middel van niveau EH3" in response.content.decode()
    assert not logged_in(client)


def test_a_certificate_of_an_inactive_middel_is_refused(client, pki, visser):
    certificate = pki.issue()
    register(visser, certificate)
    visser.active = False
    visser.save(update_fields=["active"])

    response = log_in_with(client, certificate)

    assert response.status_code == 403
    assert "is niet actief" in response.content.decode()
    assert not logged_in(client)


def test_the_proxys_refusal_stands_even_when_the_portal_finds_nothing(client, pki, visser):
    certificate = pki.issue()
    register(visser, certificate)

    response = client.get(
        CERTIFICATE_LOGIN, **proxy_headers(certificate, verdict="FAILED:certificate revoked")
    )

    assert response.status_code == 403
    assert not logged_in(client)


def test_without_configuration_the_page_says_so(client, settings, visser):
    settings.CERTIFICATE_LOGIN_CA_FILE = ""

    response = client.get(CERTIFICATE_LOGIN)

    assert response.status_code == 403
    assert "Inloggen met een certificaat is hier niet ingericht." in response.content.decode()
    assert events() == []


def test_five_refused_certificates_of_a_person_lock_them_out_also_for_the_password(
    client, pki, visser
):
    visser.user.set_password(DEFAULT_PASSWORD)
    visser.user.save()
    certificate = pki.issue(not_after=datetime.datetime(2030, 3, 31, tzinfo=UTC))
    register(visser, certificate)

    with time_machine.travel(datetime.datetime(2030, 4, 2, tzinfo=UTC)):
        statuses = [log_in_with(client, certificate).status_code for _ in range(5)]
        password = client.post(
            "/inloggen/",
            {
                "portal_login_view-current_step": "auth",
                "auth-username": "p.visser",
                "auth-password": DEFAULT_PASSWORD,
            },
        )

    assert statuses == [403, 403, 403, 403, 429]
    assert password.status_code == 429
    assert "Account tijdelijk geblokkeerd" in password.content.decode()
    assert not logged_in(client)
    outcomes = [outcome for _, factor, outcome in events() if factor == LoginFactor.CERTIFICATE]
    assert outcomes == [LoginOutcome.CERTIFICATE_REFUSED] * 4 + [LoginOutcome.LOCKED]


def test_a_locked_person_cannot_log_in_with_a_good_certificate_until_the_lock_ends(
    client, pki, visser
):
    good = pki.issue()
    register(visser, good)
    visser.eh_niveau = EHNiveau.EH3
    visser.save(update_fields=["eh_niveau"])
    for _ in range(5):
        log_in_with(client, good)
    visser.eh_niveau = EHNiveau.EH4
    visser.save(update_fields=["eh_niveau"])

    response = log_in_with(client, good)
    assert response.status_code == 429
    assert "Account tijdelijk geblokkeerd" in response.content.decode()
    assert not logged_in(client)

    with time_machine.travel(time.time() + 16 * 60):
        assert log_in_with(client, good).status_code == 302
    assert logged_in(client)


def test_unknown_certificates_are_counted_together_per_address(client, pki, visser):
    certificate = pki.issue()
    register(visser, certificate)
    strangers = [pki.issue(f"Vreemde {n}") for n in range(3)]

    statuses = [client.get(CERTIFICATE_LOGIN).status_code for _ in range(2)]
    statuses += [log_in_with(client, stranger).status_code for stranger in strangers]
    statuses.append(client.get(CERTIFICATE_LOGIN).status_code)

    assert statuses == [403, 403, 403, 403, 429, 429]
    # The person whose certificate is registered is not locked by them.
    assert log_in_with(client, certificate).status_code == 302


def test_a_revoked_registration_ends_the_session_it_opened(client, pki, visser):
    certificate = pki.issue()
    register(visser, certificate)
    log_in_with(client, certificate)
    assert client.get(reverse("accounts:profile")).status_code == 200

    revoke_certificate(acting_user=None, membership=visser)

    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith("/inloggen/")
    assert not logged_in(client)  # logged out: no way to set up a second factor instead
    assert client.get(reverse("two_factor:setup")).status_code == 302
    again = log_in_with(client, certificate)
    assert again.status_code == 403
    assert "niet (meer) geregistreerd" in again.content.decode()


def test_the_explanation_in_english(client, pki, visser):
    client.cookies["django_language"] = "en"
    certificate = pki.issue(not_after=datetime.datetime(2030, 3, 31, tzinfo=UTC))
    register(visser, certificate)

    with time_machine.travel(datetime.datetime(2030, 4, 2, tzinfo=UTC)):
        response = log_in_with(client, certificate)
    assert "Your certificate expired on 31 March 2030." in response.content.decode()

    response = Client(REMOTE_ADDR="127.0.0.2").get(CERTIFICATE_LOGIN)
    assert "Er is geen certificaat ontvangen." in response.content.decode()
    client_en = Client()
    client_en.cookies["django_language"] = "en"
    assert "No certificate was received." in client_en.get(CERTIFICATE_LOGIN).content.decode()


# --- Gebruikers › Certificaat ------------------------------------------------------------------


@pytest.fixture
def beheerder_of_visser(visser, verified_login, client):
    beheerder = BeheerderFactory(
        organisation=visser.organisation,
        user=UserFactory(initials="A.B.M.", last_name="Pietersen", with_totp_device=True),
    )
    verified_login(beheerder.user)
    return beheerder


def upload(client, membership, data: bytes, name="p.visser.crt"):
    return client.post(
        reverse("accounts:middel_certificate", args=[membership.pk]),
        {"certificate": SimpleUploadedFile(name, data)},
    )


def test_a_beheerder_registers_replaces_and_revokes_a_certificate(
    client, pki, visser, beheerder_of_visser
):
    first, second = pki.issue(), pki.issue()
    page = reverse("accounts:middel_certificate", args=[visser.pk])

    table = client.get(reverse("accounts:gebruikers")).content.decode()
    assert f'href="{page}"' in table
    assert '<span class="badge">Geen</span>' in table

    response = upload(client, visser, devpki.certificate_pem(first))
    assert response.status_code == 302
    content = client.get(page).content.decode()
    assert "Het certificaat is geregistreerd bij het EH4-middel van P. Visser." in content
    assert certificates.fingerprint(first) in content
    assert "Geregistreerd" in client.get(reverse("accounts:gebruikers")).content.decode()
    assert log_in_with(Client(), first).status_code == 302

    # Replaced (DER this time): the old one no longer logs in, the new one does.
    from cryptography.hazmat.primitives.serialization import Encoding

    response = upload(client, visser, second.public_bytes(Encoding.DER), name="nieuw.cer")
    assert response.status_code == 302
    assert "is vervangen" in client.get(page).content.decode()
    assert log_in_with(Client(), first).status_code == 403
    assert log_in_with(Client(), second).status_code == 302

    confirm = client.get(reverse("accounts:revoke_middel_certificate", args=[visser.pk]))
    assert "Weet u zeker dat u het certificaat" in confirm.content.decode()
    assert MiddelCertificate.objects.current().filter(membership=visser).exists()  # asked only
    response = client.post(reverse("accounts:revoke_middel_certificate", args=[visser.pk]))
    assert response.status_code == 302
    assert log_in_with(Client(), second).status_code == 403
    assert not MiddelCertificate.objects.current().filter(membership=visser).exists()

    trail = list(
        AuditEvent.objects.filter(target_id=visser.pk).order_by("pk").values_list("kind", "actor")
    )
    assert trail == [
        (AuditKind.CERTIFICATE_REGISTERED, beheerder_of_visser.user.pk),
        (AuditKind.CERTIFICATE_REPLACED, beheerder_of_visser.user.pk),
        (AuditKind.CERTIFICATE_REVOKED, beheerder_of_visser.user.pk),
    ]
    history = client.get(page).content.decode()
    assert "Certificaat ingetrokken (A.B.M. Pietersen)" in history
    assert f"serienummer {format(second.serial_number, 'X')}" in history


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda pki: b"geen certificaat", "Dit bestand is geen certificaat (PEM of DER)."),
        (
            lambda pki: devpki.certificate_pem(
                devpki.issue_client_certificate(devpki.make_ca("Ander"), common_name="X")[0]
            ),
            "niet uitgegeven door een certificaatautoriteit die Z login vertrouwt",
        ),
        (
            lambda pki: devpki.certificate_pem(
                pki.issue(
                    not_before=datetime.datetime(2020, 1, 1, tzinfo=UTC),
                    not_after=datetime.datetime(2021, 1, 1, tzinfo=UTC),
                )
            ),
            "Dit certificaat is verlopen.",
        ),
        (
            lambda pki: devpki.certificate_pem(pki.ca.certificate),
            "Dit is het certificaat van een certificaatautoriteit",
        ),
    ],
)
def test_an_upload_that_is_no_usable_certificate_is_refused(
    client, pki, visser, beheerder_of_visser, make, message
):
    response = upload(client, visser, make(pki))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MiddelCertificate.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_certificate_is_current_on_one_middel_only(client, pki, visser, beheerder_of_visser):
    colleague = MembershipFactory(organisation=visser.organisation, eh_niveau=EHNiveau.EH4)
    certificate = pki.issue()
    register(colleague, certificate)

    response = upload(client, visser, devpki.certificate_pem(certificate))

    assert response.status_code == 400
    assert "al geregistreerd bij een ander EH-middel" in response.content.decode()
    assert not MiddelCertificate.objects.filter(membership=visser).exists()


def test_only_eh4_middelen_of_the_own_organisation(client, pki, visser, beheerder_of_visser):
    eh3 = MembershipFactory(organisation=visser.organisation, eh_niveau=EHNiveau.EH3)
    elsewhere = MembershipFactory(eh_niveau=EHNiveau.EH4)

    page = client.get(reverse("accounts:middel_certificate", args=[eh3.pk])).content.decode()
    assert "Alleen met een EH-middel van niveau EH4" in page
    assert 'type="file"' not in page
    assert upload(client, eh3, devpki.certificate_pem(pki.issue())).status_code == 400
    assert not MiddelCertificate.objects.exists()
    for url in ("accounts:middel_certificate", "accounts:revoke_middel_certificate"):
        assert client.get(reverse(url, args=[elsewhere.pk])).status_code == 404
    assert upload(client, elsewhere, devpki.certificate_pem(pki.issue())).status_code == 404


# --- the test CA's command ---------------------------------------------------------------------


def test_issue_test_certificate_writes_the_files_and_registers_them(tmp_path, settings, visser):
    settings.DEBUG = True
    out, pki_dir = tmp_path / "out", tmp_path / "pki"

    call_command("issue_test_certificate", "p.visser", "--out", str(out), "--pki", str(pki_dir))

    key, certificate, extra = pkcs12.load_key_and_certificates(
        (out / "p.visser.p12").read_bytes(), b"Ketenmachtiging-2026"
    )
    assert certificates.common_name(certificate) == "P. Visser"
    assert (out / "p.visser.crt").read_bytes() == devpki.certificate_pem(certificate)
    assert (out / "p.visser.key").stat().st_mode & 0o777 == 0o600
    registered = MiddelCertificate.objects.current().get()
    assert (registered.membership, registered.fingerprint) == (
        visser,
        certificates.fingerprint(certificate),
    )
    # The certificate logs in through a proxy that trusts the test CA.
    settings.CERTIFICATE_LOGIN_PROXIES = ["127.0.0.1"]
    settings.CERTIFICATE_LOGIN_CA_FILE = str(pki_dir / "ca.crt")
    settings.CERTIFICATE_LOGIN_CRL_FILE = str(pki_dir / "ca.crl")
    assert log_in_with(Client(), certificate).status_code == 302


def test_issue_test_certificate_refuses_a_person_without_an_eh4_middel(tmp_path, settings):
    settings.DEBUG = True
    MembershipFactory(user=UserFactory(username="j.mulder"), eh_niveau=EHNiveau.EH3)

    with pytest.raises(Exception, match="no active EH4 middel"):
        call_command("issue_test_certificate", "j.mulder", "--out", str(tmp_path))
    assert not MiddelCertificate.objects.exists()
