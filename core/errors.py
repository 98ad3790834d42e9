"""The refused action: raised by a service, shown to the person who tried it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DomainError(Exception):
    """A refused action. The message is meant for the person who tried it."""

    def __init__(self, message: StrOrPromise) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
