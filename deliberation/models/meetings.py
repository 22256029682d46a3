"""现场议's meetings (family forum, joint meeting, contest, online): the procedure, who takes part, the steps
done and the photos."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.files import random_name
from lucun.models import Community, ConfigRow, Street

from .venues import Venue


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
    resident_weight = models.PositiveSmallIntegerField(
        _("群众评分权重(%)"),
        default=50,
        validators=[MaxValueValidator(100)],
        help_text=_("擂台比武排名中群众扫码评分所占的比例,其余为评委评分。"),
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
            models.CheckConstraint(condition=Q(resident_weight__lte=100), name="meeting_resident_weight_percent"),
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
