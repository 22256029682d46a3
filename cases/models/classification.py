"""How a problem is classified: its category, its handling tier (the deadline and thresholds) and its list."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lucun.models import ConfigRow, EnglishNamed


class Category(ConfigRow):
    """One of the problem categories (6大类), configurable."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)

    class Meta(ConfigRow.Meta):
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")


class Tier(EnglishNamed):
    """A handling tier (能办即办 / 分类承办 / 难事特办) with its deadline and thresholds."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    rank = models.PositiveSmallIntegerField(_("级别"), unique=True, help_text=_("数字越大,级别越高;只能向上升级。"))
    time_limit = models.DurationField(_("办理时限"))
    warn_before = models.DurationField(_("黄色提醒"), help_text=_("距到期还剩多少时间时转为黄色。"))
    notice_after_red = models.DurationField(_("红色后通报"), help_text=_("红色持续多久后列入通报名单。"))
    first_contact_limit = models.DurationField(_("首次联系时限"), help_text=_("登记后多久内须联系群众(响应率)。"))
    description = models.CharField(_("说明"), max_length=200, blank=True)
    is_default = models.BooleanField(_("默认层级"), default=False, help_text=_("登记诉求时预先选定的层级,只能有一个。"))

    class Meta:
        verbose_name = _("办理层级")
        verbose_name_plural = _("办理层级")
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(condition=Q(warn_before__lt=models.F("time_limit")), name="tier_warn_within_limit"),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="tier_one_default"),
        ]


class CaseList(models.TextChoices):
    """The three lists (三张清单) that route a problem: 小事不出村、大事不出街、难事镇统筹."""

    SELF = "self", _("群众自商")
    COMMUNITY = "community", _("村居共议")
    STREET = "street", _("上级帮办")
