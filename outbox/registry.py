"""The kinds of message the outbox delivers, registered by the apps that write them.

Each app registers its kinds when Django starts (its AppConfig.ready), so that a worker knows
how to deliver every message it finds.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Kind:
    name: str
    label: str | Promise
    # Does the work inside the delivery's transaction; returns False when there was nothing
    # left to do. An exception leaves the message for a later attempt (PermanentError: none).
    deliver: Callable[..., bool]
    # After the last attempt, in the same transaction as the message's failure: make the
    # failure visible where people look (a status, a bericht).
    give_up: Callable[..., None] | None = None
    # Staff send a failed message again: undo what give_up did, in the same transaction.
    resend: Callable[..., None] | None = None


_kinds: dict[str, Kind] = {}


def register(
    name: str,
    *,
    label: str | Promise,
    deliver: Callable[..., bool],
    give_up: Callable[..., None] | None = None,
    resend: Callable[..., None] | None = None,
) -> Kind:
    kind = Kind(name=name, label=label, deliver=deliver, give_up=give_up, resend=resend)
    _kinds[name] = kind
    return kind


def kind(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No outbox kind {name!r} is registered.") from None


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda kind: str(kind.label))


def label(name: str) -> str | Promise:
    return _kinds[name].label if name in _kinds else name
