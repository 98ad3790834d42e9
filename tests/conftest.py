import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still work.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "intermediair(**fields): the fields of the `intermediair` fixture's organisation "
        "(and so of the beheerder's), e.g. an afzender_email",
    )


def pytest_report_header(config):
    """Which database the suite runs on, and what that means for the PostgreSQL-only tests."""
    from django.conf import settings

    from tests.databases import TO_RUN_THEM

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return "database: PostgreSQL (DATABASE_URL): the PostgreSQL-only tests run"
    return f"database: SQLite: the tests that need PostgreSQL are skipped ({TO_RUN_THEM})"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and throttles count in the cache: every test starts from nothing."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def verified_login(client):
    """Log `user` in on the test client with a verified second factor, as after a full login."""
    from tests.logins import log_in_verified

    return lambda user: log_in_verified(client, user)


@pytest.fixture
def intermediair(request, db):
    """An intermediair (an accountancy firm, a payroll bureau). A test module or test marked
    `@pytest.mark.intermediair(afzender_email=...)` gets one with those fields."""
    from tests.factories import OrganisationFactory

    marker = request.node.get_closest_marker("intermediair")
    return OrganisationFactory(intermediair=True, **(marker.kwargs if marker else {}))


@pytest.fixture
def beheerder(intermediair):
    """The beheerder (EH3) of the intermediair who uses the portal, with a TOTP device."""
    from tests.factories import BeheerderFactory, UserFactory

    return BeheerderFactory(user=UserFactory(with_totp_device=True), organisation=intermediair)


@pytest.fixture
def person(beheerder):
    """The person behind the beheerder's middel: not staff."""
    return beheerder.user


@pytest.fixture
def org(beheerder):
    """The beheerder's organisation."""
    return beheerder.organisation


@pytest.fixture
def portal(client, verified_login, beheerder):
    """The test client, logged in as the beheerder with a verified second factor."""
    verified_login(beheerder.user)
    return client
