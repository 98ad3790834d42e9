"""audit.selectors.history_of: the events of one target, of its own organisation."""

import pytest

from audit import selectors
from audit import services as audit
from audit.constants import AuditKind
from groepen import services
from tests.factories import BeheerderFactory, BulkRequestFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(intermediair=True)


@pytest.fixture
def person(organisation):
    return BeheerderFactory(organisation=organisation).user


def test_history_of_is_one_target_of_one_organisation(person, organisation):
    groep = services.create_groep(acting_user=person, organisation=organisation, name="Salaris")
    bulk = BulkRequestFactory(organisation=organisation, pk=groep.pk)  # the same id, another type
    services.rename_groep(acting_user=person, groep=groep, name="Salarissen")
    audit.bulk_import_deleted(
        acting_user=person, bulk_import=bulk, filename="x.xlsx", rows=0, refused_rows=0
    )

    assert [e.kind for e in selectors.history_of(groep)] == [
        AuditKind.GROEP_RENAMED,
        AuditKind.GROEP_CREATED,
    ]
    groep.organisation_id = OrganisationFactory().pk  # not the groep's own organisation
    assert not selectors.history_of(groep).exists()
