"""The catalogue moved from ketenmachtigingen into its own app: an existing database keeps every
row. The database is taken back to before the move with rows in it, then forward again; every
dienstverlener, dienst and every scope, groep and API reference to them is still there, under
the catalogue's tables, and their content types moved along."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from api.models import ApiClient
from catalogue.models import Dienst, Dienstverlener
from groepen.models import Groep
from ketenmachtigingen.models import Ketenmachtiging
from tests.factories import DienstFactory, GroepFactory, KetenmachtigingFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [
    ("ketenmachtigingen", "0009_hidden_from_overview"),
    ("groepen", "0002_initial"),
    ("api", "0001_initial"),
    ("catalogue", None),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def leaf_nodes():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def tables():
    return set(connection.introspection.table_names())


def what_refers_to_the_catalogue():
    return {
        "dienstverleners": sorted(Dienstverlener.objects.values_list("pk", "oin")),
        "diensten": sorted(Dienst.objects.values_list("pk", "service_uuid", "dienstverlener")),
        "scopes": sorted(
            (
                km.pk,
                tuple(sorted(d.pk for d in km.diensten.all())),
                tuple(sorted(d.pk for d in km.dienstverleners.all())),
            )
            for km in Ketenmachtiging.objects.all()
        ),
        "groepen": sorted(
            (g.pk, tuple(sorted(d.pk for d in g.diensten.all()))) for g in Groep.objects.all()
        ),
        "api": sorted(
            (c.pk, tuple(sorted(d.pk for d in c.dienstverleners.all())))
            for c in ApiClient.objects.all()
        ),
    }


def test_moving_the_catalogue_keeps_every_row(db):
    diensten = list(Dienst.objects.order_by("pk")[:3])
    diensten = diensten or DienstFactory.create_batch(3)  # a run before may have emptied it
    scoped = KetenmachtigingFactory(actief=True, algemene_bevoegdheid=False)
    scoped.diensten.set(diensten[:2])
    scoped.dienstverleners.set([diensten[2].dienstverlener])
    groep = GroepFactory(organisation=scoped.intermediair, algemene_bevoegdheid=False)
    groep.diensten.set([diensten[0]])
    client = ApiClient.objects.create(name="Portaal")
    client.dienstverleners.set([diensten[0].dienstverlener])
    stored = what_refers_to_the_catalogue()
    content_types = {
        model: ContentType.objects.get_for_model(model).pk for model in (Dienst, Dienstverlener)
    }
    latest = leaf_nodes()

    migrate(BEFORE_THE_MOVE)
    assert {"ketenmachtigingen_dienst", "ketenmachtigingen_dienstverlener"} <= tables()
    assert not {"catalogue_dienst", "catalogue_dienstverlener"} & tables()
    migrate(latest)

    assert {"catalogue_dienst", "catalogue_dienstverlener"} <= tables()
    assert not {"ketenmachtigingen_dienst", "ketenmachtigingen_dienstverlener"} & tables()
    assert what_refers_to_the_catalogue() == stored
    ContentType.objects.clear_cache()
    for model, pk in content_types.items():
        assert ContentType.objects.get_for_model(model).pk == pk
        assert ContentType.objects.get(pk=pk).app_label == "catalogue"
