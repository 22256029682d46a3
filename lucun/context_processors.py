from .navigation import badges_for, grouped, items_for
from .scoping import roles_for


def shell(request) -> dict:
    """Give the base template the navigation, the unread count and the entries' counts (one query each, whatever
    the page: the counts share one statement)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav": None, "unread_count": 0, "can_search": False, "search_q": ""}
    from .selectors import shell_counts

    match = request.resolver_match
    roles = roles_for(user)
    items = items_for(user, roles)
    counts = shell_counts(user=user, badges=badges_for(items, user))
    for item in items:
        item["count"] = counts.get(item["badge"], 0)
    nav = grouped(items, path=request.path, params=request.GET.dict(), namespace=match.namespace if match else "")
    return {
        "nav_items": items,
        "nav": nav,
        "unread_count": counts["unread"],
        # The search box (lucun.search) for officials: a person without a position finds nothing.
        "can_search": bool(roles) or user.is_superuser,
        "search_q": request.GET.get("q", "") if match and match.url_name == "search" else "",
    }
