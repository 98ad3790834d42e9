from dataclasses import dataclass

from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

# --- the product's rules: the one place for each; code and texts read them here ------------------
MIN_DURATION_YEARS = 1
MAX_DURATION_YEARS = 5
DEFAULT_DURATION_YEARS = 5
# An invitation not answered with the signed form within this many months lapses.
INVITATION_VALID_MONTHS = 3
# This many months before its end date a ketenmachtiging is due for renewal: the Acties tab
# lists it and the reminder goes out.
RENEWAL_REMINDER_MONTHS = 3


def with_number(text, number: int, key: str = "months"):
    """A lazily translated ngettext_lazy(…, number) text with %(key)s filled in when read."""
    return lazy(lambda: str(text) % {key: number}, str)()


def duration_text(years: int) -> str:
    return ngettext("%(years)s jaar", "%(years)s jaar", years) % {"years": years}


def duration_range_message() -> str:
    return ngettext(
        "Kies een duur van %(min)s tot en met %(max)s jaar.",
        "Kies een duur van %(min)s tot en met %(max)s jaar.",
        MAX_DURATION_YEARS,
    ) % {"min": MIN_DURATION_YEARS, "max": MAX_DURATION_YEARS}


class Status(models.TextChoices):
    # The invitation with the PDF form was sent to the relatie; waiting for the signed form.
    AANVRAAG_VERSTUURD = "aanvraag_verstuurd", _("Aanvraag verstuurd")
    # Z login staff registered the signed form; waiting for activation.
    AANVRAAG_ONTVANGEN = "aanvraag_ontvangen", _("Aanvraag ontvangen")
    # The received form misses something; Z login contacts the relatie.
    INCOMPLEET = "incompleet", _("Incompleet")
    # Sending the invitation failed, or the form was signed wrongly.
    FOUT = "fout", _("Fout")
    # In force between start_date (inclusive) and end_date (exclusive).
    ACTIEF = "actief", _("Actief")
    # The end date passed without a renewal.
    VERLOPEN = "verlopen", _("Verlopen")
    # Revoked by the intermediair (now or on a chosen date), or a pending request withdrawn.
    INGETROKKEN = "ingetrokken", _("Ingetrokken")
    # The invitation was not answered within 3 months.
    VERVALLEN = "vervallen", _("Vervallen")


class EventKind(models.TextChoices):
    STATUS = "status", _("Statuswijziging")
    USER_ADDED = "user_added", _("Gebruiker toegevoegd")
    USER_REMOVED = "user_removed", _("Gebruiker verwijderd")
    GROUP_ADDED = "group_added", _("Groep toegevoegd")
    GROUP_REMOVED = "group_removed", _("Groep verwijderd")
    REVOCATION_SCHEDULED = "revocation_scheduled", _("Intrekking gepland")
    REMINDER_SENT = "reminder_sent", _("Herinnering verlenging verstuurd")
    INVITATION_SENT = "invitation_sent", _("Uitnodiging verstuurd")
    REMOVED_FROM_OVERVIEW = "removed_from_overview", _("Verwijderd uit overzicht")


class Effect(models.TextChoices):
    """What else happens when a transition is made: written as outbox messages or berichten in
    the same transaction (ketenmachtigingen/services/effects.py)."""

    # The invitation with the PDF form to the relatie's contact.
    INVITATION = "invitation", _("Uitnodiging aan de relatie")
    # The mail to the relatie's contact saying what the signed form misses.
    INCOMPLETE_MAIL = "incomplete_mail", _("Mail over het incomplete formulier")
    # A bericht to the intermediair (announced to its beheerders by e-mail).
    BERICHT = "bericht", _("Bericht aan de intermediair")
    # The mail confirming a status change to the intermediair's afzender address.
    STATUS_MAIL = "status_mail", _("Mail over de statuswijziging aan de afzender")


class Delivery:
    """The outbox kinds of this app (registered in deliveries.py)."""

    INVITATION = "ketenmachtigingen.invitation"
    INCOMPLETE_MAIL = "ketenmachtigingen.incomplete_mail"
    BULK_ROW = "ketenmachtigingen.bulk_row"
    STATUS_MAIL = "ketenmachtigingen.status_mail"


@dataclass(frozen=True)
class Transition:
    """One declared change of a ketenmachtiging: from which statuses, to which (None: the
    status stays), the audit event and its default note (Dutch: the trail reads the same for
    everyone), and the side effects that go with it."""

    name: str
    sources: frozenset
    target: str | None
    event: str = EventKind.STATUS
    note: str = ""
    effects: tuple[str, ...] = ()


PENDING = (Status.AANVRAAG_VERSTUURD, Status.AANVRAAG_ONTVANGEN, Status.INCOMPLEET, Status.FOUT)

# Every change of status of a request is news for the intermediair: a bericht and a mail to
# its afzender address (one of each per intermediair when a nightly job moves many rows).
STATUS_NEWS = (Effect.BERICHT, Effect.STATUS_MAIL)

# Every change of status, and the lifecycle events that keep it, in one table. Nothing else
# writes a status (services/transitions.py applies these to one row or to many).
REQUEST = Transition(
    "request", frozenset({None}), Status.AANVRAAG_VERSTUURD, effects=(Effect.INVITATION,)
)
REGISTER_APPROVED = Transition("register_approved", frozenset({None}), Status.ACTIEF)
INVITATION_SENT = Transition(
    "invitation_sent",
    frozenset({Status.AANVRAAG_VERSTUURD}),
    None,
    event=EventKind.INVITATION_SENT,
)
# Staff send an invitation again whose delivery had failed (outbox "Verstuur opnieuw").
RESEND_INVITATION = Transition(
    "resend_invitation",
    frozenset({Status.FOUT}),
    Status.AANVRAAG_VERSTUURD,
    note="Uitnodiging opnieuw verstuurd.",
    effects=STATUS_NEWS,
)
RECEIVE = Transition(
    "receive",
    frozenset({Status.AANVRAAG_VERSTUURD, Status.INCOMPLEET}),
    Status.AANVRAAG_ONTVANGEN,
    effects=STATUS_NEWS,
)
MARK_INCOMPLETE = Transition(
    "mark_incomplete",
    frozenset({Status.AANVRAAG_ONTVANGEN}),
    Status.INCOMPLEET,
    effects=(Effect.INCOMPLETE_MAIL, *STATUS_NEWS),
)
FAIL = Transition(
    "fail",
    frozenset({Status.AANVRAAG_VERSTUURD, Status.AANVRAAG_ONTVANGEN, Status.INCOMPLEET}),
    Status.FOUT,
    effects=STATUS_NEWS,
)
ACTIVATE = Transition(
    "activate", frozenset({Status.AANVRAAG_ONTVANGEN}), Status.ACTIEF, effects=STATUS_NEWS
)
LAPSE = Transition(
    "lapse",
    frozenset({Status.AANVRAAG_VERSTUURD}),
    Status.VERVALLEN,
    note=f"Niet binnen {INVITATION_VALID_MONTHS} maanden ontvangen.",
    effects=STATUS_NEWS,
)
EXPIRE = Transition("expire", frozenset({Status.ACTIEF}), Status.VERLOPEN, effects=STATUS_NEWS)
REVOKE_NOW = Transition(
    "revoke_now",
    frozenset({Status.ACTIEF}),
    Status.INGETROKKEN,
    note="Per direct ingetrokken.",
    effects=STATUS_NEWS,
)
SCHEDULE_REVOCATION = Transition(
    "schedule_revocation",
    frozenset({Status.ACTIEF}),
    None,
    event=EventKind.REVOCATION_SCHEDULED,
)
REVOKE_ON_DATE = Transition(
    "revoke_on_date",
    frozenset({Status.ACTIEF}),
    Status.INGETROKKEN,
    note="Ingetrokken op de gekozen datum.",
    effects=STATUS_NEWS,
)
WITHDRAW = Transition(
    "withdraw",
    frozenset(PENDING),
    Status.INGETROKKEN,
    note="Aanvraag ingetrokken.",
    effects=STATUS_NEWS,
)
REMIND = Transition(
    "remind",
    frozenset({Status.ACTIEF}),
    None,
    event=EventKind.REMINDER_SENT,
    note="Herinnering verlenging verstuurd.",
    effects=(Effect.BERICHT,),
)

LIFECYCLE = (
    REQUEST,
    REGISTER_APPROVED,
    INVITATION_SENT,
    RESEND_INVITATION,
    RECEIVE,
    MARK_INCOMPLETE,
    FAIL,
    ACTIVATE,
    LAPSE,
    EXPIRE,
    REVOKE_NOW,
    SCHEDULE_REVOCATION,
    REVOKE_ON_DATE,
    WITHDRAW,
    REMIND,
)


def _allowed_moves() -> dict[str | None, frozenset[str]]:
    moves: dict[str | None, set[str]] = {None: set(), **{status: set() for status in Status}}
    for transition in LIFECYCLE:
        if transition.target is not None:
            for source in transition.sources:
                moves[source].add(transition.target)
    return {source: frozenset(targets) for source, targets in moves.items()}


# The status moves the table allows, from each status (None: a ketenmachtiging not yet made).
TRANSITIONS: dict[str | None, frozenset[str]] = _allowed_moves()

PENDING_STATUSES = frozenset(PENDING)
# Kept for the audit trail, never shown in the overview.
HIDDEN_STATUSES = frozenset({Status.INGETROKKEN, Status.VERVALLEN})


class Tab(models.TextChoices):
    ACTIEF = "actief", _("Actief")
    WACHTEND = "wachtend", _("Wachtend op afhandeling")
    ACTIES = "acties", _("Acties")
    VERLOPEN = "verlopen", _("Verlopen")


class Leverancier(models.TextChoices):
    """eHerkenning suppliers where an already-approved ketenmachtiging can be registered."""

    DIGIDENTITY = "digidentity", "Digidentity"
    KPN = "kpn", "KPN"
    QUOVADIS = "quovadis", "QuoVadis"
    RECONI = "reconi", "Reconi"
    WE_ID = "we-id", "we-ID"
    ZLOGIN = "zlogin", "Z login"


class ActorKind(models.TextChoices):
    PERSON = "person", _("Beheerder")
    STAFF = "staff", _("Z login medewerker")
    SYSTEM = "system", _("Systeem")


DURATION_CHOICES = [
    (
        years,
        with_number(
            ngettext_lazy("%(years)s jaar (meest gekozen)", "%(years)s jaar (meest gekozen)", years)
            if years == DEFAULT_DURATION_YEARS
            else ngettext_lazy("%(years)s jaar", "%(years)s jaar", years),
            years,
            key="years",
        ),
    )
    for years in range(MAX_DURATION_YEARS, MIN_DURATION_YEARS - 1, -1)
]

# What each status in "Wachtend op afhandeling" means for the beheerder (manual 5.3).
STATUS_EXPLANATIONS = {
    Status.AANVRAAG_VERSTUURD: with_number(
        ngettext_lazy(
            "De aanvraag is verstuurd naar uw relatie en hij moet nu de bijgeleverde instructies "
            "volgen om de ketenmachtiging te activeren. Ketenmachtigingen zijn na het versturen "
            "van de uitnodiging %(months)s maand geldig.",
            "De aanvraag is verstuurd naar uw relatie en hij moet nu de bijgeleverde instructies "
            "volgen om de ketenmachtiging te activeren. Ketenmachtigingen zijn na het versturen "
            "van de uitnodiging %(months)s maanden geldig.",
            INVITATION_VALID_MONTHS,
        ),
        INVITATION_VALID_MONTHS,
    ),
    Status.AANVRAAG_ONTVANGEN: _("De overeenkomst is bij Z login binnengekomen."),
    Status.INCOMPLEET: _(
        "Het contract was bij binnenkomst niet compleet. Z login neemt contact op met uw relatie."
    ),
    Status.FOUT: _(
        "Er is iets misgegaan met het versturen van de uitnodiging naar uw relatie. Verwijder "
        "deze ketenmachtiging, bekijk of de ketenmachtiging al bestaat. Zo niet, probeer de "
        "ketenmachtiging nogmaals aan te vragen en controleer of u het juiste KvK-nummer heeft."
    ),
}
