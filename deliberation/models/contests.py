"""擂台比武: what residents judge (configuration), each resident judge's scores, and the residents' ballots."""

import secrets

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


def new_ballot_token() -> str:
    """Return an opaque random token for one ballot's QR code: 128 bits, never a sequence, so not guessable."""
    return secrets.token_urlsafe(16)


class ContestBallot(models.Model):
    """One printed resident ballot of a contest: a QR code a resident scans to score the communities once.

    Nothing on it identifies a resident: the ballot names the contest only, and it is handed out at random.
    A ballot is used once (``used_at``) or voided in bulk with a reason (``voided_at``), never both.
    """

    meeting = models.ForeignKey(Meeting, verbose_name=_("擂台比武"), on_delete=models.CASCADE, related_name="ballots")
    token = models.CharField(_("选票令牌"), max_length=40, unique=True, default=new_ballot_token, editable=False)
    issued_at = models.DateTimeField(_("发放时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发放人"), on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField(_("投票时间"), null=True, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作废人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("群众评议选票")
        verbose_name_plural = _("群众评议选票")
        ordering = ["meeting_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(voided_at__isnull=True), name="contestballot_used_xor_voided"
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True, voided_by__isnull=True, void_reason="")
                | (Q(voided_at__isnull=False) & ~Q(void_reason="")),
                name="contestballot_void_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["meeting", "used_at"], name="contestballot_round_idx")]

    def __str__(self) -> str:
        return f"{self.meeting_id} #{self.pk}"

    @property
    def state(self) -> str:
        if self.voided_at:
            return "voided"
        return "used" if self.used_at else "unused"


class BallotScore(models.Model):
    """A resident's score for one community on one criterion, cast with one ballot; never changed afterwards."""

    ballot = models.ForeignKey(ContestBallot, verbose_name=_("选票"), on_delete=models.CASCADE, related_name="scores")
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(
        ContestCriterion, verbose_name=_("评分项"), on_delete=models.PROTECT, related_name="ballot_scores"
    )
    score = models.PositiveSmallIntegerField(_("得分"))

    class Meta:
        verbose_name = _("群众评分")
        verbose_name_plural = _("群众评分")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "community", "criterion"], name="ballotscore_once_per_ballot"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id} {self.community_id} {self.criterion_id}: {self.score}"
