import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from ketenmachtigingen.models import Ketenmachtiging, KetenmachtigingEvent
from tests.factories import BeheerderFactory, OrganisationFactory, UserFactory

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# Tuesday 10 March 2026, 10:00 in Amsterdam (CET, UTC+1).
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=AMSTERDAM)
TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def frozen():
    """The clock stands still at NOW (TODAY in Amsterdam)."""
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture(autouse=True)
def _dutch():
    """Event notes are compared in the portal's language."""
    with translation.override("nl"):
        yield


@pytest.fixture
def staff_user(db):
    """A Z login employee, acting through the admin."""
    return UserFactory(is_staff=True)


@pytest.fixture
def intermediair(db):
    return OrganisationFactory(intermediair=True)


@pytest.fixture
def relatie(db):
    return OrganisationFactory()


@pytest.fixture
def beheerder(intermediair):
    """The beheerder (EH3) of the intermediair who uses the portal."""
    return BeheerderFactory(organisation=intermediair)


@pytest.fixture
def person(beheerder):
    """The person behind the beheerder's middel: not staff."""
    return beheerder.user


def state_of(km: Ketenmachtiging) -> dict:
    """Everything stored about a ketenmachtiging, read back from the database."""
    km = Ketenmachtiging.objects.get(pk=km.pk)
    fields = {f.attname: getattr(km, f.attname) for f in km._meta.concrete_fields}
    fields["gebruikers"] = sorted(km.gebruikers.values_list("pk", flat=True))
    fields["groepen"] = sorted(km.groepen.values_list("pk", flat=True))
    fields["dienstverleners"] = sorted(km.dienstverleners.values_list("pk", flat=True))
    fields["diensten"] = sorted(km.diensten.values_list("pk", flat=True))
    fields["events"] = list(
        KetenmachtigingEvent.objects.filter(ketenmachtiging=km).values_list("pk", flat=True)
    )
    return fields


@pytest.fixture
def snapshot():
    return state_of


@pytest.fixture
def kvk_api(settings):
    """A local fake of the KVK API, with the settings pointing the "kvk" register at it."""
    from tests.ketenmachtigingen.kvk_fake import FakeKvk

    with FakeKvk() as fake:
        settings.COMPANY_REGISTER = "kvk"
        settings.KVK_API_URL = fake.url
        settings.KVK_API_KEY = "test-key"
        settings.KVK_API_TIMEOUT = 0.5
        yield fake
