"""Ketenmachtigingen due for renewal, and the rows of the Acties tab's renewal form."""

import datetime

from ketenmachtigingen import dates
from tests.factories import KetenmachtigingFactory, OrganisationFactory

TODAY = dates.today()


def ending(org, name, **kwargs):
    """Active and ending in 40 days: due for renewal."""
    start = dates.add_years(TODAY + datetime.timedelta(days=40), -kwargs.get("duration_years", 5))
    return KetenmachtigingFactory(
        actief=True,
        intermediair=org,
        relatie=OrganisationFactory(name=name),
        start_date=start,
        contact_achternaam="Oud",
        contact_email="oud@example.nl",
        **kwargs,
    )


def row(km, naam, email, taal="nl"):
    return {f"{km.pk}-naam": naam, f"{km.pk}-email": email, f"{km.pk}-taal": taal}
