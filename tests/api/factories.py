import factory
from factory.django import DjangoModelFactory

from api.models import ApiClient
from tests.factories import _many_to_many


class ApiClientFactory(DjangoModelFactory):
    class Meta:
        model = ApiClient
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"API-client {n}")
    active = True

    dienstverleners = _many_to_many("dienstverleners")
