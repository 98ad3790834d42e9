from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refused action. The message is meant for the person who tried it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


class InvalidTransition(DomainError):
    def __init__(self, from_status, to_status):
        from .constants import Status

        def label(status):
            return Status(status).label if status else _("nieuw")

        super().__init__(
            _("Een ketenmachtiging met status “%(from)s” kan niet naar “%(to)s”.")
            % {"from": label(from_status), "to": label(to_status)}
        )
        self.from_status = from_status
        self.to_status = to_status


class AlreadyRequested(DomainError):
    """The same request was made before (a second click, a resubmitted page): nothing new."""
