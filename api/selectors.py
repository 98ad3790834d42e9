"""Reads for the API: the identifiers a client sends, resolved to rows in one query each (the
check's own reads: api/reads.py), and the relaties a person may act for."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connections, transaction
from django.db.models import QuerySet

from accounts.models import Organisation
from catalogue.models import Dienst
from ketenmachtigingen.selectors import relaties_represented

from . import reads, recent
from .constants import UNKNOWN_DIENST, UNKNOWN_PERSON
from .inputs import DienstRef, ListInput
from .models import ApiClient

__all__ = [
    "relaties_page",
    "resolve_dienst",
    "vertegenwoordigden",
]


def resolve_dienst(ref: DienstRef, *, client: ApiClient) -> Dienst | None:
    """The active dienst a client names, with `client_may_ask` (is its dienstverlener one of the
    client's), or None. A retired dienst (not active) is unknown, as in the portal's catalogue.
    Carries what the rule reads: pk, min_eh_niveau, dienstverlener (pk, is_belastingdienst)."""
    # The instance itself is remembered (and shared by this process's threads): read only.
    dienst: Dienst | None = recent.diensten.get(
        (ref.raw.lower(), client.pk), lambda: reads.current.dienst(ref, client.pk)
    )
    return dienst


def relaties_page(
    relaties: QuerySet[Organisation], *, page: int, page_size: int
) -> tuple[Sequence[Mapping[str, Any]], bool]:
    """One page of relaties (name, numbers) in name order, and whether there is a next one."""
    offset = (page - 1) * page_size
    page_query = relaties.order_by("name", "pk").values("name", "kvk_nummer", "rsin")[
        offset : offset + page_size + 1
    ]
    connection = connections[page_query.db]
    with transaction.atomic(using=page_query.db):
        if connection.vendor == "postgresql":
            # For a person with thousands of relaties the planner's estimate passes the JIT
            # threshold, and compiling the query would cost more than running it.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        rows = list(page_query)
    return rows[:page_size], len(rows) > page_size


def vertegenwoordigden(
    query: ListInput, *, dienst: Dienst | None
) -> tuple[Sequence[Mapping[str, Any]], bool, str | None]:
    """One page of the relaties the person may act for at the dienst, whether more follow, and
    why the list is empty when the person or the dienst is the cause (else None)."""
    if dienst is None:
        return [], False, UNKNOWN_DIENST
    membership = reads.current.middel(
        intermediair_kvk=query.intermediair_kvk, pseudonym=query.pseudonym
    )
    if membership is None:
        return [], False, UNKNOWN_PERSON
    refusal, relaties = relaties_represented(
        membership=membership, dienst=dienst, requested_niveau=query.loa
    )
    if refusal is not None:
        return [], False, refusal.value
    results, has_next = relaties_page(relaties, page=query.page, page_size=query.page_size)
    return results, has_next, None
