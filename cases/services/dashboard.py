"""The dashboard's stored figures: asking a worker to recompute a stale copy."""

from lucun.cache import cache_add
from lucun.models import User
from lucun.services import outbox_enqueue


def dashboard_refresh_request(*, user: User, key: str, query: str) -> bool:
    """Ask a worker to recompute a stale stored copy of the dashboard's figures on resolved cases.

    One request per copy every few minutes, however many screens show it; ``query`` is the page's
    filter string, which the worker reads with the same form. Returns whether a refresh was queued.
    """
    from ..selectors.case import refresh_flag

    if not cache_add(refresh_flag(key), 1, timeout=300):
        return False
    outbox_enqueue(task_name="cases.tasks.dashboard_resolved_refresh", user_id=user.pk, query=query)
    return True
