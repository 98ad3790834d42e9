"""The Organisation that stands for a company found in the register."""

import logging
from typing import Any, cast

from django.db import IntegrityError, models, transaction

from accounts.models import Organisation

from ..register import Company

__all__ = [
    "REGISTER_FIELDS",
    "organisation_for_company",
]

logger = logging.getLogger(__name__)

# Copied from the register on every lookup: the register is the source of truth.
REGISTER_FIELDS = ("name", "straat", "huisnummer", "postcode", "plaats")


def organisation_for_company(company: Company) -> Organisation:
    """The organisation with the company's KVK-nummer (or, without one, its RSIN), created when
    missing and brought up to date with the register when it exists.

    A register without an RSIN for the company leaves a stored one alone (an eenmanszaak has
    none in the Handelsregister).
    """
    if not (company.kvk_nummer or company.rsin):
        raise ValueError("A company from the register has a KVK-nummer or an RSIN.")
    with transaction.atomic():
        organisation = _find_for_update(company)
        if organisation is None:
            try:
                with transaction.atomic():  # a savepoint: the outer transaction stays usable
                    return Organisation.objects.create(
                        kvk_nummer=company.kvk_nummer,
                        rsin=_free_rsin(company),
                        **_register_values(company),
                    )
            except IntegrityError:
                # A concurrent request created it first: bring that one up to date instead.
                organisation = _find_for_update(company)
                if organisation is None:
                    raise
        _update(organisation, company)
        return organisation


def _find_for_update(company: Company) -> Organisation | None:
    organisations = Organisation.objects.select_for_update()
    if company.kvk_nummer:
        found = organisations.filter(kvk_nummer=company.kvk_nummer).first()
        if found is not None or not company.rsin:
            return found
        # A relatie first added by its RSIN alone, whose KVK-nummer the register now gives.
        return organisations.filter(rsin=company.rsin, kvk_nummer__isnull=True).first()
    return organisations.filter(rsin=company.rsin).first()


def _free_rsin(company: Company, *, organisation: Organisation | None = None) -> str | None:
    """The company's RSIN, unless another organisation holds it: two local rows for one legal
    entity are for staff to sort out, not for a lookup to guess at."""
    if not company.rsin:
        return None
    others = Organisation.objects.filter(rsin=company.rsin)
    if organisation is not None:
        others = others.exclude(pk=organisation.pk)
    if others.exists():
        logger.warning(
            "RSIN %s of KVK-nummer %s is held by another organisation; not copied.",
            company.rsin,
            company.kvk_nummer,
        )
        return None
    return company.rsin


def _register_values(company: Company) -> dict[str, str]:
    """The register's values, cut to the columns' lengths (a statutaire naam can be longer)."""
    return {
        field: getattr(company, field)[
            : cast("models.Field[Any, Any]", Organisation._meta.get_field(field)).max_length
        ]
        for field in REGISTER_FIELDS
    }


def _update(organisation: Organisation, company: Company) -> None:
    changes = {
        field: value
        for field, value in _register_values(company).items()
        if getattr(organisation, field) != value
    }
    if company.kvk_nummer and organisation.kvk_nummer != company.kvk_nummer:
        changes["kvk_nummer"] = company.kvk_nummer
    rsin = _free_rsin(company, organisation=organisation)
    if rsin and organisation.rsin != rsin:
        changes["rsin"] = rsin
    for field, value in changes.items():
        setattr(organisation, field, value)
    if changes:
        organisation.save(update_fields=list(changes))
