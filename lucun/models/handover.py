"""Hand-overs (工作交接): when an official leaves or changes post, what they held passes to a named successor."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import AppendOnlyModel
from .org import Community, Street


class Handover(AppendOnlyModel):
    """One hand-over: everything one person held in the scope of the person who made it, given to a successor."""

    leaver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("移交人"), on_delete=models.PROTECT, related_name="handovers_given"
    )
    successor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接手人"), on_delete=models.PROTECT, related_name="handovers_taken"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("交接原因"), max_length=300)
    # The scope it was made in: a street (street leaders, supervisors) or one community (its secretary).
    street = models.ForeignKey(Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    positions_ended = models.PositiveSmallIntegerField(_("结束职务数"), default=0)
    created_at = models.DateTimeField(_("交接时间"), default=timezone.now)

    append_only_hint = _("交接错了,请再办理一次反向交接")

    class Meta:
        verbose_name = _("工作交接")
        verbose_name_plural = _("工作交接")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(leaver=models.F("successor")), name="handover_not_to_oneself"),
            models.CheckConstraint(condition=~Q(reason=""), name="handover_has_reason"),
        ]
        indexes = [
            models.Index(fields=["leaver", "-created_at"], name="handover_leaver_idx"),
            models.Index(fields=["successor", "-created_at"], name="handover_successor_idx"),
        ]

    def __str__(self) -> str:
        return _("%(leaver)s → %(successor)s") % {"leaver": self.leaver, "successor": self.successor}

    def get_absolute_url(self) -> str:
        return reverse("handover_detail", args=[self.pk])


class HandoverItem(AppendOnlyModel):
    """One thing a hand-over moved: a case's handling or first-responder accountability, a callback, a follow-up
    task, a meeting's organising, a team seat."""

    class Kind(models.TextChoices):
        HANDLER = "handler", _("承办的诉求")
        FIRST_RESPONDER = "first_responder", _("首问负责的诉求")
        CALLBACK = "callback", _("待回访")
        CALLBACK_REROUTED = "callback_rerouted", _("因回避改派的回访")
        SURVEY_SAMPLE = "survey_sample", _("满意度调查样本")
        FOLLOWUP_TASK = "followup_task", _("跟进事项")
        MEETING_ORGANISER = "meeting_organiser", _("组织的议事会议")
        TEAM_MEMBER = "team_member", _("走访队伍队员")
        TEAM_LEADER = "team_leader", _("走访队伍队长")

    handover = models.ForeignKey(Handover, verbose_name=_("交接"), on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("交接事项")
        verbose_name_plural = _("交接事项")
        ordering = ["handover_id", "kind", "id"]
        indexes = [
            models.Index(fields=["handover", "kind"], name="handoveritem_kind_idx"),
            models.Index(fields=["content_type", "object_id"], name="handoveritem_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.object_repr}"
