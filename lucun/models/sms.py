"""Text messages to a phone (短信): one row per message, the SMS channel's own outbox.

A row is stored in the transaction that asked for it and sent by ``lucun.notify.services``: claimed before the
provider is called, marked sent after, released with a later ``not_before`` when the provider is down, in quiet
hours, or when the number had its share this hour. So nothing is lost and nothing is sent twice.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SmsMessage(models.Model):
    class Kind(models.TextChoices):
        RED_NOTICE = "red_notice", _("超期督办")
        APPROVAL_REQUEST = "approval_request", _("审批提醒")
        CASE_RESOLVED = "case_resolved", _("办结告知")

    phone = models.CharField(_("手机号"), max_length=20)
    kind = models.CharField(_("短信类型"), max_length=30, choices=Kind.choices)
    # The template's variables, e.g. {"code": "ABCD2345"}; the text itself is the provider's approved template.
    params = models.JSONField(_("模板参数"), default=dict)
    # What the message is about ("notification:12", "feedback-resolved:7"): the same thing is texted once.
    dedupe_key = models.CharField(_("去重键"), max_length=120)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    not_before = models.DateTimeField(_("最早发送时间"), default=timezone.now)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("调用次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    provider_id = models.CharField(_("服务商回执编号"), max_length=100, blank=True)
    dropped_at = models.DateTimeField(_("放弃时间"), null=True, blank=True)
    drop_reason = models.CharField(_("放弃原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("短信")
        verbose_name_plural = _("短信")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], name="smsmessage_once_per_key"),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(dropped_at__isnull=True), name="smsmessage_sent_or_dropped"
            ),
            models.CheckConstraint(
                condition=Q(dropped_at__isnull=True) | ~Q(drop_reason=""), name="smsmessage_drop_has_reason"
            ),
        ]
        indexes = [
            models.Index(
                fields=["not_before"],
                name="smsmessage_due_idx",
                condition=Q(sent_at__isnull=True, dropped_at__isnull=True),
            ),
            # The rate limit counts a number's messages of the last hour.
            models.Index(fields=["phone", "sent_at"], name="smsmessage_phone_idx", condition=Q(sent_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.phone[:3]}****{self.phone[-4:]}"
