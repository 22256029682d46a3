"""The core domain shared by every app: people, the org tree, positions, audit and notifications."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit
from .jobs.models import BackgroundJob

phone_validator = RegexValidator(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$", _("请输入11位手机号或带区号的固定电话。"))


class User(AbstractUser):
    """An official or staff member who signs in; residents never need an account."""

    real_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(
        _("手机号"), max_length=20, null=True, blank=True, unique=True, validators=[phone_validator]
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.real_name or self.username

    def get_full_name(self) -> str:
        return self.real_name or self.username

    def get_short_name(self) -> str:
        return self.real_name or self.username


class County(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    code = models.SlugField(_("代码"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("县(区)")
        verbose_name_plural = _("县(区)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    """A sub-district office (街道); several may share one installation."""

    county = models.ForeignKey(
        County,
        verbose_name=_("所属县(区)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="streets",
    )
    name = models.CharField(_("名称"), max_length=50)
    code = models.CharField(
        _("编号前缀"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,8}$", _("请使用2到8个大写字母。"))],
        help_text=_("用于诉求编号,如 LH-2026-000123 中的 LH。"),
    )
    hotline = models.CharField(_("服务热线"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("街道")
        verbose_name_plural = _("街道")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="street_unique_name_in_county"),
        ]

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """A village (村) or neighbourhood (社区): the unit every scoping rule works in."""

    class Kind(models.TextChoices):
        VILLAGE = "village", _("村")
        NEIGHBOURHOOD = "neighbourhood", _("社区")

    street = models.ForeignKey(Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="communities")
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.VILLAGE)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("村(居)")
        verbose_name_plural = _("村(居)")
        ordering = ["street_id", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="community_unique_name_in_street"),
        ]

    def __str__(self) -> str:
        return self.name


class Grid(models.Model):
    """A block of households inside a community (网格)."""

    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="grids")
    name = models.CharField(_("名称"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["community_id", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="grid_unique_name_in_community"),
        ]

    def __str__(self) -> str:
        return f"{self.community.name} · {self.name}"


class Role(models.TextChoices):
    STREET_LEADER = "street_leader", _("班子成员")
    STREET_STAFF = "street_staff", _("机关干部")
    SUPERVISOR = "supervisor", _("纪工委/督办")
    COMMUNITY_CADRE = "community_cadre", _("村居干部")
    GRID_WORKER = "grid_worker", _("社区工作者/网格员")
    UNIT_HEAD = "unit_head", _("单元长/红色楼长")
    PARTY_REP = "party_rep", _("党员代表")


class PositionQuerySet(models.QuerySet):
    def current(self) -> "PositionQuerySet":
        today = timezone.localdate()
        return self.filter(
            Q(started_on__isnull=True) | Q(started_on__lte=today),
            Q(ended_on__isnull=True) | Q(ended_on__gte=today),
        )


class Position(models.Model):
    """A role a user holds at exactly one org node; the node decides what the user can see."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="positions"
    )
    role = models.CharField(_("职务类别"), max_length=30, choices=Role.choices)
    title = models.CharField(_("职务名称"), max_length=50, blank=True, help_text=_("如:村党组织书记、网格长。"))
    county = models.ForeignKey(County, verbose_name=_("县(区)"), on_delete=models.CASCADE, null=True, blank=True)
    street = models.ForeignKey(Street, verbose_name=_("街道"), on_delete=models.CASCADE, null=True, blank=True)
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.CASCADE, null=True, blank=True)
    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.CASCADE, null=True, blank=True)
    started_on = models.DateField(_("任职日期"), null=True, blank=True)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(county__isnull=False, street__isnull=True, community__isnull=True, grid__isnull=True)
                    | Q(county__isnull=True, street__isnull=False, community__isnull=True, grid__isnull=True)
                    | Q(county__isnull=True, street__isnull=True, community__isnull=False, grid__isnull=True)
                    | Q(county__isnull=True, street__isnull=True, community__isnull=True, grid__isnull=False)
                ),
                name="position_exactly_one_org_node",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="position_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["user", "role"], name="position_user_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org_node}"

    @property
    def org_node(self) -> models.Model | None:
        return self.grid or self.community or self.street or self.county

    @property
    def level(self) -> str:
        for level in ("grid", "community", "street", "county"):
            if getattr(self, f"{level}_id"):
                return level
        return ""

    def clean(self) -> None:
        if sum(bool(getattr(self, f"{f}_id")) for f in ("county", "street", "community", "grid")) != 1:
            raise ValidationError(_("职务必须且只能挂在一个组织节点上(县、街道、村居或网格)。"))


class ConfigRowQuerySet(models.QuerySet):
    def active(self) -> "ConfigRowQuerySet":
        return self.filter(is_active=True)


class ConfigRow(models.Model):
    """A row of configuration a street edits in the admin (a category, a service type, a red line …).

    Rows are switched off, never deleted, so what was recorded against them keeps its meaning; pickers offer
    ``objects.active()``. A subclass may redeclare a field where its length, uniqueness or the word users see
    differs (上架 for a shop item), keeping the shape.
    """

    name = models.CharField(_("名称"), max_length=30, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ConfigRowQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class AppendOnlyModel(models.Model):
    """History that is never rewritten: rows are added, never changed or deleted (a mistake gets a new row).

    The migrations of each such table add database triggers too (``lucun.db.append_only``); this guard
    answers in the user's words before the database has to.
    """

    # Said after the refusal, e.g. how a mistake is corrected instead.
    append_only_hint = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(self._refusal(_("只能新增,不能修改")))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(self._refusal(_("不能删除")))

    def _refusal(self, what: str) -> str:
        hint = f";{self.append_only_hint}" if self.append_only_hint else ""
        return f"{self._meta.verbose_name}{what}{hint}。"


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

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices, default=Level.INFO)
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


def export_file_path(instance: "ExportJob", filename: str) -> str:
    """Keep exported files under a random name (the migrations' name for ``jobs.models.job_file_path``)."""
    from .files import random_name

    return random_name("exports", filename[filename.rfind(".") :] if "." in filename else "")


class ExportJob(BackgroundJob):
    """One export of a list page (an xlsx file, or the printed case sheets) too large to answer at once, made by a
    Celery task that records its progress.

    ``kind`` names the exporter an app registered (``lucun.exports``); ``query`` is the page's query string, so
    the task rebuilds exactly the page's filters and scope for the person who asked, when it runs.
    """

    file_folder = "exports"

    kind = models.CharField(_("导出内容"), max_length=60)
    query = models.TextField(_("筛选条件"), blank=True)
    # The site's address as the person asked (LUCUN_PUBLIC_BASE_URL or the request's host), for the absolute
    # addresses a file prints, such as the QR code of each case sheet.
    site = models.CharField(_("网站地址"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta(BackgroundJob.Meta):
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        indexes = [models.Index(fields=["created_by", "kind", "-created_at"], name="exportjob_owner_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("export_job", args=[self.pk])
