"""The small forms of the staff's lifecycle actions: one per button, one per list action.

A button's form takes the ketenmachtiging it is about (`ketenmachtiging=`); a list action's
form is the same for every selected row.
"""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import dates
from ..services import lifecycle

# --- the buttons on the change page ------------------------------------------------------------


class MarkReceivedForm(forms.Form):
    received_on = forms.DateField(
        label=gettext_lazy("Ontvangstdatum"),
        required=False,
        widget=AdminDateWidget,
        help_text=gettext_lazy("De dag waarop het ondertekende formulier binnenkwam."),
    )

    def __init__(self, *args, ketenmachtiging, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = dates.today()


class MarkIncompleteForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Wat ontbreekt er?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "vLargeTextField"}),
        help_text=gettext_lazy(
            "Deze tekst staat letterlijk in de e-mail aan de contactpersoon van de relatie en in "
            "het bericht aan de intermediair."
        ),
    )

    def __init__(self, *args, ketenmachtiging, **kwargs):
        super().__init__(*args, **kwargs)


class MarkFailedForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reden"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
    )

    def __init__(self, *args, ketenmachtiging, **kwargs):
        super().__init__(*args, **kwargs)


class ActivateForm(forms.Form):
    start_date = forms.DateField(
        label=gettext_lazy("Ingangsdatum"),
        required=False,
        widget=AdminDateWidget,
        help_text=gettext_lazy(
            "Vandaag of een datum in de toekomst. Een verlenging gaat standaard in op de "
            "einddatum van de ketenmachtiging die zij verlengt."
        ),
    )

    def __init__(self, *args, ketenmachtiging, **kwargs):
        super().__init__(*args, **kwargs)
        self.ketenmachtiging = ketenmachtiging
        self.default_start = lifecycle.activation_start(ketenmachtiging, None)
        self.fields["start_date"].initial = self.default_start

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if start and start < dates.today():
            raise forms.ValidationError(_("Kies vandaag of een datum in de toekomst."))
        return start

    def chosen_start(self):
        """The start date the page shows: the valid posted one, else the default."""
        if self.is_bound and self.is_valid() and self.cleaned_data["start_date"]:
            return self.cleaned_data["start_date"]
        return self.default_start


# --- the list actions ----------------------------------------------------------------------------


class BulkMarkReceivedForm(forms.Form):
    received_on = forms.DateField(
        label=gettext_lazy("Ontvangstdatum"),
        required=False,
        widget=AdminDateWidget,
        initial=dates.today,
        help_text=gettext_lazy("De dag waarop de ondertekende formulieren binnenkwamen."),
    )


class BulkActivateForm(forms.Form):
    pass
