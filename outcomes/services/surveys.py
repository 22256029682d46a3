"""Household satisfaction surveys: a supervisor draws a random sample per community, the teams ask."""

import random
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import require, require_permission
from lucun.models import Community, Street, User
from lucun.services import audit_record
from visits.models import Household
from visits.selectors import covering_teams

from .. import permissions
from ..audit import AuditAction
from ..models import ContactMethod, Satisfaction, SurveyRound, SurveySample

MAX_SAMPLE = 500


@transaction.atomic
def survey_start(
    *,
    user: User,
    street: Street,
    title: str,
    sample_size: int,
    closes_on: date,
    communities: list[Community] | None = None,
    rng: random.Random | None = None,
) -> SurveyRound:
    """Start a survey round: draw ``sample_size`` households at random in each community (all if fewer).

    Each sampled household goes to the visit team that covers its community while the round runs (the
    rotation, ``visits.selectors.covering_teams``); its members ask and record the answers.
    """
    require_permission(permissions.can_supervise(user), _("只有纪工委或街道班子成员可以发起满意度调查。"))
    require(bool(title and title.strip()), _("请填写调查名称。"))
    require(1 <= sample_size <= MAX_SAMPLE, _("每个村(居)抽样户数须在 1 到 %(max)d 之间。") % {"max": MAX_SAMPLE})
    require(closes_on >= timezone.localdate(), _("截止日期不能早于今天。"))
    targets = Community.objects.filter(street=street)
    if communities is not None:
        targets = targets.filter(pk__in=[c.pk for c in communities])
    require(targets.exists(), _("请选择至少一个村(居)。"))
    rng = rng or random.SystemRandom()
    by_community: dict[int, list[int]] = {}
    for community_id, household_id in (
        Household.objects.filter(community__in=targets).order_by("community_id", "pk").values_list("community_id", "pk")
    ):
        by_community.setdefault(community_id, []).append(household_id)
    require(bool(by_community), _("所选村(居)还没有住户档案,无法抽样。"))
    survey = SurveyRound.objects.create(
        street=street, title=title.strip(), sample_size=sample_size, closes_on=closes_on, started_by=user
    )
    teams = covering_teams(communities=targets, start=timezone.localdate(), end=closes_on)
    samples = []
    for community_id, households in by_community.items():
        picked = households if len(households) <= sample_size else rng.sample(households, sample_size)
        samples += [
            SurveySample(survey=survey, household_id=h, community_id=community_id, team_id=teams.get(community_id))
            for h in picked
        ]
    SurveySample.objects.bulk_create(samples, batch_size=2000)
    audit_record(actor=user, action=AuditAction.SURVEY_START, obj=survey, summary=f"{survey.title} · {len(samples)} 户")
    return survey


@transaction.atomic
def survey_answer(
    *, user: User, sample: SurveySample, contacted: bool, method: str, satisfaction: str = "", note: str = ""
) -> SurveySample:
    """Record a sampled household's answer (or that nobody could be reached); once, while the round is open,
    by a member of the team the household was assigned to (or the supervisor, or a street leader)."""
    # Lock the sample row only: its team may be empty, and PostgreSQL locks no row on an outer join.
    sample = (
        SurveySample.objects.select_for_update(of=("self",))
        .select_related("survey", "community", "team")
        .get(pk=sample.pk)
    )
    require(sample.survey.closed_at is None, _("该调查已结束。"))
    require_permission(permissions.can_record_survey(user, sample.community), _("您的职务不能记录该村(居)的调查。"))
    require_permission(
        permissions.can_answer_sample(user, sample),
        _("该户由“%(team)s”入户调查,只有该队队员或纪工委、街道班子成员可以记录。")
        % {"team": sample.team.name if sample.team else ""},
    )
    require(sample.answered_at is None, _("该户已记录,不能修改。"))
    require(method in ContactMethod.values, _("请选择调查形式。"))
    if contacted:
        require(satisfaction in Satisfaction.values, _("请选择满意度。"))
    sample.contacted = bool(contacted)
    sample.satisfaction = satisfaction if contacted else ""
    sample.method = method
    sample.note = (note or "").strip()[:500]
    sample.recorded_by = user
    sample.answered_at = timezone.now()
    sample.save(update_fields=["contacted", "satisfaction", "method", "note", "recorded_by", "answered_at"])
    return sample


@transaction.atomic
def survey_close(*, user: User, survey: SurveyRound) -> SurveyRound:
    require_permission(permissions.can_supervise(user), _("只有纪工委或街道班子成员可以结束调查。"))
    require(survey.closed_at is None, _("该调查已结束。"))
    survey.closed_at = timezone.now()
    survey.save(update_fields=["closed_at"])
    audit_record(actor=user, action=AuditAction.SURVEY_CLOSE, obj=survey)
    return survey
