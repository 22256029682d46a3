"""The negative list (负面清单): its kinds of bad conduct, and the violations recorded against officials."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.models import Community, ConfigRow

from .case import Case


class ConductKind(ConfigRow):
    """One kind of bad conduct on the negative list (负面清单), e.g. 推诿扯皮, 态度恶劣."""

    class Meta(ConfigRow.Meta):
        verbose_name = _("负面清单情形")
        verbose_name_plural = _("负面清单情形")


class ConductViolation(models.Model):
    """A recorded violation of the negative list by an official; each one is reported (发现一起通报一起)."""

    official = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="conduct_violations"
    )
    kind = models.ForeignKey(ConductKind, verbose_name=_("情形"), on_delete=models.PROTECT, related_name="violations")
    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, verbose_name=_("相关诉求"), on_delete=models.PROTECT, null=True, blank=True, related_name="violations"
    )
    occurred_on = models.DateField(_("发生日期"))
    note = models.TextField(_("情况说明"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("作风问题记录")
        verbose_name_plural = _("作风问题记录")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["community", "-occurred_on"], name="violation_community_idx")]

    def __str__(self) -> str:
        return f"{self.official} · {self.kind}"
