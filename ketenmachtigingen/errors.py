"""The refusals of the ketenmachtigingen' lifecycle (a DomainError each: core/errors.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = ["AlreadyRequested", "DomainError", "InvalidTransition"]


class InvalidTransition(DomainError):
    def __init__(self, from_status: str | None, to_status: str | None) -> None:
        from .constants import Status

        def label(status: str | None) -> StrOrPromise:
            return Status(status).label if status else _("nieuw")

        super().__init__(
            _("Een ketenmachtiging met status “%(from)s” kan niet naar “%(to)s”.")
            % {"from": label(from_status), "to": label(to_status)}
        )
        self.from_status = from_status
        self.to_status = to_status


class AlreadyRequested(DomainError):
    """The same request was made before (a second click, a resubmitted page): nothing new."""
