"""现场议: doorstep venues, meetings (family forum, joint meeting, contest, online), agenda items that are cases."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.files import random_name
from lucun.models import Community, ConfigRow, Grid, Street


class Venue(models.Model):
    """A doorstep place to deliberate (驿站, 红色议事厅, 说事点) and the grids within its 15-minute circle.

    Not a ConfigRow: a venue is a place of one community with staff and hours, not street-wide configuration,
    though it too is switched off rather than deleted.
    """

    class Kind(models.TextChoices):
        STATION = "station", _("网格党群服务驿站")
        HALL = "hall", _("红色议事厅")
        TALK_POINT = "talk_point", _("说事点")
        OTHER = "other", _("其他")

    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="venues")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.STATION)
    name = models.CharField(_("名称"), max_length=60)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    grids = models.ManyToManyField(
        Grid,
        verbose_name=_("服务网格"),
        blank=True,
        related_name="venues",
        help_text=_("步行15分钟可达的网格(15分钟服务圈)。"),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("专职人员"), blank=True, related_name="deliberation_venues"
    )
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("议事场所")
        verbose_name_plural = _("议事场所")
        ordering = ["community_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="venue_unique_name_in_community"),
        ]
        indexes = [models.Index(fields=["community", "is_active", "kind"], name="venue_community_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("deliberation:venue_detail", kwargs={"pk": self.pk})


class ProcedureStep(ConfigRow):
    """One step of the deliberation procedure (《议事协商规程》), in order; configuration, editable in the admin."""

    class Rule(models.TextChoices):
        NONE = "", _("无")
        HELD = "held", _("完成即视为会议已召开")
        DECISIONS = "decisions", _("须所有议题都已作出决定")

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    # Two steps may share a name; the order is the procedure itself, so no two steps share a place in it.
    name = models.CharField(_("名称"), max_length=30)
    sort_order = models.PositiveSmallIntegerField(_("顺序"), unique=True)
    rule = models.CharField(_("规则"), max_length=20, choices=Rule.choices, default=Rule.NONE, blank=True)

    class Meta(ConfigRow.Meta):
        verbose_name = _("议事规程步骤")
        verbose_name_plural = _("议事规程步骤")
        ordering = ["sort_order"]


class MeetingQuerySet(models.QuerySet):
    def held(self) -> "MeetingQuerySet":
        return self.filter(held_at__isnull=False, cancelled_at__isnull=True)

    def upcoming(self, now=None) -> "MeetingQuerySet":
        return self.filter(cancelled_at__isnull=True, starts_at__gte=now or timezone.now())


class Meeting(models.Model):
    """A meeting: a community's 大家小家 forum or online discussion, or the street's joint meeting or contest."""

    class Kind(models.TextChoices):
        FAMILY_FORUM = "family_forum", _("大家小家座谈会")
        JOINT = "joint", _("党政联席会")
        CONTEST = "contest", _("擂台比武")
        ONLINE = "online", _("线上议事")

    # The street holds these; communities hold the others.
    STREET_KINDS = (Kind.JOINT, Kind.CONTEST)

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.FAMILY_FORUM)
    title = models.CharField(_("议题/名称"), max_length=100)
    community = models.ForeignKey(
        Community,
        verbose_name=_("村(居)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    street = models.ForeignKey(
        Street, verbose_name=_("街道"), on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    held_in = models.ForeignKey(
        Community,
        verbose_name=_("下沉召开的村(居)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_meetings",
        help_text=_("街道会议到村(居)现场召开时,所在的村(居)。"),
    )
    venue = models.ForeignKey(
        Venue, verbose_name=_("场所"), on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    location = models.CharField(_("其他地点"), max_length=200, blank=True, help_text=_("如田间地头、小区凉亭。"))
    online_group = models.CharField(_("线上群名称"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("组织人"), on_delete=models.PROTECT, related_name="organised_meetings"
    )
    minutes = models.TextField(
        _("会议纪要"),
        max_length=20000,
        blank=True,
        help_text=_("支持简单格式:以“# ”开头为小标题,“- ”开头为列表,**加粗**。"),
    )
    held_at = models.DateTimeField(_("召开确认时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("议事会议")
        verbose_name_plural = _("议事会议")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(community__isnull=False, street__isnull=True, held_in__isnull=True)
                    & ~Q(kind__in=["joint", "contest"])
                )
                | (Q(community__isnull=True, street__isnull=False) & Q(kind__in=["joint", "contest"])),
                name="meeting_community_xor_street",
            ),
            models.CheckConstraint(condition=Q(venue__isnull=True) | Q(location=""), name="meeting_one_place"),
            models.CheckConstraint(condition=~Q(kind="online") | ~Q(online_group=""), name="meeting_online_has_group"),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancel_reason=""), name="meeting_cancel_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "starts_at"], name="meeting_community_start_idx"),
            models.Index(fields=["street", "kind", "starts_at"], name="meeting_street_kind_idx"),
            models.Index(fields=["starts_at"], name="meeting_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("deliberation:meeting_detail", kwargs={"pk": self.pk})

    @property
    def is_street_meeting(self) -> bool:
        return self.kind in self.STREET_KINDS

    @property
    def owner_name(self) -> str:
        return str(self.community if self.community_id else self.street)

    @property
    def place(self) -> str:
        if self.kind == self.Kind.ONLINE:
            return self.online_group
        return str(self.venue) if self.venue_id else self.location

    @property
    def status(self) -> str:
        if self.cancelled_at:
            return "cancelled"
        return "held" if self.held_at else "scheduled"


class ParticipantRole(models.TextChoices):
    RESIDENT_REPS = "resident_reps", _("群众代表")
    BUILDING_HEADS = "building_heads", _("红色楼长/老党员")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    PROPERTY = "property", _("物业负责人/产业带头人")
    COMMITTEES = "committees", _("村(居)“两委”")
    STREET_LEADERS = "street_leaders", _("街道班子成员")
    DEPARTMENTS = "departments", _("职能部门")


class Participation(models.Model):
    """Who takes part, by role: how many were invited, how many came, and optionally who by name."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(_("参会方"), max_length=30, choices=ParticipantRole.choices)
    invited = models.PositiveSmallIntegerField(_("邀请人数"), default=0)
    attended = models.PositiveSmallIntegerField(_("实到人数"), null=True, blank=True)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("参会人员"), blank=True, related_name="+")
    note = models.CharField(_("备注"), max_length=200, blank=True, help_text=_("如单位名称、代表姓名。"))

    class Meta:
        verbose_name = _("参会方")
        verbose_name_plural = _("参会方")
        ordering = ["meeting_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "role"], name="participation_one_row_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.attended if self.attended is not None else '-'}/{self.invited}"


class MeetingStep(models.Model):
    """A procedure step completed for one meeting."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="steps_done")
    step = models.ForeignKey(ProcedureStep, verbose_name=_("步骤"), on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(_("完成时间"), default=timezone.now)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("完成人"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("规程完成情况")
        verbose_name_plural = _("规程完成情况")
        constraints = [models.UniqueConstraint(fields=["meeting", "step"], name="meetingstep_once_per_meeting")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.step}"


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


def meeting_photo_path(instance, filename: str) -> str:
    """Store photos under a random name: neither the meeting nor the date shows in it."""
    return random_name("deliberation", ".jpg")


class MeetingPhoto(models.Model):
    """A photo of the meeting, re-encoded on upload (no EXIF, no location)."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to=meeting_photo_path)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("会议照片")
        verbose_name_plural = _("会议照片")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.image.name


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
