"""The authorization rule: may this person of an intermediair act for a relatie at a dienst?

One place decides. `check_authorization` states the rule once, for one person, relatie and
dienst: the middel's rung (`middel_refusal`), then `_climb`, the one ladder over the relatie's
ketenmachtigingen, which the API's `decide` climbs too on the flags of its single query. Where a
page or the API needs many answers at once it asks a form of the rule built from the same parts
(`middel_refusal`, `in_force_q`, `Scope.covers` / `scope_covers_q`, `person_covers`): the
details page's `effective_diensten` and the API's `relaties_represented`. tests/api/
test_rule_equivalence.py requires each to answer as check_authorization in every situation of
the rule's tests. The user pickers ask the middel's part alone (`may_be_assigned`,
`picker_warnings`, from accounts/middelen.py, which holds the level the rule asks of a
middel). Nothing outside these two modules repeats the rule.

A person may act when
  1. their middel for the intermediair is active, at least EH3 and at least the dienst's niveau,
     and not limited to the Belastingdienst unless the dienst is the Belastingdienst's;
  2. a ketenmachtiging of the relatie to the intermediair is ACTIEF and in force today;
  3. its scope covers the dienst;
  4. the person is assigned to it directly, or through a groep whose toegestane diensten cover
     the dienst.
"""

import datetime
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.middelen import below_ketenmachtiging_level, may_be_assigned, picker_warnings
from accounts.models import Membership, Organisation

__all__ = [
    "Decision",
    "Reason",
    "check_authorization",
    "check_authorization_fast",
    "decide",
    "decision_queryset",
    "effective_diensten",
    "in_force_q",
    "may_be_assigned",
    "middel_refusal",
    "picker_warnings",
    "relaties_represented",
    "requested_level_refusal",
    "scope_covers_q",
]
from catalogue.models import Dienst, Scope
from core.partial import partial_instance

from . import dates
from .constants import Status
from .models import Ketenmachtiging


class Reason(models.TextChoices):
    ALLOWED = "allowed", _("Toegestaan")
    MIDDEL_INACTIVE = "middel_inactive", _("Het middel is niet actief.")
    LEVEL_TOO_LOW = "level_too_low", _("Het EH-niveau van het middel is te laag.")
    MIDDEL_RESTRICTED = (
        "middel_restricted",
        _("Het middel is alleen geschikt voor de Belastingdienst."),
    )
    NO_KETENMACHTIGING = "no_ketenmachtiging", _("Er is geen ketenmachtiging van deze relatie.")
    NOT_ACTIVE = "not_active", _("De ketenmachtiging is niet actief.")
    OUTSIDE_SCOPE = "dienst_outside_scope", _("De dienst valt buiten de ketenmachtiging.")
    NOT_ASSIGNED = "person_not_assigned", _("De persoon is niet aan de ketenmachtiging gekoppeld.")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Reason
    ketenmachtiging: Ketenmachtiging | None = None


def in_force_q(today: datetime.date) -> Q:
    """ACTIEF and within its dates: start inclusive, end and revocation date exclusive."""
    return Q(status=Status.ACTIEF, start_date__lte=today, end_date__gt=today) & (
        Q(revocation_date__isnull=True) | Q(revocation_date__gt=today)
    )


def middel_refusal(membership: Membership, dienst: Dienst | None = None) -> Reason | None:
    """Why this middel may not use ketenmachtigingen (for `dienst`, when given), or None."""
    if not membership.active:
        return Reason.MIDDEL_INACTIVE
    if below_ketenmachtiging_level(membership):
        return Reason.LEVEL_TOO_LOW
    if dienst is None:
        return None
    if membership.eh_niveau < dienst.min_eh_niveau:
        return Reason.LEVEL_TOO_LOW
    if membership.belastingdienst_only and not dienst.dienstverlener.is_belastingdienst:
        return Reason.MIDDEL_RESTRICTED
    return None


def person_covers(dienst: Dienst, *, direct: bool, via_groepen: Iterable[Scope]) -> bool:
    """Within a ketenmachtiging that covers the dienst: the person is assigned directly, or
    through one of its groepen (that the person is in) whose toegestane diensten cover it."""
    return direct or any(groep.covers(dienst) for groep in via_groepen)


def _assigned_ketenmachtiging_ids(
    membership: Membership, candidates: Iterable[Ketenmachtiging], dienst: Dienst
) -> set[int]:
    """Of the candidate ketenmachtigingen, those the person may use for the dienst."""
    from groepen.models import Groep

    candidate_ids = [km.pk for km in candidates]
    direct = set(
        Ketenmachtiging.gebruikers.through.objects.filter(
            ketenmachtiging_id__in=candidate_ids, membership_id=membership.pk
        ).values_list("ketenmachtiging_id", flat=True)
    )
    via_groepen: dict[int, list[Groep]] = {}
    for groep in (
        Groep.objects.filter(ketenmachtigingen__in=candidate_ids, members=membership)
        .annotate(km_id=models.F("ketenmachtigingen"))
        .prefetch_related("dienstverleners", "diensten")
    ):
        via_groepen.setdefault(groep.km_id, []).append(groep)
    return {
        km_id
        for km_id in candidate_ids
        if person_covers(dienst, direct=km_id in direct, via_groepen=via_groepen.get(km_id, ()))
    }


def effective_diensten(
    membership: Membership,
    ketenmachtiging: Ketenmachtiging,
    *,
    direct: bool,
    via_groepen: Iterable[Scope],
    catalogue: Iterable[Dienst],
) -> list[Dienst]:
    """The diensten of `catalogue` the person may use through this ketenmachtiging when it is in
    force: the same checks as check_authorization, on prefetched data (the details page)."""
    return [
        dienst
        for dienst in catalogue
        if middel_refusal(membership, dienst) is None
        and ketenmachtiging.covers(dienst)
        and person_covers(dienst, direct=direct, via_groepen=via_groepen)
    ]


def check_authorization(
    *,
    membership: Membership,
    relatie: Organisation,
    dienst: Dienst,
    today: datetime.date | None = None,
) -> Decision:
    """The one answer to: may this person act for this relatie at this dienst today?"""
    today = today or dates.today()
    refusal = middel_refusal(membership, dienst)
    if refusal is not None:
        return Decision(False, refusal)

    ketenmachtigingen = (
        Ketenmachtiging.objects.filter(intermediair_id=membership.organisation_id, relatie=relatie)
        .annotate(is_in_force=ExpressionWrapper(in_force_q(today), output_field=BooleanField()))
        .prefetch_related("dienstverleners", "diensten")
    )
    return _climb(
        ketenmachtigingen,
        in_force=lambda km: km.is_in_force,  # type: ignore[attr-defined]  # annotated above
        covers=lambda km: km.covers(dienst),
        # Asked last and once, for every covering one together: one query for all.
        assigned=lambda covering: _assigned_ketenmachtiging_ids(membership, covering, dienst),
    )


def _latest_first(ketenmachtigingen: Iterable[Ketenmachtiging]) -> list[Ketenmachtiging]:
    """The order in which the rule looks: the latest end date first (none last), then the
    newest; the first that passes a rung is the one a Decision names."""
    return sorted(
        ketenmachtigingen,
        key=lambda km: (km.end_date is not None, km.end_date or datetime.date.min, km.pk),
        reverse=True,
    )


def _climb(
    ketenmachtigingen: Iterable[Ketenmachtiging],
    *,
    in_force: Callable[[Ketenmachtiging], bool],
    covers: Callable[[Ketenmachtiging], bool],
    assigned: Callable[[list[Ketenmachtiging]], Collection[int]],
) -> Decision:
    """The rule's rungs 2 to 4 over a relatie's ketenmachtigingen (the middel passed rung 1):
    the first rung that none passes is the reason. `in_force(km)` and `covers(km)` answer for
    one; `assigned(covering)` gives the ids of those of `covering` the person may use."""
    kms = _latest_first(ketenmachtigingen)
    if not kms:
        return Decision(False, Reason.NO_KETENMACHTIGING)
    in_force_kms = [km for km in kms if in_force(km)]
    if not in_force_kms:
        return Decision(False, Reason.NOT_ACTIVE, kms[0])
    covering = [km for km in in_force_kms if covers(km)]
    if not covering:
        return Decision(False, Reason.OUTSIDE_SCOPE, in_force_kms[0])
    usable = assigned(covering)
    for km in covering:
        if km.pk in usable:
            return Decision(True, Reason.ALLOWED, km)
    return Decision(False, Reason.NOT_ASSIGNED, covering[0])


# --- set-based variants (the API) ---------------------------------------------------------------
# The same rule as check_authorization, expressed as SQL so that one query answers a check and
# one query lists the relaties of a person. tests/api/test_rule_equivalence.py asks both
# variants every case of the rule's tests and requires the same Decision.


def requested_level_refusal(membership: Membership, requested_niveau: int | None) -> Reason | None:
    """A dienstverlener asks for a level of assurance; a middel below it may not act."""
    if requested_niveau is not None and membership.eh_niveau < requested_niveau:
        return Reason.LEVEL_TOO_LOW
    return None


def scope_covers_q(model: type[models.Model], dienst: Dienst) -> Q:
    """Scope.covers(dienst) as a condition on rows of `model` (Ketenmachtiging or Groep)."""

    def member_of(field_name: str, **target: Any) -> Exists:
        field = cast("models.ManyToManyField[Any, Any]", model._meta.get_field(field_name))
        through: Any = field.remote_field.through
        owner = field.m2m_field_name()
        return Exists(through.objects.filter(**{owner: OuterRef("pk")}, **target))

    return (
        Q(algemene_bevoegdheid=True)
        | member_of("dienstverleners", dienstverlener_id=dienst.dienstverlener_id)
        | member_of("diensten", dienst_id=dienst.pk)
    )


def person_covers_q(membership: Membership, dienst: Dienst) -> Q:
    """person_covers as a condition on Ketenmachtiging rows: the person is assigned directly, or
    is a member of one of its groepen whose toegestane diensten cover the dienst."""
    from groepen.models import Groep

    direct = Exists(
        Ketenmachtiging.gebruikers.through.objects.filter(
            ketenmachtiging_id=OuterRef("pk"), membership_id=membership.pk
        )
    )
    via_groep = Exists(
        Groep.objects.filter(
            scope_covers_q(Groep, dienst),
            ketenmachtigingen=OuterRef("pk"),
            members=membership.pk,
        )
    )
    return Q(direct) | Q(via_groep)


DECISION_COLUMNS = (
    "pk",
    "end_date",
    "last_used_at",
    "is_in_force",
    "covers_dienst",
    "person_covers_dienst",
)


def decision_queryset(
    *,
    intermediair_id: int,
    membership_id: int,
    relatie_field: str,
    relatie_value: object,
    dienst_id: int,
    dienstverlener_id: int,
    today: datetime.date,
) -> models.QuerySet[Ketenmachtiging, tuple[Any, ...]]:
    """The rule for one relatie as one query: per ketenmachtiging of the relatie (the
    Organisation whose `relatie_field` is `relatie_value`) to the intermediair, in no order,
    DECISION_COLUMNS: whether it is in force, covers the dienst, and covers the person
    for it. Scalar inputs only, so that the API can compile it once and run it many times."""
    membership = Membership(pk=membership_id, organisation_id=intermediair_id)
    dienst = Dienst(pk=dienst_id, dienstverlener_id=dienstverlener_id)

    def flag(condition: Q) -> "ExpressionWrapper[Q]":
        return ExpressionWrapper(condition, output_field=BooleanField())

    return (
        Ketenmachtiging.objects.filter(
            intermediair_id=intermediair_id,
            relatie__in=Organisation.objects.filter(**{relatie_field: relatie_value}),
        )
        .annotate(
            is_in_force=flag(in_force_q(today)),
            covers_dienst=flag(scope_covers_q(Ketenmachtiging, dienst)),
            person_covers_dienst=flag(person_covers_q(membership, dienst)),
        )
        # Unordered: decide() orders the few rows of one relatie itself, which saves
        # PostgreSQL a sort on every check.
        .order_by()
        .values_list(*DECISION_COLUMNS)
    )


def decide(rows: Iterable[tuple[Any, ...]]) -> Decision:
    """check_authorization's choice, from the rows of decision_queryset (the middel passed),
    on the same rungs. The Decision's ketenmachtiging carries only pk, end_date and
    last_used_at."""
    flags: dict[int, tuple[bool, bool, bool]] = {}
    kms: list[Ketenmachtiging] = []
    for pk, end_date, last_used_at, is_in_force, covers_dienst, person_covers_dienst in rows:
        kms.append(
            partial_instance(Ketenmachtiging, id=pk, end_date=end_date, last_used_at=last_used_at)
        )
        flags[pk] = (is_in_force, covers_dienst, person_covers_dienst)
    return _climb(
        kms,
        in_force=lambda km: flags[km.pk][0],
        covers=lambda km: flags[km.pk][1],
        assigned=lambda covering: {km.pk for km in covering if flags[km.pk][2]},
    )


def check_authorization_fast(
    *,
    membership: Membership,
    relatie_field: str,
    relatie_value: object,
    dienst: Dienst,
    today: datetime.date | None = None,
    requested_niveau: int | None = None,
    run_query: Callable[..., Iterable[tuple[Any, ...]]] | None = None,
) -> Decision:
    """check_authorization in one query, for the API.

    The relatie is the Organisation whose `relatie_field` ("pk", "kvk_nummer" or "rsin") is
    `relatie_value`; an unknown identifier costs no extra query: it has no ketenmachtiging.
    With `requested_niveau` (the level the dienstverlener asks for) a weaker middel is refused
    as LEVEL_TOO_LOW; without it the answer is exactly check_authorization's. `run_query`
    (keyword inputs of decision_queryset → rows) lets the caller run a precompiled query.
    """
    refusal = middel_refusal(membership, dienst) or requested_level_refusal(
        membership, requested_niveau
    )
    if refusal is not None:
        return Decision(False, refusal)
    inputs: dict[str, Any] = {
        "intermediair_id": membership.organisation_id,
        "membership_id": membership.pk,
        "relatie_value": relatie_value,
        "dienst_id": dienst.pk,
        "dienstverlener_id": dienst.dienstverlener_id,
        "today": today or dates.today(),
    }
    if run_query is None:
        return decide(decision_queryset(relatie_field=relatie_field, **inputs))
    return decide(run_query(relatie_field=relatie_field, **inputs))


def relaties_represented(
    *,
    membership: Membership,
    dienst: Dienst,
    today: datetime.date | None = None,
    requested_niveau: int | None = None,
) -> tuple[Reason | None, models.QuerySet[Organisation]]:
    """The relaties this person may act for at the dienst today: exactly those for which
    check_authorization allows it. With a refusal of the middel itself, that reason and none."""
    today = today or dates.today()
    refusal = middel_refusal(membership, dienst) or requested_level_refusal(
        membership, requested_niveau
    )
    if refusal is not None:
        return refusal, Organisation.objects.none()
    from groepen.models import Groep

    usable = Ketenmachtiging.objects.filter(
        in_force_q(today),
        scope_covers_q(Ketenmachtiging, dienst),
        intermediair_id=membership.organisation_id,
    ).order_by()
    # person_covers_q as two sets, each starting from the person's own assignments: directly,
    # and through the person's groepen that cover the dienst.
    direct = usable.filter(gebruikers=membership.pk)
    via_groep = usable.filter(
        groepen__in=Groep.objects.filter(scope_covers_q(Groep, dienst), members=membership.pk)
    )
    relatie_ids = direct.values("relatie_id").union(via_groep.values("relatie_id"))
    return None, Organisation.objects.filter(pk__in=relatie_ids)
