"""People, groepen, berichten and the login history in the admin."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.constants import EHNiveau, LoginFactor, LoginOutcome, Role, SecondFactor
from accounts.models import LoginEvent, Membership
from berichtenbox.models import Bericht
from groepen.models import Groep
from ketenmachtigingen.constants import ActorKind, EventKind
from ketenmachtigingen.models import KetenmachtigingEvent
from tests.factories import (
    BeheerderFactory,
    DienstFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- people and their EH-middelen ---------------------------------------------------------------


def test_a_person_shows_and_edits_their_middelen_inline(admin_client):
    user = UserFactory()
    membership = MembershipFactory(user=user, role=Role.GEBRUIKER, eh_niveau=EHNiveau.EH3)
    url = reverse("admin:accounts_user_change", args=[user.pk])

    page = admin_client.get(url)
    content = page.content.decode()
    for label in ("Rol", "EH-niveau", "Tweede factor", "Alleen Belastingdienst", "Actief"):
        assert label in content
    assert membership.organisation.name in content

    form = page.context["adminform"].form
    data = {
        name: form[name].value() for name in ("username", "email", "first_name", "last_name")
    } | {
        "initials": "A.",
        "date_joined_0": form["date_joined"].value().strftime("%d-%m-%Y"),
        "date_joined_1": form["date_joined"].value().strftime("%H:%M:%S"),
        "is_active": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(membership.pk),
        "memberships-0-user": str(user.pk),
        "memberships-0-organisation": str(membership.organisation_id),
        "memberships-0-role": Role.BEHEERDER,
        "memberships-0-eh_niveau": str(EHNiveau.EH4),
        "memberships-0-second_factor": SecondFactor.SMS,
        "memberships-0-belastingdienst_only": "on",
    }
    response = admin_client.post(url, data)

    assert response.status_code == 302, page.context and response.context["errors"]
    membership.refresh_from_db()
    assert membership.role == Role.BEHEERDER
    assert membership.eh_niveau == EHNiveau.EH4
    assert membership.second_factor == SecondFactor.SMS
    assert membership.belastingdienst_only is True
    assert membership.active is False  # the unchecked box
    user.refresh_from_db()
    assert user.initials == "A."


def test_people_and_middelen_are_deactivated_not_deleted(admin_client):
    membership = MembershipFactory()

    for url in (
        reverse("admin:accounts_user_delete", args=[membership.user_id]),
        reverse("admin:accounts_membership_delete", args=[membership.pk]),
        reverse("admin:accounts_organisation_delete", args=[membership.organisation_id]),
    ):
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_login_history_is_read_only(admin_client):
    user = UserFactory()
    event = LoginEvent.objects.create(
        user=user,
        username=user.username,
        factor=LoginFactor.TOTP,
        outcome=LoginOutcome.WRONG_CODE,
    )

    assert admin_client.get(reverse("admin:accounts_loginevent_add")).status_code == 403
    page = admin_client.get(reverse("admin:accounts_loginevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert 'name="outcome"' not in page.content.decode()
    admin_client.post(
        reverse("admin:accounts_loginevent_change", args=[event.pk]),
        {"username": "iemand-anders", "outcome": LoginOutcome.SUCCESS},
    )
    event.refresh_from_db()
    assert (event.username, event.outcome) == (user.username, LoginOutcome.WRONG_CODE)


# --- groepen ------------------------------------------------------------------------------------


def _groep_data(groep, **changes):
    data = {
        "name": groep.name,
        "members": [m.pk for m in groep.members.all()],
        "algemene_bevoegdheid": "on" if groep.algemene_bevoegdheid else "",
        "dienstverleners": [],
        "diensten": [],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_a_groep_is_edited_through_the_services_rules(admin_client):
    organisation = OrganisationFactory(intermediair=True)
    member, other = MembershipFactory.create_batch(2, organisation=organisation)
    groep = GroepFactory(organisation=organisation, name="Loonadministratie", members=[member])
    dienst = DienstFactory()
    url = reverse("admin:groepen_groep_change", args=[groep.pk])

    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        _groep_data(
            groep,
            name="  Salarisadministratie  ",
            members=[member.pk, other.pk],
            algemene_bevoegdheid="",
            diensten=[dienst.pk],
        ),
    )

    assert response.status_code == 302
    groep.refresh_from_db()
    assert groep.name == "Salarisadministratie"
    assert set(groep.members.all()) == {member, other}
    assert groep.algemene_bevoegdheid is False
    assert list(groep.diensten.all()) == [dienst]


@pytest.mark.parametrize("problem", ["other_organisation", "inactive", "no_diensten", "name_taken"])
def test_a_groep_change_against_the_rules_is_refused_and_changes_nothing(admin_client, problem):
    organisation = OrganisationFactory(intermediair=True)
    member = MembershipFactory(organisation=organisation)
    groep = GroepFactory(organisation=organisation, name="Loonadministratie", members=[member])
    GroepFactory(organisation=organisation, name="Fiscaal")
    changes = {
        "other_organisation": {"members": [member.pk, MembershipFactory().pk]},
        "inactive": {
            "members": [member.pk, MembershipFactory(organisation=organisation, active=False).pk]
        },
        "no_diensten": {"algemene_bevoegdheid": ""},
        "name_taken": {"name": "fiscaal"},
    }[problem]

    response = admin_client.post(
        reverse("admin:groepen_groep_change", args=[groep.pk]), _groep_data(groep, **changes)
    )

    assert response.status_code == 200
    assert response.context["errors"]
    groep.refresh_from_db()
    assert groep.name == "Loonadministratie"
    assert list(groep.members.all()) == [member]
    assert groep.algemene_bevoegdheid is True


def test_deleting_a_groep_records_it_on_its_ketenmachtigingen(admin_client, staff_user):
    groep = GroepFactory(name="Loonadministratie")
    km = KetenmachtigingFactory(actief=True, intermediair=groep.organisation, groepen=[groep])

    response = admin_client.post(
        reverse("admin:groepen_groep_delete", args=[groep.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Groep.objects.filter(pk=groep.pk).exists()
    (event,) = KetenmachtigingEvent.objects.filter(ketenmachtiging=km)
    assert (event.kind, event.actor_kind, event.actor, event.note) == (
        EventKind.GROUP_REMOVED,
        ActorKind.STAFF,
        staff_user,
        "Loonadministratie",
    )


def test_groepen_are_made_in_the_portal_not_here(admin_client):
    assert admin_client.get(reverse("admin:groepen_groep_add")).status_code == 403


# --- berichten ----------------------------------------------------------------------------------


def test_a_bericht_added_here_is_posted_and_announced(
    admin_client, django_capture_on_commit_callbacks
):
    beheerder = BeheerderFactory(organisation=OrganisationFactory(intermediair=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:berichtenbox_bericht_add"),
            {
                "organisation": beheerder.organisation_id,
                "subject": "Onderhoud zaterdag",
                "body": "Mijn Z login is zaterdag van 8 tot 10 uur niet bereikbaar.",
            },
        )

    assert response.status_code == 302
    (bericht,) = Bericht.objects.all()
    assert (bericht.organisation, bericht.subject) == (beheerder.organisation, "Onderhoud zaterdag")
    assert bericht.announced_at is not None
    (announcement,) = mail.outbox
    assert announcement.to == [beheerder.user.email]
    assert "Onderhoud zaterdag" in announcement.body


def test_a_sent_bericht_is_only_viewed(admin_client):
    bericht = Bericht.objects.create(
        organisation=OrganisationFactory(), subject="Verstuurd", body="Zoals het was."
    )
    url = reverse("admin:berichtenbox_bericht_change", args=[bericht.pk])

    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="subject"' not in page.content.decode()
    admin_client.post(url, {"subject": "Anders", "body": "Anders"})
    bericht.refresh_from_db()
    assert (bericht.subject, bericht.body) == ("Verstuurd", "Zoals het was.")
