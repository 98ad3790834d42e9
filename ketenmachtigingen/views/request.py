"""Voeg nieuwe ketenmachtigingen toe — Eén bedrijf (manual 3.1 and 3.3), and Stap 2 to 4 that
Meerdere bedrijven (3.2, views/bulk.py) shares.

Stap 1 to 4 fill a draft kept in the session (wizard.py); the last step sends the request or
registers it as already approved. Every page works without JavaScript; htmx only makes the
pickers' search filter as you type.
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import portal_view
from accounts.selectors import gebruikers_of
from catalogue.selectors import diensten_picker, ticked_ids
from core.confirmation import ask_first
from groepen.models import Groep

from .. import confirmations, wizard
from ..authorization import may_be_assigned, picker_warnings
from ..bulk import services as bulk_services
from ..constants import duration_range_message
from ..errors import DomainError
from ..forms import (
    ApproveForm,
    AssignmentForm,
    CompanyNumberForm,
    DurationForm,
    ScopeForm,
    SendRequestForm,
)
from ..register import lookup_company
from ..selectors import existing_relatie, overlapping_ketenmachtigingen
from ..services import creation
from ..services.relaties import organisation_for_company

MENU = "van_relaties"


def _posted(request):
    """The submitted data, also when a form was submitted with nothing ticked."""
    return request.POST if request.method == "POST" else None


def wizard_url(step: int, draft: wizard.Draft | None = None) -> str:
    """The wizard page of the draft's kind (Eén bedrijf or Meerdere bedrijven), at a step."""
    name = (
        "ketenmachtigingen:add_bulk"
        if draft is not None and draft.is_bulk
        else "ketenmachtigingen:add"
    )
    return f"{reverse(name)}#stap-{step}"


def steps_context(request, draft: wizard.Draft, *, step1_done: bool) -> dict:
    """What add.html needs for Stap 2 to 4; `step1_done` is Stap 1 as the page shows it."""
    complete = step1_done and draft.has_scope and draft.has_assignment
    return {
        "menu": MENU,
        "draft": draft,
        "step1_done": step1_done,
        "current_step": draft.current_step if step1_done else 1,
        "complete": complete,
        "scope": draft.scope() if draft.has_scope else None,
        "assignment": draft.assignment(request.organisation),
        "duration_form": DurationForm(initial={"duration_years": draft.duration_years}),
    }


@portal_view
def add(request):
    """The wizard page with its four steps; Stap 1 is handled here.

    A draft with an import opens on the Meerdere bedrijven tab, unless this tab is asked for
    (?bedrijf=een); choosing a company there replaces the import.
    """
    draft = wizard.load(request)
    if draft.is_bulk and request.method == "GET" and "bedrijf" not in request.GET:
        return redirect("ketenmachtigingen:add_bulk")
    company_form = CompanyNumberForm(request.POST if "select_company" in request.POST else None)
    if company_form.is_bound and company_form.is_valid():
        kind, number = company_form.cleaned_data["number"]
        try:
            found = lookup_company(kind, number)
        except DomainError as error:
            company_form.add_error("number", error.message)
        else:
            replaced_bulk_id = draft.bulk_id
            draft.set_company(found)
            wizard.save(request, draft)
            bulk_services.discard_draft(organisation=request.organisation, bulk_id=replaced_bulk_id)
            return redirect(wizard_url(2, draft))
    company = draft.company_obj()
    return render(
        request,
        "ketenmachtigingen/add.html",
        {
            **steps_context(request, draft, step1_done=company is not None),
            "bulk_mode": False,
            "company": company,
            "company_form": company_form,
            "change_company": request.GET.get("wijzig") == "bedrijf",
        },
    )


@portal_view
@require_http_methods(["GET", "POST"])
def restart(request):
    """ "Begin opnieuw": the draft, and the import it refers to, are removed."""
    draft = wizard.load(request)
    if request.method == "GET":
        return ask_first(
            request,
            confirmations.restart(draft),
            cancel_url=wizard_url(draft.current_step, draft),
            menu=MENU,
        )
    discard_draft(request, draft)
    return redirect("ketenmachtigingen:add_bulk" if draft.is_bulk else "ketenmachtigingen:add")


def discard_draft(request, draft: wizard.Draft) -> None:
    """The draft is removed, and the import it refers to."""
    wizard.clear(request)
    bulk_services.discard_draft(organisation=request.organisation, bulk_id=draft.bulk_id)


@portal_view
def choose_diensten(request):
    """Stap 2, "Voeg een machtiging toe"."""
    draft = wizard.load(request)
    if not draft.has_company:
        return redirect(wizard_url(1, draft))
    form = ScopeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        draft.algemene_bevoegdheid = form.cleaned_data["algemene_bevoegdheid"]
        draft.dienstverlener_ids = [d.pk for d in form.cleaned_data["dienstverleners"]]
        draft.dienst_ids = [d.pk for d in form.cleaned_data["diensten"]]
        wizard.save(request, draft)
        return redirect(wizard_url(3, draft))
    search = request.GET.get("zoek", "").strip()[:100]
    if "picker" in request.GET:  # a search while choosing: keep what is ticked on the page
        chosen_algemeen = request.GET.get("algemene_bevoegdheid") == "on"
        chosen_dienstverleners = ticked_ids(request.GET.getlist("dienstverleners"))
        chosen_diensten = ticked_ids(request.GET.getlist("diensten"))
    else:
        chosen_algemeen = draft.algemene_bevoegdheid
        chosen_dienstverleners = set(draft.dienstverlener_ids)
        chosen_diensten = set(draft.dienst_ids)
    context = {
        "menu": MENU,
        "form": form,
        **diensten_picker(
            search,
            chosen_dienstverleners=chosen_dienstverleners,
            chosen_diensten=chosen_diensten,
            chosen_algemeen=chosen_algemeen,
            show_algemeen=all(t in "algemene bevoegdheid" for t in search.lower().split()),
        ),
    }
    if request.htmx:
        return render(request, "ketenmachtigingen/_diensten_list.html", context)
    return render(request, "ketenmachtigingen/choose_diensten.html", context)


@portal_view
def choose_gebruikers(request):
    """Stap 3, "Kies gebruikers": people (with the rule's warnings) and groups."""
    draft = wizard.load(request)
    if not draft.has_scope:
        return redirect(wizard_url(2, draft))
    form = AssignmentForm(_posted(request), organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        draft.membership_ids = [m.pk for m in form.cleaned_data["gebruikers"]]
        draft.groep_ids = [g.pk for g in form.cleaned_data["groepen"]]
        wizard.save(request, draft)
        return redirect(wizard_url(4, draft))
    search = request.GET.get("zoek", "").strip()[:100]
    if "picker" in request.GET:
        chosen_gebruikers = ticked_ids(request.GET.getlist("gebruikers"))
        chosen_groepen = ticked_ids(request.GET.getlist("groepen"))
    else:
        chosen_gebruikers, chosen_groepen = set(draft.membership_ids), set(draft.groep_ids)
    memberships = list(gebruikers_of(request.organisation, search=search).filter(active=True))
    groepen = Groep.objects.filter(organisation=request.organisation).order_by("name")
    if search:
        groepen = groepen.filter(name__icontains=search)
    groepen = list(groepen)
    context = {
        "menu": MENU,
        "form": form,
        "search": search,
        "people": [(m, picker_warnings(m), may_be_assigned(m)) for m in memberships],
        "groepen": groepen,
        "chosen_gebruikers": chosen_gebruikers,
        "chosen_groepen": chosen_groepen,
        "hidden_gebruikers": chosen_gebruikers - {m.pk for m in memberships},
        "hidden_groepen": chosen_groepen - {g.pk for g in groepen},
    }
    if request.htmx:
        return render(request, "ketenmachtigingen/_gebruikers_list.html", context)
    return render(request, "ketenmachtigingen/choose_gebruikers.html", context)


@portal_view
@require_POST
def choose_duration(request):
    """Stap 4: the duration, then one of the two ways on."""
    draft = wizard.load(request)
    form = DurationForm(request.POST)
    if not draft.is_complete:
        messages.error(request, _("Doorloop eerst stap 1 tot en met 3."))
        return redirect(wizard_url(draft.current_step, draft))
    if not form.is_valid():
        messages.error(request, duration_range_message())
        return redirect(wizard_url(4, draft))
    draft.duration_years = form.cleaned_data["duration_years"]
    wizard.save(request, draft)
    if draft.is_bulk:
        if "approved" in request.POST:
            return redirect("ketenmachtigingen:bulk_approved", bulk_id=draft.bulk_id)
        return redirect("ketenmachtigingen:bulk_send", bulk_id=draft.bulk_id)
    if "approved" in request.POST:
        return redirect("ketenmachtigingen:add_approved")
    return redirect("ketenmachtigingen:add_send")


def _complete_draft_or_redirect(request):
    draft = wizard.load(request)
    if draft.is_bulk:  # an import is sent from its own page
        return draft, redirect(wizard_url(4, draft))
    if not draft.is_complete:
        messages.error(request, _("Doorloop eerst stap 1 tot en met 4."))
        return draft, redirect(wizard_url(draft.current_step, draft))
    return draft, None


def _overlapping(request, draft):
    return overlapping_ketenmachtigingen(
        intermediair=request.organisation,
        relatie=existing_relatie(draft.company_obj()),
        scope=draft.scope(),
    )


@portal_view
def send(request):
    """ "Verzend aanvraag tot goedkeuring"."""
    draft, redirect_response = _complete_draft_or_redirect(request)
    if redirect_response:
        return redirect_response
    organisation = request.organisation
    form = SendRequestForm(
        _posted(request),
        overlapping=_overlapping(request, draft),
        initial={
            "intermediair_email": organisation.afzender_email,
            "intermediair_telefoon": organisation.afzender_telefoon,
            **draft.send_initial,  # a request made again starts from the earlier one's
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                creation.request_ketenmachtiging(
                    acting_user=request.user,
                    intermediair=organisation,
                    relatie=organisation_for_company(draft.company_obj()),
                    scope=draft.scope(),
                    assignment=draft.assignment(organisation),
                    duration_years=draft.duration_years,
                    contact=creation.RelatieContact(
                        initialen=data["contact_initialen"],
                        tussenvoegsel=data["contact_tussenvoegsel"],
                        achternaam=data["contact_achternaam"],
                        email=data["contact_email"],
                        telefoon=data["contact_telefoon"],
                    ),
                    **form.invitation(),
                    reference=data["reference"],
                    submission_key=draft.key,
                )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            wizard.clear(request)
            messages.success(request, _("De ketenmachtiging is toegevoegd/ verzonden."))
            return redirect("ketenmachtigingen:overview")
    return render(
        request,
        "ketenmachtigingen/send.html",
        {
            "menu": MENU,
            "form": form,
            "draft": draft,
            "company": draft.company_obj(),
            "paid_request_count": 1,  # one company, one ketenmachtiging
        },
    )


@portal_view
def approved(request):
    """ "Ik heb al goedkeuring ontvangen": confirm, choose the leverancier, register it."""
    draft, redirect_response = _complete_draft_or_redirect(request)
    if redirect_response:
        return redirect_response
    confirmed = request.GET.get("bevestigd") == "1" or request.method == "POST"
    form = ApproveForm(_posted(request), overlapping=_overlapping(request, draft))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                creation.register_approved_ketenmachtiging(
                    acting_user=request.user,
                    intermediair=request.organisation,
                    relatie=organisation_for_company(draft.company_obj()),
                    scope=draft.scope(),
                    assignment=draft.assignment(request.organisation),
                    duration_years=draft.duration_years,
                    leverancier=form.cleaned_data["leverancier"],
                    reference=form.cleaned_data["reference"],
                    submission_key=draft.key,
                )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            wizard.clear(request)
            messages.success(request, _("De ketenmachtiging is toegevoegd/ verzonden."))
            return redirect("ketenmachtigingen:overview")
    return render(
        request,
        "ketenmachtigingen/approved.html",
        {
            "menu": MENU,
            "form": form,
            "confirmed": confirmed,
            "draft": draft,
            "company": draft.company_obj(),
        },
    )
