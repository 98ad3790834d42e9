"""Reads of Meerdere bedrijven: an organisation's imports and how far sending has got."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db import models
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from catalogue.scopes import ScopeSelection, same_scope

from ..constants import HIDDEN_STATUSES, PENDING, Status
from ..models import (
    BulkRequest,
    BulkRequestRow,
    BulkRequestState,
    BulkRowState,
    Ketenmachtiging,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

__all__ = [
    "DuplicateRow",
    "MAX_FAILED_SHOWN",
    "OUTCOME",
    "Progress",
    "REASON",
    "RowOutcome",
    "accepted_draft",
    "bulk_request_of",
    "duplicate_rows",
    "progress",
    "row_count",
    "rows_with_outcome",
    "warning_count",
]

# Failed rows listed on the progress page; the count is always exact.
MAX_FAILED_SHOWN = 500


def bulk_request_of(organisation: Organisation, bulk_id: int | str) -> BulkRequest | None:
    """The organisation's import with this id, or None: another organisation's is not found."""
    return BulkRequest.objects.filter(pk=bulk_id, organisation=organisation).first()


def accepted_draft(organisation: Organisation, bulk_id: int | None) -> BulkRequest | None:
    """The import a wizard draft refers to, while it can still be used for Stap 1."""
    if bulk_id is None:
        return None
    return BulkRequest.objects.filter(
        pk=bulk_id,
        organisation=organisation,
        state=BulkRequestState.DRAFT,
        accepted_at__isnull=False,
    ).first()


def row_count(bulk: BulkRequest) -> int:
    return bulk.rows.count()


def warning_count(bulk: BulkRequest) -> int:
    return bulk.rows.exclude(warning="").count()


@dataclass(frozen=True)
class DuplicateRow:
    """A waiting row for a relatie that already has an Actief or waiting ketenmachtiging of
    the organisation: left out of the send unless the beheerder includes it ("Toch aanvragen")."""

    row: BulkRequestRow
    existing: list[Ketenmachtiging]
    # One Actief ketenmachtiging covers exactly the chosen scope: the row cannot be included.
    identical_actief: bool = False


def duplicate_rows(bulk: BulkRequest, scope: ScopeSelection | None = None) -> list[DuplicateRow]:
    """The import's waiting rows whose relatie (by KVK-nummer) has an Actief or waiting
    ketenmachtiging of the organisation now, by row number, each with what exists; with a
    scope, whether an Actief one has exactly that scope."""
    waiting = bulk.rows.filter(state=BulkRowState.WAITING)
    existing = (
        Ketenmachtiging.objects.filter(
            intermediair=bulk.organisation_id,
            status__in=[*PENDING, Status.ACTIEF],
            relatie__kvk_nummer__in=waiting.values("kvk_nummer"),
        )
        .select_related("relatie")
        .prefetch_related("dienstverleners", "diensten__dienstverlener")
        .order_by("end_date", "pk")
    )
    by_kvk: dict[str | None, list[Ketenmachtiging]] = {}
    for km in existing:
        by_kvk.setdefault(km.relatie.kvk_nummer, []).append(km)
    return [
        DuplicateRow(
            row=row,
            existing=by_kvk[row.kvk_nummer],
            identical_actief=scope is not None
            and any(
                km.status == Status.ACTIEF and same_scope(km, scope)
                for km in by_kvk[row.kvk_nummer]
            ),
        )
        for row in waiting.filter(kvk_nummer__in=by_kvk).order_by("row_number")
    ]


class RowOutcome(models.TextChoices):
    """How far one row of a submitted import has got, as the beheerder sees it."""

    # Its request is not made yet, or its invitation is on its way.
    WAITING = "waiting", _("Wachtend")
    # The invitation went out to the relatie.
    DELIVERED = "delivered", _("Verstuurd")
    # Refused, or the invitation could not be sent; the reason says why.
    FAILED = "failed", _("Niet verstuurd")
    # The request was withdrawn before its invitation went out.
    WITHDRAWN = "withdrawn", _("Ingetrokken")
    # Registered as already approved at a leverancier ("Ik heb al goedkeuring ontvangen").
    REGISTERED = "registered", _("Vastgelegd als goedgekeurd")


_SENT = Q(state=BulkRowState.SENT)
OUTCOME = Case(
    When(state=BulkRowState.FAILED, then=Value(RowOutcome.FAILED)),
    When(_SENT & Q(ketenmachtiging__leverancier__gt=""), then=Value(RowOutcome.REGISTERED)),
    When(
        _SENT & Q(ketenmachtiging__invitation_sent_at__isnull=False),
        then=Value(RowOutcome.DELIVERED),
    ),
    When(_SENT & Q(ketenmachtiging__status=Status.FOUT), then=Value(RowOutcome.FAILED)),
    When(
        _SENT & Q(ketenmachtiging__status=Status.AANVRAAG_VERSTUURD),
        then=Value(RowOutcome.WAITING),
    ),
    When(
        _SENT & Q(ketenmachtiging__status__in=HIDDEN_STATUSES),
        then=Value(RowOutcome.WITHDRAWN),
    ),
    # Received or further along without a recorded invitation (rows from before it was).
    When(_SENT, then=Value(RowOutcome.DELIVERED)),
    default=Value(RowOutcome.WAITING),
    output_field=models.CharField(),
)
# Why a failed row failed: refused at the import's send, or the request became Fout.
REASON = Case(
    When(state=BulkRowState.FAILED, then=F("reason")),
    default=Coalesce(F("ketenmachtiging__status_reason"), Value("")),
    output_field=models.TextField(),
)


class _Outcome(TypedDict):
    outcome: str
    outcome_reason: str


def rows_with_outcome(
    bulk: BulkRequest,
) -> models.QuerySet[WithAnnotations[BulkRequestRow, _Outcome]]:
    """The import's rows with `outcome` (RowOutcome) and `outcome_reason`, by row number."""
    return (
        bulk.rows.annotate(outcome=OUTCOME, outcome_reason=REASON)
        .select_related("ketenmachtiging")
        .order_by("row_number")
    )


@dataclass(frozen=True)
class Progress:
    total: int
    delivered: int
    failed: int
    withdrawn: int
    failed_rows: Sequence[BulkRequestRow]
    registered: int = 0

    @property
    def processed(self) -> int:
        return self.delivered + self.failed + self.withdrawn + self.registered

    @property
    def waiting(self) -> int:
        return self.total - self.processed

    @property
    def done(self) -> bool:
        return self.processed >= self.total

    @property
    def percentage(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100


def progress(bulk: BulkRequest) -> Progress:
    """Counts per outcome in one query; the failed rows (up to MAX_FAILED_SHOWN) in another."""
    counts = dict(
        bulk.rows.order_by()
        .annotate(outcome=OUTCOME)
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    failed = counts.get(RowOutcome.FAILED, 0)
    failed_rows = (
        list(rows_with_outcome(bulk).filter(outcome=RowOutcome.FAILED)[:MAX_FAILED_SHOWN])
        if failed
        else []
    )
    return Progress(
        total=sum(counts.values()),
        delivered=counts.get(RowOutcome.DELIVERED, 0),
        failed=failed,
        withdrawn=counts.get(RowOutcome.WITHDRAWN, 0),
        failed_rows=failed_rows,
        registered=counts.get(RowOutcome.REGISTERED, 0),
    )
