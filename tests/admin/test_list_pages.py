"""Every model in the admin: its list loads with a bounded number of queries (no query per row),
and its change page opens."""

import uuid

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from two_factor.plugins.phonenumber.models import PhoneDevice

from accounts.constants import LoginFactor, LoginOutcome
from accounts.models import LoginEvent
from ketenmachtigingen.models import RegisterEntry
from tests.factories import (
    BeheerderFactory,
    BerichtFactory,
    DienstFactory,
    DienstverlenerFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    TOTPDeviceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROWS = 30
# Session, person, device, counts, the page, the filters' choices: not one more per row.
MAX_QUERIES = 15


def _ketenmachtigingen(n):
    dienst = DienstFactory()
    for i in range(n):
        gebruiker = MembershipFactory()
        KetenmachtigingFactory(
            algemene_bevoegdheid=i % 2 == 0,
            diensten=[dienst] if i % 2 else [],
            gebruikers=[gebruiker],
            renews=None,
        )


def _dienstverleners(n):
    for _ in range(n):
        dienstverlener = DienstverlenerFactory()
        DienstFactory.create_batch(2, dienstverlener=dienstverlener)


def _users(n):
    for _ in range(n):
        user = UserFactory(with_totp_device=True)
        MembershipFactory(user=user)
        BeheerderFactory(user=user)


def _groepen(n):
    for _ in range(n):
        organisation = OrganisationFactory(intermediair=True)
        members = MembershipFactory.create_batch(2, organisation=organisation)
        GroepFactory(organisation=organisation, members=members)


def _berichten(n):
    for _ in range(n):
        km = KetenmachtigingFactory()
        BerichtFactory(
            organisation=km.intermediair,
            recipient=MembershipFactory(organisation=km.intermediair).user,
            ketenmachtiging=km,
        )


def _register(n):
    for i in range(n):
        RegisterEntry.objects.create(kvk_nummer=f"{40_000_000 + i}", name=f"Bedrijf {i}")


def _login_events(n):
    for i in range(n):
        user = UserFactory()
        LoginEvent.objects.create(
            user=user,
            username=user.username,
            ip_address=f"192.0.2.{i + 1}",
            factor=LoginFactor.PASSWORD,
            outcome=LoginOutcome.SUCCESS,
        )


def _groups(n):
    for i in range(n):
        Group.objects.create(name=f"Groep {i}")


def _static_devices(n):
    for _ in range(n):
        StaticDevice.objects.create(user=UserFactory(), name="backup")


def _phone_devices(n):
    for i in range(n):
        PhoneDevice.objects.create(
            user=UserFactory(), name="default", number=f"+3161234{i:04d}", method="sms"
        )


def _axes(model):
    def build(n):
        for i in range(n):
            fields = {
                "user_agent": "Mozilla/5.0",
                "ip_address": f"192.0.2.{i + 1}",
                "username": f"persoon{i}",
                "http_accept": "text/html",
                "path_info": "/inloggen/",
            }
            if model is AccessAttempt:
                fields |= {"get_data": "", "post_data": "", "failures_since_start": 1}
            model.objects.create(**fields)

    return build


BUILDERS = {
    "ketenmachtigingen.ketenmachtiging": _ketenmachtigingen,
    "catalogue.dienstverlener": _dienstverleners,
    "catalogue.dienst": lambda n: DienstFactory.create_batch(n),
    "ketenmachtigingen.registerentry": _register,
    "accounts.organisation": lambda n: OrganisationFactory.create_batch(n),
    "accounts.user": _users,
    "accounts.membership": lambda n: MembershipFactory.create_batch(n),
    "accounts.loginevent": _login_events,
    "groepen.groep": _groepen,
    "berichtenbox.bericht": _berichten,
    "auth.group": _groups,
    "otp_totp.totpdevice": lambda n: TOTPDeviceFactory.create_batch(n),
    "otp_static.staticdevice": _static_devices,
    "phonenumber.phonedevice": _phone_devices,
    "axes.accessattempt": _axes(AccessAttempt),
    "axes.accesslog": _axes(AccessLog),
    "axes.accessfailurelog": _axes(AccessFailureLog),
}
REGISTERED = sorted(model._meta.label_lower for model in admin.site._registry)
# The apps whose admin this suite covers row by row: the staff admin's own and the framework's.
# Another app's admin (e.g. the API's) is still loaded below, without rows, until it adds a
# builder to BUILDERS.
COVERED_APPS = {
    "accounts",
    "catalogue",
    "ketenmachtigingen",
    "groepen",
    "berichtenbox",
    "auth",
    "otp_static",
    "otp_totp",
    "phonenumber",
    "axes",
}


def _no_rows(n):
    pass


def test_every_model_registered_by_the_covered_apps_has_rows_to_list():
    """A model newly registered in the admin needs a builder here, so its list is checked."""
    covered = [label for label in REGISTERED if label.split(".")[0] in COVERED_APPS]
    assert sorted(label for label in BUILDERS if label in REGISTERED) == covered


def _admin_url(label, view, *args):
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


@pytest.mark.parametrize("label", REGISTERED)
def test_the_list_page_loads_with_a_bounded_number_of_queries(
    admin_client, django_assert_max_num_queries, label
):
    BUILDERS.get(label, _no_rows)(ROWS)
    url = _admin_url(label, "changelist")

    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_client.get(url)

    assert response.status_code == 200
    if label in BUILDERS:
        assert len(response.context["cl"].result_list) >= ROWS


@pytest.mark.parametrize("label", [label for label in REGISTERED if label in BUILDERS])
def test_the_change_page_opens(admin_client, label):
    BUILDERS[label](2)
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    obj = model._default_manager.order_by("-pk").first()

    response = admin_client.get(_admin_url(label, "change", obj.pk))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "label",
    [
        label
        for label in REGISTERED
        if label
        in {
            "accounts.organisation",
            "accounts.user",
            "accounts.membership",
            "catalogue.dienstverlener",
            "catalogue.dienst",
            "ketenmachtigingen.registerentry",
            "berichtenbox.bericht",
        }
    ],
)
def test_the_add_page_opens(admin_client, label):
    assert admin_client.get(_admin_url(label, "add")).status_code == 200


def test_dienst_is_found_by_name_service_uuid_and_service_id(admin_client):
    dienst = DienstFactory(name="Testdienst omzetbelasting 2099", service_uuid=uuid.uuid4())
    DienstFactory.create_batch(3)
    url = _admin_url("catalogue.dienst", "changelist")

    for term in (
        "omzetbelasting 2099",
        str(dienst.service_uuid),
        str(dienst.service_uuid).upper(),
        str(dienst.service_uuid)[:8],
        dienst.service_id,
    ):
        response = admin_client.get(url, {"q": term})
        assert list(response.context["cl"].result_list) == [dienst], term
