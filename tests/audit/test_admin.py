"""The audit trail in the admin: listed, searchable, filterable, readable, and read-only."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audit.constants import AuditKind
from audit.models import AuditEvent
from groepen import services
from groepen.models import Groep
from tests.factories import (
    BeheerderFactory,
    GroepFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:audit_auditevent_changelist")


@pytest.fixture
def staff_user(db):
    return UserFactory(
        is_staff=True, is_superuser=True, with_totp_device=True, initials="Z.", last_name="Staf"
    )


@pytest.fixture
def admin_client(client, verified_login, staff_user):
    return verified_login(staff_user)


@pytest.fixture
def organisation():
    return OrganisationFactory(intermediair=True, name="Loonbureau De Vries B.V.")


@pytest.fixture
def person(organisation):
    user = UserFactory(initials="A.B.M.", tussenvoegsel="", last_name="Pietersen")
    return BeheerderFactory(organisation=organisation, user=user).user


@pytest.fixture
def renamed(person, organisation):
    groep = services.create_groep(
        acting_user=person, organisation=organisation, name="Loonadministratie"
    )
    services.rename_groep(acting_user=person, groep=groep, name="Salaris")
    return AuditEvent.objects.get(kind=AuditKind.GROEP_RENAMED)


def test_the_list_shows_every_event_readably(admin_client, renamed):
    content = admin_client.get(CHANGELIST).content.decode()

    for text in [
        "Groep hernoemd",
        "Groep aangemaakt",
        "Salaris",
        "Loonbureau De Vries B.V.",
        "A.B.M. Pietersen",
        "Naam gewijzigd van ‘Loonadministratie’ in ‘Salaris’",
    ]:
        assert text in content, text


def test_the_list_is_read_only(admin_client, renamed):
    content = admin_client.get(CHANGELIST).content.decode()

    assert reverse("admin:audit_auditevent_add") not in content
    assert "delete_selected" not in content
    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[renamed.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:audit_auditevent_change", args=[renamed.pk])
    assert admin_client.post(change, {"target_label": "Vervalst"}).status_code == 403
    renamed.refresh_from_db()
    assert renamed.target_label == "Salaris"
    assert AuditEvent.objects.count() == 2


def test_an_event_shows_before_and_after(admin_client, renamed):
    page = admin_client.get(reverse("admin:audit_auditevent_change", args=[renamed.pk]))

    content = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in content
    assert "&quot;name&quot;: &quot;Loonadministratie&quot;" in content
    assert "&quot;name&quot;: &quot;Salaris&quot;" in content


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({"q": "Salaris"}, True),
        ({"q": "Loonbureau De Vries"}, True),
        ({"q": "Pietersen"}, True),
        ({"q": "Onbekend"}, False),
        ({"kind__exact": AuditKind.GROEP_RENAMED}, True),
        ({"kind__exact": AuditKind.GROEP_DELETED}, False),
    ],
)
def test_search_and_filters(admin_client, renamed, query, found):
    response = admin_client.get(CHANGELIST, query)

    assert response.status_code == 200
    assert ("Naam gewijzigd van" in response.content.decode()) is found


def test_the_groep_admin_links_to_its_history(admin_client, person, organisation, renamed):
    groep = Groep.objects.get()
    services.create_groep(acting_user=person, organisation=organisation, name="Andere groep")

    change = admin_client.get(reverse("admin:groepen_groep_change", args=[groep.pk]))
    link = (
        f"{CHANGELIST}?target_content_type__id__exact="
        f"{ContentType.objects.get_for_model(Groep).pk}&amp;target_id={groep.pk}"
    )
    assert link in change.content.decode()

    history = admin_client.get(link.replace("&amp;", "&"))

    content = history.content.decode()
    assert history.status_code == 200
    assert "Naam gewijzigd van" in content
    assert "Andere groep" not in content


def test_saving_a_groep_in_the_admin_writes_only_what_changed(admin_client, staff_user):
    organisation = OrganisationFactory(intermediair=True)
    member = MembershipFactory(organisation=organisation)
    groep = GroepFactory(organisation=organisation, name="Oud", members=[member])

    response = admin_client.post(
        reverse("admin:groepen_groep_change", args=[groep.pk]),
        {"name": "Nieuw", "members": [member.pk], "algemene_bevoegdheid": "on"},
    )

    assert response.status_code == 302
    assert [(e.kind, e.actor, e.actor_name) for e in AuditEvent.objects.all()] == [
        (AuditKind.GROEP_RENAMED, staff_user, "Z. Staf")
    ]
