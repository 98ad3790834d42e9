"""Reads for the API: the identifiers a client sends, resolved to rows in one query each.

The check's lookups are Prepared (compiled once per thread): they run on every check.
"""

from django.db import connections, router, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Membership, Organisation
from ketenmachtigingen.authorization import decision_queryset, relaties_represented
from ketenmachtigingen.models import Dienst, Dienstverlener, Ketenmachtiging
from zlogin.partial import partial_instance

from . import recent
from .constants import UNKNOWN_DIENST, UNKNOWN_PERSON
from .inputs import DienstRef, ListInput
from .models import ApiClient, RelatieType
from .prepared import Lateral, Prepared

_field = Dienst._meta.get_field


def _dienst_query(by: Q, client: int) -> QuerySet:
    may_ask = ApiClient.dienstverleners.through.objects.filter(
        apiclient_id=client, dienstverlener_id=OuterRef("dienstverlener_id")
    )
    return (
        Dienst.objects.filter(by, active=True)
        .order_by()
        .annotate(client_may_ask=Exists(may_ask))
        .values_list(
            "pk",
            "dienstverlener_id",
            "min_eh_niveau",
            "dienstverlener__is_belastingdienst",
            "client_may_ask",
        )[:1]
    )


_DIENST_BY_UUID = Prepared(
    Dienst,
    lambda service_uuid, client: _dienst_query(Q(service_uuid=service_uuid), client),
    service_uuid=_field("service_uuid"),
    client=ApiClient._meta.pk,
)
_DIENST_BY_SERVICE_ID = Prepared(
    Dienst,
    lambda oin, index, client: _dienst_query(
        Q(dienstverlener__oin=oin, service_index=index), client
    ),
    oin=Dienstverlener._meta.get_field("oin"),
    index=_field("service_index"),
    client=ApiClient._meta.pk,
)
_MIDDEL = Prepared(
    Membership,
    lambda pseudonym, kvk: (
        Membership.objects.filter(pseudonym=pseudonym, organisation__kvk_nummer=kvk)
        .order_by()
        .values_list("pk", "organisation_id", "eh_niveau", "active", "belastingdienst_only")[:1]
    ),
    pseudonym=Membership._meta.get_field("pseudonym"),
    kvk=Organisation._meta.get_field("kvk_nummer"),
)


def _decision(relatie_field: str) -> Prepared:
    return Prepared(
        Ketenmachtiging,
        lambda **inputs: decision_queryset(relatie_field=relatie_field, **inputs),
        intermediair_id=Organisation._meta.pk,
        membership_id=Membership._meta.pk,
        relatie_value=Organisation._meta.get_field(relatie_field),
        dienst_id=Dienst._meta.pk,
        dienstverlener_id=Dienstverlener._meta.pk,
        today=Ketenmachtiging._meta.get_field("end_date"),
    )


_DECISIONS = {"kvk_nummer": _decision("kvk_nummer"), "rsin": _decision("rsin")}
# The middel and, for it, the rule's rows: one round trip per check on PostgreSQL.
_MIDDEL_AND_DECISIONS = {
    field: Lateral(_MIDDEL, decision, membership_id="pk", intermediair_id="organisation_id")
    for field, decision in _DECISIONS.items()
}
_MIDDEL_COLUMNS = 5


def run_decision_query(*, relatie_field: str, **inputs) -> list[tuple]:
    """decision_queryset, precompiled: check_authorization_fast's run_query."""
    return _DECISIONS[relatie_field].rows(**inputs)


def resolve_dienst(ref: DienstRef, *, client: ApiClient) -> Dienst | None:
    """The active dienst a client names, with `client_may_ask` (is its dienstverlener one of the
    client's), or None. A retired dienst (not active) is unknown, as in the portal's catalogue.
    Carries what the rule reads: pk, min_eh_niveau, dienstverlener (pk, is_belastingdienst)."""

    def load() -> tuple | None:
        if ref.service_uuid is not None:
            return _DIENST_BY_UUID.first(service_uuid=ref.service_uuid, client=client.pk)
        return _DIENST_BY_SERVICE_ID.first(oin=ref.oin, index=ref.service_index, client=client.pk)

    def build() -> Dienst | None:
        row = load()
        if row is None:
            return None
        pk, dienstverlener_id, min_eh_niveau, is_belastingdienst, may_ask = row
        dienst = partial_instance(
            Dienst, id=pk, dienstverlener_id=dienstverlener_id, min_eh_niveau=min_eh_niveau
        )
        dienst.dienstverlener = partial_instance(
            Dienstverlener, id=dienstverlener_id, is_belastingdienst=is_belastingdienst
        )
        dienst.client_may_ask = may_ask
        return dienst

    # The instance itself is remembered (and shared by this process's threads): read only.
    return recent.diensten.get((ref.raw.lower(), client.pk), build)


def find_middel(*, intermediair_kvk: str, pseudonym: str) -> Membership | None:
    """The middel with this pseudonym, if it is one of this intermediair's; with the fields the
    rule reads (active, eh_niveau, belastingdienst_only, organisation_id)."""
    row = _MIDDEL.first(pseudonym=pseudonym, kvk=intermediair_kvk)
    return None if row is None else _middel(pseudonym, *row)


def _middel(pseudonym, pk, organisation_id, eh_niveau, active, belastingdienst_only) -> Membership:
    return partial_instance(
        Membership,
        id=pk,
        organisation_id=organisation_id,
        eh_niveau=eh_niveau,
        active=active,
        belastingdienst_only=belastingdienst_only,
        pseudonym=pseudonym,
    )


def middel_and_decision_rows(
    *,
    intermediair_kvk: str,
    pseudonym: str,
    relatie_type: str,
    relatie_value: str,
    dienst: Dienst,
    today,
) -> tuple[Membership | None, list[tuple] | None]:
    """find_middel and, when there is one, the rows of its decision_queryset for this relatie
    and dienst (check_authorization_fast's run_query), in one statement (PostgreSQL). Elsewhere
    only the middel: the rows are None, and the rule reads them (run_decision_query)."""
    if connections[router.db_for_read(Membership)].vendor != "postgresql":
        return find_middel(intermediair_kvk=intermediair_kvk, pseudonym=pseudonym), None
    rows = _MIDDEL_AND_DECISIONS[relatie_field(relatie_type)].rows(
        pseudonym=pseudonym,
        kvk=intermediair_kvk,
        relatie_value=relatie_value,
        dienst_id=dienst.pk,
        dienstverlener_id=dienst.dienstverlener_id,
        today=today,
    )
    if not rows:
        return None, []
    membership = _middel(pseudonym, *rows[0][:_MIDDEL_COLUMNS])
    decisions = [row[_MIDDEL_COLUMNS:] for row in rows if row[_MIDDEL_COLUMNS] is not None]
    return membership, decisions


def relatie_field(relatie_type: str) -> str:
    """The Organisation field a relatie identifier of this type names."""
    return "kvk_nummer" if relatie_type == RelatieType.KVK else "rsin"


def relaties_page(relaties, *, page: int, page_size: int) -> tuple[list[dict], bool]:
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
) -> tuple[list[dict], bool, str | None]:
    """One page of the relaties the person may act for at the dienst, whether more follow, and
    why the list is empty when the person or the dienst is the cause (else None)."""
    if dienst is None:
        return [], False, UNKNOWN_DIENST
    membership = find_middel(intermediair_kvk=query.intermediair_kvk, pseudonym=query.pseudonym)
    if membership is None:
        return [], False, UNKNOWN_PERSON
    refusal, relaties = relaties_represented(
        membership=membership, dienst=dienst, requested_niveau=query.loa
    )
    if refusal is not None:
        return [], False, refusal.value
    results, has_next = relaties_page(relaties, page=query.page, page_size=query.page_size)
    return results, has_next, None
