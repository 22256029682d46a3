"""Bulk actions: one action on many rows of a list page (assign, accept, mark spam …), each row through the same
service as the single action, in its own transaction, with a result per row.

The runner (``runner.rows_run``) takes the row ids, a per-row callable and the acting person, and knows nothing
of what a row is: a refusal of one row (any ``DomainError``, ``NotAllowed`` too) is that row's result and does not
undo the others. On top of it an app registers, in its ``AppConfig.ready()``, a ``BulkAction`` per action of a
list page: how to read the page's rows with its filters and scope (for "all N matching"), every row of the page
the person may see (to intersect the ticked ids with: an id from the client is never trusted beyond that), the
form of the action's input and what one row does. A run (``lucun.models.BulkRun``) is made in the request up to
``LUCUN_BULK_SYNC_MAX`` rows and by a Celery task with progress beyond (``lucun.jobs``); either way its page
lists each row's result. lucun imports no app: it knows the actions only through this registry.

An action whose rows are one piece of work (合并立案: several messages become one case) is ``together``: its
``run`` gets all the ticked rows at once, in one transaction, and every row has the same result: all done, or all
refused with the reason, nothing written.

A row is named by one positive integer. Most pages list one model and a row's id is its primary key; a page whose
rows are of several models (the approvals inbox: extension and return requests) encodes each row in one integer
and gives the action ``select`` and ``pick`` to read and find its rows instead of ``rows().values_list("pk")`` and
``scope().filter(pk__in=...)``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise

from ..registry import Registry


class ActionForm(forms.Form):
    """The input of a bulk action: a form made for the person acting (``user``), kept as ``self.user`` for the
    forms whose choices or checks depend on who acts."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class NoInput(ActionForm):
    """The input of an action that needs none (签收)."""


def _everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class BulkAction:
    """One action a list page offers on many rows.

    ``rows(user=..., query=QueryDict)`` returns the page's rows in its order, built by the page's own filter form
    and selector (``PermissionDenied`` where the page is refused); ``scope(user=...)`` every row of that page the
    person may see whatever the filters; ``form(data, user=...)`` the form of the action's input (it checks
    shape; its ``cleaned_data`` goes to ``run``); ``run(obj, user=..., data=...)`` makes the action on one row by
    calling the single action's service and returns what the person reads (``DomainError`` to refuse).

    ``together``: ``run(objs, user=..., data=...)`` takes the list of all the ticked rows (in the ticked order) and
    makes the action on them in one transaction; such an action takes at most ``LUCUN_BULK_SYNC_MAX`` rows.

    Rows of several models: ``select(user=..., query=..., limit=n)`` returns the ids of the page's first ``n``
    rows in its order, and ``pick(user=..., ids=[...])`` the rows of those ids the person may see, by id
    (``scope`` is then not used).
    """

    kind: str  # "cases.case_assign": the key stored on a run and used in the addresses
    label: Promise  # the button on the list: 指派承办人
    page: str  # the URL name of the list page, for the way back
    unit: Promise  # what a row is counted in: 件, 条
    rows: Callable[..., Any]
    scope: Callable[..., Any] | None
    run: Callable[..., str]
    form: Callable[..., forms.Form] = NoInput
    describe: Callable[[Any], str] = str  # the row as the results list names it: a case's number and title
    link: Callable[[Any], str] = lambda obj: obj.get_absolute_url()
    allowed: Callable[[Any], bool] = _everyone  # may the person make this action at all (403 otherwise)
    help: Promise | str = ""  # one line on the confirmation page: what happens to each row
    danger: bool = False
    together: bool = False
    select: Callable[..., Any] | None = None
    pick: Callable[..., dict[int, Any]] | None = None

    def page_ids(self, *, user, query, limit: int) -> list[int]:
        """The ids of the page's first ``limit`` rows with its filters, in its order."""
        if self.select is not None:
            return list(self.select(user=user, query=query, limit=limit))
        return list(self.rows(user=user, query=query).values_list("pk", flat=True)[:limit])

    def lookup(self, *, user, ids) -> dict[int, Any]:
        """The rows of ``ids`` the person may see, by id (one query per chunk of ids)."""
        if self.pick is not None:
            return self.pick(user=user, ids=list(ids))
        return self.scope(user=user).filter(pk__in=ids).in_bulk()


_registry: Registry[BulkAction] = Registry(key="kind")
register = _registry.register
registered = _registry.registered
get = _registry.get  # an unknown kind is not found


def for_page(page: str, user) -> list[BulkAction]:
    """The actions a list page offers this person, in the order registered."""
    return [action for action in registered() if action.page == page and action.allowed(user)]
