"""The states of a case's life, and which of them are open and which run the clock.

Kept apart from the models so that the clock (``cases.clock``), the models and the SQL the database
triggers are made of all read them from one place; ``cases.models`` re-exports them.
"""

import re
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ACCEPTED = "accepted", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    PAUSED = "paused", _("暂停计时")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已归档")
    CANCELLED = "cancelled", _("已撤销")


OPEN_STATES = (CaseState.REGISTERED, CaseState.ACCEPTED, CaseState.IN_PROGRESS, CaseState.PAUSED)
# The clock runs in these states; a paused case keeps its colour until it resumes.
RUNNING_STATES = (CaseState.REGISTERED, CaseState.ACCEPTED, CaseState.IN_PROGRESS)

_CODE = re.compile(r"[a-z_]+")


def sql_list(values: Iterable[str]) -> str:
    """Return ``('a', 'b')`` for SQL written by hand (triggers): enum codes only, so nothing needs quoting."""
    values = [str(v) for v in values]
    if not values or not all(_CODE.fullmatch(v) for v in values):
        raise ValueError(f"not a list of codes: {values!r}")
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"
