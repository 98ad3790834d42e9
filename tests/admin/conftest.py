import pytest
from django.contrib.messages import get_messages
from django.utils import translation

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _dutch():
    """Messages and labels are compared in the admin's default language."""
    with translation.override("nl"):
        yield


@pytest.fixture
def staff_user(db):
    """A Z login employee with every permission and a TOTP device."""
    return UserFactory(is_staff=True, is_superuser=True, with_totp_device=True)


@pytest.fixture
def admin_client(client, verified_login, staff_user):
    """The test client, logged in as staff_user with a verified second factor."""
    return verified_login(staff_user)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]
