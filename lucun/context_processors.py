from .navigation import items_for
from .scoping import roles_for


def shell(request) -> dict:
    """Give the base template the navigation and the unread count (one query each, whatever the page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "unread_count": 0}
    from .selectors import notification_unread_count

    current = request.resolver_match.url_name if request.resolver_match else ""
    items = items_for(user, roles_for(user))
    for item in items:
        item["active"] = item["url_name"] == current
    return {"nav_items": items, "unread_count": notification_unread_count(user=user)}
