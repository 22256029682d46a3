"""The bulk runner: one callable per row, each row in its own transaction; a refusal is that row's result."""

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ..errors import SAVE_FAILED, error_message

logger = logging.getLogger(__name__)

NOT_FOUND = _("不存在,或不在您的工作范围内。")
DONE = _("已办理。")


@dataclass(frozen=True)
class RowResult:
    id: int
    ok: bool
    message: str
    label: str = ""


def row_run(pk: int, row: Callable[[int], str | None], *, label: str = "") -> RowResult:
    """Run ``row(pk)`` in its own transaction (a savepoint inside another): what it wrote stays if it returns and
    is rolled back if it refuses; its message, or the refusal's, is the row's result.

    A refused rule (``DomainError``, any ``ValidationError``), a refused person (``NotAllowed``, any
    ``PermissionDenied``), a row not found (``Http404``, ``DoesNotExist``) and a failed write are a row's
    refusal; anything else is a fault in the code and goes on.
    """
    try:
        with transaction.atomic():
            message = row(pk)
    except (ValidationError, PermissionDenied) as exc:
        return RowResult(pk, False, error_message(exc), label)
    except (Http404, ObjectDoesNotExist):
        return RowResult(pk, False, str(NOT_FOUND), label)
    except DatabaseError:
        logger.exception("bulk row %s failed to save", pk)
        return RowResult(pk, False, str(SAVE_FAILED), label)
    return RowResult(pk, True, str(message or DONE), label)


def rows_run(
    *,
    user,
    ids: Iterable[int],
    row: Callable[..., str | None],
    labels: Mapping[int, str] | None = None,
    on_result: Callable[[int, RowResult], None] | None = None,
) -> list[RowResult]:
    """Make one action on each of ``ids`` as ``user``: ``row(pk, user=user)`` calls the single action's service
    and returns what the person reads; each row is isolated (``row_run``). Return the results in order.

    ``on_result(position, result)`` runs after each row (1-based), outside the row's transaction: to store the
    result or count the progress. The caller has checked that ``ids`` lie within the person's scope, or ``row``
    looks each up within it.
    """
    labels = labels or {}
    results = []
    for position, pk in enumerate(ids, 1):
        result = row_run(pk, lambda pk: row(pk, user=user), label=labels.get(pk, ""))
        results.append(result)
        if on_result is not None:
            on_result(position, result)
    return results


def rows_run_together(
    *,
    user,
    ids: Iterable[int],
    run: Callable[..., str | None],
    labels: Mapping[int, str] | None = None,
) -> list[RowResult]:
    """Make one action on all of ``ids`` at once as ``user``: ``run(ids, user=user)`` in one transaction, which
    stays whole or is rolled back whole (``row_run``'s rules); every row gets its result, in order."""
    labels = labels or {}
    ids = list(ids)
    outcome = row_run(0, lambda _pk: run(ids, user=user))
    return [RowResult(pk, outcome.ok, outcome.message, labels.get(pk, "")) for pk in ids]
