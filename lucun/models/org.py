"""The org tree: county, street (街道), community (村/居) and grid (网格)."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


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
