"""People who sign in, and the positions they hold at one node of the org tree (what they may see follows)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .org import Community, County, Grid, Street

phone_validator = RegexValidator(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$", _("请输入11位手机号或带区号的固定电话。"))


class User(AbstractUser):
    """An official or staff member who signs in; residents never need an account."""

    real_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(
        _("手机号"), max_length=20, null=True, blank=True, unique=True, validators=[phone_validator]
    )
    # The person's own choice, on their settings page: red notices and approvals they must decide also by SMS.
    sms_notices = models.BooleanField(_("短信接收督办和审批提醒"), default=False)

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
