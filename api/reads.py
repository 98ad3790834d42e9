"""What a check reads, behind one interface, in two implementations that answer alike.

`OrmReads` is the reference: plain querysets, read as any view reads. `PreparedReads` is the
fast path the API runs: the same querysets, compiled once per thread and, on PostgreSQL,
prepared on the server, with the middel and the rule's rows read in one statement
(api/prepared.py). tests/api/test_reads.py asks both for every situation of the rule and
requires the same answers; the check's HTTP tests run on both.

Each method reads only what the rule and the answer need; instances carry those fields (another
field is read from the database when asked for, as after `.only()`).
"""

import datetime
from typing import Any, cast

from django.db import connections, router
from django.db.models import Exists, Field, OuterRef, Q, QuerySet

from accounts.models import Membership, Organisation
from catalogue.models import Dienst, Dienstverlener
from core.partial import partial_instance
from ketenmachtigingen.models import Ketenmachtiging
from ketenmachtigingen.selectors import decision_queryset

from .inputs import DienstRef
from .models import ApiClient, ApiKey, RelatieType
from .prepared import Lateral, Prepared

# Per row of the rule: see ketenmachtigingen.authorization.DECISION_COLUMNS.
DecisionRows = list[tuple]

_MIDDEL_FIELDS = ("pk", "organisation_id", "eh_niveau", "active", "belastingdienst_only")


def relatie_field(relatie_type: str) -> str:
    """The Organisation field a relatie identifier of this type names."""
    return "kvk_nummer" if relatie_type == RelatieType.KVK else "rsin"


# --- the querysets both implementations run ------------------------------------------------------


def _key_query(key_hash: str) -> QuerySet:
    return ApiKey.objects.filter(key_hash=key_hash).order_by()


def _dienst_query(ref: DienstRef, client_id: int) -> QuerySet:
    """The active dienst a client names (a retired one is unknown, as in the portal's catalogue),
    with `client_may_ask`: whether its dienstverlener is one of the client's."""
    if ref.service_uuid is not None:
        by = Q(service_uuid=ref.service_uuid)
    else:
        by = Q(dienstverlener__oin=ref.oin, service_index=ref.service_index)
    may_ask = ApiClient.dienstverleners.through.objects.filter(
        apiclient_id=client_id, dienstverlener_id=OuterRef("dienstverlener_id")
    )
    return (
        Dienst.objects.filter(by, active=True).order_by().annotate(client_may_ask=Exists(may_ask))
    )


def _middel_query(intermediair_kvk: str, pseudonym: str) -> QuerySet:
    return Membership.objects.filter(
        pseudonym=pseudonym, organisation__kvk_nummer=intermediair_kvk
    ).order_by()


def _decision_inputs(membership: Membership, dienst: Dienst, today: datetime.date) -> dict:
    return {
        "intermediair_id": membership.organisation_id,
        "membership_id": membership.pk,
        "dienst_id": dienst.pk,
        "dienstverlener_id": dienst.dienstverlener_id,
        "today": today,
    }


# --- the reference --------------------------------------------------------------------------------


class OrmReads:
    """The check's reads as plain querysets: the reference the fast path answers as."""

    def api_key(self, key_hash: str) -> ApiKey | None:
        """The key with this hash and its client (name, active), or None."""
        return (
            _key_query(key_hash)
            .select_related("client")
            .only("client", "revoked_at", "last_used_at", "client__name", "client__active")
            .first()
        )

    def dienst(self, ref: DienstRef, client_id: int) -> Dienst | None:
        """The dienst, with client_may_ask and what the rule reads: pk, min_eh_niveau,
        dienstverlener (pk, is_belastingdienst)."""
        return (
            _dienst_query(ref, client_id)
            .select_related("dienstverlener")
            .only("min_eh_niveau", "dienstverlener__is_belastingdienst")
            .first()
        )

    def middel(self, *, intermediair_kvk: str, pseudonym: str) -> Membership | None:
        """The middel with this pseudonym if it is one of this intermediair's, with the fields
        the rule reads."""
        fields = ("organisation", "eh_niveau", "active", "belastingdienst_only", "pseudonym")
        return _middel_query(intermediair_kvk, pseudonym).only(*fields).first()

    def middel_and_decision_rows(
        self,
        *,
        intermediair_kvk: str,
        pseudonym: str,
        relatie_type: str,
        relatie_value: str,
        dienst: Dienst,
        today: datetime.date,
    ) -> tuple[Membership | None, DecisionRows]:
        """The middel and, when there is one, its rows of the rule (decision_queryset) for this
        relatie and dienst, in no order."""
        membership = self.middel(intermediair_kvk=intermediair_kvk, pseudonym=pseudonym)
        if membership is None:
            return None, []
        rows = decision_queryset(
            relatie_field=relatie_field(relatie_type),
            relatie_value=relatie_value,
            **_decision_inputs(membership, dienst, today),
        )
        return membership, list(rows)


# --- the fast path --------------------------------------------------------------------------------


def _decision(relatie_field_name: str) -> Prepared:
    return Prepared(
        Ketenmachtiging,
        lambda **inputs: decision_queryset(relatie_field=relatie_field_name, **inputs),
        intermediair_id=Organisation._meta.pk,
        membership_id=Membership._meta.pk,
        relatie_value=cast("Field[Any, Any]", Organisation._meta.get_field(relatie_field_name)),
        dienst_id=Dienst._meta.pk,
        dienstverlener_id=Dienstverlener._meta.pk,
        today=Ketenmachtiging._meta.get_field("end_date"),
    )


def _dienst_prepared(**inputs) -> Prepared:
    """_dienst_query as a Prepared with these inputs (by uuid, or by OIN and index)."""

    def build(client, **ref) -> QuerySet:
        return _dienst_query(DienstRef(raw="", **ref), client).values_list(
            "pk",
            "dienstverlener_id",
            "min_eh_niveau",
            "dienstverlener__is_belastingdienst",
            "client_may_ask",
        )[:1]

    return Prepared(Dienst, build, client=ApiClient._meta.pk, **inputs)


_KEY = Prepared(
    ApiKey,
    lambda key_hash: _key_query(key_hash).values_list(
        "pk", "client_id", "revoked_at", "last_used_at", "client__name", "client__active"
    )[:1],
    key_hash=ApiKey._meta.get_field("key_hash"),
)
_DIENST_BY_UUID = _dienst_prepared(service_uuid=Dienst._meta.get_field("service_uuid"))
_DIENST_BY_SERVICE_ID = _dienst_prepared(
    oin=Dienstverlener._meta.get_field("oin"),
    service_index=Dienst._meta.get_field("service_index"),
)
_MIDDEL = Prepared(
    Membership,
    lambda intermediair_kvk, pseudonym: _middel_query(intermediair_kvk, pseudonym).values_list(
        *_MIDDEL_FIELDS
    )[:1],
    intermediair_kvk=Organisation._meta.get_field("kvk_nummer"),
    pseudonym=Membership._meta.get_field("pseudonym"),
)
_DECISIONS = {field: _decision(field) for field in ("kvk_nummer", "rsin")}
# The middel and, for it, the rule's rows: one statement (PostgreSQL).
_MIDDEL_AND_DECISIONS = {
    field: Lateral(_MIDDEL, decision, membership_id="pk", intermediair_id="organisation_id")
    for field, decision in _DECISIONS.items()
}


class PreparedReads(OrmReads):
    """The same reads, each query compiled once per thread and prepared on the server (see
    api/prepared.py); rows become instances through Model.from_db (core.partial)."""

    def api_key(self, key_hash: str) -> ApiKey | None:
        row = _KEY.first(key_hash=key_hash)
        if row is None:
            return None
        pk, client_id, revoked_at, last_used_at, client_name, client_active = row
        key = partial_instance(
            ApiKey, id=pk, client_id=client_id, revoked_at=revoked_at, last_used_at=last_used_at
        )
        key.client = partial_instance(
            ApiClient, id=client_id, name=client_name, active=client_active
        )
        return key

    def dienst(self, ref: DienstRef, client_id: int) -> Dienst | None:
        if ref.service_uuid is not None:
            row = _DIENST_BY_UUID.first(service_uuid=ref.service_uuid, client=client_id)
        else:
            row = _DIENST_BY_SERVICE_ID.first(
                oin=ref.oin, service_index=ref.service_index, client=client_id
            )
        if row is None:
            return None
        pk, dienstverlener_id, min_eh_niveau, is_belastingdienst, may_ask = row
        dienst = partial_instance(
            Dienst, id=pk, dienstverlener_id=dienstverlener_id, min_eh_niveau=min_eh_niveau
        )
        dienst.dienstverlener = partial_instance(
            Dienstverlener, id=dienstverlener_id, is_belastingdienst=is_belastingdienst
        )
        dienst.client_may_ask = may_ask  # type: ignore[attr-defined]
        return dienst

    def middel(self, *, intermediair_kvk: str, pseudonym: str) -> Membership | None:
        row = _MIDDEL.first(intermediair_kvk=intermediair_kvk, pseudonym=pseudonym)
        return None if row is None else _middel(pseudonym, row)

    def middel_and_decision_rows(
        self,
        *,
        intermediair_kvk: str,
        pseudonym: str,
        relatie_type: str,
        relatie_value: str,
        dienst: Dienst,
        today: datetime.date,
    ) -> tuple[Membership | None, DecisionRows]:
        field = relatie_field(relatie_type)
        if connections[router.db_for_read(Membership)].vendor != "postgresql":
            # No LATERAL: the middel, then its rows.
            membership = self.middel(intermediair_kvk=intermediair_kvk, pseudonym=pseudonym)
            if membership is None:
                return None, []
            inputs = _decision_inputs(membership, dienst, today)
            return membership, _DECISIONS[field].rows(relatie_value=relatie_value, **inputs)
        rows = _MIDDEL_AND_DECISIONS[field].rows(
            intermediair_kvk=intermediair_kvk,
            pseudonym=pseudonym,
            relatie_value=relatie_value,
            dienst_id=dienst.pk,
            dienstverlener_id=dienst.dienstverlener_id,
            today=today,
        )
        if not rows:
            return None, []
        columns = len(_MIDDEL_FIELDS)
        membership = _middel(pseudonym, rows[0][:columns])
        # A middel without rows of the rule comes as one row with the rule's columns empty.
        return membership, [row[columns:] for row in rows if row[columns] is not None]


def _middel(pseudonym: str, row: tuple) -> Membership:
    return partial_instance(
        Membership, pseudonym=pseudonym, **dict(zip(("id", *_MIDDEL_FIELDS[1:]), row, strict=True))
    )


ORM = OrmReads()
PREPARED = PreparedReads()
# The implementation the API runs (tests switch it to run both).
current: OrmReads = PREPARED
