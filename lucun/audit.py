"""Audit actions: a fixed vocabulary, each app declaring its own in ``<app>/audit.py``.

An audit row stores a code (``points.claim_reject``); pages and the admin show its Chinese label. lucun imports
no app, so each app registers its ``AuditAction`` here, and ``AuditEvent.action`` takes its choices from this
registry. lucun's AppConfig imports every app's ``audit`` module at start (as the admin does with ``admin.py``),
so the vocabulary is whole before the first request.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

_actions: dict[str, models.TextChoices] = {}


class UnknownAuditAction(ValueError):
    """An audit record named an action no app declared: a mistake in the code, never in a user's input."""


def register(actions: type[models.TextChoices]) -> type[models.TextChoices]:
    """Add an app's actions to the vocabulary (a class decorator); a code means one thing only."""
    for action in actions:
        known = _actions.get(action.value)
        if known is not None and str(known.label) != str(action.label):
            raise ImproperlyConfigured(f"audit action {action.value!r} is declared twice")
        _actions[action.value] = action
    return actions


def action_choices() -> list[tuple[str, str]]:
    """Return every declared action as (code, label), by code: the choices of ``AuditEvent.action``."""
    return [(code, _actions[code].label) for code in sorted(_actions)]


def action_check(code: str) -> str:
    """Return ``code`` if an app declared it; raise UnknownAuditAction otherwise."""
    if code not in _actions:
        raise UnknownAuditAction(f"audit action {code!r} is not declared in any app's audit.py")
    return code


@register
class AuditAction(models.TextChoices):
    LOGIN_LOCK_CLEAR = "lucun.login_lock_clear", _("解除登录锁定")
    JOB_FILES_EXPIRE = "lucun.job_files_expire", _("清理过期的导出与打印文件")
    FILES_UNOWNED_DELETE = "lucun.files_unowned_delete", _("清理无主的上传文件")
    BULK_RUN = "lucun.bulk_run", _("批量操作")
    SMS_NOTICES_SET = "lucun.sms_notices_set", _("更改短信提醒设置")
    HANDOVER_MAKE = "lucun.handover_make", _("工作交接")
    POSITION_END = "lucun.position_end", _("结束职务")
    # A row written before actions were codes whose text matched none of them; the text leads its summary.
    LEGACY = "legacy", _("历史记录")
