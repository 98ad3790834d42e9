"""Deployment checks (`manage.py check --deploy`): what logging in and its limits need."""

from cryptography import x509
from django.conf import settings
from django.core.checks import Error, Warning, register

from core.startup import MISSING_SECRET_KEY, secret_key_is_set


@register(deploy=True)
def shared_cache(app_configs, **kwargs):
    """The lockout's pace, the username lock and the recovery limits count in the cache: a
    cache of each process's own would let every process count on its own."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The login throttle and the recovery rate limits count in the default cache, "
                "which is not shared between processes.",
                hint="Set CACHE_URL to a shared cache, e.g. redis://redis:6379/1.",
                id="accounts.W001",
            )
        ]
    return []


@register(deploy=True)
def secret_key(app_configs, **kwargs):
    """Sessions, password links and the second factor's tokens are signed with it."""
    if secret_key_is_set():
        return []
    return [
        Error(
            MISSING_SECRET_KEY,
            hint="python3 -c 'import secrets; print(secrets.token_urlsafe(50))'",
            id="accounts.E001",
        )
    ]


@register(deploy=True)
def certificate_login(app_configs, **kwargs):
    """Login with an EH4 certificate: its CA file must be readable, and without a revocation
    list a revoked certificate logs in for as long as the proxy lets it through."""
    if not (settings.CERTIFICATE_LOGIN_PROXIES and settings.CERTIFICATE_LOGIN_CA_FILE):
        return []
    issues = []
    try:
        with open(settings.CERTIFICATE_LOGIN_CA_FILE, "rb") as file:
            x509.load_pem_x509_certificates(file.read())
    except (OSError, ValueError) as error:
        issues.append(
            Error(
                f"CERTIFICATE_LOGIN_CA_FILE cannot be read as PEM certificates: {error}",
                hint="The same file as nginx's ssl_client_certificate.",
                id="accounts.E002",
            )
        )
    if not settings.CERTIFICATE_LOGIN_CRL_FILE:
        issues.append(
            Warning(
                "Certificate login is on without CERTIFICATE_LOGIN_CRL_FILE: the portal does "
                "not check whether a certificate is revoked.",
                hint="Set it to the same file as nginx's ssl_crl.",
                id="accounts.W002",
            )
        )
    return issues
