"""factory_boy factories for the portal's models.

Factories are test fixtures, not product code: they may set fields that the product changes only
through services (e.g. `Ketenmachtiging.status`, which is `editable=False`). Use the status traits
(`KetenmachtigingFactory(actief=True)`) to get a row whose dates and timestamps fit its status.
"""

import datetime
import uuid

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.django import DjangoModelFactory
from stdnum.nl import bsn

from accounts.constants import EHNiveau, Role
from accounts.models import Membership, Organisation, User
from berichtenbox.models import Bericht
from catalogue.models import Dienst, Dienstverlener
from groepen.models import Groep
from ketenmachtigingen import dates
from ketenmachtigingen.constants import Status
from ketenmachtigingen.models import BulkRequest, BulkRequestRow, Ketenmachtiging

DEFAULT_PASSWORD = "correct horse battery staple"


def valid_rsin(n: int) -> str:
    """A distinct 9-digit number passing the elfproef for every 0 <= n < 7_000_000."""
    for last_prefix_digit in range(10):
        prefix = f"{20_000_000 + n * 10 + last_prefix_digit:08d}"
        check = sum((9 - i) * int(d) for i, d in enumerate(prefix)) % 11
        if check < 10:  # 10 has no digit: try the next prefix
            number = f"{prefix}{check}"
            assert bsn.is_valid(number)
            return number
    raise AssertionError(f"no valid RSIN for {n}")  # unreachable: 10 prefixes, 11 residues


def _many_to_many(field_name):
    """A post-generation hook that sets a many-to-many field from a passed iterable."""

    def hook(obj, create, extracted, **kwargs):
        if create and extracted is not None:
            getattr(obj, field_name).set(extracted)

    hook.__name__ = field_name
    return factory.PostGeneration(hook)


# --- accounts -----------------------------------------------------------------------------------


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisatie {n} B.V.")
    kvk_nummer = factory.Sequence(lambda n: f"{10_000_000 + n:08d}")
    rsin = None
    straat = "Stationsplein"
    huisnummer = factory.Sequence(lambda n: str(n + 1))
    postcode = "3511 ED"
    plaats = "Utrecht"

    class Params:
        # A valid (elfproef) RSIN next to the KVK-nummer.
        with_rsin = factory.Trait(rsin=factory.Sequence(valid_rsin))
        # Known only by its RSIN, e.g. a foundation without a KVK registration in the register.
        rsin_only = factory.Trait(kvk_nummer=None, rsin=factory.Sequence(valid_rsin))
        # A customer for ketenmachtigingen.
        intermediair = factory.Trait(ketenmachtigingen_enabled=True)


class TOTPDeviceFactory(DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory("tests.factories.UserFactory")
    name = "default"
    confirmed = True


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"persoon{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.nl")
    first_name = factory.Sequence(lambda n: f"Voornaam{n}")
    last_name = factory.Sequence(lambda n: f"Achternaam{n}")
    initials = factory.LazyAttribute(lambda o: f"{o.first_name[0]}.")
    is_staff = False

    class Params:
        # A confirmed TOTP device named "default", so that the person can pass two-factor login.
        with_totp_device = factory.Trait(
            totp_device=factory.RelatedFactory(TOTPDeviceFactory, factory_related_name="user")
        )
        staff = factory.Trait(is_staff=True)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        """`UserFactory(password="...")`; DEFAULT_PASSWORD otherwise."""
        obj.set_password(extracted if extracted is not None else DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class MembershipFactory(DjangoModelFactory):
    """An EH-middel of a person for an organisation."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.GEBRUIKER
    eh_niveau = EHNiveau.EH3
    active = True
    belastingdienst_only = False


class BeheerderFactory(MembershipFactory):
    role = Role.BEHEERDER


# --- the catalogue ------------------------------------------------------------------------------


class DienstverlenerFactory(DjangoModelFactory):
    class Meta:
        model = Dienstverlener

    name = factory.Sequence(lambda n: f"Dienstverlener {n}")
    # Starts with 9: no clash with the OINs of the catalogue loaded by migration 0002.
    oin = factory.Sequence(lambda n: f"9{n:019d}")
    is_belastingdienst = False

    class Params:
        belastingdienst = factory.Trait(is_belastingdienst=True)


class DienstFactory(DjangoModelFactory):
    class Meta:
        model = Dienst

    dienstverlener = factory.SubFactory(DienstverlenerFactory)
    name = factory.Sequence(lambda n: f"Dienst {n}")
    service_uuid = factory.LazyFunction(uuid.uuid4)
    service_index = factory.Sequence(lambda n: n + 1)
    min_eh_niveau = EHNiveau.EH3
    active = True


# --- groepen and berichten ----------------------------------------------------------------------


class GroepFactory(DjangoModelFactory):
    """A groep; pass `algemene_bevoegdheid=False` with `diensten=[...]` or `dienstverleners=[...]`
    for limited toegestane diensten, and `members=[membership, ...]`."""

    class Meta:
        model = Groep
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Groep {n}")
    algemene_bevoegdheid = True

    members = _many_to_many("members")
    dienstverleners = _many_to_many("dienstverleners")
    diensten = _many_to_many("diensten")


class BerichtFactory(DjangoModelFactory):
    class Meta:
        model = Bericht

    organisation = factory.SubFactory(OrganisationFactory)
    recipient = None
    subject = factory.Sequence(lambda n: f"Bericht {n}")
    body = "Er is een wijziging in uw ketenmachtigingen."
    ketenmachtiging = None
    read_at = None


# --- ketenmachtigingen --------------------------------------------------------------------------


def _now():
    return timezone.now()


def _days_ago(days: int):
    return factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=days))


def _today():
    return dates.today()


class KetenmachtigingFactory(DjangoModelFactory):
    """A ketenmachtiging of `relatie` to `intermediair`; by default a request just sent.

    Traits, one per status: aanvraag_verstuurd, aanvraag_ontvangen, incompleet, fout, actief,
    verlopen, ingetrokken, vervallen. Many-to-many: `gebruikers`, `groepen`, `dienstverleners`,
    `diensten` take iterables (pass `algemene_bevoegdheid=False` for a limited scope).
    """

    class Meta:
        model = Ketenmachtiging
        skip_postgeneration_save = True

    intermediair = factory.SubFactory(OrganisationFactory, intermediair=True)
    relatie = factory.SubFactory(OrganisationFactory)
    algemene_bevoegdheid = True
    duration_years = 5

    # The default is the state right after "Verzend aanvraag tot goedkeuring".
    status = Status.AANVRAAG_VERSTUURD
    sent_at = factory.LazyFunction(_now)
    costs_agreed_at = factory.LazyAttribute(lambda o: o.sent_at)

    contact_initialen = "J."
    contact_achternaam = factory.Sequence(lambda n: f"Jansen{n}")
    contact_email = factory.Sequence(lambda n: f"contact{n}@relatie.example.nl")
    contact_telefoon = "0301234567"
    intermediair_email = "kantoor@intermediair.example.nl"
    intermediair_telefoon = "0207654321"

    class Params:
        aanvraag_verstuurd = factory.Trait(
            status=Status.AANVRAAG_VERSTUURD,
            sent_at=factory.LazyFunction(_now),
        )
        aanvraag_ontvangen = factory.Trait(
            status=Status.AANVRAAG_ONTVANGEN,
            sent_at=_days_ago(14),
            received_at=factory.LazyFunction(_now),
        )
        incompleet = factory.Trait(
            status=Status.INCOMPLEET,
            sent_at=_days_ago(14),
            received_at=_days_ago(2),
            status_reason="De handtekening ontbreekt.",
        )
        fout = factory.Trait(
            status=Status.FOUT,
            sent_at=_days_ago(1),
            status_reason="De uitnodiging kon niet worden bezorgd.",
        )
        actief = factory.Trait(
            status=Status.ACTIEF,
            sent_at=_days_ago(30),
            received_at=_days_ago(20),
            activated_at=_days_ago(10),
            start_date=factory.LazyFunction(_today),
            end_date=factory.LazyAttribute(
                lambda o: dates.end_date_for(o.start_date, o.duration_years)
            ),
        )
        verlopen = factory.Trait(
            status=Status.VERLOPEN,
            # Ended yesterday.
            start_date=factory.LazyAttribute(
                lambda o: dates.add_years(_today() - datetime.timedelta(days=1), -o.duration_years)
            ),
            end_date=factory.LazyAttribute(
                lambda o: dates.end_date_for(o.start_date, o.duration_years)
            ),
            sent_at=factory.LazyAttribute(
                lambda o: (
                    timezone.make_aware(datetime.datetime.combine(o.start_date, datetime.time(9)))
                    - datetime.timedelta(days=30)
                )
            ),
            activated_at=factory.LazyAttribute(
                lambda o: timezone.make_aware(
                    datetime.datetime.combine(o.start_date, datetime.time(9))
                )
            ),
        )
        ingetrokken = factory.Trait(
            status=Status.INGETROKKEN,
            sent_at=_days_ago(400),
            activated_at=_days_ago(365),
            start_date=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=365)),
            end_date=factory.LazyAttribute(
                lambda o: dates.end_date_for(o.start_date, o.duration_years)
            ),
            revoked_at=factory.LazyFunction(_now),
        )
        vervallen = factory.Trait(
            status=Status.VERVALLEN,
            # Sent more than 3 months ago and never answered.
            sent_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=100)),
        )

    gebruikers = _many_to_many("gebruikers")
    groepen = _many_to_many("groepen")
    dienstverleners = _many_to_many("dienstverleners")
    diensten = _many_to_many("diensten")


STATUS_TRAITS = {
    Status.AANVRAAG_VERSTUURD: "aanvraag_verstuurd",
    Status.AANVRAAG_ONTVANGEN: "aanvraag_ontvangen",
    Status.INCOMPLEET: "incompleet",
    Status.FOUT: "fout",
    Status.ACTIEF: "actief",
    Status.VERLOPEN: "verlopen",
    Status.INGETROKKEN: "ingetrokken",
    Status.VERVALLEN: "vervallen",
}


def ketenmachtiging_with_status(status: str, **kwargs) -> Ketenmachtiging:
    """KetenmachtigingFactory with the trait that belongs to `status`."""
    return KetenmachtigingFactory(**{STATUS_TRAITS[status]: True}, **kwargs)


# --- Meerdere bedrijven ---------------------------------------------------------------------


class BulkRequestFactory(DjangoModelFactory):
    """An accepted import, not sent yet (state draft); rows with BulkRequestRowFactory."""

    class Meta:
        model = BulkRequest

    organisation = factory.SubFactory(OrganisationFactory, intermediair=True)
    filename = "mijn-relaties.xlsx"
    accepted_at = factory.LazyFunction(_now)


class BulkRequestRowFactory(DjangoModelFactory):
    """A company of an import, each with its own KVK-nummer and contact address."""

    class Meta:
        model = BulkRequestRow

    bulk_request = factory.SubFactory(BulkRequestFactory)
    row_number = factory.Sequence(lambda n: n + 2)
    kvk_nummer = factory.Sequence(lambda n: f"{70_000_000 + n:08d}")
    name = factory.Sequence(lambda n: f"Relatie {n} B.V.")
    contact_initialen = "J."
    contact_achternaam = factory.Sequence(lambda n: f"Contact {n}")
    contact_email = factory.Sequence(lambda n: f"contact{n}@relatie.example.nl")
    contact_telefoon = "+31612345678"
