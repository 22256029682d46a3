"""What happened and who is told: the audit trail, in-app notifications, their deliveries to other channels, and
the outbox of Celery tasks sent after commit."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import audit
from .base import AppendOnlyModel
from .org import Community


class AuditEvent(AppendOnlyModel):
    """An insert-only record of a change that matters: who, what, when, which object, before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A code of the fixed vocabulary each app declares in its audit.py; shown by its label (get_action_display).
    action = models.CharField(_("操作"), max_length=60, choices=audit.action_choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT, null=True, blank=True
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    changes = models.JSONField(_("变更前后"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created_at"], name="audit_object_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor or '-'} {self.get_action_display()} {self.object_repr}"


class Notification(models.Model):
    """A message in a user's in-app notification centre; other channels are delivered from it."""

    class Level(models.TextChoices):
        INFO = "info", _("通知")
        WARNING = "warning", _("提醒")
        URGENT = "urgent", _("督办")

    # No index of its own: the indexes below lead with the recipient (a sweep inserts thousands of notices,
    # each paying for every index).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, default=Level.INFO)
    # What the message is, for channels that send only some kinds (SMS: the kinds with a template); "" for others.
    kind = models.CharField(_("消息类型"), max_length=30, blank=True, default="", db_default="")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # The same event never notifies the same person twice, even if two workers race to send it.
    dedupe_key = models.CharField(_("去重键"), max_length=120, null=True, blank=True)  # noqa: DJ001 - NULL: no key
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once_per_recipient_and_key"),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"], name="notification_unread_idx", condition=Q(read_at__isnull=True)
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class OutboxMessage(models.Model):
    """A Celery task to send, stored in the same transaction as the change that asked for it.

    The web request never waits on the broker: the message is sent after commit, and a beat job
    resends whatever could not be sent (broker down), so nothing queued is lost.
    """

    task_name = models.CharField(_("任务"), max_length=200)
    kwargs = models.JSONField(_("参数"), default=dict)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # Set while one process is sending the row; a claim older than the lease is taken over (the sender died).
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("待发任务")
        verbose_name_plural = _("待发任务")
        indexes = [
            models.Index(fields=["created_at"], name="outbox_unsent_idx", condition=Q(sent_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.kwargs}"


class NotificationDelivery(models.Model):
    """One notification handed to one external channel (e-mail, webhook, …), so each is handed over once.

    A worker claims the row before it calls the channel (the unique constraint lets one worker win) and
    marks it delivered after; a failure releases the claim, so a retry delivers what is still missing.
    Rows are added and moved forward by ``lucun.services``, never deleted or edited by hand.
    """

    notification = models.ForeignKey(
        Notification, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=100)
    # The run that holds (or last held) the claim: only it may release the claim.
    claim = models.UUIDField(_("认领标识"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("消息送达记录")
        verbose_name_plural = _("消息送达记录")
        ordering = ["-id"]  # newest first, served by the primary key
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="notification_delivery_once_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} → {self.channel}"
