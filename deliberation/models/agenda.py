"""现场议's agenda: the cases a meeting discusses, the decisions it may take on them and the follow-up tasks."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .meetings import Meeting


class Decision(models.TextChoices):
    SETTLED = "settled", _("协商解决")
    FOLLOW_UP = "follow_up", _("需跟进办理")
    BEYOND = "beyond", _("超出村居权限,提交街道")
    ASSIGNED = "assigned", _("交办部门限期办结")


# Which decisions each kind of meeting may take.
DECISIONS_FOR = {
    Meeting.Kind.FAMILY_FORUM: (Decision.SETTLED, Decision.FOLLOW_UP, Decision.BEYOND),
    Meeting.Kind.ONLINE: (Decision.SETTLED, Decision.FOLLOW_UP, Decision.BEYOND),
    Meeting.Kind.JOINT: (Decision.SETTLED, Decision.ASSIGNED),
    Meeting.Kind.CONTEST: (),
}


class AgendaItem(models.Model):
    """A case on a meeting's agenda, with the discussion and the decision taken on it."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="agenda_items")
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("诉求"), on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("列入人"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("列入时间"), default=timezone.now)
    summary = models.TextField(_("讨论情况"), max_length=5000, blank=True)
    decision = models.CharField(_("决定"), max_length=20, choices=Decision.choices, blank=True)
    result = models.TextField(_("议定结果"), max_length=5000, blank=True)
    department = models.CharField(_("承办部门"), max_length=60, blank=True)
    due_on = models.DateField(_("办结时限"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["meeting_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="agendaitem_case_once_per_meeting"),
            models.CheckConstraint(
                condition=Q(decision="", decided_at__isnull=True, decided_by__isnull=True)
                | (~Q(decision="") & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="agendaitem_decision_complete",
            ),
            models.CheckConstraint(
                condition=~Q(decision="assigned") | (~Q(department="") & Q(due_on__isnull=False)),
                name="agendaitem_assigned_has_department_and_date",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "decision"], name="agendaitem_case_decision_idx"),
            models.Index(fields=["decision", "decided_at"], name="agendaitem_decided_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.case_id}"


class FollowUpTask(models.Model):
    """A task agreed at a meeting for a case that needs follow-up: who does what by when."""

    item = models.ForeignKey(AgendaItem, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("事项"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="deliberation_tasks"
    )
    due_on = models.DateField(_("完成时限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_note = models.CharField(_("完成情况"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("跟进事项")
        verbose_name_plural = _("跟进事项")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True)
                | Q(done_at__isnull=False, done_by__isnull=False),
                name="followuptask_done_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "due_on"], name="followup_open_idx", condition=Q(done_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.title
