from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from catalogue.models import Dienst, Dienstverlener

from .models import Groep

NOTHING_CHOSEN = _("Kies bij Beperk toegestane diensten één of meerdere toegestane diensten.")


class GroepNameForm(forms.Form):
    """Stap 1: the groep's name. Uniqueness is the service's to check."""

    name = forms.CharField(
        label=_("Groepsnaam"),
        max_length=Groep._meta.get_field("name").max_length,
        error_messages={"required": _("Geef de groep een naam.")},
    )


class MembersForm(forms.Form):
    """ "Voeg gebruikers toe": the active middelen of the organisation only."""

    gebruikers = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Deze gebruiker hoort niet bij uw organisatie.")},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gebruikers"].queryset = (
            Membership.objects.active().filter(organisation=organisation).select_related("user")
        )


class DienstenChoiceMixin(forms.Form):
    dienstverleners = forms.ModelMultipleChoiceField(
        queryset=Dienstverlener.objects.all(), required=False
    )
    diensten = forms.ModelMultipleChoiceField(
        queryset=Dienst.objects.filter(active=True), required=False
    )


class DienstenPickerForm(DienstenChoiceMixin):
    """ "Kies toegestane diensten": at least one dienst or dienstverlener."""

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("dienstverleners") or data.get("diensten")):
            raise forms.ValidationError(NOTHING_CHOSEN)
        return data


class ToegestaneDienstenForm(DienstenChoiceMixin):
    """Stap 3, "Toegestane diensten ketenmachtiging": all, or the chosen diensten."""

    ALGEMEEN = "algemeen"
    BEPERKT = "beperkt"

    keuze = forms.ChoiceField(
        label=_("Toegestane diensten"),
        choices=[
            (ALGEMEEN, _("Algemene bevoegdheid")),
            (BEPERKT, _("Beperk toegestane diensten")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies Algemene bevoegdheid of Beperk toegestane diensten."),
        },
    )

    @property
    def algemene_bevoegdheid(self) -> bool:
        return self.cleaned_data["keuze"] == self.ALGEMEEN
