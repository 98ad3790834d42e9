from typing import cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.constants import Language
from accounts.forms import PhoneNumberField
from accounts.models import Membership
from accounts.validators import classify_company_number
from catalogue.models import Dienst, Dienstverlener
from groepen.models import Groep

from .authorization import may_be_assigned
from .constants import DEFAULT_DURATION_YEARS, DURATION_CHOICES, Leverancier
from .models import Ketenmachtiging


class CompanyNumberForm(forms.Form):
    """Stap 1: "Geef het KVK-nummer of fiscaal nummer van het bedrijf …"."""

    number = forms.CharField(label=_("KVK-nummer of fiscaal nummer"), max_length=20)

    def clean_number(self):
        return classify_company_number(self.cleaned_data["number"])


class ScopeForm(forms.Form):
    """Stap 2, "Voeg een machtiging toe": Algemene bevoegdheid, whole dienstverleners or
    single diensten."""

    algemene_bevoegdheid = forms.BooleanField(label=_("Algemene bevoegdheid"), required=False)
    dienstverleners = forms.ModelMultipleChoiceField(
        queryset=Dienstverlener.objects.all(), required=False
    )
    diensten = forms.ModelMultipleChoiceField(
        queryset=Dienst.objects.filter(active=True), required=False
    )

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in ("algemene_bevoegdheid", "dienstverleners", "diensten")):
            raise forms.ValidationError(_("Kies één of meerdere diensten."))
        return data


class AssignmentForm(forms.Form):
    """Stap 3, "Kies gebruikers": people and groups of the active organisation only."""

    gebruikers = forms.ModelMultipleChoiceField(queryset=Membership.objects.none(), required=False)
    groepen = forms.ModelMultipleChoiceField(queryset=Groep.objects.none(), required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gebruikers"].queryset = Membership.objects.active().filter(
            organisation=organisation
        )
        self.fields["groepen"].queryset = Groep.objects.filter(organisation=organisation)

    def clean_gebruikers(self):
        chosen = self.cleaned_data["gebruikers"]
        refused = [m for m in chosen if not may_be_assigned(m)]
        if refused:
            raise forms.ValidationError(
                _(
                    "Om gebruik te maken van de machtiging(en) dient de persoon te beschikken "
                    "over een middel op minimaal niveau EH3."
                )
            )
        return chosen

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("gebruikers") or data.get("groepen")):
            raise forms.ValidationError(_("Kies één of meerdere gebruikers of groepen."))
        return data


class DurationForm(forms.Form):
    """Stap 4: "Kies de duur van de machtigingen"."""

    duration_years = forms.TypedChoiceField(
        label=_("Kies de duur van de machtigingen"),
        choices=DURATION_CHOICES,
        coerce=int,
        initial=DEFAULT_DURATION_YEARS,
    )


class OverlapConfirmationMixin(forms.Form):
    """Asks for confirmation when the relatie already has a ketenmachtiging for these diensten."""

    confirm_overlap = forms.BooleanField(
        label=_("Ik wil deze ketenmachtiging toch aanvragen."), required=False
    )

    def __init__(self, *args, overlapping=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.overlapping = list(overlapping)
        if self.overlapping:
            self.fields["confirm_overlap"].required = True
            self.fields["confirm_overlap"].error_messages["required"] = _(
                "Bevestig dat u deze ketenmachtiging toch wilt aanvragen."
            )
        else:
            del self.fields["confirm_overlap"]


class SendRequestForm(OverlapConfirmationMixin):
    """ "Verzend aanvraag tot goedkeuring": contacts, language, note and the cost consent."""

    contact_initialen = forms.CharField(label=_("Initialen"), max_length=20)
    contact_tussenvoegsel = forms.CharField(label=_("Tussenvoegsel"), max_length=20, required=False)
    contact_achternaam = forms.CharField(label=_("Achternaam"), max_length=100)
    contact_email = forms.EmailField(label=_("E-mailadres"))
    contact_telefoon = PhoneNumberField(label=_("Telefoonnummer"))
    intermediair_email = forms.EmailField(label=_("E-mailadres"))
    intermediair_telefoon = PhoneNumberField(label=_("Telefoonnummer"))
    language = forms.ChoiceField(
        label=_("Voorkeurstaal ontvangers"), choices=Language.choices, initial=Language.NL
    )
    personal_message = forms.CharField(
        label=_("Persoonlijk bericht voor de ontvangers"),
        help_text=_(
            "Voeg een persoonlijke notitie toe, deze wordt onderaan de e-mail getoond. Het is "
            "niet nodig om toelichting te geven op ketenmachtigingen of de inhoud van deze "
            "aanvraag, dat gebeurt in de standaardtekst van de mail."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        max_length=1000,
        required=False,
    )
    reference = forms.CharField(
        label=_("Referentie (optioneel, voor uw eigen administratie)"),
        max_length=100,
        required=False,
    )
    costs_agreed = forms.BooleanField(
        label=_("Ja, ik ga akkoord met de kosten voor vastlegging van deze ketenmachtiging."),
        error_messages={"required": _("Ga akkoord met de kosten om de aanvraag te versturen.")},
    )

    field_order = [
        "contact_initialen",
        "contact_tussenvoegsel",
        "contact_achternaam",
        "contact_email",
        "contact_telefoon",
        "intermediair_email",
        "intermediair_telefoon",
        "language",
        "personal_message",
        "reference",
        "confirm_overlap",
        "costs_agreed",
    ]

    RELATIE_FIELDS: tuple[str, ...] = (
        "contact_initialen",
        "contact_tussenvoegsel",
        "contact_achternaam",
        "contact_email",
        "contact_telefoon",
    )
    INTERMEDIAIR_FIELDS = ("intermediair_email", "intermediair_telefoon")

    def relatie_fields(self):
        return [self[name] for name in self.RELATIE_FIELDS]

    def intermediair_fields(self):
        return [self[name] for name in self.INTERMEDIAIR_FIELDS]

    def invitation(self) -> dict:
        """What the invitation carries besides the relatie's contact, as the services take it
        (one company or many): the intermediair's contact, language, note and consent."""
        names = (*self.INTERMEDIAIR_FIELDS, "language", "personal_message", "costs_agreed")
        return {name: self.cleaned_data[name] for name in names}


class ApproveForm(OverlapConfirmationMixin):
    """ "Kies organisatie": where the already-approved ketenmachtiging is registered."""

    leverancier = forms.ChoiceField(
        label=_("Kies de organisatie waar de ketenmachtiging is vastgelegd."),
        choices=Leverancier.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies de organisatie waar de ketenmachtiging is vastgelegd.")
        },
    )
    reference = forms.CharField(
        label=_("Referentie (optioneel, voor uw eigen administratie)"),
        max_length=100,
        required=False,
    )


class OverviewFilterForm(forms.Form):
    """Search and filters above the tabs; invalid values are ignored rather than refused."""

    zoek = forms.CharField(
        label=_("Zoek op bedrijf, KVK-nummer, referentie of contactpersoon"),
        max_length=100,
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    dienstverlener = forms.ModelChoiceField(
        label=_("Dienstverlener"),
        queryset=Dienstverlener.objects.order_by("name"),
        required=False,
        empty_label=_("Alle dienstverleners"),
    )
    eind_van = forms.DateField(
        label=_("Einddatum vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    eind_tot = forms.DateField(
        label=_("Einddatum tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Alle statussen")), *statuses]

    def filters(self):
        from .selectors import OverviewFilters

        # A value that does not validate is left out, with its error in the filter panel;
        # the other filters still apply.
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        dienstverlener = data.get("dienstverlener")
        return OverviewFilters(
            search=data.get("zoek", ""),
            status=data.get("status", ""),
            dienstverlener_id=dienstverlener.pk if dienstverlener else None,
            end_from=data.get("eind_van"),
            end_to=data.get("eind_tot"),
        )


class RevokeForm(forms.Form):
    """ "Verwijder bedrijf" or "Trek ketenmachtiging in": per direct, or on a date in the
    future."""

    PER_DIRECT, OP_DATUM = "direct", "datum"
    wanneer = forms.ChoiceField(
        label=_(
            "Weet u zeker dat u dit bedrijf en de daaraan gekoppelde machtigingen wilt verwijderen?"
        ),
        choices=[
            (PER_DIRECT, _("Per direct")),
            (OP_DATUM, _("Op een specifieke einddatum in de toekomst")),
        ],
        widget=forms.RadioSelect,
        initial=PER_DIRECT,
    )
    datum = forms.DateField(
        label=_("Kies een opzeggingsdatum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, question: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if question:  # one ketenmachtiging rather than the whole bedrijf
            self.fields["wanneer"].label = question

    def clean(self):
        data = super().clean()
        if data.get("wanneer") == self.OP_DATUM and not data.get("datum"):
            self.add_error("datum", _("Kies een opzeggingsdatum."))
        return data


class ExportForm(forms.Form):
    formaat = forms.ChoiceField(
        label=_("Bestandsformaat"),
        choices=[("xlsx", ".xlsx"), ("csv", ".csv")],
        widget=forms.RadioSelect,
        initial="xlsx",
    )
    alle = forms.BooleanField(label=_("van al mijn organisaties"), required=False)


class RenewalRowForm(forms.Form):
    """One row of the Acties table: who receives the renewal request, in which language."""

    naam = forms.CharField(label=_("Naam ontvanger"), max_length=100)
    email = forms.EmailField(label=_("E-mailadres ontvanger"))
    taal = forms.ChoiceField(label=_("Taal"), choices=Language.choices)


class RenewalSelectionForm(forms.Form):
    """The Acties tab around its rows: "Vraag verlenging aan" for one row (`een`) or "Verleng
    selectie" for the ticked rows (`selectie`), the cost consent, and how many renewals the
    line beside the consent showed (`getoond_aantal`, kept in step by static/js/paid-summary.js).

    Nothing is ticked beforehand. A selection is sent only when the number shown is the number
    selected, so that no paid renewal goes out unless its number was seen first."""

    een = forms.ModelChoiceField(queryset=Ketenmachtiging.objects.none(), required=False)
    selectie = forms.ModelMultipleChoiceField(
        queryset=Ketenmachtiging.objects.none(), required=False
    )
    costs_agreed = forms.BooleanField(
        label=_("Ja, ik ga akkoord met de kosten voor vastlegging van deze ketenmachtiging."),
        error_messages={"required": _("Ga akkoord met de kosten om de verlenging aan te vragen.")},
    )
    getoond_aantal = forms.IntegerField(required=False, min_value=0)

    def __init__(self, *args, intermediair, **kwargs):
        super().__init__(*args, **kwargs)
        own = (
            Ketenmachtiging.objects.filter(intermediair=intermediair)
            .select_related("relatie", "intermediair")
            .order_by("end_date", "pk")
        )
        self.fields["een"].queryset = own
        self.fields["selectie"].queryset = own

    def clean(self):
        data = super().clean()
        chosen_invalid = "een" in self.errors or "selectie" in self.errors
        if not chosen_invalid and not (data.get("een") or data.get("selectie")):
            raise forms.ValidationError(
                _("Kies één of meerdere ketenmachtigingen om te verlengen.")
            )
        return data

    @property
    def ticked_ids(self) -> set[int]:
        """The rows ticked in the submitted page, to tick them again when it is shown again."""
        if not self.is_bound:
            return set()
        data = cast(QueryDict, self.data)  # a bound form's data: the request's POST
        return {int(pk) for pk in data.getlist("selectie") if pk.isdigit()}

    def chosen(self) -> list[Ketenmachtiging]:
        een = self.cleaned_data["een"]
        return [een] if een else list(self.cleaned_data["selectie"])

    def number_was_shown(self) -> bool:
        """One row's own button names its row; a selection needs its number seen."""
        data = self.cleaned_data
        return data["een"] is not None or data["getoond_aantal"] == len(data["selectie"])

    def refusals(self) -> list[str]:
        """Why nothing was sent: what to choose first, then the rest."""
        return [
            *self.non_field_errors(),
            *(error for name in self.fields for error in self.errors.get(name, [])),
        ]


# --- Meerdere bedrijven -----------------------------------------------------------------------


class BulkUploadForm(forms.Form):
    """Stap 1 of Meerdere bedrijven: "Kies een bestand", then "Importeer bedrijven". The file
    itself is checked by imports.py."""

    bestand = forms.FileField(
        label=_("Kies een bestand"),
        error_messages={
            "required": _("Kies het ingevulde Excel-bestand."),
            "empty": _("Het bestand is leeg."),
        },
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,.xlsm,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class BulkInclusionMixin(forms.Form):
    """The rows of an import whose relatie already has a ketenmachtiging: each is left out
    unless ticked ("Toch aanvragen", nothing ticked beforehand). `getoond_aantal` is how many
    ticked rows the line with the number of requests counted (static/js/paid-summary.js keeps
    it in step); the form is valid only when that is the number ticked, so that no request
    goes out unless its number was seen first."""

    selectie = forms.TypedMultipleChoiceField(coerce=int, required=False)
    getoond_aantal = forms.IntegerField(required=False, min_value=0)

    def __init__(self, *args, duplicates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates = list(duplicates)
        self.fields["selectie"].choices = [(d.row.pk, d.row.pk) for d in self.duplicates]

    def clean(self):
        data = super().clean()
        ticked = set(data.get("selectie") or ())
        for duplicate in self.duplicates:
            if duplicate.identical_actief and duplicate.row.pk in ticked:
                from .bulk.services import identical_actief_refusal

                self.add_error("selectie", identical_actief_refusal(duplicate.row))
        if "selectie" not in self.errors and (data.get("getoond_aantal") or 0) != len(ticked):
            self.add_error(
                None,
                _(
                    "Het aantal bedrijven is gewijzigd door uw keuze bij Toch aanvragen. "
                    "Controleer het aantal en klik nogmaals."
                ),
            )
        return data

    @property
    def ticked_ids(self) -> set[int]:
        if not self.is_bound:
            return set()
        data = cast(QueryDict, self.data)  # a bound form's data: the request's POST
        return {int(pk) for pk in data.getlist("selectie") if pk.isdigit()}


class BulkSendForm(BulkInclusionMixin, SendRequestForm):
    """ "Verzend aanvraag tot goedkeuring" for Meerdere bedrijven: the relaties' contacts and
    references come from the file, so only the intermediair's contact, the language, the
    message and the cost consent are asked."""

    # None removes an inherited form field (Django's declarative fields).
    contact_initialen = None  # type: ignore[assignment]
    contact_tussenvoegsel = None  # type: ignore[assignment]
    contact_achternaam = None  # type: ignore[assignment]
    contact_email = None  # type: ignore[assignment]
    contact_telefoon = None  # type: ignore[assignment]
    reference = None  # type: ignore[assignment]

    RELATIE_FIELDS = ()


class BulkApproveForm(BulkInclusionMixin, ApproveForm):
    """ "Ik heb al goedkeuring ontvangen" for a whole import: the leverancier; the references
    come from the file."""

    reference = None  # type: ignore[assignment]
