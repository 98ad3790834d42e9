"""core.partial: model instances with some fields loaded, for hot paths."""

import pytest

from core.partial import partial_instance
from ketenmachtigingen.models import Ketenmachtiging

from .factories import KetenmachtigingFactory


def test_a_partial_instance_has_the_given_fields_and_computes_no_defaults():
    km = partial_instance(Ketenmachtiging, id=7, end_date=None)

    assert (km.pk, km.end_date, km._state.adding) == (7, None, False)
    # request_code's default draws a new code; the partial instance has none.
    assert "request_code" not in km.__dict__


@pytest.mark.django_db
def test_another_field_is_read_from_the_database_when_asked_for():
    stored = KetenmachtigingFactory(reference="REF-1")

    km = partial_instance(Ketenmachtiging, id=stored.pk)

    assert km.reference == "REF-1"
    assert km.request_code == stored.request_code


def test_an_unknown_field_is_refused():
    with pytest.raises(AssertionError, match="not fields of Ketenmachtiging"):
        partial_instance(Ketenmachtiging, id=1, relatie="x")
