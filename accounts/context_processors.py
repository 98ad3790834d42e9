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
    }
