"""Reads for the printed case sheets (民情诉求办理单)."""

from django.db.models import Prefetch, QuerySet

from lucun.models import User

from ..models import Case, CaseEvent
from .case import case_list


def case_sheets(*, user: User, filters: dict | None = None, numbers: list[str] | None = None) -> QuerySet[Case]:
    """Return the cases to print as case sheets, with what a sheet shows loaded (two queries, whatever the number).

    With ``numbers``, those cases (the ones ticked on the list) among all the user may see; otherwise the case
    list's filtered cases, in its order.
    """
    queryset = case_list(user=user, filters={"state": "all"} if numbers else filters)
    if numbers:
        queryset = queryset.filter(number__in=numbers)
    return queryset.select_related("grid", "community__street").prefetch_related(
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "pk"))
    )
