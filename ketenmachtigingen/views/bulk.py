"""Voeg nieuwe ketenmachtigingen toe — Meerdere bedrijven (handleiding 3.2).

Stap 1 is the import: download the Excel form, "Kies een bestand", "Importeer bedrijven". A file
with refused rows or warnings is shown first (review), and the beheerder continues with the
valid rows or uploads a corrected file. Stap 2 to 4 are the pickers of Eén bedrijf
(views/request.py), with the import in the draft instead of a company. Sending stores the
choices, writes one outbox message per row and shows the progress, up to each invitation's
delivery, until every row is done; failed rows can be sent again.

Every page looks the import up within the active organisation: another organisation's import
is a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import portal_view
from core.confirmation import ask_first

from .. import confirmations, imports, wizard
from ..bulk import selectors, services
from ..errors import DomainError
from ..forms import BulkApproveForm, BulkSendForm, BulkUploadForm
from ..models import BulkRequest, BulkRequestState
from .request import MENU, steps_context, wizard_url

ROWS_PER_PAGE = 100
ERRORS_SHOWN = 500


def _bulk_or_404(request, bulk_id: int) -> BulkRequest:
    bulk = selectors.bulk_request_of(request.organisation, bulk_id)
    if bulk is None:
        raise Http404
    return bulk


def _draft_bulk(request, draft: wizard.Draft) -> BulkRequest | None:
    """The draft's import while it can be used; a draft whose import is gone forgets it."""
    bulk = selectors.accepted_draft(request.organisation, draft.bulk_id)
    if bulk is None and draft.bulk_id is not None:
        draft.bulk_id = None
        wizard.save(request, draft)
    return bulk


def _use_in_draft(request, bulk: BulkRequest) -> None:
    """The accepted import becomes Stap 1 of the draft, replacing a company or an import."""
    draft = wizard.load(request)
    replaced = draft.bulk_id if draft.bulk_id != bulk.pk else None
    draft.set_bulk(bulk.pk)
    wizard.save(request, draft)
    services.discard_draft(organisation=request.organisation, bulk_id=replaced)


@portal_view
def add_bulk(request):
    """The Meerdere bedrijven tab: Stap 1 (download, upload) and Stap 2 to 4."""
    draft = wizard.load(request)
    bulk = _draft_bulk(request, draft)
    form = BulkUploadForm(request.POST, request.FILES) if request.method == "POST" else None
    if form is not None and form.is_valid():
        upload = form.cleaned_data["bestand"]
        try:
            result = imports.validate_import(
                imports.read_upload(upload),
                filename=upload.name,
                intermediair=request.organisation,
            )
        except DomainError as error:  # the file refused, or the register not reachable
            form.add_error("bestand", error.message)
        else:
            new = services.create_bulk_request(
                acting_user=request.user, organisation=request.organisation, result=result
            )
            if new.accepted_at is None:
                return redirect("ketenmachtigingen:bulk_review", bulk_id=new.pk)
            _use_in_draft(request, new)
            messages.success(
                request,
                _("%(count)s bedrijven geïmporteerd uit %(name)s.")
                % {"count": len(result.rows), "name": new.filename},
            )
            return redirect(wizard_url(2, wizard.load(request)))
    show_bulk = bulk is not None and form is None and request.GET.get("wijzig") != "bedrijven"
    return render(
        request,
        "ketenmachtigingen/add.html",
        {
            **steps_context(request, draft, step1_done=bulk is not None),
            "bulk_mode": True,
            "bulk": bulk if show_bulk else None,
            "bulk_row_count": selectors.row_count(bulk) if bulk else 0,
            "upload_form": form or BulkUploadForm(),
        },
    )


@portal_view
@require_GET
def download_template(request):
    """ "Download het Excel-formulier"."""
    response = HttpResponse(imports.build_template(), content_type=imports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{imports.TEMPLATE_FILENAME}"'
    return response


@portal_view
@require_GET
def review(request, bulk_id: int):
    """The import's refused rows and warnings, by row and column."""
    bulk = _bulk_or_404(request, bulk_id)
    if bulk.state != BulkRequestState.DRAFT:
        return redirect("ketenmachtigingen:bulk_progress", bulk_id=bulk.pk)
    if bulk.accepted_at is not None:
        return redirect("ketenmachtigingen:add_bulk")
    valid_count = selectors.row_count(bulk)
    return render(
        request,
        "ketenmachtigingen/bulk_review.html",
        {
            "menu": MENU,
            "bulk": bulk,
            "valid_count": valid_count,
            "errors": bulk.errors[:ERRORS_SHOWN],
            "errors_not_shown": max(len(bulk.errors) - ERRORS_SHOWN, 0),
            "warning_rows": selectors.duplicate_rows(bulk)[:ERRORS_SHOWN],
            "upload_form": BulkUploadForm(),
        },
    )


@portal_view
@require_POST
def accept(request, bulk_id: int):
    """ "Ga verder met de N geldige rijen"."""
    bulk = _bulk_or_404(request, bulk_id)
    try:
        bulk = services.accept_bulk_request(bulk, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("ketenmachtigingen:add_bulk")
    _use_in_draft(request, bulk)
    return redirect(wizard_url(2, wizard.load(request)))


@portal_view
@require_GET
def detail(request, bulk_id: int):
    """ "bekijk": the imported companies with their contacts."""
    bulk = _bulk_or_404(request, bulk_id)
    rows = Paginator(
        selectors.rows_with_outcome(bulk)
        if bulk.state != BulkRequestState.DRAFT
        else bulk.rows.order_by("row_number"),
        ROWS_PER_PAGE,
    )
    page = rows.get_page(request.GET.get("pagina"))
    return render(
        request,
        "ketenmachtigingen/bulk_detail.html",
        {"menu": MENU, "bulk": bulk, "page": page, "row_count": rows.count},
    )


@portal_view
@require_http_methods(["GET", "POST"])
def delete(request, bulk_id: int):
    """The trash icon: the import is removed; Stap 1 starts again."""
    bulk = _bulk_or_404(request, bulk_id)
    if request.method == "GET":
        if bulk.state != BulkRequestState.DRAFT:  # sent: it stays
            return redirect("ketenmachtigingen:bulk_progress", bulk_id=bulk.pk)
        return ask_first(
            request,
            confirmations.delete_import(bulk, selectors.row_count(bulk)),
            cancel_url=f"{reverse('ketenmachtigingen:add_bulk')}#stap-1",
            menu=MENU,
        )
    try:
        services.delete_bulk_request(bulk, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("ketenmachtigingen:bulk_progress", bulk_id=bulk.pk)
    draft = wizard.load(request)
    if draft.bulk_id == bulk_id:
        draft.bulk_id = None
        wizard.save(request, draft)
    messages.success(request, _("De import is verwijderd."))
    return redirect("ketenmachtigingen:add_bulk")


@portal_view
def send(request, bulk_id: int):
    """ "Verzend aanvraag tot goedkeuring" for all companies of the import."""
    bulk = _bulk_or_404(request, bulk_id)
    if bulk.state != BulkRequestState.DRAFT:
        messages.info(request, _("Deze aanvraag is al verzonden."))
        return redirect("ketenmachtigingen:bulk_progress", bulk_id=bulk.pk)
    draft = wizard.load(request)
    if draft.bulk_id != bulk.pk or not draft.is_complete or bulk.accepted_at is None:
        messages.error(request, _("Doorloop eerst stap 1 tot en met 4."))
        return redirect(wizard_url(draft.current_step, draft))
    organisation = request.organisation
    scope = draft.scope()
    duplicates = selectors.duplicate_rows(bulk, scope)
    form = BulkSendForm(
        request.POST if request.method == "POST" else None,
        duplicates=duplicates,
        initial={
            "intermediair_email": organisation.afzender_email,
            "intermediair_telefoon": organisation.afzender_telefoon,
        },
    )
    counts = _counts(bulk, duplicates, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submitted = services.submit_bulk_request(
                bulk,
                acting_user=request.user,
                scope=scope,
                assignment=draft.assignment(organisation),
                duration_years=draft.duration_years,
                **form.invitation(),
                included_row_ids=data["selectie"],
                expected_count=counts["paid_request_count"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            wizard.clear(request)
            if not submitted:
                messages.info(request, _("Deze aanvraag is al verzonden."))
            _say_left_out(request, len(duplicates) - len(data["selectie"]))
            return redirect("ketenmachtigingen:bulk_progress", bulk_id=bulk.pk)
    return render(
        request,
        "ketenmachtigingen/send.html",
        {
            "menu": MENU,
            "form": form,
            "draft": draft,
            "bulk": bulk,
            "duplicates": duplicates,
            **counts,
            "paid_summaries": _summaries(request_summary, counts, duplicates),
        },
    )


def request_summary(count: int) -> str:
    """The line beside the cost consent: how many paid requests go out (as send.html says it,
    for the page's script to show while rows are ticked)."""
    return ngettext(
        "U verstuurt %(counter)s aanvraag tot goedkeuring. Hieraan zijn kosten voor vastlegging "
        "verbonden.",
        "U verstuurt %(counter)s aanvragen tot goedkeuring, één per bedrijf. Aan elke aanvraag "
        "zijn kosten voor vastlegging verbonden.",
        count,
    ) % {"counter": count}


def _counts(bulk: BulkRequest, duplicates, form) -> dict:
    """The import's rows, those that go out without a choice (`base_count`), and those that go
    out with the rows ticked at Toch aanvragen (`paid_request_count`: one request per row)."""
    row_count = selectors.row_count(bulk)
    includable = {d.row.pk for d in duplicates if not d.identical_actief}
    base_count = row_count - len(duplicates)
    return {
        "bulk_row_count": row_count,
        "base_count": base_count,
        "ticked_ids": form.ticked_ids,
        "ticked_count": len(form.ticked_ids & includable),
        "paid_request_count": base_count + len(form.ticked_ids & includable),
    }


def _summaries(describe, counts: dict, duplicates) -> list[str]:
    """`describe` for every number of rows that can go out, from none ticked at Toch aanvragen
    to all: the page's script shows the one that fits the ticks."""
    return [describe(counts["base_count"] + n) for n in range(len(duplicates) + 1)]


def _say_left_out(request, count: int) -> None:
    if count > 0:
        messages.info(
            request,
            ngettext(
                "%(n)s bedrijf is niet meegenomen, omdat het al een ketenmachtiging aan uw "
                "organisatie heeft.",
                "%(n)s bedrijven zijn niet meegenomen, omdat zij al een ketenmachtiging aan uw "
                "organisatie hebben.",
                count,
            )
            % {"n": count},
        )


@portal_view
def approved(request, bulk_id: int):
    """ "Ik heb al goedkeuring ontvangen" for all companies of the import: confirm, choose the
    leverancier, register every row that goes as approved (Actief at once, no invitation)."""
    bulk = _bulk_or_404(request, bulk_id)
    if bulk.state != BulkRequestState.DRAFT:
        messages.info(request, _("Deze import is al verwerkt."))
        return redirect("ketenmachtigingen:bulk_progress", bulk_id=bulk.pk)
    draft = wizard.load(request)
    if draft.bulk_id != bulk.pk or not draft.is_complete or bulk.accepted_at is None:
        messages.error(request, _("Doorloop eerst stap 1 tot en met 4."))
        return redirect(wizard_url(draft.current_step, draft))
    scope = draft.scope()
    duplicates = selectors.duplicate_rows(bulk, scope)
    form = BulkApproveForm(
        request.POST if request.method == "POST" else None, duplicates=duplicates
    )
    counts = _counts(bulk, duplicates, form)
    if request.method == "POST" and form.is_valid():
        try:
            registered = services.register_approved_bulk_request(
                bulk,
                acting_user=request.user,
                scope=scope,
                assignment=draft.assignment(request.organisation),
                duration_years=draft.duration_years,
                leverancier=form.cleaned_data["leverancier"],
                included_row_ids=form.cleaned_data["selectie"],
                expected_count=counts["paid_request_count"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            wizard.clear(request)
            if registered is None:
                messages.info(request, _("Deze import is al verwerkt."))
                return redirect("ketenmachtigingen:bulk_progress", bulk_id=bulk.pk)
            _say_left_out(request, len(duplicates) - len(form.cleaned_data["selectie"]))
            return redirect("ketenmachtigingen:bulk_progress", bulk_id=bulk.pk)
    return render(
        request,
        "ketenmachtigingen/bulk_approved.html",
        {
            "menu": MENU,
            "form": form,
            "confirmed": request.GET.get("bevestigd") == "1" or request.method == "POST",
            "draft": draft,
            "bulk": bulk,
            "duplicates": duplicates,
            **counts,
            "paid_summaries": _summaries(approved_summary, counts, duplicates),
        },
    )


def approved_summary(count: int) -> str:
    """The line above "Verwerk als goedgekeurd": how many are registered."""
    return ngettext(
        "U legt %(counter)s ketenmachtiging vast als goedgekeurd.",
        "U legt %(counter)s ketenmachtigingen vast als goedgekeurd, één per bedrijf.",
        count,
    ) % {"counter": count}


@portal_view
@require_GET
def progress(request, bulk_id: int):
    """The progress of sending, row by row up to the invitation's delivery, polled every second
    by htmx until every row is done."""
    bulk = _bulk_or_404(request, bulk_id)
    if bulk.state == BulkRequestState.DRAFT:
        return redirect("ketenmachtigingen:add_bulk")
    context = {"menu": MENU, "bulk": bulk, "progress": selectors.progress(bulk)}
    if request.htmx:
        return render(request, "ketenmachtigingen/bulk_progress_status.html", context)
    return render(request, "ketenmachtigingen/bulk_progress.html", context)


@portal_view
@require_POST
def retry(request, bulk_id: int):
    """ "Verstuur de mislukte aanvragen opnieuw"."""
    bulk = _bulk_or_404(request, bulk_id)
    try:
        count = services.retry_failed_rows(bulk, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if count:
            messages.success(
                request,
                ngettext(
                    "%(n)s aanvraag wordt opnieuw verstuurd.",
                    "%(n)s aanvragen worden opnieuw verstuurd.",
                    count,
                )
                % {"n": count},
            )
        else:
            messages.info(request, _("Er zijn geen mislukte aanvragen om opnieuw te versturen."))
    return redirect("ketenmachtigingen:bulk_progress", bulk_id=bulk.pk)
