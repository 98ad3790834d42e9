"""Every write to a groep. Views call these; each is atomic and takes the person acting.

A groep is created with a name only ("Sla op en voeg gebruikers toe"); its toegestane diensten
are empty until "Voeg groep toe", so a half-made groep gives nobody access to anything.
"""

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation
from ketenmachtigingen import events
from ketenmachtigingen.errors import DomainError
from ketenmachtigingen.models import Dienst, Dienstverlener, Ketenmachtiging

from .models import Groep

NAME_MAX_LENGTH = Groep._meta.get_field("name").max_length


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


@contextmanager
def _locked(groep: Groep):
    """The groep row, freshly read and locked until the surrounding transaction ends."""
    with transaction.atomic():
        yield Groep.objects.select_for_update().get(pk=groep.pk)


@transaction.atomic
def create_groep(*, acting_user, organisation: Organisation, name: str) -> Groep:
    """ "Sla op en voeg gebruikers toe": a named groep without members or diensten yet."""
    name = _clean_name(name)
    _ensure_name_free(organisation.pk, name)
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin trips the constraint
            return Groep.objects.create(organisation=organisation, name=name)
    except IntegrityError as error:
        raise _duplicate_name_error() from error


@transaction.atomic
def rename_groep(*, acting_user, groep: Groep, name: str) -> Groep:
    name = _clean_name(name)
    with _locked(groep) as locked:
        _ensure_name_free(locked.organisation_id, name, except_pk=locked.pk)
        locked.name = name
        try:
            with transaction.atomic():
                locked.save(update_fields=["name"])
        except IntegrityError as error:
            raise _duplicate_name_error() from error
        return locked


@transaction.atomic
def set_members(*, acting_user, groep: Groep, memberships: Iterable[Membership]) -> Groep:
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
        locked.members.set(memberships)
        return locked


@transaction.atomic
def set_toegestane_diensten(
    *,
    acting_user,
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
    with _locked(groep) as locked:
        locked.algemene_bevoegdheid = algemene_bevoegdheid
        locked.save(update_fields=["algemene_bevoegdheid"])
        # Algemene bevoegdheid covers everything: no list is kept beside it.
        locked.dienstverleners.set([] if algemene_bevoegdheid else dienstverleners)
        locked.diensten.set([] if algemene_bevoegdheid else diensten)
        return locked


@transaction.atomic
def delete_groep(*, acting_user, groep: Groep) -> list[int]:
    """ "Verwijder groep": unlinks it from its ketenmachtigingen, records a "Groep verwijderd"
    event on each of them in the same transaction, and deletes it.

    Returns the ids of the ketenmachtigingen it was linked to.
    """
    with _locked(groep) as locked:
        # One query: the linked ketenmachtigingen, locked like every assignment change.
        ketenmachtiging_ids = [
            km.pk
            for km in Ketenmachtiging.objects.select_for_update(of=("self",))
            .filter(groepen=locked)
            .only("pk")
            .order_by("pk")
        ]
        events.groep_removed_many(
            ketenmachtiging_ids, acting_user=acting_user, groep_name=locked.name
        )
        Ketenmachtiging.groepen.through.objects.filter(groep_id=locked.pk).delete()
        locked.delete()
        return ketenmachtiging_ids
