"""The outcomes app's panel on the case page (cases.panels): the callback of the case's current resolution, or
生成回访 for those who may make it when the periodic job left the case without one."""

from cases.panels import CasePanel

from . import permissions, selectors


def callback(*, user, case) -> dict | None:
    """``{"callback", "can_create"}`` for a resolved (or closed) case; None before it is resolved, and for a person
    who may neither see its callback nor make one."""
    if case.state not in selectors.CALLBACK_CASE_STATES or case.resolved_at is None:
        return None  # decided on the case in hand: an open case's page reads nothing more
    seen = selectors.case_callback(user=user, case=case)
    if seen is not None:
        return {"callback": seen, "can_create": False}
    if (
        permissions.can_create_callback(user, case.community)
        and selectors.cases_without_callback().filter(pk=case.pk).exists()
    ):
        return {"callback": None, "can_create": True}
    return None


PANELS = (CasePanel(key="outcomes.callback", template="outcomes/_case_callback.html", context=callback, order=40),)
