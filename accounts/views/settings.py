from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..access import portal_view
from ..forms import SenderSettingsForm
from ..services import update_sender_settings


@portal_view
def sender_settings(request):
    """Instellingen | Algemeen | Afzenderinstellingen."""
    organisation = request.organisation
    form = SenderSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "afzender_email": organisation.afzender_email,
            "afzender_telefoon": organisation.afzender_telefoon,
            "afzender_language": organisation.afzender_language,
        },
    )
    if request.method == "POST" and form.is_valid():
        update_sender_settings(
            acting_user=request.user,
            organisation=organisation,
            email=form.cleaned_data["afzender_email"],
            telefoon=form.cleaned_data["afzender_telefoon"],
            language=form.cleaned_data["afzender_language"],
        )
        messages.success(request, _("De afzenderinstellingen zijn opgeslagen."))
        return redirect("accounts:sender_settings")
    return render(request, "accounts/sender_settings.html", {"form": form, "menu": "instellingen"})
