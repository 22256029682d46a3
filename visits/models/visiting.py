"""直面问: visit teams, the rotation plan, households and the visit logs that make the 民情账本."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lucun.files import random_name
from lucun.models import Community, EnglishNamed, Grid, Street, phone_validator


class VisitTeam(models.Model):
    """A 走访队伍: street leaders, street staff, community cadres and grassroots members who visit together.

    Not a ConfigRow: a team is people of one street with a leader, not street-wide configuration; its switch
    says whether it is on duty (在岗).
    """

    street = models.ForeignKey(Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="visit_teams")
    name = models.CharField(_("名称"), max_length=50)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("队长"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_visit_teams",
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("在岗"), default=True, help_text=_("停用的队伍不参加新的轮换安排。"))

    class Meta:
        verbose_name = _("走访队伍")
        verbose_name_plural = _("走访队伍")
        ordering = ["street_id", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="visitteam_unique_name_in_street"),
        ]

    def __str__(self) -> str:
        return self.name


class VisitTeamMember(models.Model):
    class Kind(models.TextChoices):
        STREET_LEADER = "street_leader", _("班子成员")
        STREET_STAFF = "street_staff", _("机关干部")
        COMMUNITY_CADRE = "community_cadre", _("村居干部")
        GRASSROOTS = "grassroots", _("党员代表/社区工作者/单元长")

    team = models.ForeignKey(VisitTeam, verbose_name=_("队伍"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("队员"), on_delete=models.PROTECT, related_name="visit_memberships"
    )
    kind = models.CharField(_("身份"), max_length=20, choices=Kind.choices)
    is_newcomer = models.BooleanField(_("新队员"), default=False, help_text=_("新老搭配:勾选表示新干部,不勾为老干部。"))

    class Meta:
        verbose_name = _("走访队员")
        verbose_name_plural = _("走访队员")
        ordering = ["team_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="visitteammember_once_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.user} · {self.get_kind_display()}"


class VisitCycle(models.Model):
    """One round (轮次) of the rotation: long enough for every community to be visited once."""

    street = models.ForeignKey(Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="visit_cycles")
    number = models.PositiveIntegerField(_("轮次"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("走访轮次")
        verbose_name_plural = _("走访轮次")
        ordering = ["street_id", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["street", "number"], name="visitcycle_unique_number_in_street"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="visitcycle_ends_after_start"),
        ]
        indexes = [models.Index(fields=["street", "starts_on", "ends_on"], name="visitcycle_dates_idx")]

    def __str__(self) -> str:
        return _("第%(number)s轮(%(start)s—%(end)s)") % {
            "number": self.number,
            "start": f"{self.starts_on:%m-%d}",
            "end": f"{self.ends_on:%m-%d}",
        }


class VisitAssignment(models.Model):
    """A team's two weeks in one community, inside a cycle."""

    cycle = models.ForeignKey(VisitCycle, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="assignments")
    team = models.ForeignKey(VisitTeam, verbose_name=_("队伍"), on_delete=models.PROTECT, related_name="assignments")
    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="visit_assignments"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("走访安排")
        verbose_name_plural = _("走访安排")
        ordering = ["cycle_id", "starts_on", "team__sort_order", "team_id"]
        constraints = [
            # 村村到 without waste: one team per community per cycle.
            models.UniqueConstraint(fields=["cycle", "community"], name="visitassignment_one_team_per_community"),
            # A team is in one community at a time.
            models.UniqueConstraint(fields=["team", "starts_on"], name="visitassignment_one_place_per_team"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="visitassignment_ends_after_start"),
        ]
        indexes = [models.Index(fields=["community", "starts_on"], name="visitassignment_comm_idx")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.team} → {self.community}"


class AttentionTag(EnglishNamed):
    """A reason a household needs attention (独居老人, 低保…); rows, so a street can add its own."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    sensitive = models.BooleanField(
        _("敏感"), default=True, help_text=_("敏感标签只向有需要的职务显示,查看会写入审计记录。")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("关注标签")
        verbose_name_plural = _("关注标签")
        ordering = ["sort_order", "name"]


class Household(models.Model):
    """One household (户) of a community: the unit of 户户到 and of the 民情账本."""

    class AttentionLevel(models.TextChoices):
        ORDINARY = "ordinary", _("一般(每轮走访一次)")
        MONTHLY = "monthly", _("重点(每月走访一次)")
        BIWEEKLY = "biweekly", _("特别关注(每两周走访一次)")

    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="households"
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("网格"), on_delete=models.PROTECT, null=True, blank=True, related_name="households"
    )
    # 村: 组 + 门牌; 社区: 小区 + 楼 + 单元 + 室. Either set is used; ``address`` is their display form.
    group = models.CharField(_("村民小组"), max_length=30, blank=True)
    door_number = models.CharField(_("门牌号"), max_length=30, blank=True)
    estate = models.CharField(_("小区"), max_length=50, blank=True)
    building = models.CharField(_("楼号"), max_length=20, blank=True)
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("室"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, editable=False)
    head_name = models.CharField(_("户主姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[phone_validator])
    people_count = models.PositiveSmallIntegerField(_("家庭人口"), default=1)
    tags = models.ManyToManyField(AttentionTag, verbose_name=_("关注标签"), blank=True, related_name="households")
    attention_level = models.CharField(
        _("关注等级"), max_length=20, choices=AttentionLevel.choices, default=AttentionLevel.ORDINARY
    )
    note = models.TextField(_("备注"), blank=True)
    # Head name, address and their pinyin initials, lower-case: one column to search as you type.
    search_key = models.CharField(_("检索键"), max_length=400, editable=False, db_index=True)
    last_visited_at = models.DateTimeField(_("最近走访"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["community_id", "address", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "address", "head_name"], name="household_unique_head_at_address"
            ),
            models.CheckConstraint(condition=Q(people_count__gte=1), name="household_at_least_one_person"),
        ]
        indexes = [
            models.Index(fields=["community", "grid"], name="household_grid_idx"),
            models.Index(fields=["community", "attention_level", "last_visited_at"], name="household_attention_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.head_name} · {self.address}"

    def get_absolute_url(self) -> str:
        return reverse("visits:household_detail", args=[self.pk])


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, verbose_name=_("住户"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("与户主关系"), max_length=20, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return self.name


class VisitLog(models.Model):
    """A 民情日志 entry: one visit to one household."""

    class Method(models.TextChoices):
        HOME = "home", _("入户")
        PHONE = "phone", _("电话")
        GROUP = "group", _("院坝/集中")

    class Met(models.TextChoices):
        HEAD = "head", _("户主")
        FAMILY = "family", _("家庭成员")
        NOBODY = "nobody", _("无人在家")

    household = models.ForeignKey(Household, verbose_name=_("住户"), on_delete=models.PROTECT, related_name="visits")
    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="visit_logs", editable=False
    )
    team = models.ForeignKey(
        VisitTeam, verbose_name=_("队伍"), on_delete=models.PROTECT, null=True, blank=True, related_name="visit_logs"
    )
    visited_at = models.DateTimeField(_("走访时间"))
    visitors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("走访人"), related_name="visit_logs")
    method = models.CharField(_("走访方式"), max_length=10, choices=Method.choices, default=Method.HOME)
    met = models.CharField(_("见到"), max_length=10, choices=Met.choices, default=Met.HEAD)
    family_note = models.TextField(_("家庭情况"), blank=True)
    suggestions = models.TextField(_("意见建议"), blank=True)
    answered_on_spot = models.TextField(_("当场解答或解决"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("时长(分钟)"), null=True, blank=True)
    idempotency_key = models.UUIDField(_("提交键"), default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("民情日志")
        verbose_name_plural = _("民情日志")
        ordering = ["-visited_at", "-id"]
        constraints = [
            # A form sent twice (lost connection, double tap) makes one log.
            models.UniqueConstraint(fields=["idempotency_key"], name="visitlog_unique_idempotency_key"),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__lte=1440),
                name="visitlog_duration_within_a_day",
            ),
        ]
        indexes = [
            models.Index(fields=["household", "-visited_at"], name="visitlog_household_idx"),
            models.Index(fields=["community", "visited_at"], name="visitlog_community_idx"),
            models.Index(fields=["team", "visited_at"], name="visitlog_team_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_at:%Y-%m-%d} {self.household}"


def _photo_path(instance: "VisitPhoto", filename: str) -> str:
    return random_name("visits", ".jpg")


class VisitPhoto(models.Model):
    log = models.ForeignKey(VisitLog, verbose_name=_("民情日志"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to=_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("宽"), default=0)
    height = models.PositiveIntegerField(_("高"), default=0)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
        ordering = ["log_id", "id"]

    def __str__(self) -> str:
        return self.image.name


class VisitRequest(models.Model):
    """One request (诉求) heard on a visit; it can be answered on the spot or turned into a case."""

    class Status(models.TextChoices):
        OPEN = "open", _("待办理")
        ANSWERED = "answered", _("当场解答")
        CONVERTED = "converted", _("已转诉求")

    log = models.ForeignKey(VisitLog, verbose_name=_("民情日志"), on_delete=models.CASCADE, related_name="requests")
    household = models.ForeignKey(
        Household, verbose_name=_("住户"), on_delete=models.PROTECT, related_name="requests", editable=False
    )
    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="visit_requests", editable=False
    )
    text = models.TextField(_("诉求内容"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("诉求件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_requests",
        editable=False,
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访诉求")
        verbose_name_plural = _("走访诉求")
        ordering = ["log_id", "id"]
        constraints = [
            # Converted means a case exists, and only then.
            models.CheckConstraint(
                condition=Q(status="converted", case__isnull=False) | (~Q(status="converted") & Q(case__isnull=True)),
                name="visitrequest_converted_has_case",
            ),
            models.UniqueConstraint(fields=["case"], name="visitrequest_one_request_per_case"),
        ]
        indexes = [
            models.Index(fields=["household", "status"], name="visitrequest_household_idx"),
            models.Index(fields=["community", "status"], name="visitrequest_community_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:40]
