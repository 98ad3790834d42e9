"""The draft of "Voeg nieuwe ketenmachtigingen toe" while the beheerder goes through its steps.

The draft lives in the session, one per organisation, as plain ids and values. Turning it back
into objects always filters by the active organisation, so ids from a tampered or stale
session can never reach another organisation's people or groups.

Stap 1 fills either `company` (Eén bedrijf) or `bulk_id`, the id of an accepted import
(Meerdere bedrijven, a BulkRequest of the organisation, checked again whenever it is used);
Stap 2 to 4 are the same for both. "Vraag opnieuw aan" on the Verlopen tab starts a draft
from an expired ketenmachtiging (`prefill_from`).
"""

import uuid
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation
from catalogue.models import Dienst, Dienstverlener
from catalogue.scopes import ScopeSelection
from groepen.models import Groep

from .authorization import Reason, may_be_assigned, middel_refusal
from .constants import DEFAULT_DURATION_YEARS
from .models import Ketenmachtiging
from .register import Company
from .services.creation import Assignment


@dataclass
class Draft:
    company: dict | None = None
    bulk_id: int | None = None
    algemene_bevoegdheid: bool = False
    dienstverlener_ids: list[int] = field(default_factory=list)
    dienst_ids: list[int] = field(default_factory=list)
    membership_ids: list[int] = field(default_factory=list)
    groep_ids: list[int] = field(default_factory=list)
    duration_years: int = DEFAULT_DURATION_YEARS
    # Stored with what the draft makes, so that sending it twice makes one (creation.py).
    submission_key: str = field(default_factory=lambda: uuid.uuid4().hex)
    # What the send page starts with when the draft repeats an earlier request: the relatie's
    # contact, language and reference (SendRequestForm field names). Cleared with the company.
    send_initial: dict = field(default_factory=dict)

    @property
    def has_company(self) -> bool:
        """Stap 1 is done: one company chosen, or an import of many."""
        return self.company is not None or self.bulk_id is not None

    @property
    def is_bulk(self) -> bool:
        return self.bulk_id is not None

    @property
    def has_scope(self) -> bool:
        return self.algemene_bevoegdheid or bool(self.dienstverlener_ids or self.dienst_ids)

    @property
    def has_assignment(self) -> bool:
        return bool(self.membership_ids or self.groep_ids)

    @property
    def is_complete(self) -> bool:
        return self.has_company and self.has_scope and self.has_assignment

    @property
    def current_step(self) -> int:
        """The first step still to do (1 to 4)."""
        if not self.has_company:
            return 1
        if not self.has_scope:
            return 2
        if not self.has_assignment:
            return 3
        return 4

    @property
    def key(self) -> uuid.UUID:
        return uuid.UUID(self.submission_key)

    def company_obj(self) -> Company | None:
        return Company(**self.company) if self.company else None

    def set_company(self, company: Company) -> None:
        self.company = asdict(company)
        self.bulk_id = None
        self.send_initial = {}

    def set_bulk(self, bulk_id: int) -> None:
        self.bulk_id = bulk_id
        self.company = None
        self.send_initial = {}

    def scope(self) -> ScopeSelection:
        if self.algemene_bevoegdheid:
            return ScopeSelection(algemene_bevoegdheid=True)
        return ScopeSelection(
            dienstverleners=list(Dienstverlener.objects.filter(pk__in=self.dienstverlener_ids)),
            diensten=list(
                Dienst.objects.filter(pk__in=self.dienst_ids, active=True).select_related(
                    "dienstverlener"
                )
            ),
        )

    def assignment(self, organisation: Organisation) -> Assignment:
        memberships = (
            Membership.objects.active()
            .filter(organisation=organisation, pk__in=self.membership_ids)
            .select_related("user")
        )
        return Assignment(
            gebruikers=[m for m in memberships if may_be_assigned(m)],
            groepen=list(Groep.objects.filter(organisation=organisation, pk__in=self.groep_ids)),
        )


@dataclass(frozen=True)
class Prefill:
    draft: Draft
    left_out: list[str]  # what the earlier ketenmachtiging had that no longer qualifies


def prefill_from(km: Ketenmachtiging) -> Prefill:
    """A draft for requesting `km` again: the same relatie, scope, gebruikers and groepen as far
    as they still qualify, its contact, language and reference; the default duration. Diensten
    no longer offered and people whose middel no longer qualifies are left out and named."""
    relatie = km.relatie
    left_out = []
    diensten = []
    for dienst in km.diensten.select_related("dienstverlener").order_by("name"):
        if dienst.active:
            diensten.append(dienst)
        else:
            left_out.append(
                _("Dienst %(name)s is niet overgenomen: deze dienst wordt niet meer aangeboden.")
                % {"name": dienst.name}
            )
    gebruikers = []
    for membership in km.gebruikers.select_related("user").order_by("user__last_name", "pk"):
        refusal = middel_refusal(membership)
        if membership.organisation_id == km.intermediair_id and refusal is None:
            gebruikers.append(membership)
        elif refusal == Reason.LEVEL_TOO_LOW:
            left_out.append(
                _("%(name)s is niet overgenomen: het middel heeft geen niveau EH3 of hoger.")
                % {"name": membership.user.display_name}
            )
        else:
            left_out.append(
                _("%(name)s is niet overgenomen: het middel is niet meer actief.")
                % {"name": membership.user.display_name}
            )
    draft = Draft(
        company=asdict(Company.of(relatie)),
        algemene_bevoegdheid=km.algemene_bevoegdheid,
        dienstverlener_ids=list(km.dienstverleners.order_by("name").values_list("pk", flat=True)),
        dienst_ids=[d.pk for d in diensten],
        membership_ids=[m.pk for m in gebruikers],
        groep_ids=list(
            km.groepen.filter(organisation_id=km.intermediair_id)
            .order_by("name")
            .values_list("pk", flat=True)
        ),
        send_initial={
            "contact_initialen": km.contact_initialen,
            "contact_tussenvoegsel": km.contact_tussenvoegsel,
            "contact_achternaam": km.contact_achternaam,
            "contact_email": km.contact_email,
            "contact_telefoon": km.contact_telefoon,
            "language": km.language,
            "reference": km.reference,
        },
    )
    return Prefill(draft, left_out)


def in_progress(request) -> bool:
    """A company or an import is chosen: replacing the draft would lose the beheerder's work."""
    return load(request).has_company


def _key(organisation: Organisation) -> str:
    return f"ketenmachtiging_draft:{organisation.pk}"


def load(request) -> Draft:
    data = request.session.get(_key(request.organisation))
    return Draft(**data) if data else Draft()


def save(request, draft: Draft) -> None:
    request.session[_key(request.organisation)] = asdict(draft)


def clear(request) -> None:
    request.session.pop(_key(request.organisation), None)
