import pytest
from django.core.management import CommandError, call_command

from accounts.constants import EHNiveau, Role
from accounts.models import Membership, Organisation, User
from groepen.models import Groep
from ketenmachtigingen import dates
from ketenmachtigingen.constants import Status
from ketenmachtigingen.models import Ketenmachtiging, KetenmachtigingEvent, RegisterEntry

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything demo_data writes, as comparable values."""
    return {
        "users": sorted(User.objects.values_list("username", "password", "is_staff")),
        "organisations": sorted(Organisation.objects.values_list("kvk_nummer", "rsin", "name")),
        "middelen": sorted(
            Membership.objects.values_list(
                "user__username", "organisation__kvk_nummer", "role", "eh_niveau", "pseudonym"
            )
        ),
        "groepen": sorted(Groep.objects.values_list("organisation__kvk_nummer", "name")),
        "ketenmachtigingen": sorted(
            Ketenmachtiging.objects.values_list(
                "reference", "status", "start_date", "end_date", "request_code"
            )
        ),
        "events": KetenmachtigingEvent.objects.count(),
        "register": RegisterEntry.objects.count(),
    }


def test_demo_data_twice_leaves_the_same_data(settings):
    settings.DEBUG = True
    call_command("demo_data")
    first = snapshot()
    call_command("demo_data")
    assert snapshot() == first


def test_demo_data_contents(settings):
    settings.DEBUG = True
    call_command("demo_data")

    beheerder = User.objects.get(username="beheerder")
    assert beheerder.check_password("Ketenmachtiging-2026")
    device = beheerder.totpdevice_set.get()
    assert device.key == "48656c6c6f21deadbeef"  # base32 JBSWY3DPEHPK3PXP
    managed = Membership.objects.managing().filter(user=beheerder)
    assert sorted(m.organisation.name for m in managed) == [
        "Loonbureau De Vries B.V.",
        "Pietersen Administratie B.V.",
    ]
    # Another tenant with its own beheerder.
    jansen = Membership.objects.get(user__username="jansen")
    assert jansen.role == Role.BEHEERDER
    assert jansen.organisation.name == "Accountantskantoor Jansen & Co"
    # Gebruikers at every level, and a Belastingdienst-only middel.
    levels = set(Membership.objects.values_list("eh_niveau", flat=True))
    assert levels == {EHNiveau.EH2, EHNiveau.EH2_PLUS, EHNiveau.EH3, EHNiveau.EH4}
    assert Membership.objects.filter(belastingdienst_only=True).exists()
    # The register: ZET solutions and KVK's documented test companies, about 30 in all.
    zet = RegisterEntry.objects.get(kvk_nummer="39078749")
    assert (zet.name, zet.straat, zet.huisnummer, zet.postcode, zet.plaats) == (
        "ZET solutions B.V.",
        "Albert Einsteinweg",
        "4",
        "8218NH",
        "Lelystad",
    )
    assert RegisterEntry.objects.get(kvk_nummer="68750110").name == "Test BV Donald"
    assert RegisterEntry.objects.get(kvk_nummer="69599084").name == "Test EMZ Dagobert"
    assert RegisterEntry.objects.count() == 30
    # Every status, and some active ones ending within 3 months.
    assert set(Ketenmachtiging.objects.values_list("status", flat=True)) == set(Status.values)
    due = Ketenmachtiging.objects.filter(
        status=Status.ACTIEF, end_date__lt=dates.renewal_window_start(dates.today())
    )
    assert due.count() >= 3
    # What is active is in force: no active one has already ended.
    today = dates.today()
    assert not Ketenmachtiging.objects.filter(status=Status.ACTIEF, end_date__lte=today).exists()
    assert Groep.objects.filter(organisation__name="Pietersen Administratie B.V.").count() == 2


def test_demo_data_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_data")
    assert User.objects.count() == 0
