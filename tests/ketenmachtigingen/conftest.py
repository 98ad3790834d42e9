import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from ketenmachtigingen.models import Ketenmachtiging, KetenmachtigingEvent, RegisterEntry
from tests.factories import DienstFactory, MembershipFactory, OrganisationFactory, UserFactory

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
def relatie(db):
    return OrganisationFactory()


@pytest.fixture
def collega(beheerder):
    """S. de Jong, a colleague of the beheerder: someone to give a ketenmachtiging to."""
    return MembershipFactory(
        organisation=beheerder.organisation,
        user=UserFactory(initials="S.", tussenvoegsel="de", last_name="Jong"),
    )


@pytest.fixture
def dienst(db):
    """A dienst to request a ketenmachtiging for."""
    return DienstFactory(name="Adviseursportaal a.s.r. Cockpit", dienstverlener__name="A.S.R.")


@pytest.fixture
def zet(db):
    """ZET solutions B.V. in the company register: the company of Eén bedrijf."""
    return RegisterEntry.objects.create(
        kvk_nummer="39078749",
        rsin="800000006",
        name="ZET solutions B.V.",
        straat="Albert Einsteinweg",
        huisnummer="4",
        postcode="8218NH",
        plaats="Lelystad",
    )


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
