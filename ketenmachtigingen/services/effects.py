"""The side effects a transition declares (constants.Effect), written in the transition's own
transaction: outbox messages for mail, berichten for the intermediair. Called by the
transition engine only (transitions.py), for one ketenmachtiging or for many at once."""

from collections.abc import Callable

from accounts.models import Organisation
from outbox.services import enqueue_each, enqueue_many

from .. import berichten
from ..constants import Delivery, Effect, Transition
from ..models import Ketenmachtiging
from ..status_news import REASONED

__all__ = [
    "apply",
]


def apply(transition: Transition, kms: list[Ketenmachtiging], *, note: str) -> None:
    for effect in transition.effects:
        _EFFECTS[effect](transition, kms, note)


def _invitation(transition: Transition, kms: list[Ketenmachtiging], note: str) -> None:
    enqueue_each(Delivery.INVITATION, kms)


def _incomplete_mail(transition: Transition, kms: list[Ketenmachtiging], note: str) -> None:
    """Only where there is a contact address; the bericht says so otherwise."""
    enqueue_each(
        Delivery.INCOMPLETE_MAIL, [km for km in kms if km.contact_email], payload={"reason": note}
    )


def _bericht(transition: Transition, kms: list[Ketenmachtiging], note: str) -> None:
    berichten.post_for_transition(transition, kms, note=note)


def _status_mail(transition: Transition, kms: list[Ketenmachtiging], note: str) -> None:
    """One mail per intermediair, naming each of its ketenmachtigingen that changed."""
    reason = note if transition.name in REASONED else ""
    enqueue_many(
        Delivery.STATUS_MAIL,
        (
            (
                Organisation(pk=intermediair_id),
                {
                    "transition": transition.name,
                    "ketenmachtigingen": [km.pk for km in group],
                    "reason": reason,
                },
            )
            for intermediair_id, group in berichten.by_intermediair(kms).items()
        ),
    )


_EFFECTS: dict[str, Callable[[Transition, list[Ketenmachtiging], str], None]] = {
    Effect.INVITATION: _invitation,
    Effect.INCOMPLETE_MAIL: _incomplete_mail,
    Effect.BERICHT: _bericht,
    Effect.STATUS_MAIL: _status_mail,
}
