"""Every write to a ketenmachtiging. Views, admin actions, jobs and imports call these."""

__all__ = [
    "assignments",
    "creation",
    "effects",
    "expired",
    "lifecycle",
    "relaties",
    "renewals",
    "transitions",
]
