"""擂台比武: recording resident judges' scores."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import require, require_permission
from lucun.models import Community, User
from lucun.services import audit_record

from .. import permissions
from ..audit import AuditAction
from ..models import ContestCriterion, ContestScore, Meeting
from .base import _locked_meeting, _require_open


@transaction.atomic
def contest_score_record(
    *, meeting: Meeting, user: User, community: Community, judge: int, scores: dict[ContestCriterion, int]
) -> list[ContestScore]:
    """Record one resident judge's scores for one community in a contest round (a second entry corrects it)."""
    meeting = _locked_meeting(meeting)
    _require_open(meeting)
    require(meeting.kind == Meeting.Kind.CONTEST, _("只有擂台比武可以评分。"))
    require_permission(permissions.can_manage(user, meeting), _("您不能管理该会议。"))
    require(meeting.starts_at <= timezone.now(), _("擂台比武尚未开始。"))
    require(community.street_id == meeting.street_id, _("该村(居)不属于本街道。"))
    require(1 <= judge <= 999, _("评委编号须在1到999之间。"))
    require(bool(scores), _("请至少填写一项得分。"))
    saved, before = [], {}
    for criterion, score in scores.items():
        require(criterion.is_active, _("评分项“%(name)s”已停用。") % {"name": criterion.display_name})
        require(
            0 <= score <= criterion.max_score,
            _("“%(name)s”的得分须在0到%(max)d之间。") % {"name": criterion.display_name, "max": criterion.max_score},
        )
        existing = ContestScore.objects.filter(
            meeting=meeting, community=community, criterion=criterion, judge=judge
        ).first()
        if existing is not None:
            before[criterion.name] = existing.score
            existing.score, existing.recorded_by, existing.recorded_at = score, user, timezone.now()
            existing.save(update_fields=["score", "recorded_by", "recorded_at"])
            saved.append(existing)
        else:
            saved.append(
                ContestScore.objects.create(
                    meeting=meeting,
                    community=community,
                    criterion=criterion,
                    judge=judge,
                    score=score,
                    recorded_by=user,
                )
            )
    if meeting.held_at is None:
        meeting.held_at = timezone.now()
        meeting.save(update_fields=["held_at"])
    audit_record(
        actor=user,
        action=AuditAction.CONTEST_SCORE_RECORD,
        obj=meeting,
        community=community,
        summary=_("评委 %(judge)d 为 %(community)s 评分") % {"judge": judge, "community": community},
        before=before or None,
        after={c.name: s for c, s in scores.items()},
    )
    return saved
