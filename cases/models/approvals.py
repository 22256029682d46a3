"""Requests a supervisor decides on: more time for a case (延期), or sending it back (退回)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .case import Case


class ExtensionRequest(models.Model):
    """A handler's request for more time; a supervisor approves or refuses; at most one per case is approved."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("已驳回")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    extra_time = models.DurationField(_("申请延长"))
    reason = models.TextField(_("理由"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(_("审批结果"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="extension_one_pending_per_case"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="approved"), name="extension_at_most_one_approved"
            ),
            models.CheckConstraint(condition=Q(extra_time__gt=timedelta(0)), name="extension_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.extra_time}"


class ReturnRequest(models.Model):
    """A handler's request to send a case back (退回); needs approval so cases don't bounce between offices."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="return_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("理由"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(
        _("审批结果"),
        max_length=10,
        choices=ExtensionRequest.Decision.choices,
        default=ExtensionRequest.Decision.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("退回申请")
        verbose_name_plural = _("退回申请")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="return_one_pending_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_decision_display()}"
