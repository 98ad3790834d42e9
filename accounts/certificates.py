"""Client certificates of EH4 middelen: what the TLS proxy passes on, and the checks on it.

The proxy (nginx) asks the browser for a client certificate, verifies it against the trusted
CA(s) and its revocation list, and passes it on in CERTIFICATE_LOGIN_HEADER (nginx's
`$ssl_client_escaped_cert`: URL-encoded PEM) with its verdict in CERTIFICATE_LOGIN_VERIFY_HEADER
(`$ssl_client_verify`: SUCCESS, NONE or FAILED:reason). Only the TLS handshake proves that the
browser holds the certificate's private key; the certificate itself is public. So the headers
are believed only from the addresses in CERTIFICATE_LOGIN_PROXIES and dropped from everyone
else (ClientCertificateMiddleware, first in the chain), and the portal checks the certificate
again itself: issued by a CA in CERTIFICATE_LOGIN_CA_FILE (signature and chain), valid now, not
on the revocation list in CERTIFICATE_LOGIN_CRL_FILE (a list that is stale or not signed by the
issuer refuses every certificate of that issuer).
"""

import datetime
import enum
import hashlib
import ipaddress
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)
from django.conf import settings
from django.utils import timezone

from .addresses import parse_address

logger = logging.getLogger(__name__)

# A certificate chain in PEM is a few kB; anything much larger is not one.
MAX_HEADER_LENGTH = 32 * 1024
MAX_UPLOAD_SIZE = 64 * 1024
_CRL_PEM = re.compile(rb"-----BEGIN X509 CRL-----.+?-----END X509 CRL-----", re.DOTALL)


class Refusal(enum.StrEnum):
    """Why a certificate does not log in; each has its own explanation on the page."""

    NOT_AVAILABLE = "not_available"  # certificate login is not set up here
    MISSING = "missing"  # the browser sent none (or not through the trusted proxy)
    UNREADABLE = "unreadable"
    FOREIGN = "foreign"  # not issued by a trusted CA, or refused by the proxy
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"  # on the issuer's revocation list
    UNCHECKABLE = "uncheckable"  # the CA file or revocation list cannot be used
    UNKNOWN = "unknown"  # registered on no middel (or no longer)
    NOT_EH4 = "not_eh4"
    INACTIVE = "inactive"  # the middel or the person's account
    CA_CERTIFICATE = "ca_certificate"  # only when registering: a CA's, not a person's


class CertificateRefused(Exception):
    def __init__(self, reason: Refusal, certificate: x509.Certificate | None = None):
        super().__init__(reason.value)
        self.reason = reason
        self.certificate = certificate


@dataclass(frozen=True)
class Presented:
    """What the trusted proxy passed on: the PEM text and its own verdict."""

    pem: str
    verdict: str


# --- configuration ----------------------------------------------------------------------------


def enabled() -> bool:
    """Certificate login is on when a proxy may pass certificates and a CA is trusted."""
    return bool(settings.CERTIFICATE_LOGIN_PROXIES and settings.CERTIFICATE_LOGIN_CA_FILE)


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def _from_proxy(address: str) -> bool:
    peer = parse_address(address)
    if peer is None:
        return False
    for proxy in settings.CERTIFICATE_LOGIN_PROXIES:
        try:
            if peer in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            logger.error("CERTIFICATE_LOGIN_PROXIES: not an address or network: %r", proxy)
    return False


def take_from_proxy(request) -> None:
    """Moves the proxy's certificate headers from request.META to request.client_certificate
    (a Presented, or None): only from a trusted proxy, and never left behind for anything else
    to read. Called before REMOTE_ADDR becomes the client's address."""
    meta = request.META
    certificate = meta.pop(_meta_key(settings.CERTIFICATE_LOGIN_HEADER), "")
    verdict = ""
    if settings.CERTIFICATE_LOGIN_VERIFY_HEADER:
        verdict = meta.pop(_meta_key(settings.CERTIFICATE_LOGIN_VERIFY_HEADER), "")
    request.client_certificate = None
    if not (certificate or verdict):
        return
    if not _from_proxy(meta.get("REMOTE_ADDR", "")):
        logger.warning(
            "Client certificate header from %s, not a trusted proxy: ignored",
            meta.get("REMOTE_ADDR", ""),
        )
        return
    if certificate and len(certificate) <= MAX_HEADER_LENGTH:
        request.client_certificate = Presented(pem=unquote(certificate), verdict=verdict)


# --- reading ----------------------------------------------------------------------------------


def parse(data: str | bytes) -> x509.Certificate:
    """One certificate, PEM or DER (the first of a PEM chain: the person's own)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "replace")
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)[0]
        return x509.load_der_x509_certificate(data)
    except ValueError as error:
        raise CertificateRefused(Refusal.UNREADABLE) from error


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 over the DER encoding, lowercase hex: what identifies the certificate."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def common_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


@dataclass(frozen=True)
class Details:
    """What the portal records of a certificate."""

    subject: str
    issuer: str
    serial_number: str
    fingerprint: str
    not_valid_before: datetime.datetime
    not_valid_after: datetime.datetime
    pem: str


def details(certificate: x509.Certificate) -> Details:
    return Details(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial_number=format(certificate.serial_number, "X"),
        fingerprint=fingerprint(certificate),
        not_valid_before=certificate.not_valid_before_utc,
        not_valid_after=certificate.not_valid_after_utc,
        pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    )


# --- checking ---------------------------------------------------------------------------------


def trusted_authorities() -> list[x509.Certificate]:
    """The CA certificates of CERTIFICATE_LOGIN_CA_FILE (nginx's ssl_client_certificate)."""
    path = settings.CERTIFICATE_LOGIN_CA_FILE
    if not path:
        return []
    return x509.load_pem_x509_certificates(Path(path).read_bytes())


def _revocation_lists() -> list[x509.CertificateRevocationList]:
    data = Path(settings.CERTIFICATE_LOGIN_CRL_FILE).read_bytes()
    blocks = _CRL_PEM.findall(data)
    if blocks:
        return [x509.load_pem_x509_crl(block) for block in blocks]
    return [x509.load_der_x509_crl(data)]


def _issuer_among(certificate, authorities) -> x509.Certificate | None:
    for authority in authorities:
        if authority.subject != certificate.issuer:
            continue
        try:
            certificate.verify_directly_issued_by(authority)
        except (ValueError, TypeError, InvalidSignature):  # not its signature
            continue
        return authority
    return None


def _verify_chain(certificate, authorities, now) -> None:
    """RFC 5280 path validation up to a trusted CA (the web PKI's profile for a client,
    except that a person's certificate need not carry a subjectAltName)."""
    leaf_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
    )
    verifier = (
        PolicyBuilder()
        .store(Store(authorities))
        .time(now)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=leaf_policy)
        .build_client_verifier()
    )
    verifier.verify(certificate, [])


def _check_revocation(certificate, issuer, now) -> None:
    if not settings.CERTIFICATE_LOGIN_CRL_FILE:
        return
    try:
        lists = _revocation_lists()
    except (OSError, ValueError):
        logger.exception("CERTIFICATE_LOGIN_CRL_FILE cannot be read")
        raise CertificateRefused(Refusal.UNCHECKABLE, certificate) from None
    for crl in lists:
        if crl.issuer != issuer.subject or not crl.is_signature_valid(issuer.public_key()):
            continue
        if crl.next_update_utc is not None and crl.next_update_utc < now:
            logger.error(
                "The revocation list of %s expired at %s: its certificates are refused",
                issuer.subject.rfc4514_string(),
                crl.next_update_utc.isoformat(),
            )
            raise CertificateRefused(Refusal.UNCHECKABLE, certificate)
        if crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
            raise CertificateRefused(Refusal.REVOKED, certificate)
        return
    logger.error(
        "No valid revocation list of %s in CERTIFICATE_LOGIN_CRL_FILE: its certificates are "
        "refused",
        issuer.subject.rfc4514_string(),
    )
    raise CertificateRefused(Refusal.UNCHECKABLE, certificate)


def check(certificate: x509.Certificate, *, now: datetime.datetime | None = None) -> None:
    """Raises CertificateRefused unless the certificate may log in now: issued by a trusted CA,
    valid, and not revoked. Which person it belongs to is the caller's question."""
    now = now or timezone.now()
    try:
        authorities = trusted_authorities()
    except (OSError, ValueError):
        logger.exception("CERTIFICATE_LOGIN_CA_FILE cannot be read")
        raise CertificateRefused(Refusal.UNCHECKABLE, certificate) from None
    issuer = _issuer_among(certificate, authorities)
    if issuer is None:
        raise CertificateRefused(Refusal.FOREIGN, certificate)
    if now < certificate.not_valid_before_utc:
        raise CertificateRefused(Refusal.NOT_YET_VALID, certificate)
    if now > certificate.not_valid_after_utc:
        raise CertificateRefused(Refusal.EXPIRED, certificate)
    try:
        _verify_chain(certificate, authorities, now)
    except VerificationError as error:
        logger.warning("Client certificate refused by path validation: %s", error)
        raise CertificateRefused(Refusal.FOREIGN, certificate) from None
    _check_revocation(certificate, issuer, now)


def presented_certificate(request) -> x509.Certificate:
    """The certificate the trusted proxy passed on for this request, checked; raises
    CertificateRefused (with the certificate, when there was one) otherwise."""
    if not enabled():
        raise CertificateRefused(Refusal.NOT_AVAILABLE)
    presented = getattr(request, "client_certificate", None)
    if presented is None:
        raise CertificateRefused(Refusal.MISSING)
    certificate = parse(presented.pem)
    try:
        check(certificate)
    except CertificateRefused as refused:
        refused.certificate = certificate
        raise
    if settings.CERTIFICATE_LOGIN_VERIFY_HEADER and presented.verdict != "SUCCESS":
        # The portal found nothing wrong, the proxy did (e.g. a revocation list it has newer).
        logger.warning("Client certificate refused by the proxy: %s", presented.verdict)
        raise CertificateRefused(Refusal.FOREIGN, certificate)
    return certificate


def check_for_registration(data: bytes) -> x509.Certificate:
    """An uploaded certificate that a beheerder wants to register: readable, a person's (not a
    CA's), not expired, and, where certificate login is set up, issued by a trusted CA."""
    certificate = parse(data)
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is not None and constraints.value.ca:
        raise CertificateRefused(Refusal.CA_CERTIFICATE, certificate)
    if timezone.now() > certificate.not_valid_after_utc:
        raise CertificateRefused(Refusal.EXPIRED, certificate)
    if settings.CERTIFICATE_LOGIN_CA_FILE:
        try:
            authorities = trusted_authorities()
        except (OSError, ValueError):
            logger.exception("CERTIFICATE_LOGIN_CA_FILE cannot be read")
            raise CertificateRefused(Refusal.UNCHECKABLE, certificate) from None
        if _issuer_among(certificate, authorities) is None:
            raise CertificateRefused(Refusal.FOREIGN, certificate)
    return certificate
