"""The "Geen toegang" page ends the sentence after the organisation's name with one full stop."""

import pytest
from django.urls import reverse

from accounts.constants import EHNiveau, Role
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("nl", "U bent Gebruiker bij Pietersen Administratie B.V. Alleen een Beheerder"),
        ("en", "You are a User at Pietersen Administratie B.V. Only an Administrator"),
    ],
)
def test_a_gebruiker_reads_the_organisation_name_once_ended(
    client, verified_login, language, sentence
):
    membership = MembershipFactory(
        role=Role.GEBRUIKER,
        eh_niveau=EHNiveau.EH3,
        organisation=OrganisationFactory(name="Pietersen Administratie B.V."),
    )
    verified_login(membership.user)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})

    content = client.get(reverse("ketenmachtigingen:overview")).content.decode()

    assert sentence in content
    assert "B.V.." not in content
