from .navigation import grouped, items_for
from .scoping import roles_for


def shell(request) -> dict:
    """Give the base template the navigation and the unread count (one query each, whatever the page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav": None, "unread_count": 0}
    from .selectors import notification_unread_count

    match = request.resolver_match
    items = items_for(user, roles_for(user))
    nav = grouped(items, path=request.path, params=request.GET.dict(), namespace=match.namespace if match else "")
    return {"nav_items": items, "nav": nav, "unread_count": notification_unread_count(user=user)}
