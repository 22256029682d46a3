"""积分: volunteers, service rules, claims, the append-only ledger, rewards and redemption windows."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.files import random_name
from lucun.models import AppendOnlyModel, Community, ConfigRow, phone_validator
from lucun.text import mask_phone

# Crockford-like alphabet: no 0/O, 1/I/L, so a code read aloud or typed at the counter is unambiguous.
TOKEN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # noqa: S105 - an alphabet, not a secret
TOKEN_LENGTH = 16  # 31**16 ≈ 2**79: not guessable, and short enough to type in four groups


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def normalise_token(text: str) -> str:
    """Turn what staff typed (spaces, dashes, lower case) into the stored form."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def format_token(token: str) -> str:
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


class PointsPolicy(models.Model):
    """The one configuration row of the points system (pk = 1), edited in the admin."""

    expiry_enabled = models.BooleanField(_("启用积分过期"), default=False)
    expiry_quarters = models.PositiveSmallIntegerField(
        _("有效季度数"), default=4, help_text=_("获得超过这么多个季度的积分按先得先扣的顺序过期。")
    )
    window_month_in_quarter = models.PositiveSmallIntegerField(
        _("默认兑换月份(季度第几个月)"), default=3, help_text=_("1、2 或 3;未另行设定兑换时间的季度按此开放。")
    )
    window_first_day = models.PositiveSmallIntegerField(_("默认兑换开始日"), default=1)
    window_last_day = models.PositiveSmallIntegerField(
        _("默认兑换截止日"), default=31, help_text=_("超过当月天数时按月末计。")
    )
    hour_value_yuan = models.DecimalField(
        _("志愿服务每小时折算金额(元)"), max_digits=8, decimal_places=2, default=Decimal("20.00")
    )
    self_claim_pending_limit = models.PositiveSmallIntegerField(
        _("一码通待审申报上限"), default=10, help_text=_("志愿者自己申报、尚未审核的记录最多这么多条。")
    )

    class Meta:
        verbose_name = _("积分规则设置")
        verbose_name_plural = _("积分规则设置")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="points_policy_single_row"),
            models.CheckConstraint(
                condition=Q(window_month_in_quarter__gte=1, window_month_in_quarter__lte=3),
                name="points_policy_window_month_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(window_first_day__gte=1, window_first_day__lte=31)
                & Q(window_last_day__gte=models.F("window_first_day"), window_last_day__lte=31),
                name="points_policy_window_days_in_order",
            ),
            models.CheckConstraint(condition=Q(expiry_quarters__gte=1), name="points_policy_expiry_at_least_1"),
        ]

    def __str__(self) -> str:
        return str(_("积分规则设置"))

    @classmethod
    def current(cls) -> "PointsPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class ServiceCorps(ConfigRow):
    """A service corps (服务团) volunteers belong to: 环境整治员, 乡风文明员, 纠纷调解员 …"""

    class Meta(ConfigRow.Meta):
        verbose_name = _("服务团")
        verbose_name_plural = _("服务团")


class Volunteer(models.Model):
    """A volunteer of one community; may be linked to their own record as a member of a household (民情账本)."""

    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="volunteers"
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[phone_validator])
    corps = models.ManyToManyField(ServiceCorps, verbose_name=_("服务团"), blank=True, related_name="volunteers")
    joined_on = models.DateField(_("加入日期"), default=timezone.localdate)
    # A person's standing on the register (在册), not a configuration switch: a volunteer is not a ConfigRow, and
    # the flag keeps the name the API and the volunteer list publish.
    active = models.BooleanField(_("在册"), default=True)
    # One person is one volunteer, so a member links to at most one. Same community as the volunteer: a rule across
    # two tables, checked by the services (volunteer_create, volunteer_update), not expressible as a CHECK.
    member = models.OneToOneField(
        "visits.HouseholdMember",
        verbose_name=_("家庭成员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        help_text=_("志愿者本人在民情账本中的家庭成员记录,可不关联。"),
    )
    # The 一码通 key, printed on the card as a QR code. Stored as issued (unique) so a card can be reprinted;
    # it only opens the volunteer's own page and claim form — redemption needs a signed-in staff member.
    token = models.CharField(  # NULL: revoked or never issued
        _("一码通"), max_length=TOKEN_LENGTH, null=True, blank=True, unique=True, editable=False
    )
    token_issued_at = models.DateTimeField(_("一码通签发时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["community_id", "name", "id"]
        constraints = [
            # The same name with the same phone in one community is the same person registered twice.
            models.UniqueConstraint(
                fields=["community", "name", "phone"], condition=~Q(phone=""), name="volunteer_unique_name_phone"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "active", "name"], name="volunteer_community_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("points:volunteer_detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def token_display(self) -> str:
        return format_token(self.token) if self.token else ""


class ServiceType(ConfigRow):
    """One of the kinds of service in 《志愿服务积分细则》 with its point standard."""

    class Unit(models.TextChoices):
        TIME = "time", _("次")
        HOUR = "hour", _("小时")

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    unit = models.CharField(_("计分单位"), max_length=10, choices=Unit.choices, default=Unit.TIME)
    points_per_unit = models.PositiveSmallIntegerField(_("每单位积分"))
    monthly_cap = models.PositiveIntegerField(
        _("每人每月积分上限"), null=True, blank=True, help_text=_("留空表示不设上限。")
    )
    evidence_required = models.BooleanField(_("需要照片佐证"), default=False)
    hours_per_unit = models.DecimalField(
        _("折算服务小时/单位"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("用于估算志愿服务价值;按小时计分的填 1。"),
    )

    class Meta(ConfigRow.Meta):
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别(积分细则)")
        constraints = [
            models.CheckConstraint(condition=Q(points_per_unit__gte=1), name="servicetype_points_positive"),
            models.CheckConstraint(
                condition=Q(monthly_cap__isnull=True) | Q(monthly_cap__gte=1), name="servicetype_cap_positive"
            ),
            models.CheckConstraint(condition=Q(hours_per_unit__gte=0), name="servicetype_hours_not_negative"),
        ]

    @property
    def standard(self) -> str:
        return _("每%(unit)s %(points)d 分") % {"unit": self.get_unit_display(), "points": self.points_per_unit}


class ClaimBatch(models.Model):
    """Claims created together for the attendees of one activity (a 大家小家 meeting, an organised clean-up)."""

    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("活动名称"), max_length=100)
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="+"
    )
    service_date = models.DateField(_("服务日期"))
    quantity = models.PositiveSmallIntegerField(_("数量"))
    source_ref = models.CharField(
        _("来源"), max_length=60, blank=True, help_text=_("如 deliberation.meeting:12,记录活动来自哪个会议。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("批量申报")
        verbose_name_plural = _("批量申报")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.service_date:%Y-%m-%d} {self.title}"


def claim_photo_path(instance, filename: str) -> str:
    """Store evidence photos under a random name: neither the date nor the volunteer shows in it."""
    return random_name("points/claims", ".jpg")


class ServiceClaim(models.Model):
    """A service record waiting for approval; approval credits the points to the ledger."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已入账")
        REJECTED = "rejected", _("未通过")
        REVERSED = "reversed", _("已冲正")

    class Via(models.TextChoices):
        STAFF = "staff", _("干部录入")
        SELF = "self", _("一码通自助申报")
        BATCH = "batch", _("活动批量申报")
        API = "api", _("接口")

    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="claims")
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="claims"
    )
    service_date = models.DateField(_("服务日期"))
    quantity = models.PositiveSmallIntegerField(_("数量"))
    points = models.PositiveIntegerField(_("申报积分"))
    points_awarded = models.PositiveIntegerField(_("入账积分"), null=True, blank=True)
    photo = models.ImageField(_("佐证照片"), upload_to=claim_photo_path, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    via = models.CharField(_("申报方式"), max_length=10, choices=Via.choices, default=Via.STAFF)
    batch = models.ForeignKey(
        ClaimBatch, verbose_name=_("批量申报"), on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申报时间"), default=timezone.now)

    class Meta:
        verbose_name = _("服务申报")
        verbose_name_plural = _("服务申报")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="claim_quantity_positive"),
            models.CheckConstraint(condition=Q(points__gte=1), name="claim_points_positive"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""), name="claim_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "reversed"])
                | Q(points_awarded__isnull=False, points_awarded__gte=1, decided_at__isnull=False),
                name="claim_approval_has_points",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "-created_at"], name="claim_queue_idx"),
            models.Index(fields=["volunteer", "service_type", "service_date"], name="claim_cap_idx"),
            models.Index(fields=["volunteer", "status"], name="claim_volunteer_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.service_type} · {self.service_date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("points:claim_detail", args=[self.pk])


class PointsAccount(models.Model):
    """A volunteer's balance, changed only together with a ledger entry in one transaction."""

    volunteer = models.OneToOneField(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="account"
    )
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    balance = models.IntegerField(_("积分余额"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_account_balance_not_negative"),
        ]
        indexes = [models.Index(fields=["community", "-balance"], name="points_account_top_idx")]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.balance}"


class LedgerEntry(AppendOnlyModel):
    """One movement of points. Insert-only: a mistake is undone by a reversing entry naming this one."""

    append_only_hint = _("请用冲正记录更正")

    class Kind(models.TextChoices):
        EARN = "earn", _("获得")
        REDEEM = "redeem", _("兑换")
        REVERSE = "reverse", _("冲正")
        EXPIRE = "expire", _("过期")
        ADJUST = "adjust", _("调整")

    account = models.ForeignKey(PointsAccount, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="entries")
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    points = models.IntegerField(_("积分变动"))
    balance_after = models.IntegerField(_("变动后余额"))
    claim = models.ForeignKey(
        ServiceClaim, verbose_name=_("服务申报"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    redemption = models.ForeignKey(
        "Redemption", verbose_name=_("兑换单"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=100)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "idempotency_key"], name="ledger_idempotency_key_per_account"),
            models.CheckConstraint(condition=~Q(points=0), name="ledger_points_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_after_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="earn") | Q(points__gt=0, claim__isnull=False), name="ledger_earn_is_a_credit"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["redeem", "expire"]) | Q(points__lt=0), name="ledger_redeem_expire_are_debits"
            ),
            models.CheckConstraint(
                condition=~Q(kind="redeem") | Q(redemption__isnull=False), name="ledger_redeem_names_redemption"
            ),
            models.CheckConstraint(
                condition=(Q(kind="reverse") & Q(reverses__isnull=False))
                | (~Q(kind="reverse") & Q(reverses__isnull=True)),
                name="ledger_reverse_names_its_entry",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="ledger_account_idx"),
            models.Index(fields=["community", "kind", "created_at"], name="ledger_figures_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"


class Reward(ConfigRow):
    """An item of the points shop (积分超市): goods or a service, with a price in points and a stock."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("生活物资")
        SERVICE = "service", _("服务")

    community = models.ForeignKey(Community, verbose_name=_("提供村(居)"), on_delete=models.PROTECT, related_name="+")
    shop_name = models.CharField(_("兑换点"), max_length=50, help_text=_("如:电力爱心超市。"))
    name = models.CharField(_("名称"), max_length=50)  # unique per community, not street-wide (below)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.GOODS)
    price_points = models.PositiveIntegerField(_("所需积分"))
    stock = models.IntegerField(_("库存"), null=True, blank=True, help_text=_("留空表示不限量(如理发等服务)。"))
    market_value_yuan = models.DecimalField(_("参考价值(元)"), max_digits=8, decimal_places=2, null=True, blank=True)
    # The shop's own word: an item is on or off the shelf.
    is_active = models.BooleanField(_("上架"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta(ConfigRow.Meta):
        verbose_name = _("兑换商品")
        verbose_name_plural = _("积分超市商品")
        ordering = ["community_id", "sort_order", "price_points", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__isnull=True) | Q(stock__gte=0), name="reward_stock_not_negative"),
            models.CheckConstraint(condition=Q(price_points__gte=1), name="reward_price_positive"),
            models.UniqueConstraint(fields=["community", "name"], name="reward_unique_name_in_community"),
        ]
        indexes = [models.Index(fields=["community", "is_active"], name="reward_catalogue_idx")]

    def __str__(self) -> str:
        return f"{self.name}({self.price_points} 分)"


class RedemptionWindow(models.Model):
    """Dates on which points may be redeemed; a quarter with no window set uses the policy's default."""

    community = models.ForeignKey(
        Community,
        verbose_name=_("村(居)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("留空表示全部村(居)。"),
    )
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("兑换时间")
        verbose_name_plural = _("兑换时间")
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="redemption_window_closes_after_opening"
            ),
        ]
        indexes = [models.Index(fields=["opens_on", "closes_on"], name="redemption_window_dates_idx")]

    def __str__(self) -> str:
        where = self.community.name if self.community_id else _("全部村(居)")
        return f"{where} {self.opens_on:%Y-%m-%d}–{self.closes_on:%Y-%m-%d}"


class Redemption(models.Model):
    """A counter exchange of points for rewards; its ledger entry and stock changes are committed together."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="redemptions"
    )
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    total_points = models.PositiveIntegerField(_("合计积分"))
    idempotency_key = models.CharField(_("幂等键"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("兑换时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("兑换单")
        verbose_name_plural = _("兑换单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "idempotency_key"], name="redemption_idempotency_key"),
            models.CheckConstraint(condition=Q(total_points__gte=1), name="redemption_total_positive"),
        ]
        indexes = [models.Index(fields=["community", "-created_at"], name="redemption_community_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.volunteer}"

    def get_absolute_url(self) -> str:
        return reverse("points:redemption_receipt", args=[self.pk])

    @property
    def number(self) -> str:
        return f"DH{self.created_at:%Y}-{self.pk:06d}"


class RedemptionLine(models.Model):
    redemption = models.ForeignKey(Redemption, verbose_name=_("兑换单"), on_delete=models.PROTECT, related_name="lines")
    reward = models.ForeignKey(Reward, verbose_name=_("商品"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(_("数量"))
    unit_points = models.PositiveIntegerField(_("单价(积分)"))
    points = models.PositiveIntegerField(_("小计(积分)"))

    class Meta:
        verbose_name = _("兑换明细")
        verbose_name_plural = _("兑换明细")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="redemption_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(points=models.F("quantity") * models.F("unit_points")), name="redemption_line_points_sum"
            ),
            models.UniqueConstraint(fields=["redemption", "reward"], name="redemption_line_one_per_reward"),
        ]

    def __str__(self) -> str:
        return f"{self.reward.name} × {self.quantity}"
