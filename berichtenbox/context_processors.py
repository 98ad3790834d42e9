from functools import cache

from .selectors import unread_count


def unread(request):
    """The menu's count of unread berichten: a callable, so it is only queried when a template
    shows it, and only once."""
    user = getattr(request, "user", None)
    # `membership` (accounts' middleware) is a lazy object: test its truth, not `is None`.
    membership = getattr(request, "membership", None)
    if user is None or not user.is_authenticated or not membership:
        return {}
    if not membership.may_manage_ketenmachtigingen:
        return {"unread_berichten": 0}
    return {
        "unread_berichten": cache(
            lambda: unread_count(organisation=membership.organisation, user=user)
        )
    }
