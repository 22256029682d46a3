"""The append-only ledger: a volunteer's account and its entries, each reversing row undoing one before it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.models import AppendOnlyModel, Community

from .claims import ServiceClaim
from .volunteers import Volunteer


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
