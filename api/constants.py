"""The API's answer codes: the rule's reasons plus the two the API adds before asking it."""

from ketenmachtigingen.selectors import Reason

UNKNOWN_PERSON = "unknown_person"
UNKNOWN_DIENST = "unknown_dienst"

# Code → what it means, for the OpenAPI document and the docs page (the API speaks English).
REFUSAL_REASONS: dict[str, str] = {
    UNKNOWN_PERSON: "The pseudonym is not a middel of this intermediary.",
    UNKNOWN_DIENST: "No active dienst in the catalogue has this ServiceUUID or ServiceID.",
    Reason.MIDDEL_INACTIVE.value: "The person's middel is not active.",
    Reason.LEVEL_TOO_LOW.value: (
        "The middel's level is below EH3, below the dienst's minimum level, or below the "
        "requested level of assurance."
    ),
    Reason.MIDDEL_RESTRICTED.value: (
        "The middel is valid only at the Belastingdienst and the dienst is not the "
        "Belastingdienst's."
    ),
    Reason.NO_KETENMACHTIGING.value: (
        "The relatie has no ketenmachtiging to this intermediary (or is unknown)."
    ),
    Reason.NOT_ACTIVE.value: (
        "The relatie's ketenmachtiging is not in force today (pending, expired or revoked)."
    ),
    Reason.OUTSIDE_SCOPE.value: "The ketenmachtiging in force does not cover this dienst.",
    Reason.NOT_ASSIGNED.value: (
        "The person is not assigned to the ketenmachtiging, directly or through a groep whose "
        "allowed diensten include this dienst."
    ),
}
