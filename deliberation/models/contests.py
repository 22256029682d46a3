"""擂台比武: what residents judge (configuration) and each resident judge's scores."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.models import Community, ConfigRow

from .meetings import Meeting


class ContestCriterion(ConfigRow):
    """One thing residents judge in a 擂台比武, with its maximum score; configuration."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    max_score = models.PositiveSmallIntegerField(
        _("满分"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta(ConfigRow.Meta):
        verbose_name = _("擂台比武评分项")
        verbose_name_plural = _("擂台比武评分项")
        constraints = [
            models.CheckConstraint(condition=Q(max_score__gte=1, max_score__lte=100), name="criterion_max_in_range"),
        ]


class ContestScore(models.Model):
    """One resident judge's score for one community on one criterion in one contest round."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("擂台比武"), on_delete=models.CASCADE, related_name="scores")
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(
        ContestCriterion, verbose_name=_("评分项"), on_delete=models.PROTECT, related_name="scores"
    )
    judge = models.PositiveSmallIntegerField(_("评委编号"), validators=[MinValueValidator(1)])
    score = models.PositiveSmallIntegerField(_("得分"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("擂台比武评分")
        verbose_name_plural = _("擂台比武评分")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "community", "criterion", "judge"], name="contestscore_once_per_judge"
            ),
            models.CheckConstraint(condition=Q(judge__gte=1), name="contestscore_judge_positive"),
        ]
        indexes = [models.Index(fields=["meeting", "community"], name="contestscore_round_idx")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.community_id} {self.criterion_id} #{self.judge}: {self.score}"
