"""Every write to a groep. Views call these; each is atomic and takes the person acting.

A groep is created with a name only ("Sla op en voeg gebruikers toe"); its toegestane diensten
are empty until "Voeg groep toe", so a half-made groep gives nobody access to anything.

Every change writes one audit event (audit/services.py) in its transaction, with the names
before and after; a write that changes nothing writes none.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import cast

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, User
from audit import services as audit
from catalogue.models import Dienst, Dienstverlener
from core.errors import DomainError

from .models import Groep
from .usage import uses

__all__ = [
    "NAME_MAX_LENGTH",
    "create_groep",
    "delete_groep",
    "rename_groep",
    "set_members",
    "set_toegestane_diensten",
]

NAME_MAX_LENGTH = cast(int, Groep._meta.get_field("name").max_length)


def _duplicate_name_error() -> DomainError:
    return DomainError(_("Er bestaat al een groep met deze naam."))


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Geef de groep een naam."))
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(
            _("Een groepsnaam heeft ten hoogste %(max)d tekens.") % {"max": NAME_MAX_LENGTH}
        )
    return name


def _ensure_name_free(organisation_id: int, name: str, *, except_pk: int | None = None) -> None:
    """Unique per organisation, whatever the case (the database constraint uses Lower())."""
    taken = Groep.objects.filter(organisation_id=organisation_id, name__iexact=name)
    if except_pk is not None:
        taken = taken.exclude(pk=except_pk)
    if taken.exists():
        raise _duplicate_name_error()


def _member_names(groep: Groep) -> list[str]:
    return [m.user.display_name for m in groep.members.select_related("user")]


def _dienst_name(dienst: Dienst) -> str:
    """A dienst with its dienstverlener: two dienstverleners may name a dienst alike."""
    return f"{dienst.name} ({dienst.dienstverlener.name})"


def _saved_scope(groep: Groep) -> tuple[list[Dienstverlener], list[Dienst]]:
    return (
        list(groep.dienstverleners.all()),
        list(groep.diensten.select_related("dienstverlener")),
    )


def _toegestane_diensten(
    algemene_bevoegdheid: bool, dienstverleners: list[Dienstverlener], diensten: list[Dienst]
) -> audit.ToegestaneDiensten:
    """Toegestane diensten by name, for the audit trail."""
    return {
        "algemene_bevoegdheid": algemene_bevoegdheid,
        "dienstverleners": [d.name for d in dienstverleners],
        "diensten": [_dienst_name(d) for d in diensten],
    }


@contextmanager
def _locked(groep: Groep) -> Iterator[Groep]:
    """The groep row, freshly read and locked until the surrounding transaction ends."""
    with transaction.atomic():
        yield Groep.objects.select_for_update().get(pk=groep.pk)


@transaction.atomic
def create_groep(*, acting_user: User | None, organisation: Organisation, name: str) -> Groep:
    """ "Sla op en voeg gebruikers toe": a named groep without members or diensten yet."""
    name = _clean_name(name)
    _ensure_name_free(organisation.pk, name)
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin trips the constraint
            groep = Groep.objects.create(organisation=organisation, name=name)
    except IntegrityError as error:
        raise _duplicate_name_error() from error
    audit.groep_created(acting_user=acting_user, groep=groep)
    return groep


@transaction.atomic
def rename_groep(*, acting_user: User | None, groep: Groep, name: str) -> Groep:
    name = _clean_name(name)
    with _locked(groep) as locked:
        old_name = locked.name
        if name == old_name:
            return locked
        _ensure_name_free(locked.organisation_id, name, except_pk=locked.pk)
        locked.name = name
        try:
            with transaction.atomic():
                locked.save(update_fields=["name"])
        except IntegrityError as error:
            raise _duplicate_name_error() from error
        audit.groep_renamed(acting_user=acting_user, groep=locked, old_name=old_name)
        return locked


@transaction.atomic
def set_members(
    *, acting_user: User | None, groep: Groep, memberships: Iterable[Membership]
) -> Groep:
    """ "Voeg gebruikers toe": the groep's members become exactly `memberships`.

    Only active middelen of the groep's own organisation. People below EH3 or with a
    Belastingdienst-only middel may be members; the pages warn about them and the authorization
    rule refuses them where their middel does not suffice.
    """
    memberships = list(memberships)
    with _locked(groep) as locked:
        for membership in memberships:
            if membership.organisation_id != locked.organisation_id:
                raise DomainError(_("Deze gebruiker hoort niet bij uw organisatie."))
            if not membership.active:
                raise DomainError(
                    _("Het middel van %(name)s is niet actief.")
                    % {"name": membership.user.display_name}
                )
        before = list(locked.members.select_related("user"))
        if {m.pk for m in before} == {m.pk for m in memberships}:
            return locked
        locked.members.set(memberships)
        audit.groep_members_changed(
            acting_user=acting_user,
            groep=locked,
            before=[m.user.display_name for m in before],
            after=_member_names(locked),
        )
        return locked


@transaction.atomic
def set_toegestane_diensten(
    *,
    acting_user: User | None,
    groep: Groep,
    algemene_bevoegdheid: bool,
    dienstverleners: Iterable[Dienstverlener] = (),
    diensten: Iterable[Dienst] = (),
) -> Groep:
    """ "Voeg groep toe": Algemene bevoegdheid, or "Beperk toegestane diensten" to whole
    dienstverleners and single (active) diensten — at least one of them."""
    dienstverleners, diensten = list(dienstverleners), list(diensten)
    if not algemene_bevoegdheid:
        if not (dienstverleners or diensten):
            raise DomainError(
                _("Kies bij Beperk toegestane diensten één of meerdere toegestane diensten.")
            )
        inactive = [d for d in diensten if not d.active]
        if inactive:
            raise DomainError(
                _("De dienst %(name)s is niet meer beschikbaar.") % {"name": inactive[0].name}
            )
    if algemene_bevoegdheid:  # Algemene bevoegdheid covers everything: no list beside it
        dienstverleners, diensten = [], []
    with _locked(groep) as locked:
        saved_dienstverleners, saved_diensten = _saved_scope(locked)
        if (
            locked.algemene_bevoegdheid == algemene_bevoegdheid
            and {d.pk for d in saved_dienstverleners} == {d.pk for d in dienstverleners}
            and {d.pk for d in saved_diensten} == {d.pk for d in diensten}
        ):
            return locked
        before = _toegestane_diensten(
            locked.algemene_bevoegdheid, saved_dienstverleners, saved_diensten
        )
        locked.algemene_bevoegdheid = algemene_bevoegdheid
        locked.save(update_fields=["algemene_bevoegdheid"])
        locked.dienstverleners.set(dienstverleners)
        locked.diensten.set(diensten)
        audit.groep_diensten_changed(
            acting_user=acting_user,
            groep=locked,
            before=before,
            after=_toegestane_diensten(algemene_bevoegdheid, *_saved_scope(locked)),
        )
        return locked


@transaction.atomic
def delete_groep(*, acting_user: User | None, groep: Groep) -> list[int]:
    """ "Verwijder groep": unlinks it from its ketenmachtigingen, records a "Groep verwijderd"
    event on each of them and an audit event with what the groep was (name, members,
    toegestane diensten) in the same transaction, and deletes it.

    Returns the ids of the ketenmachtigingen it was linked to.
    """
    with _locked(groep) as locked:
        members = _member_names(locked)
        toegestane_diensten = _toegestane_diensten(
            locked.algemene_bevoegdheid, *_saved_scope(locked)
        )
        ketenmachtiging_ids = uses().unlink(locked, acting_user=acting_user)
        audit.groep_deleted(
            acting_user=acting_user,
            groep=locked,
            members=members,
            toegestane_diensten=toegestane_diensten,
            ketenmachtigingen=len(ketenmachtiging_ids),
        )
        locked.delete()
        return ketenmachtiging_ids
