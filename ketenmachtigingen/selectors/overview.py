"""ketenmachtigingen | van relaties: the tabs, search, filters and the details of each row.

The overview pages relaties, not ketenmachtigingen: a row is a relatie with its ketenmachtigingen
in the tab. Every page costs the same few queries whatever the number of relaties.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self, cast

from django.core.paginator import Page, Paginator
from django.db.models import Aggregate, Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils.functional import cached_property

from accounts.models import Membership, Organisation
from catalogue.models import Dienst
from groepen.models import Groep

from .. import dates
from ..authorization import effective_diensten
from ..constants import HIDDEN_STATUSES, PENDING_STATUSES, STATUS_EXPLANATIONS, Status, Tab
from ..models import Ketenmachtiging

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "InvitationDeadline",
    "KetenmachtigingDetail",
    "OverviewFilters",
    "PAGE_SIZE",
    "PENDING_STATUSES_IN_ORDER",
    "PersonAccess",
    "RelatiePaginator",
    "RelatieRow",
    "StatusCount",
    "WaitingSummary",
    "acties_count",
    "acties_page",
    "afgegeven_page",
    "apply_filters",
    "ketenmachtigingen_for_export",
    "overview_page",
    "relatie_details",
    "tab_queryset",
]

PAGE_SIZE = 25
# The order a Wachtend row names its statuses in: what needs the beheerder first.
PENDING_STATUSES_IN_ORDER = (
    Status.FOUT,
    Status.INCOMPLEET,
    Status.AANVRAAG_VERSTUURD,
    Status.AANVRAAG_ONTVANGEN,
)


@dataclass(frozen=True)
class OverviewFilters:
    search: str = ""
    status: str = ""
    dienstverlener_id: int | None = None
    end_from: datetime.date | None = None
    end_to: datetime.date | None = None

    @property
    def active(self) -> bool:
        return any((self.status, self.dienstverlener_id, self.end_from, self.end_to))


def _renewal_under_way() -> Exists:
    return Exists(
        Ketenmachtiging.objects.filter(
            # renews__isnull lets PostgreSQL use the small partial index of renewals.
            renews__isnull=False,
            renews=OuterRef("pk"),
            status__in=[*PENDING_STATUSES, Status.ACTIEF],
        )
    )


def tab_queryset(
    organisations: Iterable[Organisation], tab: str, today: datetime.date | None = None
) -> QuerySet[Ketenmachtiging]:
    """The ketenmachtigingen of the intermediair(s) in one tab."""
    today = today or dates.today()
    qs = Ketenmachtiging.objects.filter(intermediair__in=organisations)
    if tab == Tab.WACHTEND:
        return qs.filter(status__in=PENDING_STATUSES)
    if tab == Tab.VERLOPEN:
        # Without those removed from the overview ("Verwijder uit overzicht").
        return qs.filter(status=Status.VERLOPEN, hidden_at__isnull=True)
    qs = qs.filter(status=Status.ACTIEF)
    if tab == Tab.ACTIES:
        # Ending within 3 months, not being revoked, and no renewal requested yet.
        return qs.filter(
            end_date__lt=dates.renewal_window_start(today), revocation_date__isnull=True
        ).exclude(_renewal_under_way())
    return qs


def acties_count(organisation: Organisation, today: datetime.date | None = None) -> int:
    return tab_queryset([organisation], Tab.ACTIES, today).count()


def _matches(term: str) -> Q:
    """A search term in the relatie (name, KVK-nummer, RSIN) or the ketenmachtiging itself
    (reference, contact). Two id sets instead of one OR across a join, so that each side can
    use its own (trigram) indexes."""
    relaties = Organisation.objects.filter(
        Q(name__icontains=term) | Q(kvk_nummer__startswith=term) | Q(rsin__startswith=term)
    ).values("pk")
    own = Ketenmachtiging.objects.filter(
        Q(reference__icontains=term)
        | Q(contact_achternaam__icontains=term)
        | Q(contact_email__icontains=term)
    ).values("pk")
    return Q(relatie__in=relaties) | Q(pk__in=own)


def apply_filters(
    qs: QuerySet[Ketenmachtiging], filters: OverviewFilters
) -> QuerySet[Ketenmachtiging]:
    # The search is one phrase: what a person types is a part of a name or number, and a
    # phrase stays selective where separate words ("relatie", "bv") would match almost all.
    phrase = " ".join(filters.search.split())
    if phrase:
        qs = qs.filter(_matches(phrase))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.dienstverlener_id:
        qs = qs.filter(
            Q(algemene_bevoegdheid=True)
            | Q(dienstverleners=filters.dienstverlener_id)
            | Q(diensten__dienstverlener=filters.dienstverlener_id)
        ).distinct()
    if filters.end_from:
        qs = qs.filter(end_date__gte=filters.end_from)
    if filters.end_to:
        qs = qs.filter(end_date__lte=filters.end_to)
    return qs


@dataclass
class PersonAccess:
    membership: Membership
    groep: Groep | None  # None: assigned directly
    diensten: list[Dienst]  # what the person may use through the ketenmachtiging
    missing: list[Dienst]  # in its scope, but not for this person

    @property
    def all_in_scope(self) -> bool:
        return not self.missing

    @property
    def mostly(self) -> bool:
        """Shorter to name what is missing than what is allowed."""
        return bool(self.diensten) and len(self.missing) < len(self.diensten)


@dataclass
class KetenmachtigingDetail:
    ketenmachtiging: Ketenmachtiging
    people: list[PersonAccess] = field(default_factory=list)

    @property
    def explanation(self) -> StrOrPromise:
        explanations = cast("dict[str, StrOrPromise]", STATUS_EXPLANATIONS)
        return explanations.get(self.ketenmachtiging.status, "")

    @property
    def is_pending(self) -> bool:
        return self.ketenmachtiging.status in PENDING_STATUSES

    @cached_property
    def deadline(self) -> InvitationDeadline | None:
        km = self.ketenmachtiging
        if km.status != Status.AANVRAAG_VERSTUURD or km.sent_at is None:
            return None
        return InvitationDeadline.for_sent_at(km.sent_at)


@dataclass(frozen=True)
class InvitationDeadline:
    """The last day Z login accepts the signed form (the day the nightly job lapses it after)."""

    day: datetime.date
    days_left: int

    @classmethod
    def for_sent_at(cls, sent_at: datetime.datetime, today: datetime.date | None = None) -> Self:
        day = dates.invitation_deadline(sent_at)
        return cls(day, (day - (today or dates.today())).days)


class RelatiePaginator(Paginator):  # type: ignore[type-arg]  # not subscriptable at run time
    """Counts the relaties from the ketenmachtigingen table alone (an index-only count)
    instead of joining every matching relatie."""

    def __init__(
        self,
        relaties: QuerySet[Organisation],
        per_page: int,
        *,
        ketenmachtigingen: QuerySet[Ketenmachtiging],
    ) -> None:
        super().__init__(relaties, per_page)
        self._ketenmachtigingen = ketenmachtigingen

    @cached_property
    def count(self) -> int:
        return self._ketenmachtigingen.order_by().values("relatie_id").distinct().count()


@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int

    @property
    def label(self) -> StrOrPromise:
        return Status(self.status).label


@dataclass
class WaitingSummary:
    """What a Wachtend row shows without opening: the statuses of the relatie's waiting
    ketenmachtigingen, and for the most urgent one (the invitation sent first) its sent date
    and deadline."""

    statuses: list[StatusCount]
    sent_at: datetime.datetime | None
    deadline: InvitationDeadline | None


@dataclass
class RelatieRow:
    relatie: Organisation
    count: int  # ketenmachtigingen of the relatie in the tab
    waiting: WaitingSummary | None = None  # the Wachtend tab only


def _people(km: Ketenmachtiging, catalogue: list[Dienst]) -> list[PersonAccess]:
    """Everyone who uses the ketenmachtiging, with the diensten the rule gives them."""
    in_scope = [d for d in catalogue if km.covers(d)]
    people: list[PersonAccess] = []

    def add(
        membership: Membership, groep: Groep | None, via_groepen: Iterable[Groep], direct: bool
    ) -> None:
        diensten = effective_diensten(
            membership, km, direct=direct, via_groepen=via_groepen, catalogue=catalogue
        )
        allowed = {d.pk for d in diensten}
        missing = [d for d in in_scope if d.pk not in allowed]
        people.append(PersonAccess(membership, groep, diensten, missing))

    direct_ids: set[int] = set()
    for membership in km.gebruikers.all():
        direct_ids.add(membership.pk)
        add(membership, None, (), direct=True)
    for groep in km.groepen.all():
        for membership in groep.members.all():
            if membership.pk not in direct_ids:
                add(membership, groep, [groep], direct=False)
    return people


def _details_queryset(qs: QuerySet[Ketenmachtiging]) -> QuerySet[Ketenmachtiging]:
    active_members = Membership.objects.filter(active=True).select_related("user")
    return qs.select_related("relatie", "intermediair").prefetch_related(
        "dienstverleners",
        "diensten__dienstverlener",
        Prefetch("gebruikers", queryset=Membership.objects.select_related("user")),
        Prefetch(
            "groepen",
            queryset=Groep.objects.prefetch_related(
                "dienstverleners", "diensten", Prefetch("members", queryset=active_members)
            ),
        ),
    )


def overview_page(
    organisation: Organisation,
    tab: str,
    filters: OverviewFilters,
    page_number: int | str | None,
    *,
    today: datetime.date | None = None,
    page_size: int = PAGE_SIZE,
) -> tuple[Page[Organisation], list[RelatieRow]]:
    """One page of relaties in the tab. The details of a row are loaded when it is opened."""
    qs = apply_filters(tab_queryset([organisation], tab, today), filters)
    relaties = Organisation.objects.filter(pk__in=qs.values("relatie_id")).order_by("name", "pk")
    page = RelatiePaginator(relaties, page_size, ketenmachtigingen=qs).get_page(page_number)
    annotations: dict[str, Aggregate] = {"n": Count("pk")}
    if tab == Tab.WACHTEND:
        annotations |= _waiting_annotations()
    per_relatie = {
        values["relatie_id"]: values
        for values in qs.filter(relatie_id__in=[relatie.pk for relatie in page])
        .values("relatie_id")
        .annotate(**annotations)
        .order_by()
    }
    rows = []
    for relatie in page:
        values = per_relatie.get(relatie.pk, {"n": 0})
        waiting = _waiting_summary(values, today) if tab == Tab.WACHTEND and values["n"] else None
        rows.append(RelatieRow(relatie, values["n"], waiting))
    return page, rows


def _waiting_annotations() -> dict[str, Aggregate]:
    """Per relatie: how many waiting ketenmachtigingen are in each status, the first invitation
    still waiting for its form (the one that lapses first) and the first request sent."""
    counts = {f"n_{status}": Count("pk", filter=Q(status=status)) for status in PENDING_STATUSES}
    return counts | {
        "first_open_sent_at": Min("sent_at", filter=Q(status=Status.AANVRAAG_VERSTUURD)),
        "first_sent_at": Min("sent_at"),
    }


def _waiting_summary(values: dict[str, Any], today: datetime.date | None) -> WaitingSummary:
    statuses = [
        StatusCount(status, values[f"n_{status}"])
        for status in PENDING_STATUSES_IN_ORDER
        if values[f"n_{status}"]
    ]
    open_sent_at = values["first_open_sent_at"]
    return WaitingSummary(
        statuses=statuses,
        sent_at=open_sent_at or values["first_sent_at"],
        deadline=InvitationDeadline.for_sent_at(open_sent_at, today) if open_sent_at else None,
    )


def relatie_details(
    organisation: Organisation, relatie: Organisation, tab: str
) -> list[KetenmachtigingDetail]:
    """The ketenmachtigingen of one relatie in the tab, with who uses them and for what."""
    catalogue = list(Dienst.objects.filter(active=True).select_related("dienstverlener"))
    qs = tab_queryset([organisation], tab).filter(relatie=relatie)
    return [
        KetenmachtigingDetail(km, _people(km, catalogue))
        for km in _details_queryset(qs).order_by("end_date", "pk")
    ]


def ketenmachtigingen_for_export(
    organisations: Iterable[Organisation], tab: str, filters: OverviewFilters
) -> QuerySet[Ketenmachtiging]:
    return apply_filters(tab_queryset(organisations, tab), filters)


def afgegeven_page(
    organisation: Organisation, page_number: int | str | None, *, page_size: int = PAGE_SIZE
) -> Page[Ketenmachtiging]:
    """ketenmachtigingen | afgegeven: what the organisation itself granted to intermediaries."""
    qs = (
        Ketenmachtiging.objects.filter(relatie=organisation)
        .exclude(status__in=HIDDEN_STATUSES)
        .select_related("intermediair")
        .prefetch_related("dienstverleners", "diensten__dienstverlener")
        .order_by("intermediair__name", "pk")
    )
    return Paginator(qs, page_size).get_page(page_number)


def acties_page(
    organisation: Organisation,
    filters: OverviewFilters,
    page_number: int | str | None,
    *,
    today: datetime.date | None = None,
    page_size: int = PAGE_SIZE,
) -> Page[Ketenmachtiging]:
    """The Acties tab: ketenmachtigingen to renew, soonest ending first."""
    qs = apply_filters(tab_queryset([organisation], Tab.ACTIES, today), filters)
    return Paginator(qs.select_related("relatie").order_by("end_date", "pk"), page_size).get_page(
        page_number
    )
