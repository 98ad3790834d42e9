"""ketenmachtigingen | van relaties (manual 5) and | afgegeven."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import portal_view
from accounts.models import Organisation
from accounts.selectors import gebruikers_of
from accounts.tenancy import memberships_of
from core.confirmation import ask_first
from groepen.models import Groep

from .. import confirmations, wizard
from ..authorization import may_be_assigned, picker_warnings
from ..constants import HIDDEN_STATUSES, PENDING_STATUSES, Status, Tab
from ..errors import AlreadyRequested, DomainError
from ..exports import export_response
from ..forms import (
    AssignmentForm,
    ExportForm,
    OverviewFilterForm,
    RenewalRowForm,
    RenewalSelectionForm,
    RevokeForm,
)
from ..models import Ketenmachtiging
from ..selectors import (
    acties_count,
    acties_page,
    afgegeven_page,
    expiry_timeline,
    ketenmachtigingen_for_export,
    overview_page,
    relatie_details,
)
from ..services import assignments, expired, lifecycle, renewals
from .expiry_chart import expiry_chart
from .request import discard_draft, wizard_url

MENU = "van_relaties"
EXPORTABLE_TABS = (Tab.ACTIEF, Tab.WACHTEND, Tab.VERLOPEN)
TAB_STATUSES = {
    Tab.ACTIEF: [],
    Tab.WACHTEND: [(s, Status(s).label) for s in Status.values if s in PENDING_STATUSES],
    Tab.ACTIES: [],
    Tab.VERLOPEN: [],
}


def _tab(request) -> str:
    tab = request.GET.get("tab", Tab.ACTIEF)
    return tab if tab in Tab.values else Tab.ACTIEF


def _own_ketenmachtiging(request, ketenmachtiging_id) -> Ketenmachtiging:
    """Another organisation's ketenmachtiging, or one kept only for the audit trail, is a 404."""
    return get_object_or_404(
        Ketenmachtiging.objects.exclude(status__in=[Status.INGETROKKEN, Status.VERVALLEN]),
        pk=ketenmachtiging_id,
        intermediair=request.organisation,
    )


def _back(request):
    url = request.POST.get("next", "")
    if url.startswith("/") and not url.startswith("//"):
        return redirect(url)
    return redirect("ketenmachtigingen:overview")


@portal_view
def overview(request):
    tab = _tab(request)
    filter_form = OverviewFilterForm(request.GET or None, statuses=TAB_STATUSES[tab])
    filters = filter_form.filters() if filter_form.is_bound else OverviewFilterForm().filters()
    acties_table = {}
    if tab == Tab.ACTIES:
        page = acties_page(request.organisation, filters, request.GET.get("pagina"))
        rows = [(km, _renewal_form(km)) for km in page]
        selection = RenewalSelectionForm(intermediair=request.organisation)
        acties_table = _acties_table(rows, selection, ticked_ids=set())
    else:
        page, rows = overview_page(request.organisation, tab, filters, request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    unfiltered_acties = tab == Tab.ACTIES and not (filters.active or filters.search)
    context = {
        "menu": MENU,
        "tab": tab,
        "tabs": Tab,
        "page": page,
        "rows": rows,
        "filter_form": filter_form,
        "filters": filters,
        # The tab's own count when it is the same number: one count of the Acties less.
        "acties_count": page.paginator.count
        if unfiltered_acties
        else acties_count(request.organisation),
        "query": query.urlencode(),
        "export_form": ExportForm(),
        "exportable": tab in EXPORTABLE_TABS,
        "several_organisations": memberships_of(request.user).managing().count() > 1,
        **acties_table,
    }
    if request.htmx:  # search as you type: the rows only
        rows_template = "_acties_rows" if tab == Tab.ACTIES else "_overview_rows"
        return render(request, f"ketenmachtigingen/{rows_template}.html", context)
    if tab == Tab.ACTIEF:
        context["expiry_chart"] = expiry_chart(
            expiry_timeline(request.organisation),
            end_from=filters.end_from,
            end_to=filters.end_to,
        )
    return render(request, "ketenmachtigingen/overview.html", context)


def _renewal_form(km, data=None, *, typed=None):
    """A row of the Acties table: bound to `data` to check what is sent; otherwise showing the
    contact on record, or what was typed in the row (`typed`) when the table comes back."""
    prefix = str(km.pk)
    initial = {"naam": km.contact_name, "email": km.contact_email, "taal": km.language}
    if typed is not None:
        initial |= {
            name: typed[f"{prefix}-{name}"] for name in initial if f"{prefix}-{name}" in typed
        }
    return RenewalRowForm(data, prefix=prefix, initial=initial)


def renewal_summary(count: int) -> str:
    """The line beside the cost consent: how many paid renewals Verleng selectie requests."""
    if not count:
        return _(
            "U heeft nog geen ketenmachtiging geselecteerd. Aan elke verlenging zijn kosten "
            "voor vastlegging verbonden."
        )
    return ngettext(
        "U vraagt %(n)s verlenging aan. Hieraan zijn kosten voor vastlegging verbonden.",
        "U vraagt %(n)s verlengingen aan. Aan elke verlenging zijn kosten voor vastlegging "
        "verbonden.",
        count,
    ) % {"n": count}


def _acties_table(rows, selection, *, ticked_ids) -> dict:
    """What _acties_table.html shows besides the rows: which are ticked, the cost consent and
    the line beside it, for the ticked rows and, for the page's script, for any number."""
    ticked_count = sum(km.pk in ticked_ids for km, _form in rows)
    return {
        "rows": rows,
        "selection": selection,
        "ticked_ids": ticked_ids,
        "ticked_count": ticked_count,
        "paid_summary": renewal_summary(ticked_count),
        "paid_summaries": [renewal_summary(n) for n in range(len(rows) + 1)],
    }


def _acties_again(request, selection):
    """The Acties table as it was submitted (ticked rows, typed contacts, the consent), when
    nothing was sent. The form's address carries the tab's search, filters and page."""
    filters = OverviewFilterForm(request.GET, statuses=TAB_STATUSES[Tab.ACTIES]).filters()
    page = acties_page(request.organisation, filters, request.GET.get("pagina"))
    rows = [(km, _renewal_form(km, typed=request.POST)) for km in page]
    return render(
        request,
        "ketenmachtigingen/renew_errors.html",
        {
            "menu": MENU,
            "tab": Tab.ACTIES,
            "heading": _("Ketenmachtigingen verlengen"),
            **_acties_table(rows, selection, ticked_ids=selection.ticked_ids),
        },
    )


@portal_view
@require_POST
def renew(request):
    """Vraag verlenging aan (one row) or Verleng selectie (the ticked rows).

    Nothing is sent without a row, without the cost consent, or for a selection whose number
    the page did not show (without JavaScript it shows it now and asks to click again): the
    table comes back as it was filled in. Otherwise invalid rows are shown with their error and
    not sent; the valid ones are sent, each on its own."""
    selection = RenewalSelectionForm(request.POST, intermediair=request.organisation)
    if not selection.is_valid():
        for refusal in selection.refusals():
            messages.error(request, refusal)
        return _acties_again(request, selection)
    if not selection.number_was_shown():
        messages.warning(
            request,
            f"{renewal_summary(len(selection.cleaned_data['selectie']))} "
            + _("Controleer de selectie en klik nogmaals op Verleng selectie om te versturen."),
        )
        return _acties_again(request, selection)
    sent, already, failed = [], [], {}
    for km in selection.chosen():
        form = _renewal_form(km, request.POST)
        if not form.is_valid():
            failed[km] = form
            continue
        try:
            renewals.request_renewal(
                km,
                acting_user=request.user,
                contact_name=form.cleaned_data["naam"],
                contact_email=form.cleaned_data["email"],
                language=form.cleaned_data["taal"],
                costs_agreed=selection.cleaned_data["costs_agreed"],
            )
        except AlreadyRequested:  # a second click or a resubmitted page: sent once
            already.append(km)
        except DomainError as error:
            form.add_error(None, error.message)
            failed[km] = form
        else:
            sent.append(km)
    if sent:
        messages.success(
            request,
            ngettext(
                "%(n)s verlengingsverzoek is verstuurd.",
                "%(n)s verlengingsverzoeken zijn verstuurd.",
                len(sent),
            )
            % {"n": len(sent)},
        )
    if already:
        messages.info(
            request,
            ngettext(
                "Voor %(n)s ketenmachtiging was de verlenging al aangevraagd.",
                "Voor %(n)s ketenmachtigingen was de verlenging al aangevraagd.",
                len(already),
            )
            % {"n": len(already)},
        )
    if not failed:
        return redirect(f"{reverse('ketenmachtigingen:overview')}?tab={Tab.ACTIES}")
    messages.error(
        request,
        ngettext(
            "%(n)s verlenging is niet verstuurd: zie de melding in de tabel.",
            "%(n)s verlengingen zijn niet verstuurd: zie de meldingen in de tabel.",
            len(failed),
        )
        % {"n": len(failed)},
    )
    return render(
        request,
        "ketenmachtigingen/renew_errors.html",
        {
            "menu": MENU,
            "tab": Tab.ACTIES,
            "heading": _("Verlengingen die niet zijn verstuurd"),
            **_acties_table(list(failed.items()), selection, ticked_ids={km.pk for km in failed}),
        },
    )


@portal_view
def relatie(request, relatie_id):
    """A row's details: loaded into the overview when opened, or a page of its own."""
    tab = _tab(request)
    relatie = get_object_or_404(
        Organisation.objects.filter(
            pk__in=Ketenmachtiging.objects.filter(intermediair=request.organisation)
            .exclude(status__in=HIDDEN_STATUSES)
            .values("relatie_id")
        ),
        pk=relatie_id,
    )
    partial = request.htmx
    overview_url = f"{reverse('ketenmachtigingen:overview')}?{urlencode({'tab': tab})}"
    context = {
        "menu": MENU,
        "tab": tab,
        "tab_label": Tab(tab).label,
        "relatie": relatie,
        "details": relatie_details(request.organisation, relatie, tab),
        "return_url": overview_url if partial else request.get_full_path(),
    }
    template = "_relatie_details.html" if partial else "relatie_detail.html"
    return render(request, f"ketenmachtigingen/{template}", context)


@portal_view
def export(request):
    """The cloud icon: .xlsx or .csv of the open tab, of this or all the beheerder's
    organisations."""
    tab = _tab(request)
    form = ExportForm(request.GET)
    if tab not in EXPORTABLE_TABS or not form.is_valid():
        messages.error(request, _("Kies een tabblad en een bestandsformaat om te exporteren."))
        return redirect(f"{reverse('ketenmachtigingen:overview')}?{urlencode({'tab': tab})}")
    organisations = [request.organisation]
    if form.cleaned_data["alle"]:
        organisations = Organisation.objects.filter(
            pk__in=memberships_of(request.user).managing().values("organisation_id")
        )
    filters = OverviewFilterForm(request.GET, statuses=TAB_STATUSES[tab]).filters()
    return export_response(
        ketenmachtigingen_for_export(organisations, tab, filters),
        fmt=form.cleaned_data["formaat"],
        filename_stem=f"ketenmachtigingen-{Tab(tab).label.lower().replace(' ', '-')}",
    )


@portal_view
@require_http_methods(["GET", "POST"])
def remove_gebruiker(request, ketenmachtiging_id, membership_id):
    km = _own_ketenmachtiging(request, ketenmachtiging_id)
    membership = get_object_or_404(km.gebruikers, pk=membership_id)
    if request.method == "GET":
        return _ask_first(request, km, confirmations.remove_gebruiker(km, membership))
    assignments.remove_gebruiker(km, acting_user=request.user, membership=membership)
    messages.success(
        request,
        _("%(name)s heeft geen toegang meer tot deze ketenmachtiging.")
        % {"name": membership.user.display_name},
    )
    return _back(request)


@portal_view
@require_http_methods(["GET", "POST"])
def remove_groep(request, ketenmachtiging_id, groep_id):
    km = _own_ketenmachtiging(request, ketenmachtiging_id)
    groep = get_object_or_404(km.groepen, pk=groep_id)
    if request.method == "GET":
        return _ask_first(request, km, confirmations.remove_groep(km, groep))
    assignments.remove_groep(km, acting_user=request.user, groep=groep)
    messages.success(
        request,
        _("Groep %(name)s heeft geen toegang meer tot deze ketenmachtiging.")
        % {"name": groep.name},
    )
    return _back(request)


@portal_view
def add_gebruikers(request, ketenmachtiging_id):
    """ "Voeg gebruiker toe": more people or groups for an existing ketenmachtiging."""
    km = _own_ketenmachtiging(request, ketenmachtiging_id)
    form = AssignmentForm(
        request.POST if request.method == "POST" else None, organisation=request.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            for membership in form.cleaned_data["gebruikers"]:
                assignments.add_gebruiker(km, acting_user=request.user, membership=membership)
            for groep in form.cleaned_data["groepen"]:
                assignments.add_groep(km, acting_user=request.user, groep=groep)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("De gebruikers zijn toegevoegd aan de ketenmachtiging."))
            return redirect(
                f"{reverse('ketenmachtigingen:overview')}?"
                f"{urlencode({'tab': _tab_of(km), 'zoek': km.relatie.kvk_nummer or ''})}"
            )
    search = request.GET.get("zoek", "").strip()[:100]
    linked = set(km.gebruikers.values_list("pk", flat=True))
    linked_groepen = set(km.groepen.values_list("pk", flat=True))
    memberships = [
        m
        for m in gebruikers_of(request.organisation, search=search).filter(active=True)
        if m.pk not in linked
    ]
    groepen = Groep.objects.filter(organisation=request.organisation).exclude(pk__in=linked_groepen)
    if search:
        groepen = groepen.filter(name__icontains=search)
    context = {
        "menu": MENU,
        "km": km,
        "form": form,
        "search": search,
        "people": [(m, picker_warnings(m), may_be_assigned(m)) for m in memberships],
        "groepen": list(groepen.order_by("name")),
        "chosen_gebruikers": set(),
        "chosen_groepen": set(),
    }
    if request.htmx:
        return render(request, "ketenmachtigingen/_gebruikers_list.html", context)
    return render(request, "ketenmachtigingen/add_gebruikers.html", context)


def _ask_first(request, km: Ketenmachtiging, question):
    """The confirmation page of an action on `km`; "Annuleer" leads back to its tab."""
    cancel_url = f"{reverse('ketenmachtigingen:overview')}?{urlencode({'tab': _tab_of(km)})}"
    return ask_first(request, question, cancel_url=cancel_url, menu=MENU)


def _tab_of(km: Ketenmachtiging) -> str:
    if km.status in PENDING_STATUSES:
        return Tab.WACHTEND
    if km.status == Status.VERLOPEN:
        return Tab.VERLOPEN
    return Tab.ACTIEF


@portal_view
@require_http_methods(["GET", "POST"])
def withdraw(request, ketenmachtiging_id):
    """A pending request is withdrawn; a Fout one is removed to be requested again."""
    km = _own_ketenmachtiging(request, ketenmachtiging_id)
    if request.method == "GET":
        if km.status not in PENDING_STATUSES:
            raise Http404
        return _ask_first(request, km, confirmations.withdraw(km))
    try:
        lifecycle.withdraw(km, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("De aanvraag voor %(name)s is ingetrokken.") % {"name": km.relatie.name},
        )
    return _back(request)


@portal_view
def revoke_relatie(request, relatie_id):
    """ "Verwijder bedrijf" (manual 4.2): every active ketenmachtiging of the relatie ends."""
    active = Ketenmachtiging.objects.filter(
        intermediair=request.organisation, relatie_id=relatie_id, status=Status.ACTIEF
    )
    relatie = get_object_or_404(Organisation, pk=relatie_id)
    if not active.exists():
        raise Http404

    def end(on_date):
        lifecycle.revoke_relatie(
            acting_user=request.user,
            intermediair=request.organisation,
            relatie=relatie,
            on_date=on_date,
        )

    return _revoke_page(
        request,
        relatie=relatie,
        ketenmachtigingen=active,
        end=end,
        ended=(
            _("%(name)s wordt op %(date)s verwijderd uit het overzicht."),
            _("%(name)s is verwijderd uit het overzicht."),
        ),
        form=RevokeForm(request.POST if request.method == "POST" else None),
    )


@portal_view
def revoke(request, ketenmachtiging_id):
    """ "Trek ketenmachtiging in": one of a relatie's active ketenmachtigingen ends on its own,
    e.g. a second one requested by mistake; the others stay."""
    km = _own_ketenmachtiging(request, ketenmachtiging_id)
    if km.status != Status.ACTIEF:
        raise Http404
    return _revoke_page(
        request,
        relatie=km.relatie,
        ketenmachtigingen=[km],
        end=lambda on_date: lifecycle.revoke(km, acting_user=request.user, on_date=on_date),
        ended=(
            _("De ketenmachtiging van %(name)s eindigt op %(date)s."),
            _("De ketenmachtiging van %(name)s is ingetrokken."),
        ),
        form=RevokeForm(
            request.POST if request.method == "POST" else None,
            question=_("Wanneer wilt u deze ketenmachtiging intrekken?"),
        ),
        single=True,
    )


def _revoke_page(request, *, relatie, ketenmachtigingen, end, ended, form, single=False):
    """The page (or dialog) that ends active ketenmachtigingen now or on a date; `ended` holds
    the success messages for a date and for now."""
    if request.method == "POST" and form.is_valid():
        on_date = form.cleaned_data["datum"] if form.cleaned_data["wanneer"] == "datum" else None
        try:
            end(on_date)
        except DomainError as error:
            form.add_error("datum" if on_date else None, error.message)
        else:
            on_a_date, now = ended
            if on_date:
                message = on_a_date % {"name": relatie.name, "date": on_date.strftime("%d-%m-%Y")}
            else:
                message = now % {"name": relatie.name}
            messages.success(request, message)
            return redirect("ketenmachtigingen:overview")
    return render(
        request,
        "ketenmachtigingen/revoke.html",
        {
            "menu": MENU,
            "form": form,
            "relatie": relatie,
            "ketenmachtigingen": ketenmachtigingen,
            "single": single,
            "action": request.path,
        },
    )


@portal_view
def afgegeven(request):
    """What the active organisation has itself granted to intermediaries; read only."""
    return render(
        request,
        "ketenmachtigingen/afgegeven.html",
        {
            "menu": "afgegeven",
            "page": afgegeven_page(request.organisation, request.GET.get("pagina")),
        },
    )


# --- the Verlopen tab: request again, or remove from the overview ------------------------------


def _expired(request, ketenmachtiging_id) -> Ketenmachtiging:
    """An expired ketenmachtiging of the organisation that its Verlopen tab shows, or a 404."""
    return get_object_or_404(
        Ketenmachtiging,
        pk=ketenmachtiging_id,
        intermediair=request.organisation,
        status=Status.VERLOPEN,
        hidden_at__isnull=True,
    )


def _start_again(request, km: Ketenmachtiging):
    """The wizard with a draft repeating `km`, at the first step left to do (for a complete
    draft Stap 4, from which the beheerder reviews and sends it)."""
    prefill = wizard.prefill_from(km)
    wizard.save(request, prefill.draft)
    messages.info(
        request,
        _(
            "De gegevens van de verlopen ketenmachtiging van %(name)s zijn overgenomen. "
            "Controleer ze en verstuur de aanvraag."
        )
        % {"name": km.relatie.name},
    )
    if prefill.left_out:
        messages.warning(request, " ".join(prefill.left_out))
    return redirect(wizard_url(prefill.draft.current_step, prefill.draft))


@portal_view
@require_POST
def reapply(request, ketenmachtiging_id):
    """ "Vraag opnieuw aan": a new request filled from the expired one. Another request being
    prepared in the wizard is not replaced without asking."""
    km = _expired(request, ketenmachtiging_id)
    if wizard.in_progress(request):
        url = reverse("ketenmachtigingen:reapply_replacing_draft", args=[km.pk])
        next_url = request.POST.get("next", "")
        return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)
    return _start_again(request, km)


@portal_view
@require_http_methods(["GET", "POST"])
def reapply_replacing_draft(request, ketenmachtiging_id):
    """ "Vraag opnieuw aan" while the wizard holds another draft: asks, then replaces it."""
    km = _expired(request, ketenmachtiging_id)
    draft = wizard.load(request)
    if request.method == "GET":
        return _ask_first(request, km, confirmations.replace_draft(draft, km))
    discard_draft(request, draft)
    return _start_again(request, km)


@portal_view
@require_http_methods(["GET", "POST"])
def remove_from_overview(request, ketenmachtiging_id):
    """ "Verwijder uit overzicht": the expired ketenmachtiging leaves the Verlopen tab; the row
    and its trail stay. Sent twice, the second changes nothing."""
    km = get_object_or_404(
        Ketenmachtiging,
        pk=ketenmachtiging_id,
        intermediair=request.organisation,
        status=Status.VERLOPEN,
    )
    if request.method == "GET":
        if km.hidden_at is not None:
            raise Http404
        return _ask_first(request, km, confirmations.remove_from_overview(km))
    try:
        expired.remove_from_overview(km, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("De verlopen ketenmachtiging van %(name)s is verwijderd uit het overzicht.")
            % {"name": km.relatie.name},
        )
    return _back(request)
