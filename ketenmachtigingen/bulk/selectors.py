"""Reads of Meerdere bedrijven: an organisation's imports and how far sending has got."""

from dataclasses import dataclass

from django.db.models import Count

from accounts.models import Organisation

from ..models import BulkRequest, BulkRequestRow, BulkRequestState, BulkRowState

# Failed rows listed on the progress page; the count is always exact.
MAX_FAILED_SHOWN = 500


def bulk_request_of(organisation: Organisation, bulk_id) -> BulkRequest | None:
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
class Progress:
    total: int
    sent: int
    failed: int
    failed_rows: list[BulkRequestRow]

    @property
    def processed(self) -> int:
        return self.sent + self.failed

    @property
    def done(self) -> bool:
        return self.processed >= self.total

    @property
    def percentage(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100


def progress(bulk: BulkRequest) -> Progress:
    counts = dict(
        bulk.rows.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    failed = counts.get(BulkRowState.FAILED, 0)
    failed_rows = list(
        bulk.rows.filter(state=BulkRowState.FAILED).order_by("row_number")[:MAX_FAILED_SHOWN]
        if failed
        else []
    )
    return Progress(
        total=sum(counts.values()),
        sent=counts.get(BulkRowState.SENT, 0),
        failed=failed,
        failed_rows=failed_rows,
    )
