"""The draft of "Voeg nieuwe ketenmachtigingen toe" while the beheerder goes through its steps.

The draft lives in the session, one per organisation, as plain ids and values. Turning it back
into objects always filters by the active organisation, so ids from a tampered or stale
session can never reach another organisation's people or groups.

Stap 1 fills either `company` (Eén bedrijf) or `bulk_id`, the id of an accepted import
(Meerdere bedrijven, a BulkRequest of the organisation, checked again whenever it is used);
Stap 2 to 4 are the same for both.
"""

import uuid
from dataclasses import asdict, dataclass, field

from accounts.models import Membership, Organisation
from groepen.models import Groep

from .authorization import may_be_assigned
from .constants import DEFAULT_DURATION_YEARS
from .models import Dienst, Dienstverlener
from .register import Company
from .services.creation import Assignment, ScopeSelection


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

    def set_bulk(self, bulk_id: int) -> None:
        self.bulk_id = bulk_id
        self.company = None

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


def _key(organisation: Organisation) -> str:
    return f"ketenmachtiging_draft:{organisation.pk}"


def load(request) -> Draft:
    data = request.session.get(_key(request.organisation))
    return Draft(**data) if data else Draft()


def save(request, draft: Draft) -> None:
    request.session[_key(request.organisation)] = asdict(draft)


def clear(request) -> None:
    request.session.pop(_key(request.organisation), None)
