"""Writes of bulk actions: start a run (in the request for a few rows, a background job beyond), make it row by
row with progress, audited once when it ends (each row is audited by its own service)."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import AuditAction
from ..errors import DomainError, error_message, require, require_permission
from ..jobs.models import JobState
from ..jobs.services import PROGRESS_UPDATES, job_claim, job_fail, job_language, job_language_requested
from ..models import BulkRun, BulkRunRow, User
from ..services import audit_record, outbox_enqueue
from . import BulkAction, get
from .runner import NOT_FOUND, RowResult, rows_run, rows_run_together

logger = logging.getLogger(__name__)

BULK_TASK = "lucun.tasks.bulk_run_execute"
CHUNK = 200
REFUSED = _("您的职务不能办理此批量操作。")


def form_problems(form) -> str:
    """The form's errors as one Chinese text, each field's under its label."""
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        problems += [f"{label}:{error}" if label else str(error) for error in errors]
    return error_message(ValidationError(problems))


def action_input(*, action: BulkAction, user: User, params: dict):
    """Check the action's input with its form for this person; return the checked data or refuse it."""
    form = action.form(params, user=user)
    if not form.is_valid():
        raise DomainError(form_problems(form), code="invalid_input")
    return form.cleaned_data


def selection_ids(*, action: BulkAction, user: User, query: QueryDict, ids: list[int], everything: bool) -> list[int]:
    """The rows a run acts on, in order: every row the page shows with its filters (``everything``), else the
    ticked ``ids`` as given, once each (each is looked up within the person's scope when it runs)."""
    limit = settings.LUCUN_BULK_MAX
    if everything:
        return action.page_ids(user=user, query=query, limit=limit + 1)
    return list(dict.fromkeys(int(pk) for pk in ids))


def bulk_run_start(
    *,
    actor: User,
    action: BulkAction,
    params: dict,
    query: QueryDict | None = None,
    ids: list[int] | None = None,
    everything: bool = False,
) -> BulkRun:
    """Start ``action`` on the ticked rows (``ids``) or on all the page's rows (``everything``, with ``query``).

    Up to LUCUN_BULK_SYNC_MAX rows the run is made before this returns; more are queued for a worker. Refused:
    a person the action is not for (403), input its form rejects, no row, more than LUCUN_BULK_MAX rows.
    """
    require_permission(action.allowed(actor), REFUSED)
    query = query if query is not None else QueryDict()
    action_input(action=action, user=actor, params=params)
    selected = selection_ids(action=action, user=actor, query=query, ids=ids or [], everything=everything)
    require(selected, _("请先勾选要办理的记录,或选择“全部符合条件的记录”。"), code="nothing_selected")
    limit = settings.LUCUN_BULK_MAX
    require(
        len(selected) <= limit,
        _("一次最多批量办理 %(limit)d 条,当前选中 %(count)d 条以上。请增加筛选条件后再试。")
        % {"limit": limit, "count": limit},
        code="too_many",
    )
    if action.together:
        require(
            len(selected) <= settings.LUCUN_BULK_SYNC_MAX,
            _("“%(action)s”一次最多选择 %(limit)d 条。")
            % {"action": action.label, "limit": settings.LUCUN_BULK_SYNC_MAX},
            code="too_many",
        )
    background = len(selected) > settings.LUCUN_BULK_SYNC_MAX
    with transaction.atomic():
        run = BulkRun.objects.create(
            kind=action.kind,
            label=str(action.label),
            query=query.urlencode(),
            params=params,
            ids=selected,
            total=len(selected),
            language=job_language_requested(),
            created_by=actor,
        )
        if background:
            outbox_enqueue(task_name=BULK_TASK, run_id=run.pk)
    if not background:
        run = bulk_run_execute(run_id=run.pk) or run
    return run


def bulk_run_execute(*, run_id: int) -> BulkRun | None:
    """Make the run's action on each of its rows, recording each result and the progress; return the run (None
    if another worker has it).

    Each row is looked up among the rows the person may see on the page now (one query per chunk of rows) and
    goes through the action's service in its own transaction; a row not found is refused, not touched. A row
    already recorded (a run resumed after its worker was lost) is not made again. What each row says is in the
    language the run was asked in.
    """
    run = job_claim(model=BulkRun, job_id=run_id, related=("created_by",))
    if run is None:
        return None
    with job_language(run):
        return _bulk_run_rows(run)


def _bulk_run_rows(run: BulkRun) -> BulkRun:
    try:
        action = get(run.kind)
    except Http404:
        return job_fail(job=run, message=_("这种批量操作已不再提供。"))
    user = run.created_by
    try:
        data = action_input(action=action, user=user, params=run.params)
    except DomainError as exc:
        return job_fail(job=run, message=_("未能办理:%(why)s") % {"why": error_message(exc)})
    recorded = set(run.rows.values_list("object_id", flat=True))
    step = max(run.total // PROGRESS_UPDATES, 1)
    objects: dict[int, object] = {}

    def row(pk: int, *, user: User) -> str:
        obj = objects.get(pk)
        if obj is None:
            raise Http404
        return action.run(obj, user=user, data=data)

    links: dict[int, str] = {}
    positions: dict[int, int] = {}

    def store(_n: int, result: RowResult) -> None:
        position = positions[result.id]
        BulkRunRow.objects.create(
            run=run,
            position=position,
            object_id=result.id,
            label=result.label[:200],
            url=links.get(result.id, "")[:200],
            ok=result.ok,
            message=result.message[:500],
        )
        if position % step == 0 or position == run.total:
            BulkRun.objects.filter(pk=run.pk).update(done=position)

    try:
        ids = [int(pk) for pk in run.ids]
        positions.update({pk: i for i, pk in enumerate(ids, 1)})
        if action.together:  # one piece of work, made whole or refused whole; a resumed run has its results
            if not recorded:
                objects = action.lookup(user=user, ids=ids)
                labels = {pk: str(action.describe(obj)) for pk, obj in objects.items()}
                labels.update({pk: f"#{pk}" for pk in ids if pk not in objects})
                links.update({pk: action.link(obj) for pk, obj in objects.items()})

                def together(pks: list[int], *, user: User) -> str:
                    missing = [pk for pk in pks if pk not in objects]
                    require(not missing, _("所选记录中有 %(n)d 条%(why)s") % {"n": len(missing), "why": NOT_FOUND})
                    return action.run([objects[pk] for pk in pks], user=user, data=data)

                for result in rows_run_together(user=user, ids=ids, run=together, labels=labels):
                    store(positions[result.id], result)
        else:
            for start in range(0, len(ids), CHUNK):
                chunk = [pk for pk in ids[start : start + CHUNK] if pk not in recorded]
                objects = action.lookup(user=user, ids=chunk) if chunk else {}
                labels = {pk: str(action.describe(obj)) for pk, obj in objects.items()}
                labels.update({pk: f"#{pk}" for pk in chunk if pk not in objects})
                links.update({pk: action.link(obj) for pk, obj in objects.items()})
                rows_run(user=user, ids=chunk, row=row, labels=labels, on_result=store)
    except Exception:
        logger.exception("bulk run %s failed", run.pk)
        return job_fail(job=run)
    with transaction.atomic():
        run.refused = run.rows.filter(ok=False).count()
        run.state = JobState.DONE
        run.done = run.total
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "done", "refused", "finished_at"])
        audit_record(
            actor=user,
            action=AuditAction.BULK_RUN,
            obj=run,
            summary=_("批量%(action)s:办理 %(ok)d %(unit)s,未办理 %(refused)d %(unit)s")
            % {"action": run.label, "ok": run.total - run.refused, "refused": run.refused, "unit": action.unit},
            after={"kind": run.kind, "query": run.query, "total": run.total, "refused": run.refused},
        )
    return run


__all__ = ["NOT_FOUND", "bulk_run_execute", "bulk_run_start"]
