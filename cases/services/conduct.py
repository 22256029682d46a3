"""Conduct violations of the negative list (负面清单), recorded by supervisors for the notice list."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import require, require_permission
from lucun.models import Community, User
from lucun.services import audit_record

from .. import permissions
from ..audit import AuditAction
from ..models import Case, ConductKind, ConductViolation


@transaction.atomic
def conduct_violation_record(
    *,
    user: User,
    official: User,
    kind: ConductKind,
    community: Community,
    occurred_on: date,
    note: str,
    case: Case | None = None,
) -> ConductViolation:
    """Record a violation of the negative list (负面清单); it goes on the notice list (发现一起通报一起)."""
    from lucun.scoping import has_role

    require_permission(
        has_role(user, permissions.SUPERVISE_ROLES, community), _("只有督办人员或街道班子成员可以记录作风问题。")
    )
    require(case is None or case.community_id == community.pk, _("相关诉求不属于该村(居)。"))
    require(occurred_on <= timezone.localdate(), _("发生日期不能晚于今天。"))
    require(bool(note and note.strip()), _("请填写情况说明。"))
    violation = ConductViolation.objects.create(
        official=official,
        kind=kind,
        community=community,
        case=case,
        occurred_on=occurred_on,
        note=note.strip(),
        recorded_by=user,
    )
    audit_record(
        actor=user,
        action=AuditAction.CONDUCT_VIOLATION_RECORD,
        obj=violation,
        community=community,
        summary=f"{official} · {kind}",
    )
    return violation
