"""groepen (manual 4, "Groepen aanmaken"): the list, "Voeg toe" in three steps, the groep's page.

Stap 1 saves the name ("Sla op en voeg gebruikers toe"); "Voeg gebruikers toe" saves the
members; the diensten chosen in "Kies toegestane diensten" travel back to the groep's page in
the query string and are saved, with the choice between Algemene bevoegdheid and "Beperk
toegestane diensten", by "Voeg groep toe" (or "Sla op" for an existing groep). Every page works
without JavaScript; htmx only makes the pickers' search filter as you type.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import portal_view
from accounts.middelen import picker_warnings
from audit.selectors import history_of
from catalogue.scopes import ScopeSelection
from catalogue.selectors import diensten_picker, ticked_ids
from core.confirmation import Question, ask_first
from core.errors import DomainError

from . import selectors, services
from .forms import DienstenPickerForm, GroepNameForm, MembersForm, ToegestaneDienstenForm

MENU = "groepen"
DRAFT_MARKER = "beperk"  # in the query string: diensten chosen in the picker, not saved yet
HISTORY_PAGE_SIZE = 25
HISTORY_PAGE = "geschiedenis"  # in the query string (templates/groepen/detail.html too)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _search(request) -> str:
    return request.GET.get("zoek", "").strip()[:100]


def _step_url(groep, step: int) -> str:
    return f"{reverse('groepen:detail', args=[groep.pk])}#stap-{step}"


def _with_choice(url: str, dienstverlener_ids, dienst_ids, **extra) -> str:
    query = urlencode(
        {
            **extra,
            "dienstverleners": sorted(dienstverlener_ids),
            "diensten": sorted(dienst_ids),
        },
        doseq=True,
    )
    return f"{url}?{query}"


# --- the list and stap 1 ---------------------------------------------------------------------


@portal_view
def groep_list(request):
    """groepen: name, members, toegestane diensten and use of every groep."""
    groepen = list(selectors.groepen_overview(request.organisation))
    return render(request, "groepen/list.html", {"menu": MENU, "groepen": groepen})


@portal_view
def create(request):
    """ "Voeg toe": give the groep a name, then "Sla op en voeg gebruikers toe"."""
    form = GroepNameForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            groep = services.create_groep(
                acting_user=request.user,
                organisation=request.organisation,
                name=form.cleaned_data["name"],
            )
        except DomainError as error:
            form.add_error("name", error.message)
        else:
            messages.success(
                request,
                _("De groep “%(name)s” is opgeslagen. Voeg nu gebruikers toe.")
                % {"name": groep.name},
            )
            return redirect(_step_url(groep, 2))
    return render(request, "groepen/create.html", {"menu": MENU, "form": form})


# --- the groep's page ------------------------------------------------------------------------


def _chosen_scope(groep, source, *, from_source: bool) -> ScopeSelection:
    """The diensten shown under "Beperk toegestane diensten": from the picker (query string) or
    a refused form (`source`), else those saved."""
    if from_source:
        return selectors.chosen_toegestane_diensten(
            ticked_ids(source.getlist("dienstverleners")), ticked_ids(source.getlist("diensten"))
        )
    return selectors.toegestane_diensten_of(groep)


def _detail_context(request, groep, *, name_form=None, scope_form=None) -> dict:
    is_new = not selectors.has_toegestane_diensten(groep)
    members = list(groep.members.all())
    if scope_form is not None:  # a refused "Voeg groep toe": show what was submitted
        is_draft = True
        keuze = scope_form.data.get("keuze", "")
        chosen = _chosen_scope(groep, scope_form.data, from_source=True)
    else:
        is_draft = DRAFT_MARKER in request.GET
        chosen = _chosen_scope(groep, request.GET, from_source=is_draft)
        if is_draft:
            keuze = ToegestaneDienstenForm.BEPERKT
        elif groep.algemene_bevoegdheid:
            keuze = ToegestaneDienstenForm.ALGEMEEN
        elif not is_new:
            keuze = ToegestaneDienstenForm.BEPERKT
        else:
            keuze = ""  # a new groep: the beheerder chooses
    if not is_new:
        current_step = None
    elif is_draft or members:
        current_step = 3
    else:
        current_step = 2
    picker_url = _with_choice(
        reverse("groepen:diensten", args=[groep.pk]),
        [d.pk for d in chosen.dienstverleners],
        [d.pk for d in chosen.diensten],
        picker="1",
    )
    return {
        "menu": MENU,
        "groep": groep,
        "is_new": is_new,
        "current_step": current_step,
        "name_form": name_form or GroepNameForm(initial={"name": groep.name}),
        "members": [(m, picker_warnings(m)) for m in members],
        "scope_form": scope_form,
        "keuze": keuze,
        "chosen": chosen,
        "is_draft": is_draft and not chosen.is_empty,
        "diensten_picker_url": picker_url,
        "ketenmachtiging_count": selectors.linked_ketenmachtigingen_count(groep),
        # "Geschiedenis": two queries (count, page) however long it is.
        "history": Paginator(history_of(groep), HISTORY_PAGE_SIZE).get_page(
            request.GET.get(HISTORY_PAGE)
        ),
    }


@portal_view
def detail(request, groep_id):
    """The groep's page: its name, its members and its toegestane diensten, each changeable,
    and its history."""
    groep = selectors.groep_details(request.organisation, groep_id)
    return render(request, "groepen/detail.html", _detail_context(request, groep))


@portal_view
def rename(request, groep_id):
    groep = selectors.groep_details(request.organisation, groep_id)
    if request.method != "POST":
        return redirect(_step_url(groep, 1))
    form = GroepNameForm(request.POST)
    if form.is_valid():
        old_name = groep.name
        try:
            groep = services.rename_groep(
                acting_user=request.user, groep=groep, name=form.cleaned_data["name"]
            )
        except DomainError as error:
            form.add_error("name", error.message)
        else:
            if groep.name != old_name:
                messages.success(
                    request,
                    _("De naam van de groep is gewijzigd in “%(name)s”.") % {"name": groep.name},
                )
            return redirect(_step_url(groep, 1))
    return render(request, "groepen/detail.html", _detail_context(request, groep, name_form=form))


# --- Stap 2: Voeg gebruikers toe -------------------------------------------------------------


@portal_view
def members(request, groep_id):
    """ "Voeg gebruikers toe": the organisation's active middelen, with the rule's warnings."""
    groep = selectors.groep_of(request.organisation, groep_id)
    form = MembersForm(_posted(request), organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_members(
                acting_user=request.user, groep=groep, memberships=form.cleaned_data["gebruikers"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("De gebruikers van de groep zijn opgeslagen."))
            next_step = 3 if not selectors.has_toegestane_diensten(groep) else 2
            return redirect(_step_url(groep, next_step))
    search = _search(request)
    if "picker" in request.GET:  # a search while choosing: keep what is ticked on the page
        chosen = ticked_ids(request.GET.getlist("gebruikers"))
    elif request.method == "POST":
        chosen = ticked_ids(request.POST.getlist("gebruikers"))
    else:
        chosen = {m.pk for m in groep.members.all()}
    memberships = list(selectors.member_candidates(request.organisation, search=search))
    context = {
        "menu": MENU,
        "groep": groep,
        "form": form,
        "search": search,
        # (membership, warnings, selectable): flagged people can still be members.
        "people": [(m, picker_warnings(m), True) for m in memberships],
        "groepen": [],
        "chosen_gebruikers": chosen,
        "chosen_groepen": set(),
        "hidden_gebruikers": chosen - {m.pk for m in memberships},
        "hidden_groepen": set(),
    }
    if request.htmx:
        return render(request, "ketenmachtigingen/_gebruikers_list.html", context)
    return render(request, "groepen/choose_gebruikers.html", context)


# --- Stap 3: Toegestane diensten ketenmachtiging ---------------------------------------------


@portal_view
def choose_diensten(request, groep_id):
    """ "Kies toegestane diensten": the catalogue; "Voeg machtiging(en) toe" takes the choice
    back to the groep's page, where "Voeg groep toe" saves it."""
    groep = selectors.groep_details(request.organisation, groep_id)
    form = DienstenPickerForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        return redirect(
            _with_choice(
                reverse("groepen:detail", args=[groep.pk]),
                [d.pk for d in form.cleaned_data["dienstverleners"]],
                [d.pk for d in form.cleaned_data["diensten"]],
                **{DRAFT_MARKER: "1"},
            )
            + "#stap-3"
        )
    search = _search(request)
    if "picker" in request.GET:
        source = request.GET
    elif request.method == "POST":
        source = request.POST
    else:
        source = None
    if source is not None:
        chosen_dienstverleners = ticked_ids(source.getlist("dienstverleners"))
        chosen_diensten = ticked_ids(source.getlist("diensten"))
    else:
        saved = selectors.toegestane_diensten_of(groep)
        chosen_dienstverleners = {d.pk for d in saved.dienstverleners}
        chosen_diensten = {d.pk for d in saved.diensten}
    context = {
        "menu": MENU,
        "groep": groep,
        "form": form,
        # Algemene bevoegdheid is the other choice of stap 3, not in the picker.
        **diensten_picker(
            search,
            chosen_dienstverleners=chosen_dienstverleners,
            chosen_diensten=chosen_diensten,
        ),
    }
    if request.htmx:
        return render(request, "ketenmachtigingen/_diensten_list.html", context)
    return render(request, "groepen/choose_diensten.html", context)


@portal_view
def toegestane_diensten(request, groep_id):
    """ "Voeg groep toe" (a new groep) or "Sla op": Algemene bevoegdheid or the chosen diensten."""
    groep = selectors.groep_details(request.organisation, groep_id)
    if request.method != "POST":
        return redirect(_step_url(groep, 3))
    was_new = not selectors.has_toegestane_diensten(groep)
    form = ToegestaneDienstenForm(request.POST)
    if form.is_valid():
        try:
            groep = services.set_toegestane_diensten(
                acting_user=request.user,
                groep=groep,
                algemene_bevoegdheid=form.algemene_bevoegdheid,
                dienstverleners=form.cleaned_data["dienstverleners"],
                diensten=form.cleaned_data["diensten"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if was_new:
                messages.success(
                    request, _("De groep “%(name)s” is toegevoegd.") % {"name": groep.name}
                )
                return redirect("groepen:list")
            messages.success(request, _("De toegestane diensten van de groep zijn opgeslagen."))
            return redirect(_step_url(groep, 3))
    return render(request, "groepen/detail.html", _detail_context(request, groep, scope_form=form))


# --- Verwijder groep -------------------------------------------------------------------------


@portal_view
def delete(request, groep_id):
    """ "Verwijder groep": a confirmation page, then the groep is gone from its
    ketenmachtigingen (each records it) and from the list."""
    groep = selectors.groep_of(request.organisation, groep_id)
    if request.method == "POST":
        services.delete_groep(acting_user=request.user, groep=groep)
        messages.success(request, _("De groep “%(name)s” is verwijderd.") % {"name": groep.name})
        return redirect("groepen:list")
    return ask_first(
        request,
        _delete_question(groep),
        cancel_url=reverse("groepen:detail", args=[groep.pk]),
        menu=MENU,
    )


def _delete_question(groep) -> Question:
    consequence = _("De groep “%(name)s” wordt verwijderd.") % {"name": groep.name}
    if count := selectors.linked_ketenmachtigingen_count(groep):
        consequence += " " + ngettext(
            "De groep wordt gebruikt in %(n)s ketenmachtiging. De gebruikers van de groep kunnen "
            "die daarna niet meer via deze groep gebruiken.",
            "De groep wordt gebruikt in %(n)s ketenmachtigingen. De gebruikers van de groep "
            "kunnen die daarna niet meer via deze groep gebruiken.",
            count,
        ) % {"n": count}
    return Question(
        title=_("Verwijder groep"),
        consequence=consequence,
        confirm_label=_("Ja, verwijder groep"),
    )
