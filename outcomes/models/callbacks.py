"""回访: one callback per resolution of a case, and the household satisfaction surveys."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.models import Community, ConfigRow, Role, Street


class Satisfaction(models.TextChoices):
    # The same codes as cases.Feedback.Satisfaction, so that both kinds of answer add up in one query.
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话回访")
    VISIT = "visit", _("上门回访")


class CallbackPool(ConfigRow):
    """Who calls residents back (回访人员库): a group of officials independent of the cases they check.

    A callback is never made by the case's handler or first responder: it goes to someone of the pool, the
    active rows taken together — the holders of a role covering the case's community (the supervisors, 纪工委),
    or the members of a visit team other than the one whose visit raised the case. Only officials who may
    record callbacks in the community (``outcomes.permissions.CALLBACK_ROLES``) are ever chosen from a row.
    """

    class Kind(models.TextChoices):
        ROLE = "role", _("某一职务的人员")
        OTHER_TEAM = "other_team", _("其他走访队伍的队员")

    kind = models.CharField(_("人员来源"), max_length=20, choices=Kind.choices)
    role = models.CharField(
        _("职务类别"),
        max_length=30,
        choices=Role.choices,
        blank=True,
        help_text=_("人员来源为“某一职务的人员”时必填:该职务覆盖诉求所在村(居)的在岗人员。"),
    )

    class Meta(ConfigRow.Meta):
        verbose_name = _("回访人员库")
        verbose_name_plural = _("回访人员库")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="role") | ~Q(role=""),
                name="callbackpool_role_named",
            ),
        ]


class Callback(models.Model):
    """The callback (回访) after one resolution of a case.

    A case reopened and resolved again gets a new callback: ``round`` is the case's reopen count at
    the resolution. For an anonymous sender the answer given with the lookup code on the status page
    is the callback (``mode`` anonymous): it is read from cases.Feedback, never copied here.
    """

    class Mode(models.TextChoices):
        STAFF = "staff", _("干部回访")
        ANONYMOUS = "anonymous", _("匿名群众自评")

    case = models.ForeignKey("cases.Case", verbose_name=_("诉求"), on_delete=models.PROTECT, related_name="callbacks")
    round = models.PositiveSmallIntegerField(_("办结轮次"), help_text=_("0 为首次办结,发回重办后再次办结依次加一。"))
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("回访方式"), max_length=10, choices=Mode.choices, default=Mode.STAFF)
    resolved_at = models.DateTimeField(_("办结时间"))
    team = models.ForeignKey(
        "visits.VisitTeam",
        verbose_name=_("走访队伍"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("提出该诉求的走访队伍,否则为该村(居)最近轮换的队伍;用于按队伍统计,回访由其他人进行。"),
    )
    # Never the case's handler or first responder (outcomes.services.callback_assign): nobody checks their own work.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访责任人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    office = models.CharField(_("承办单位"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    attempts = models.PositiveSmallIntegerField(_("未联系上次数"), default=0)
    contacted = models.BooleanField(_("联系上"), null=True, blank=True)
    solved = models.BooleanField(_("问题已解决"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices, blank=True)
    method = models.CharField(_("回访形式"), max_length=10, choices=ContactMethod.choices, blank=True)
    note = models.TextField(_("回访记录"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    reopened = models.BooleanField(_("已发回重办"), default=False)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["-resolved_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="callback_once_per_resolution"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, solved__isnull=True, satisfaction="")
                | (Q(answered_at__isnull=False, contacted=True, solved__isnull=False) & ~Q(satisfaction="")),
                name="callback_answer_complete",
            ),
            models.CheckConstraint(
                condition=Q(mode="staff") | Q(answered_at__isnull=True, recorded_by__isnull=True),
                name="callback_anonymous_not_recorded",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "answered_at"], name="callback_community_idx"),
            models.Index(fields=["answered_at"], name="callback_answered_idx", condition=Q(answered_at__isnull=False)),
            models.Index(
                fields=["community", "created_at"],
                name="callback_pending_idx",
                condition=Q(answered_at__isnull=True, mode="staff"),
            ),
            models.Index(fields=["team", "answered_at"], name="callback_team_idx"),
        ]

    def __str__(self) -> str:
        return _("回访 · %(case)s · 第%(round)s轮") % {"case": self.case_id, "round": self.round + 1}

    def get_absolute_url(self) -> str:
        return reverse("outcomes:callback_detail", args=[self.pk])

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class SurveyRound(models.Model):
    """A household satisfaction survey (满意度调查): a random sample of households per community."""

    street = models.ForeignKey(Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("名称"), max_length=100)
    sample_size = models.PositiveSmallIntegerField(_("每个村(居)抽样户数"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    closes_on = models.DateField(_("截止日期"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(sample_size__gte=1), name="surveyround_sample_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("outcomes:survey_detail", args=[self.pk])


class SurveySample(models.Model):
    """One sampled household of a survey round and, once the visit team has asked, its answer."""

    survey = models.ForeignKey(SurveyRound, verbose_name=_("调查"), on_delete=models.CASCADE, related_name="samples")
    household = models.ForeignKey(
        "visits.Household", verbose_name=_("住户"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    # The visit team that covers the household's community while the round runs: its members ask.
    team = models.ForeignKey(
        "visits.VisitTeam",
        verbose_name=_("调查队伍"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("抽样时按走访安排分派;为空表示该村(居)没有走访队伍,由所辖干部调查。"),
    )
    contacted = models.BooleanField(_("联系上"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices, blank=True)
    method = models.CharField(_("调查形式"), max_length=10, choices=ContactMethod.choices, blank=True)
    note = models.CharField(_("意见"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("记录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调查样本")
        verbose_name_plural = _("调查样本")
        ordering = ["survey_id", "community_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "household"], name="surveysample_once_per_household"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, contacted__isnull=True, satisfaction="")
                | Q(answered_at__isnull=False, contacted=False, satisfaction="")
                | (Q(answered_at__isnull=False, contacted=True) & ~Q(satisfaction="")),
                name="surveysample_answer_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["survey", "community"], name="surveysample_community_idx"),
            models.Index(fields=["team", "answered_at"], name="surveysample_team_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.household_id}"
