"""擂台比武's resident ballots: staff issue printed ballots (one QR code each), a resident scores the communities
once with one, staff void the unused ones in bulk; and the weight residents' scores carry in the ranking.

A ballot names the contest only, never a resident. Its submission locks the ballot row, so a ballot scanned
twice at once counts once and the second submission is refused with a message.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import require, require_permission
from lucun.models import Community, User
from lucun.services import audit_record
from lucun.text import listed

from .. import permissions
from ..audit import AuditAction
from ..models import BallotScore, ContestBallot, ContestCriterion, Meeting
from ..selectors.meetings import contest_communities
from .base import _locked_meeting, _require_open

MAX_BALLOTS_PER_ISSUE = 2000


def _require_contest_manager(meeting: Meeting, user: User) -> None:
    require(meeting.kind == Meeting.Kind.CONTEST, _("只有擂台比武可以发放群众评议选票。"))
    require_permission(permissions.can_manage(user, meeting), _("您不能管理该会议。"))


@transaction.atomic
def contest_weight_set(*, meeting: Meeting, user: User, resident_weight: int) -> Meeting:
    """Set how much (percent) residents' ballots weigh in the contest's ranking; judges' scores weigh the rest."""
    meeting = _locked_meeting(meeting)
    _require_open(meeting)
    _require_contest_manager(meeting, user)
    require(0 <= resident_weight <= 100, _("群众评分权重须在0到100之间。"))
    before = meeting.resident_weight
    if before == resident_weight:
        return meeting
    meeting.resident_weight = resident_weight
    meeting.save(update_fields=["resident_weight"])
    audit_record(
        actor=user,
        action=AuditAction.CONTEST_WEIGHT_SET,
        obj=meeting,
        summary=_("群众评分权重 %(before)d%% → %(after)d%%") % {"before": before, "after": resident_weight},
        before={"resident_weight": before},
        after={"resident_weight": resident_weight},
    )
    return meeting


@transaction.atomic
def contest_ballots_issue(*, meeting: Meeting, user: User, count: int) -> list[ContestBallot]:
    """Issue ``count`` fresh ballots for a contest, each with its own random token, to be printed as QR codes."""
    meeting = _locked_meeting(meeting)
    _require_open(meeting)
    _require_contest_manager(meeting, user)
    require(
        1 <= count <= MAX_BALLOTS_PER_ISSUE,
        _("每次发放的选票张数须在1到%(max)d之间。") % {"max": MAX_BALLOTS_PER_ISSUE},
    )
    now = timezone.now()
    ballots = ContestBallot.objects.bulk_create(
        [ContestBallot(meeting=meeting, issued_by=user, issued_at=now) for _n in range(count)]
    )
    if not all(b.pk for b in ballots):  # SQLite before 3.35 returns no ids from a bulk insert
        ballots = list(ContestBallot.objects.filter(meeting=meeting, issued_at=now).order_by("pk"))
    audit_record(
        actor=user,
        action=AuditAction.CONTEST_BALLOTS_ISSUE,
        obj=meeting,
        summary=_("发放群众评议选票 %(n)d 张") % {"n": count},
        after={"count": count, "first": ballots[0].pk, "last": ballots[-1].pk},
    )
    return ballots


def contest_ballot_submit(*, token: str, scores: dict[tuple[Community, ContestCriterion], int]) -> ContestBallot:
    """Record one resident's scores with one ballot, once: ``scores`` maps (community, criterion) to a score.

    A community a resident scores is scored on every active criterion; the others may be left out (a resident
    may not know them all). The ballot row is locked first, so a second submission, even at the same instant,
    finds it used and is refused.
    """
    with transaction.atomic():
        ballot = (
            ContestBallot.objects.select_for_update(of=("self",)).select_related("meeting").filter(token=token).first()
        )
        require(ballot is not None, _("找不到这张选票,请核对二维码。"), code="unknown_ballot")
        require(ballot.voided_at is None, _("这张选票已作废,不能再评分。"), code="ballot_voided")
        require(ballot.used_at is None, _("这张选票已经评过分了,每张选票只能提交一次。"), code="ballot_used")
        meeting = ballot.meeting
        require(meeting.cancelled_at is None, _("该擂台比武已取消。"))
        require(meeting.starts_at <= timezone.now(), _("擂台比武尚未开始,开始后再扫码评分。"))
        communities = {c.pk for c in contest_communities(meeting=meeting)}
        criteria = list(ContestCriterion.objects.active())
        require(bool(scores), _("请至少为一个村(居)评分。"))
        scored: dict[int, dict[int, int]] = {}
        names = {}
        for (community, criterion), score in scores.items():
            require(community.pk in communities, _("该村(居)不在本期擂台比武中。"))
            require(criterion.is_active, _("评分项“%(name)s”已停用。") % {"name": criterion.name})
            require(
                0 <= score <= criterion.max_score,
                _("“%(name)s”的得分须在0到%(max)d之间。") % {"name": criterion.name, "max": criterion.max_score},
            )
            scored.setdefault(community.pk, {})[criterion.pk] = score
            names[community.pk] = community.name
        for community_id, per in scored.items():
            missing = [c.name for c in criteria if c.pk not in per]
            require(
                not missing,
                _("请为%(community)s的每一项评分(还差:%(missing)s)。")
                % {"community": names[community_id], "missing": listed(missing)},
            )
        BallotScore.objects.bulk_create(
            [
                BallotScore(ballot=ballot, community_id=community_id, criterion_id=criterion_id, score=score)
                for community_id, per in scored.items()
                for criterion_id, score in per.items()
            ]
        )
        ballot.used_at = timezone.now()
        ballot.save(update_fields=["used_at"])
        audit_record(
            actor=None,
            action=AuditAction.CONTEST_BALLOT_SUBMIT,
            obj=meeting,
            summary=_("群众扫码评分:%(n)d 个村(居)") % {"n": len(scored)},
            after={"communities": len(scored)},
        )
    return ballot


@transaction.atomic
def contest_ballots_void(*, meeting: Meeting, user: User, reason: str, ballot_ids: list[int] | None = None) -> int:
    """Void the contest's unused ballots (all of them, or those of ``ballot_ids``) with a reason; return how many.

    Used ballots keep their scores: a counted vote is never taken back. Ballots already voided are left alone.
    """
    meeting = _locked_meeting(meeting)
    _require_contest_manager(meeting, user)
    reason = (reason or "").strip()
    require(bool(reason) and len(reason) <= 200, _("请填写作废原因(不超过200个字)。"))
    ballots = ContestBallot.objects.filter(meeting=meeting, used_at__isnull=True, voided_at__isnull=True)
    if ballot_ids is not None:
        ballots = ballots.filter(pk__in=ballot_ids)
    ids = list(ballots.select_for_update().order_by("pk").values_list("pk", flat=True))
    require(bool(ids), _("没有可以作废的未使用选票。"))
    voided = ContestBallot.objects.filter(pk__in=ids, used_at__isnull=True, voided_at__isnull=True).update(
        voided_at=timezone.now(), voided_by=user, void_reason=reason
    )
    audit_record(
        actor=user,
        action=AuditAction.CONTEST_BALLOTS_VOID,
        obj=meeting,
        summary=_("作废群众评议选票 %(n)d 张:%(reason)s") % {"n": voided, "reason": reason},
        after={"count": voided, "first": ids[0], "last": ids[-1], "reason": reason},
    )
    return voided
