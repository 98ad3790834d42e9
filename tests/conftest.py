import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still work.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
def beheerder(db):
    """A beheerder (EH3) of one organisation, with a TOTP device."""
    from tests.factories import BeheerderFactory, OrganisationFactory, UserFactory

    user = UserFactory(with_totp_device=True)
    return BeheerderFactory(user=user, organisation=OrganisationFactory(intermediair=True))
