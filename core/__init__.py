"""What every app of the portal may use, and which uses none of them: the refused action
(DomainError), the confirmation of destructive actions, the read-only admin, two database
tools and the start-up checks. The project package (zlogin) and the apps build on it."""
