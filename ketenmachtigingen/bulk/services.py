"""Every write of Meerdere bedrijven: store an import, accept or delete it, submit it once,
process one row, and send failed rows again.

An import is a BulkRequest in state draft with one BulkRequestRow per valid row. Submitting moves
it to sending exactly once (the row is locked) and writes one outbox message per row in the same
transaction; each delivery requests the row's ketenmachtiging in the outbox's transaction
through the same service as Eén bedrijf (request_ketenmachtiging, whose invitation is another
outbox message). A refused row is marked failed with the reason and the others go on; the last
row moves the import to done. A fault is retried by the outbox, so after an outage the import
resumes by itself.
"""

import datetime
from collections.abc import Collection
from typing import cast

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, User
from audit import services as audit
from outbox.services import enqueue_each

from ..authorization import may_be_assigned
from ..constants import Delivery, Leverancier, Status
from ..errors import DomainError
from ..imports import ImportResult
from ..models import (
    BulkRequest,
    BulkRequestRow,
    BulkRequestState,
    BulkRowState,
    Ketenmachtiging,
)
from ..register import Company
from ..services import lifecycle
from ..services.creation import (
    Assignment,
    RelatieContact,
    ScopeSelection,
    check_duration,
    register_approved_ketenmachtiging,
    request_ketenmachtiging,
)
from ..services.relaties import organisation_for_company
from .selectors import RowOutcome, duplicate_rows, rows_with_outcome

__all__ = [
    "MAX_STORED_ERRORS",
    "ROWS_PER_INSERT",
    "STALE_DRAFT_AGE",
    "accept_bulk_request",
    "create_bulk_request",
    "delete_bulk_request",
    "discard_draft",
    "fail_row",
    "identical_actief_refusal",
    "process_row",
    "register_approved_bulk_request",
    "reopen_row",
    "retry_failed_rows",
    "submit_bulk_request",
]

ROWS_PER_INSERT = 1000
# The messages of refused rows kept for the review page; the count is always exact.
MAX_STORED_ERRORS = 1000
# A draft nobody continued with is removed when the same person imports again after this.
STALE_DRAFT_AGE = datetime.timedelta(days=1)


def create_bulk_request(
    *, acting_user: User | None, organisation: Organisation, result: ImportResult
) -> BulkRequest:
    """Store a checked import as a draft: its valid rows, and the messages of the others.

    Without refused rows or warnings it is accepted at once; otherwise the beheerder first
    sees them and continues with the valid rows (accept_bulk_request). The same person's
    earlier imports that were never continued with, and their drafts older than a day, are
    removed.

    Writes the audit event "Import meerdere bedrijven aangemaakt" (file name, valid and refused
    rows). The drafts removed here get none: they were never sent, nobody acts on them, and
    the new import's event already records that this person imported again.
    """
    now = timezone.now()
    with transaction.atomic():
        BulkRequest.objects.filter(
            Q(accepted_at__isnull=True) | Q(created_at__lt=now - STALE_DRAFT_AGE),
            organisation=organisation,
            created_by=acting_user,
            state=BulkRequestState.DRAFT,
        ).delete()
        bulk = BulkRequest.objects.create(
            organisation=organisation,
            created_by=acting_user,
            filename=result.filename[:255],
            errors=[[e.row, e.column, str(e.message)] for e in result.errors][:MAX_STORED_ERRORS],
            error_row_count=len(result.invalid_rows),
            accepted_at=None if result.needs_review else now,
        )
        # A valid row was found in the register: it has its company.
        valid = [(row, cast(Company, row.company)) for row in result.valid_rows]
        rows = (
            BulkRequestRow(
                bulk_request=bulk,
                row_number=row.row_number,
                kvk_nummer=row.kvk_nummer,
                rsin=company.rsin or "",
                name=company.name[:200],
                straat=company.straat[:200],
                huisnummer=company.huisnummer[:20],
                postcode=company.postcode[:10],
                plaats=company.plaats[:100],
                contact_initialen=row.initialen,
                contact_tussenvoegsel=row.tussenvoegsel,
                contact_achternaam=row.achternaam,
                contact_email=row.email,
                contact_telefoon=row.telefoon,
                reference=row.reference,
                warning=str(row.warning),
            )
            for row, company in valid
        )
        BulkRequestRow.objects.bulk_create(rows, batch_size=ROWS_PER_INSERT)
        audit.bulk_import_created(
            acting_user=acting_user,
            bulk_import=bulk,
            filename=bulk.filename,
            rows=len(result.valid_rows),
            refused_rows=bulk.error_row_count,
        )
    return bulk


def _locked_draft(bulk_request: BulkRequest) -> BulkRequest:
    bulk = BulkRequest.objects.select_for_update().get(pk=bulk_request.pk)
    if bulk.state != BulkRequestState.DRAFT:
        raise DomainError(_("Deze import is al verzonden."))
    return bulk


@transaction.atomic
def accept_bulk_request(bulk_request: BulkRequest, *, acting_user: User | None) -> BulkRequest:
    """ "Ga verder met de N geldige rijen": the refused rows are left out."""
    bulk = _locked_draft(bulk_request)
    if not bulk.rows.exists():
        raise DomainError(_("Deze import bevat geen geldige rijen."))
    if bulk.accepted_at is None:
        bulk.accepted_at = timezone.now()
        bulk.save(update_fields=["accepted_at"])
    return bulk


@transaction.atomic
def delete_bulk_request(bulk_request: BulkRequest, *, acting_user: User | None) -> None:
    """The trash icon: remove an import that was not sent, with an audit event."""
    bulk = _locked_draft(bulk_request)
    audit.bulk_import_deleted(
        acting_user=acting_user,
        bulk_import=bulk,
        filename=bulk.filename,
        rows=bulk.rows.count(),
        refused_rows=bulk.error_row_count,
    )
    bulk.delete()


def discard_draft(*, organisation: Organisation, bulk_id: int | None) -> None:
    """Remove the organisation's draft import `bulk_id`, if it is one: the wizard moved on to
    another import or to Eén bedrijf, or started again.

    No audit event: the wizard drops a draft that was never sent and that nobody acts on, as
    the beheerder's own next step (its creation is in the trail).
    """
    if bulk_id is not None:
        BulkRequest.objects.filter(
            pk=bulk_id, organisation=organisation, state=BulkRequestState.DRAFT
        ).delete()


def submit_bulk_request(
    bulk_request: BulkRequest,
    *,
    acting_user: User | None,
    scope: ScopeSelection,
    assignment: Assignment,
    duration_years: int,
    intermediair_email: str,
    intermediair_telefoon: str,
    language: str,
    personal_message: str,
    costs_agreed: bool,
    included_row_ids: Collection[int] = (),
    expected_count: int | None = None,
) -> bool:
    """ "Verzend aanvraag tot goedkeuring": store the choices, move the import from draft to
    sending, and write one outbox message per row.

    A row whose relatie already has an Actief or waiting ketenmachtiging is sent only when its
    id is in `included_row_ids` ("Toch aanvragen"); the others are removed from the import
    (_rows_to_send). `expected_count`, when given, is the number of paid requests the page
    showed: sending refuses when it is no longer the number that would go out.

    Returns False, and changes nothing, when the import was submitted before (a second click, a
    resubmitted page): it is sent once.
    """
    with transaction.atomic():
        bulk = BulkRequest.objects.select_for_update().get(pk=bulk_request.pk)
        if bulk.state != BulkRequestState.DRAFT:
            return False
        if not costs_agreed:
            raise DomainError(
                _("Ga akkoord met de kosten voor vastlegging van deze ketenmachtiging.")
            )
        _check_choices(bulk, scope=scope, assignment=assignment, duration_years=duration_years)
        rows = _rows_to_send(
            bulk, scope=scope, included_row_ids=included_row_ids, expected_count=expected_count
        )
        now = timezone.now()
        bulk.state = BulkRequestState.SENDING
        bulk.algemene_bevoegdheid = scope.algemene_bevoegdheid
        bulk.duration_years = duration_years
        bulk.intermediair_email = intermediair_email
        bulk.intermediair_telefoon = intermediair_telefoon
        bulk.language = language
        bulk.personal_message = personal_message
        bulk.costs_agreed_at = now
        bulk.submitted_by = acting_user
        bulk.submitted_at = now
        bulk.save(
            update_fields=[
                "state",
                "algemene_bevoegdheid",
                "duration_years",
                "intermediair_email",
                "intermediair_telefoon",
                "language",
                "personal_message",
                "costs_agreed_at",
                "submitted_by",
                "submitted_at",
            ]
        )
        _store_choices(bulk, scope=scope, assignment=assignment)
        enqueue_each(Delivery.BULK_ROW, rows)
    return True


def _store_choices(bulk: BulkRequest, *, scope: ScopeSelection, assignment: Assignment) -> None:
    """The import's diensten, gebruikers and groepen, as chosen in Stap 2 and 3."""
    if not scope.algemene_bevoegdheid:
        bulk.dienstverleners.set(scope.dienstverleners)
        bulk.diensten.set(scope.diensten)
    bulk.gebruikers.set(assignment.gebruikers)
    bulk.groepen.set(assignment.groepen)


def _check_choices(
    bulk: BulkRequest, *, scope: ScopeSelection, assignment: Assignment, duration_years: int
) -> None:
    if bulk.accepted_at is None:
        raise DomainError(_("Ga eerst verder met de geldige rijen van de import."))
    if scope.is_empty:
        raise DomainError(_("Kies één of meerdere diensten."))
    check_duration(duration_years)
    if any(m.organisation_id != bulk.organisation_id for m in assignment.gebruikers) or any(
        g.organisation_id != bulk.organisation_id for g in assignment.groepen
    ):
        raise DomainError(_("Deze gebruiker hoort niet bij uw organisatie."))


def register_approved_bulk_request(
    bulk_request: BulkRequest,
    *,
    acting_user: User | None,
    scope: ScopeSelection,
    assignment: Assignment,
    duration_years: int,
    leverancier: Leverancier,
    included_row_ids: Collection[int] = (),
    expected_count: int | None = None,
) -> int | None:
    """ "Ik heb al goedkeuring ontvangen" for the whole import: every row that goes (as for
    sending, _rows_to_send) is registered as approved at the leverancier through the same
    service as Eén bedrijf, Actief at once, with its own audit event; no invitation, no costs.
    All rows or none: a row refused refuses the import, naming the row.

    Returns how many were registered, or None, changing nothing, when the import was
    submitted before (a second click, a resubmitted page).
    """
    with transaction.atomic():
        bulk = BulkRequest.objects.select_for_update().get(pk=bulk_request.pk)
        if bulk.state != BulkRequestState.DRAFT:
            return None
        _check_choices(bulk, scope=scope, assignment=assignment, duration_years=duration_years)
        rows = _rows_to_send(
            bulk, scope=scope, included_row_ids=included_row_ids, expected_count=expected_count
        )
        for row in rows:
            try:
                km = register_approved_ketenmachtiging(
                    acting_user=acting_user,
                    intermediair=bulk.organisation,
                    relatie=organisation_for_company(Company.of(row)),
                    scope=scope,
                    assignment=assignment,
                    duration_years=duration_years,
                    leverancier=leverancier,
                    reference=row.reference,
                )
            except DomainError as error:
                raise DomainError(
                    _("Rij %(row)s (%(name)s): %(message)s")
                    % {"row": row.row_number, "name": row.name, "message": error.message}
                ) from error
            row.state, row.ketenmachtiging, row.processed_at = (
                BulkRowState.SENT,
                km,
                timezone.now(),
            )
        BulkRequestRow.objects.bulk_update(rows, ["state", "ketenmachtiging", "processed_at"])
        now = timezone.now()
        bulk.state = BulkRequestState.DONE
        bulk.algemene_bevoegdheid = scope.algemene_bevoegdheid
        bulk.duration_years = duration_years
        bulk.submitted_by = acting_user
        bulk.submitted_at = bulk.finished_at = now
        bulk.save(
            update_fields=[
                "state",
                "algemene_bevoegdheid",
                "duration_years",
                "submitted_by",
                "submitted_at",
                "finished_at",
            ]
        )
        _store_choices(bulk, scope=scope, assignment=assignment)
    return len(rows)


def identical_actief_refusal(row: BulkRequestRow) -> str:
    return _(
        "Rij %(row)s (%(name)s): deze relatie heeft al een actieve ketenmachtiging voor precies "
        "deze diensten. Er wordt geen tweede aangevraagd; verleng de bestaande op het tabblad "
        "Acties."
    ) % {"row": row.row_number, "name": row.name}


def _rows_to_send(
    bulk: BulkRequest,
    *,
    scope: ScopeSelection,
    included_row_ids: Collection[int],
    expected_count: int | None,
) -> list[BulkRequestRow]:
    """The waiting rows that go out, checked now (the import is locked): a row whose relatie
    already has an Actief or waiting ketenmachtiging only when included, and never when an
    Actief one has exactly this scope. The rows left out are removed from the import, so that
    it holds what was sent."""
    included = set(included_row_ids)
    duplicates = duplicate_rows(bulk, scope)
    for duplicate in duplicates:
        if duplicate.identical_actief and duplicate.row.pk in included:
            raise DomainError(identical_actief_refusal(duplicate.row))
    left_out = [d.row.pk for d in duplicates if d.row.pk not in included]
    rows = list(
        bulk.rows.filter(state=BulkRowState.WAITING).exclude(pk__in=left_out).order_by("row_number")
    )
    if not rows:
        raise DomainError(
            _("Er is geen bedrijf om te versturen. Vink aan welke bedrijven u toch wilt aanvragen.")
            if left_out
            else _("Deze import bevat geen geldige rijen.")
        )
    if expected_count is not None and expected_count != len(rows):
        raise DomainError(
            _(
                "Het aantal aanvragen is gewijzigd: het zijn er nu %(n)s. Controleer de "
                "bedrijven en verstuur opnieuw."
            )
            % {"n": len(rows)}
        )
    bulk.rows.filter(pk__in=left_out).delete()
    return rows


def _scope(bulk: BulkRequest) -> ScopeSelection:
    if bulk.algemene_bevoegdheid:
        return ScopeSelection(algemene_bevoegdheid=True)
    return ScopeSelection(
        dienstverleners=list(bulk.dienstverleners.all()),
        diensten=list(bulk.diensten.filter(active=True).select_related("dienstverlener")),
    )


def _assignment(bulk: BulkRequest) -> Assignment:
    """As chosen, without people whose middel no longer qualifies (as for a renewal)."""
    memberships = (
        Membership.objects.active()
        .filter(organisation=bulk.organisation_id, pk__in=bulk.gebruikers.all())
        .select_related("user")
    )
    return Assignment(
        gebruikers=[m for m in memberships if may_be_assigned(m)],
        groepen=list(bulk.groepen.filter(organisation=bulk.organisation_id)),
    )


def process_row(row_id: int) -> str | None:
    """Request the ketenmachtiging of one waiting row of a submitted import (the outbox's
    delivery, in its transaction). Returns the row's new state, or None when there was nothing
    to do. A refusal fails the row; any other error is left to the outbox, which tries again
    later and fails the row after its last attempt (fail_row)."""
    row = (
        BulkRequestRow.objects.select_for_update(of=("self",))
        .select_related("bulk_request__organisation", "bulk_request__submitted_by")
        .filter(pk=row_id)
        .first()
    )
    if row is None or row.state != BulkRowState.WAITING:
        return None
    bulk = row.bulk_request
    if bulk.state == BulkRequestState.DRAFT:
        return None  # not submitted: nothing may be sent yet
    try:
        with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
            km = request_ketenmachtiging(
                acting_user=bulk.submitted_by,
                intermediair=bulk.organisation,
                relatie=organisation_for_company(Company.of(row)),
                scope=_scope(bulk),
                assignment=_assignment(bulk),
                duration_years=bulk.duration_years,
                contact=RelatieContact(
                    initialen=row.contact_initialen,
                    tussenvoegsel=row.contact_tussenvoegsel,
                    achternaam=row.contact_achternaam,
                    email=row.contact_email,
                    telefoon=row.contact_telefoon,
                ),
                intermediair_email=bulk.intermediair_email,
                intermediair_telefoon=bulk.intermediair_telefoon,
                language=bulk.language,
                personal_message=bulk.personal_message,
                costs_agreed=bulk.costs_agreed_at is not None,
                reference=row.reference,
            )
    except DomainError as error:
        _save_row(row, state=BulkRowState.FAILED, reason=str(error.message))
    else:
        _save_row(row, state=BulkRowState.SENT, ketenmachtiging=km)
    return row.state


def fail_row(row_id: int) -> None:
    """The row could not be processed, not even after the outbox's retries."""
    row = BulkRequestRow.objects.select_for_update(of=("self",)).filter(pk=row_id).first()
    if row is not None and row.state == BulkRowState.WAITING:
        _save_row(
            row,
            state=BulkRowState.FAILED,
            reason=_("Er ging iets mis bij het versturen. Probeer het later opnieuw."),
        )


def _save_row(
    row: BulkRequestRow,
    *,
    state: str,
    reason: str = "",
    ketenmachtiging: Ketenmachtiging | None = None,
) -> None:
    row.state, row.reason, row.ketenmachtiging = state, reason, ketenmachtiging
    row.processed_at = timezone.now()
    row.save(update_fields=["state", "reason", "ketenmachtiging", "processed_at"])
    _finish_if_complete(row.bulk_request_id)


def _finish_if_complete(bulk_id: int) -> None:
    """Move the import to done when no row waits any more. The import is locked first, and
    only then are its rows counted: of two rows finishing at once, the second to get the lock
    counts after the first committed, so the last row always finds every row done."""
    bulk = BulkRequest.objects.select_for_update().filter(pk=bulk_id).first()
    if bulk is None or bulk.state != BulkRequestState.SENDING:
        return
    if not bulk.rows.filter(state=BulkRowState.WAITING).exists():
        bulk.state, bulk.finished_at = BulkRequestState.DONE, timezone.now()
        bulk.save(update_fields=["state", "finished_at"])


def reopen_row(row_id: int) -> None:
    """Staff send a row again whose processing failed for good (outbox "Verstuur opnieuw")."""
    row = BulkRequestRow.objects.select_for_update(of=("self",)).filter(pk=row_id).first()
    if row is None or row.state != BulkRowState.FAILED or row.ketenmachtiging_id:
        return
    row.state, row.reason, row.processed_at = BulkRowState.WAITING, "", None
    row.save(update_fields=["state", "reason", "processed_at"])
    BulkRequest.objects.filter(pk=row.bulk_request_id).update(
        state=BulkRequestState.SENDING, finished_at=None
    )


@transaction.atomic
def retry_failed_rows(bulk_request: BulkRequest, *, acting_user: User | None) -> int:
    """ "Verstuur de mislukte aanvragen opnieuw": every row the progress shows as not sent is
    sent again. A row whose request became Fout because its invitation could not be sent has
    that request withdrawn first, so that the relatie gets one. (A request staff marked Fout
    after its invitation went out is not a failed row.) Returns how many rows go again."""
    bulk = BulkRequest.objects.select_for_update().get(pk=bulk_request.pk)
    if bulk.state == BulkRequestState.DRAFT:
        raise DomainError(_("Deze import is nog niet verzonden."))
    rows = list(
        rows_with_outcome(bulk).filter(outcome=RowOutcome.FAILED).select_for_update(of=("self",))
    )
    for row in rows:
        if row.ketenmachtiging is not None:
            with lifecycle.locked(row.ketenmachtiging) as km:
                if km.status != Status.FOUT or km.invitation_sent_at is not None:
                    continue  # changed since the rows were read
                lifecycle.withdraw(
                    km,
                    acting_user=acting_user,
                    note="Opnieuw aangevraagd vanuit Meerdere bedrijven.",
                )
        row.state, row.reason, row.ketenmachtiging, row.processed_at = (
            BulkRowState.WAITING,
            "",
            None,
            None,
        )
    again = [row for row in rows if row.state == BulkRowState.WAITING]
    BulkRequestRow.objects.bulk_update(
        again, ["state", "reason", "ketenmachtiging", "processed_at"]
    )
    if again:
        bulk.state, bulk.finished_at = BulkRequestState.SENDING, None
        bulk.save(update_fields=["state", "finished_at"])
        enqueue_each(Delivery.BULK_ROW, again)
    return len(again)
