from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.db import transaction
from django.db.models import QuerySet

from lucun.audit import AuditAction
from lucun.models import User
from lucun.services import audit_record


def login_lock_clear(*, actor: User, attempts: QuerySet[AccessAttempt]) -> int:
    """Delete these sign-in failure records, which lifts the locks they make; return how many were deleted."""
    with transaction.atomic():
        names = sorted({name for name in attempts.values_list("username", flat=True) if name})
        _total, per_model = attempts.delete()
        count = per_model.get(AccessAttempt._meta.label, 0)
        if count:
            audit_record(
                actor=actor,
                action=AuditAction.LOGIN_LOCK_CLEAR,
                summary=f"删除 {count} 条登录失败记录:{'、'.join(names) or '(无用户名)'}",
                after={"usernames": names, "records": count},
            )
    return count


def login_log_prune(*, older_than_days: int) -> int:
    """Delete the sign-in records (who signed in, from where, with what browser) older than this many days.

    django-axes writes one per successful sign-in and keeps them forever; the beat job keeps a window instead
    (LUCUN_LOGIN_LOG_DAYS). Failure logs, when turned on in settings, go the same way. Return how many were deleted.
    """
    handler = AxesProxyHandler.get_implementation()
    return handler.reset_logs(age_days=older_than_days) + handler.reset_failure_logs(age_days=older_than_days)
