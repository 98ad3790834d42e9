"""The product's rules (ketenmachtigingen/constants.py) for the texts of every template."""

from .constants import (
    DEFAULT_DURATION_YEARS,
    INVITATION_VALID_MONTHS,
    MAX_DURATION_YEARS,
    RENEWAL_REMINDER_MONTHS,
)

RULES = {
    "default_years": DEFAULT_DURATION_YEARS,
    "max_years": MAX_DURATION_YEARS,
    "invitation_months": INVITATION_VALID_MONTHS,
    "reminder_months": RENEWAL_REMINDER_MONTHS,
}


def rules(request):
    return {"rules": RULES}
