"""现场议's doorstep places to deliberate: venues and the grids within their 15-minute circle."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lucun.models import Community, Grid


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
