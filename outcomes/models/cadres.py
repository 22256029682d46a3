"""Cadres: the red lines and their quarterly warnings, term goals, and the record of adjustments."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.models import Community, ConfigRow, Street

from ..periods import Period

SECRETARY_TITLE = "书记"  # a community cadre whose position title contains it leads the community


class RedLine(ConfigRow):
    """One of the red lines (红线) for community party secretaries; a row, so a street can tune it."""

    class Metric(models.TextChoices):
        SATISFACTION_BELOW = "satisfaction_below", _("群众满意度低于阈值(%)")
        RED_CASES_OVER = "red_cases_over", _("季度内诉求转红次数超过阈值")
        VIOLATIONS_OVER = "violations_over", _("季度内负面清单问题超过阈值")
        COVERAGE_BELOW = "coverage_below", _("季度走访覆盖率低于阈值(%)")
        RECORDED = "recorded", _("由纪工委据实记录")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    metric = models.CharField(_("判定方式"), max_length=30, choices=Metric.choices)
    threshold = models.DecimalField(_("阈值"), max_digits=7, decimal_places=2, default=0)
    min_base = models.PositiveIntegerField(
        _("最少样本"), default=0, help_text=_("比率类红线:回访答复或住户少于此数时不判定。")
    )

    class Meta(ConfigRow.Meta):
        verbose_name = _("红线")
        verbose_name_plural = _("红线")

    @property
    def is_measured(self) -> bool:
        return self.metric != self.Metric.RECORDED


class QuarterlyWarning(models.Model):
    """季度预警: a red line breached by a community's party secretary in one quarter."""

    class Source(models.TextChoices):
        COMPUTED = "computed", _("系统测算")
        RECORDED = "recorded", _("纪工委记录")

    red_line = models.ForeignKey(RedLine, verbose_name=_("红线"), on_delete=models.PROTECT, related_name="warnings")
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("书记"), on_delete=models.PROTECT, related_name="quarterly_warnings"
    )
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    value = models.DecimalField(_("测算值"), max_digits=9, decimal_places=2, null=True, blank=True)
    threshold = models.DecimalField(_("阈值"), max_digits=7, decimal_places=2, null=True, blank=True)
    evidence = models.TextField(_("依据"), max_length=3000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("预警时间"), default=timezone.now)

    class Meta:
        verbose_name = _("季度预警")
        verbose_name_plural = _("季度预警")
        ordering = ["-year", "-quarter", "community_id", "red_line__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["red_line", "cadre", "community", "year", "quarter"], name="warning_once_per_quarter"
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="warning_quarter_valid"),
            models.CheckConstraint(condition=~Q(evidence=""), name="warning_has_evidence"),
        ]
        indexes = [
            models.Index(fields=["community", "year", "quarter"], name="warning_community_idx"),
            models.Index(fields=["cadre", "year", "quarter"], name="warning_cadre_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter} {self.community_id} {self.red_line}"

    @property
    def is_provisional(self) -> bool:
        """Recorded for a quarter not yet complete (only before red lines were judged on whole quarters)."""
        return not Period.quarter(self.year, self.quarter).is_complete()


class RedLineRun(models.Model):
    """One computation of the measured red lines for a street and quarter (the periodic job runs it once)."""

    street = models.ForeignKey(Street, verbose_name=_("街道"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    evaluated_at = models.DateTimeField(_("测算时间"), default=timezone.now)
    warnings = models.PositiveIntegerField(_("新增预警"), default=0)
    figures = models.JSONField(_("测算值"), default=dict, blank=True)

    class Meta:
        verbose_name = _("红线测算")
        verbose_name_plural = _("红线测算")
        ordering = ["-year", "-quarter", "-evaluated_at"]
        indexes = [models.Index(fields=["street", "year", "quarter"], name="redlinerun_quarter_idx")]

    def __str__(self) -> str:
        return f"{self.street_id} {self.year}Q{self.quarter}"


class TermGoal(models.Model):
    """任期目标 of a community's leadership (村两委) for its term."""

    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    term_start = models.PositiveSmallIntegerField(_("任期开始年"))
    term_end = models.PositiveSmallIntegerField(_("任期结束年"))
    title = models.CharField(_("目标"), max_length=100)
    target = models.CharField(_("量化指标"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("任期目标")
        verbose_name_plural = _("任期目标")
        ordering = ["community_id", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gte=models.F("term_start")), name="termgoal_term_order"),
        ]

    def __str__(self) -> str:
        return self.title


class GoalProgress(models.Model):
    """Quarterly progress of a term goal; ``behind`` is the goal's quarterly warning."""

    class Status(models.TextChoices):
        ON_TRACK = "on_track", _("按计划推进")
        BEHIND = "behind", _("进度滞后(预警)")

    goal = models.ForeignKey(TermGoal, verbose_name=_("目标"), on_delete=models.CASCADE, related_name="progress")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    percent = models.PositiveSmallIntegerField(_("完成进度(%)"), validators=[MaxValueValidator(100)])
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    note = models.CharField(_("进展说明"), max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("目标季度进展")
        verbose_name_plural = _("目标季度进展")
        ordering = ["goal_id", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "year", "quarter"], name="goalprogress_once_per_quarter"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="goalprogress_percent_max"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="goalprogress_quarter_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.year}Q{self.quarter} {self.percent}%"

    @property
    def is_provisional(self) -> bool:
        """The quarter is still running: the progress may change and 进度滞后 warns nobody yet."""
        return not Period.quarter(self.year, self.quarter).is_complete()


class GoalReview(models.Model):
    """年度对账: at the year's end each goal is met, partly met or missed, with evidence."""

    class Result(models.TextChoices):
        MET = "met", _("已完成")
        PARTLY = "partly", _("部分完成")
        MISSED = "missed", _("未完成")

    goal = models.ForeignKey(TermGoal, verbose_name=_("目标"), on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("年度"))
    result = models.CharField(_("对账结果"), max_length=10, choices=Result.choices)
    evidence = models.TextField(_("依据"), max_length=3000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("年度对账")
        verbose_name_plural = _("年度对账")
        ordering = ["goal_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "year"], name="goalreview_once_per_year"),
            models.CheckConstraint(condition=~Q(evidence=""), name="goalreview_has_evidence"),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.year} {self.result}"


class CadreAdjustment(models.Model):
    """An adjustment of a community's leadership: replaced (不换脑子就腾位子), withdrew, appointed."""

    class Kind(models.TextChoices):
        REPLACED = "replaced", _("调整撤换")
        WITHDREW = "withdrew", _("退出")
        APPOINTED = "appointed", _("新任")

    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    person_name = models.CharField(_("姓名"), max_length=50)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    position_title = models.CharField(_("职务"), max_length=50, help_text=_("如:村党组织书记、村委会委员。"))
    effective_on = models.DateField(_("日期"))
    reason = models.TextField(_("原因"), max_length=2000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("干部调整")
        verbose_name_plural = _("干部调整")
        ordering = ["-effective_on", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason")]
        indexes = [models.Index(fields=["community", "kind", "effective_on"], name="adjustment_kind_idx")]

    def __str__(self) -> str:
        return f"{self.person_name} · {self.get_kind_display()}"
