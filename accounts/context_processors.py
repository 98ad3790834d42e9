from functools import cache

from . import tenancy


def portal(request):
    """The shell's data: the person's organisations for the switcher and the active one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "active_membership": membership,
        "all_memberships": tenancy.memberships_of(user),
        "unread_berichten": _unread(membership, user),
    }


def _unread(membership, user):
    """A callable, so the count is only queried when a template shows it, and only once."""
    from berichtenbox.selectors import unread_count

    # `membership` is a lazy object: test its truth, not `is None`.
    if not membership or not membership.may_manage_ketenmachtigingen:
        return 0
    return cache(lambda: unread_count(organisation=membership.organisation, user=user))
