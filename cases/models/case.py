"""分类解: cases with their deadlines and colours, numbers, photos and the append-only events of their life."""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.files import random_name
from lucun.links import url_with
from lucun.models import AppendOnlyModel, Community, Grid, Street

from .. import clock
from ..clock import Colour
from ..states import OPEN_STATES, RUNNING_STATES, CaseState
from .classification import CaseList, Category, Tier


class CaseCounter(models.Model):
    """The last number used per street and year, for readable case numbers (LH-2026-000123)."""

    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("诉求编号计数")
        verbose_name_plural = _("诉求编号计数")
        constraints = [models.UniqueConstraint(fields=["street", "year"], name="casecounter_one_per_street_year")]

    def __str__(self) -> str:
        return f"{self.street.code}-{self.year}: {self.last}"


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        return self.filter(state__in=OPEN_STATES)

    def with_live_colour(self, now=None) -> "CaseQuerySet":
        """Annotate ``live_colour``: right between sweeps too, computed from the deadlines and now."""
        return self.annotate(live_colour=clock.live_colour(now or timezone.now()))


class Case(models.Model):
    """A problem or request (诉求) that must be resolved within its tier's time limit."""

    class Source(models.TextChoices):
        VISIT = "visit", _("入户走访")
        FEEDBACK = "feedback", _("匿名反馈")
        MEETING = "meeting", _("议事会议")
        WALK_IN = "walk_in", _("来访")
        PHONE = "phone", _("来电")
        HOTLINE = "hotline", _("12345热线")
        OTHER = "other", _("其他")

    # Every index on a case is paid for by each move and each colour change (a sweep can change ten
    # thousand rows at once), so foreign keys whose lookups an index below already serves, or that
    # point at configuration rows nobody deletes, carry no index of their own (db_index=False).
    street = models.ForeignKey(
        Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("流水号"))
    number = models.CharField(_("编号"), max_length=30)  # unique: see Meta (no extra LIKE index)

    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    source_type = models.ForeignKey(
        ContentType,
        verbose_name=_("来源对象类型"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    source_id = models.PositiveBigIntegerField(_("来源对象编号"), null=True, blank=True)
    source_object = GenericForeignKey("source_type", "source_id")

    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    title = models.CharField(_("标题"), max_length=100)
    # What a villager scanning a QR code may read of the case ("我也遇到" suggestions): written by an official
    # for that purpose, never derived from the title or the sender's words, which may name people and doors.
    public_title = models.CharField(
        _("公开标题"),
        max_length=60,
        blank=True,
        help_text=_(
            "扫码反映的群众能看到,用于提示“我也遇到”;街道开放公开诉求列表时也列在其中。"
            "只写什么地方什么问题,不写姓名、门牌号、电话;留空则不公开。"
        ),
    )
    description = models.TextField(_("情况描述"), max_length=5000, blank=True)
    contact_name = models.CharField(_("群众姓名"), max_length=50, blank=True)
    contact_phone = models.CharField(_("群众电话"), max_length=20, blank=True)

    tier = models.ForeignKey(
        Tier, verbose_name=_("办理层级"), on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    case_list = models.CharField(_("清单"), max_length=20, choices=CaseList.choices, default=CaseList.COMMUNITY)
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首问责任人"),
        on_delete=models.PROTECT,
        related_name="first_cases",
        db_index=False,
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_cases",
    )
    handler_office = models.CharField(_("承办单位"), max_length=60, blank=True)
    # Who must act now: the handler, or the first responder while nobody handles it ("my work").
    responsible_id = models.GeneratedField(
        expression=Coalesce("handler", "first_responder"),
        output_field=models.BigIntegerField(),
        db_persist=True,
        verbose_name=_("当前责任人"),
    )
    state = models.CharField(_("状态"), max_length=20, choices=CaseState.choices, default=CaseState.REGISTERED)
    state_before_pause = models.CharField(max_length=20, choices=CaseState.choices, blank=True)

    opened_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    due_at = models.DateTimeField(_("办理期限"))
    warn_at = models.DateTimeField(_("黄色提醒时间"))
    # Bumped whenever the deadline moves, so a colour change is recorded once per deadline.
    deadline_version = models.PositiveIntegerField(default=1)
    colour = models.CharField(_("督办颜色"), max_length=10, choices=Colour.choices, default=Colour.GREEN)
    colour_changed_at = models.DateTimeField(_("颜色变化时间"), null=True, blank=True)
    red_since = models.DateTimeField(_("转红时间"), null=True, blank=True)
    # When a running case is next due to change colour (NULL once it cannot): yellow_at while it is green,
    # red_at while it is green or yellow; and notice_due_at, when a red case goes on the notice list. Stored,
    # and copied by triggers into the alarm table (CaseAlarm), where they are indexed: the sweep and the
    # dashboard find the few cases crossing a threshold there, and a colour change writes no index entry here.
    yellow_at = models.GeneratedField(
        expression=clock.yellow_at_expression(), output_field=models.DateTimeField(null=True), db_persist=True
    )
    red_at = models.GeneratedField(
        expression=clock.red_at_expression(), output_field=models.DateTimeField(null=True), db_persist=True
    )
    notice_delay = models.DurationField(_("红色后通报间隔"))
    # Fixed when the case turns red (red_since + notice_delay), so the sweep finds due notices by index.
    notice_at = models.DateTimeField(_("通报时间"), null=True, blank=True)
    noticed_at = models.DateTimeField(_("列入通报时间"), null=True, blank=True)
    notice_due_at = models.GeneratedField(
        expression=clock.notice_due_at_expression(), output_field=models.DateTimeField(null=True), db_persist=True
    )

    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("首次联系时间"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停开始"), null=True, blank=True)
    paused_total = models.DurationField(_("累计暂停"), default=timedelta(0))
    extended = models.BooleanField(_("已延期"), default=False)
    reopen_count = models.PositiveSmallIntegerField(_("发回重办次数"), default=0)
    # How many villagers said "我也遇到" on it: a count kept with the anonymous rows (Feedback.same_question).
    same_question_count = models.PositiveIntegerField(_("同问人数"), default=0)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolution = models.TextField(_("办理结果"), max_length=5000, blank=True)
    public_reply = models.TextField(_("公开答复"), max_length=2000, blank=True)
    closed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+", db_index=False
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="case_number_unique"),
            models.UniqueConstraint(fields=["street", "year", "serial"], name="case_number_unique_per_street_year"),
            models.CheckConstraint(condition=Q(warn_at__lte=models.F("due_at")), name="case_warn_not_after_due"),
            models.CheckConstraint(
                condition=Q(source_type__isnull=True, source_id__isnull=True)
                | Q(source_type__isnull=False, source_id__isnull=False),
                name="case_source_link_complete",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[CaseState.RESOLVED, CaseState.CLOSED]) | Q(resolved_at__isnull=False),
                name="case_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state=CaseState.PAUSED) | Q(paused_at__isnull=False), name="case_paused_has_start"
            ),
            models.CheckConstraint(
                condition=~Q(state=CaseState.CANCELLED) | ~Q(cancel_reason=""), name="case_cancel_has_reason"
            ),
        ]
        indexes = [
            # No index names a column the sweep changes (the colour, its times, the thresholds that follow it): a
            # colour change is then a heap-only update, with no index entry written. The sweep finds the cases
            # through the alarm table (CaseAlarm).
            # Lists: my work, the dashboard, a community's cases. The community and the first responder ride at the
            # end so that my work's count (an official's open cases, within what they may see) is read from this
            # index alone: an index-only scan, not one heap page per case, which on a large table is mostly a read.
            models.Index(
                fields=["responsible_id", "due_at", "id", "community_id", "first_responder_id"],
                name="case_responsible_due_idx",
                condition=Q(state__in=OPEN_STATES),
            ),
            models.Index(fields=["due_at", "id"], name="case_due_idx"),
            models.Index(fields=["due_at", "id"], name="case_running_due_idx", condition=Q(state__in=RUNNING_STATES)),
            # Cases red before their deadline (the second reopen turns them red), for the dashboard's red list.
            # The colour is left out of the condition (see above); few running cases were reopened twice.
            models.Index(
                fields=["due_at", "id"],
                name="case_reopened_twice_idx",
                condition=Q(state__in=RUNNING_STATES, reopen_count__gte=clock.REOPENS_TURNING_RED),
            ),
            # The dashboard counts colours from the tally. A street's cases are found through the number's
            # (street, year, serial) constraint.
            models.Index(fields=["community", "state", "due_at"], name="case_community_state_idx"),
            models.Index(fields=["resolved_at"], name="case_resolved_idx", condition=Q(resolved_at__isnull=False)),
            # Every lookup names the source's type, so cases entered by hand (no source) need no entry.
            models.Index(
                fields=["source_type", "source_id"], name="case_source_idx", condition=Q(source_type__isnull=False)
            ),
            models.Index(fields=["first_responder", "due_at"], name="case_first_responder_idx"),
            # The dashboard's 12345 hotline figures come from their tally (HotlineTally) but for the month the year
            # begins in: the hotline cases opened and resolved in it are counted from these two indexes alone.
            models.Index(
                fields=["opened_at", "community_id"], name="case_hotline_opened_idx", condition=Q(source="hotline")
            ),
            models.Index(
                fields=["resolved_at", "community_id", "due_at"],
                name="case_hotline_resolved_idx",
                condition=Q(source="hotline", resolved_at__isnull=False),
            ),
            # The cases villagers said "我也遇到" on (few): the dashboard's list and the case list's order.
            models.Index(
                fields=["-same_question_count", "due_at"],
                name="case_same_question_idx",
                condition=Q(same_question_count__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return url_with("cases:case_detail", "number", self.number)

    def get_state_display(self) -> str:
        # Django's own builds a dict of every choice, translating each label, on every call: once per row of a list.
        try:
            return str(CaseState(self.state).label)
        except ValueError:
            return self.state

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def colour_at(self, now=None) -> str:
        """Return the colour now, correct between sweeps (the stored one is a cache the sweep moves)."""
        return clock.colour_at(
            state=self.state, colour=self.colour, due_at=self.due_at, warn_at=self.warn_at, now=now or timezone.now()
        )

    @property
    def live_colour_value(self) -> str:
        return getattr(self, "live_colour", None) or self.colour_at()

    def time_left(self, now=None) -> timedelta:
        """Time until the deadline (negative when overdue); a paused case's clock is stopped."""
        now = self.paused_at if self.state == CaseState.PAUSED else (now or timezone.now())
        return self.due_at - now


def case_photo_path(instance, filename: str) -> str:
    """Store photos under a random name: neither the date nor the uploaded file name shows in it."""
    return random_name("cases", ".jpg")


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to=case_photo_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("诉求照片")
        verbose_name_plural = _("诉求照片")

    def __str__(self) -> str:
        return self.image.name


class CaseEvent(AppendOnlyModel):
    """An insert-only entry in a case's timeline: who did what, when, before and after."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("登记")
        ACCEPTED = "accepted", _("签收")
        PROGRESS = "progress", _("办理进展")
        ASSIGNED = "assigned", _("指派承办")
        RESOLVED = "resolved", _("办结")
        CLOSED = "closed", _("归档")
        EXTENSION_REQUESTED = "extension_requested", _("申请延期")
        EXTENSION_APPROVED = "extension_approved", _("批准延期")
        EXTENSION_REFUSED = "extension_refused", _("驳回延期")
        RETURN_REQUESTED = "return_requested", _("申请退回")
        RETURN_APPROVED = "return_approved", _("批准退回")
        RETURN_REFUSED = "return_refused", _("驳回退回")
        APPROVAL_ESCALATED = "approval_escalated", _("审批超时转上级")
        ESCALATED = "escalated", _("升级")
        PAUSED = "paused", _("暂停计时")
        RESUMED = "resumed", _("恢复计时")
        REOPENED = "reopened", _("发回重办")
        CANCELLED = "cancelled", _("撤销")
        TURNED_YELLOW = "turned_yellow", _("转为黄色")
        TURNED_RED = "turned_red", _("转为红色")
        NOTICED = "noticed", _("列入通报")
        SUPERVISED = "supervised", _("督办")
        MERGED = "merged", _("合并重复诉求")
        NOTE = "note", _("备注")
        DEADLINE_SET = "deadline_set", _("调整办理期限")
        BULLETINED = "bulletined", _("列入作风通报")
        HANDED_OVER = "handed_over", _("工作交接")
        MOVED = "moved", _("调整村(居)或网格")
        TRANSFER_REQUESTED = "transfer_requested", _("转交其他村(居)")
        TRANSFER_ACCEPTED = "transfer_accepted", _("接收转交")
        TRANSFER_RETURNED = "transfer_returned", _("退回转交")
        TRANSFER_WITHDRAWN = "transfer_withdrawn", _("撤回转交")

    # Indexed below: the case with the time (a timeline), the actor only where there is one (the
    # sweep writes thousands of events without one, and should not pay for an index of NULLs).
    case = models.ForeignKey(
        Case, verbose_name=_("诉求"), on_delete=models.PROTECT, related_name="events", db_index=False
    )
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), max_length=5000, blank=True)
    before = models.JSONField(_("变更前"), default=dict, blank=True)
    after = models.JSONField(_("变更后"), default=dict, blank=True)
    # The deadline a colour change belongs to: with the unique constraint below, overlapping sweeps
    # record each transition once, and a moved deadline can turn the case yellow or red again.
    deadline_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("诉求记录")
        verbose_name_plural = _("诉求记录")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "deadline_version"],
                condition=Q(kind__in=["turned_yellow", "turned_red", "noticed"]),
                name="caseevent_sweep_once_per_deadline",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "at"], name="caseevent_case_at_idx"),
            models.Index(fields=["kind", "at"], name="caseevent_kind_at_idx"),
            models.Index(fields=["actor"], name="caseevent_actor_idx", condition=Q(actor__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"
