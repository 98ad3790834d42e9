"""A certificate authority for development and tests: never for production.

`make run-tls` (scripts/run-tls.sh) asks `manage.py prepare_test_pki` for the files the local TLS
proxy needs under var/pki/: the test CA (`ca.crt`, `ca.key`), its revocation list (`ca.crl`)
and a server certificate for 127.0.0.1 and localhost (`server.crt`, `server.key`).
`manage.py issue_test_certificate` issues a person's certificate with the same CA. The tests
make their own authorities, certificates and lists with the same functions.
"""

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "Z login Test CA (alleen voor ontwikkeling)"
CRL_DAYS = 30
SERVER_DAYS = 365
CLIENT_DAYS = 365


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, organisation: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "NL")]
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


@dataclass(frozen=True)
class Authority:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def make_ca(
    name: str = CA_NAME,
    *,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> Authority:
    """A self-signed root that signs certificates and revocation lists."""
    key = new_key()
    subject = _name(name, "Z login")
    not_before = not_before or _now() - datetime.timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after or not_before + datetime.timedelta(days=10 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(certificate, key)


def _issue(
    ca: Authority,
    subject: x509.Name,
    *,
    usage: x509.ObjectIdentifier,
    not_before: datetime.datetime | None,
    not_after: datetime.datetime | None,
    days: int,
    san: list[x509.GeneralName] | None = None,
    serial_number: int | None = None,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = new_key()
    not_before = not_before or _now() - datetime.timedelta(hours=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(serial_number or x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after or not_before + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(ca.key, hashes.SHA256()), key


def issue_client_certificate(
    ca: Authority,
    *,
    common_name: str,
    organisation: str = "",
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
    serial_number: int | None = None,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A person's certificate for TLS client authentication, as on an EH4 smartcard."""
    return _issue(
        ca,
        _name(common_name, organisation),
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
        not_before=not_before,
        not_after=not_after,
        days=CLIENT_DAYS,
        serial_number=serial_number,
    )


def issue_server_certificate(
    ca: Authority, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return _issue(
        ca,
        _name(hosts[0]),
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
        not_before=None,
        not_after=None,
        days=SERVER_DAYS,
        san=names,
    )


def make_crl(
    ca: Authority,
    revoked_serial_numbers=(),
    *,
    last_update: datetime.datetime | None = None,
    next_update: datetime.datetime | None = None,
) -> x509.CertificateRevocationList:
    last_update = last_update or _now() - datetime.timedelta(minutes=5)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(last_update)
        .next_update(next_update or last_update + datetime.timedelta(days=CRL_DAYS))
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .add_extension(x509.CRLNumber(int(last_update.timestamp())), critical=False)
    )
    for serial_number in revoked_serial_numbers:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial_number)
            .revocation_date(last_update)
            .build()
        )
    return builder.sign(ca.key, hashes.SHA256())


def certificate_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def crl_pem(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(serialization.Encoding.PEM)


def pkcs12_bytes(
    name: str, certificate: x509.Certificate, key, ca: x509.Certificate, password: str
) -> bytes:
    """A .p12 for importing into a browser or the operating system. The older encryption
    (3DES, SHA-1 MAC) that every browser and keychain still imports, unlike AES in PKCS#12."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(50_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())  # noqa: S303 - what older keychains can read
        .build(password.encode())
    )
    return pkcs12.serialize_key_and_certificates(name.encode(), key, certificate, [ca], encryption)


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    path.write_bytes(data)
    if private:
        path.chmod(0o600)


class TestPki:
    """The test CA's files in one directory, made when missing."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.ca_certificate = self.directory / "ca.crt"
        self.ca_key = self.directory / "ca.key"
        self.crl = self.directory / "ca.crl"
        self.server_certificate = self.directory / "server.crt"
        self.server_key = self.directory / "server.key"

    def authority(self) -> Authority:
        """The CA, made (with a fresh revocation list) when it does not exist yet."""
        if not (self.ca_certificate.exists() and self.ca_key.exists()):
            self.directory.mkdir(parents=True, exist_ok=True)
            ca = make_ca()
            _write(self.ca_key, key_pem(ca.key), private=True)
            _write(self.ca_certificate, certificate_pem(ca.certificate))
            _write(self.crl, crl_pem(make_crl(ca)))
            self.server_certificate.unlink(missing_ok=True)
            return ca
        key = serialization.load_pem_private_key(self.ca_key.read_bytes(), password=None)
        return Authority(
            x509.load_pem_x509_certificate(self.ca_certificate.read_bytes()),
            cast(ec.EllipticCurvePrivateKey, key),
        )

    def prepare(self) -> Authority:
        """Everything the TLS proxy needs: the CA, a server certificate valid for at least a
        month more, and a revocation list renewed now (the revoked serial numbers kept)."""
        ca = self.authority()
        if self._server_expires_soon():
            certificate, key = issue_server_certificate(ca)
            _write(self.server_key, key_pem(key), private=True)
            _write(self.server_certificate, certificate_pem(certificate))
        self.revoke()
        return ca

    def revoke(self, *serial_numbers: int) -> None:
        """Renews the revocation list, adding `serial_numbers` to those already on it."""
        ca = self.authority()
        revoked = set(serial_numbers)
        if self.crl.exists():
            revoked |= {
                entry.serial_number for entry in x509.load_pem_x509_crl(self.crl.read_bytes())
            }
        _write(self.crl, crl_pem(make_crl(ca, sorted(revoked))))

    def _server_expires_soon(self) -> bool:
        if not (self.server_certificate.exists() and self.server_key.exists()):
            return True
        certificate = x509.load_pem_x509_certificate(self.server_certificate.read_bytes())
        return certificate.not_valid_after_utc < _now() + datetime.timedelta(days=30)
