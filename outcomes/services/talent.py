"""The talent reserve (后备人才库): records found on visits or entered directly, moved along a pipeline."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import DomainError, require, require_permission
from lucun.models import Community, User
from lucun.services import audit_record
from visits.models import VisitLog

from .. import permissions
from ..audit import AuditAction
from ..models import TalentRecord, TalentStep

Stage = TalentRecord.Stage


@transaction.atomic
def talent_create(
    *,
    user: User,
    community: Community,
    name: str,
    kind: str,
    phone: str = "",
    birth_year: int | None = None,
    working_in: str = "",
    strengths: str = "",
    note: str = "",
    owner: User | None = None,
    visit_log: VisitLog | None = None,
) -> TalentRecord:
    """Add a person to the reserve; from a visit, the visit log is linked (and must be of the same community)."""
    require_permission(permissions.can_keep_talent(user, community), _("您的职务不能登记该村(居)的后备人才。"))
    require(bool(name and name.strip()), _("请填写姓名。"))
    require(kind in TalentRecord.Kind.values, _("请选择人才类别。"))
    require(visit_log is None or visit_log.community_id == community.pk, _("所选走访记录不属于该村(居)。"))
    record = TalentRecord(
        community=community,
        name=name.strip(),
        kind=kind,
        phone=(phone or "").strip(),
        birth_year=birth_year,
        working_in=working_in.strip(),
        strengths=strengths.strip(),
        note=note.strip(),
        owner=owner or user,
        visit_log=visit_log,
        created_by=user,
    )
    record.full_clean(exclude=["community", "owner", "visit_log", "created_by"], validate_unique=False)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise DomainError(_("该村(居)已登记过同名同电话的人才。")) from exc
    # The first step is the registration: it has no stage before it, and the page names it in the reader's language.
    TalentStep.objects.create(record=record, stage_to=record.stage, by=user)
    audit_record(
        actor=user, action=AuditAction.TALENT_CREATE, obj=record, community=community, summary=record.get_kind_display()
    )
    return record


@transaction.atomic
def talent_advance(
    *, user: User, record: TalentRecord, stage: str, note: str = "", owner: User | None = None
) -> TalentRecord:
    """Move a record forward in the pipeline (identified → contacted → returned / reserve secretary / committee)."""
    record = TalentRecord.objects.select_for_update().select_related("community").get(pk=record.pk)
    require_permission(permissions.can_keep_talent(user, record.community), _("您的职务不能维护该村(居)的后备人才。"))
    require(stage in Stage.values, _("请选择进展。"))
    order = TalentRecord.STAGE_ORDER
    require(order.index(stage) > order.index(record.stage), _("进展只能向前推进。"))
    before = record.stage
    record.stage = stage
    record.stage_changed_at = timezone.now()
    fields = ["stage", "stage_changed_at"]
    if owner is not None:
        record.owner = owner
        fields.append("owner")
    record.save(update_fields=fields)
    TalentStep.objects.create(
        record=record, stage_from=before, stage_to=stage, note=(note or "").strip()[:500], by=user
    )
    audit_record(
        actor=user,
        action=AuditAction.TALENT_ADVANCE,
        obj=record,
        community=record.community,
        before={"stage": before},
        after={"stage": stage},
    )
    return record
