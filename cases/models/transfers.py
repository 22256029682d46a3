"""A case handed by one community to another (转交): it waits until the receiving community accepts it or sends
it back. Street-level officials move a case directly and leave no such row (the case's events record the move)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.models import Community, Grid

from .case import Case


class CaseTransfer(models.Model):
    """A community official's hand-over of a case to another community; that community's officials decide."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待接收")
        ACCEPTED = "accepted", _("已接收")
        RETURNED = "returned", _("已退回")
        SUPERSEDED = "superseded", _("已由街道调整")
        WITHDRAWN = "withdrawn", _("已撤回")

    case = models.ForeignKey(Case, verbose_name=_("诉求"), on_delete=models.PROTECT, related_name="transfers")
    from_community = models.ForeignKey(
        Community, verbose_name=_("转出村(居)"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    to_community = models.ForeignKey(
        Community, verbose_name=_("转入村(居)"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    to_grid = models.ForeignKey(
        Grid, verbose_name=_("转入网格"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("转交理由"), max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("转交人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("转交时间"), default=timezone.now)
    decision = models.CharField(_("接收结果"), max_length=12, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.CharField(_("退回理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("诉求转交")
        verbose_name_plural = _("诉求转交")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(decision="pending"), name="transfer_one_pending"),
            models.CheckConstraint(
                condition=~Q(from_community=models.F("to_community")), name="transfer_to_another_community"
            ),
            models.CheckConstraint(
                condition=Q(decision="pending", decided_at__isnull=True)
                | (~Q(decision="pending") & Q(decided_at__isnull=False)),
                name="transfer_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(decision="returned") | ~Q(decision_note=""), name="transfer_return_has_reason"
            ),
        ]
        indexes = [
            # The receiving community's list of hand-overs waiting for it.
            models.Index(
                fields=["to_community", "requested_at"], name="transfer_waiting_idx", condition=Q(decision="pending")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_community_id} {self.get_decision_display()}"
