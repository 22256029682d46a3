"""The 通报 of the negative list: documents the supervisors of a street publish, listing conduct violations.

"发现一起通报一起": every recorded violation (``ConductViolation``) is reported. A 通报 (``Bulletin``) covers a
period of one street and lists the violations of that period with their handling; once published it is never
changed (a correction is a new 通报 that names the one it corrects). Who may read a street's 通报 is
configuration (``BulletinReader``), edited in the admin.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.models import Role, Street

from .conduct import ConductViolation

# The positions that read a street's 通报 unless the admin says otherwise: the officials of the street; unit heads
# and party representatives are residents who help, not officials. Supervisors and street leaders always read
# them (they write them), whatever the configuration says.
BULLETIN_READERS_DEFAULT = (
    Role.STREET_LEADER,
    Role.STREET_STAFF,
    Role.SUPERVISOR,
    Role.COMMUNITY_CADRE,
    Role.GRID_WORKER,
)


class BulletinReader(models.Model):
    """A position (职务类别) and whether it reads the 通报 of the streets it works in."""

    role = models.CharField(_("职务类别"), max_length=30, choices=Role.choices, unique=True)
    is_active = models.BooleanField(_("可阅读通报"), default=True)

    class Meta:
        verbose_name = _("通报阅读范围")
        verbose_name_plural = _("通报阅读范围")
        ordering = ["role"]

    def __str__(self) -> str:
        return str(self.get_role_display())


class Bulletin(models.Model):
    """A 通报 of one street for a period: a draft its supervisors edit, then a published document."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    # Indexed below, with the state and the time (the list), and by the series' unique constraint.
    street = models.ForeignKey(
        Street, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    title = models.CharField(_("标题"), max_length=100)
    period_from = models.DateField(_("通报期间自"))
    period_to = models.DateField(_("通报期间至"))
    body = models.TextField(_("通报说明"), max_length=2000, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的通报"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    # The issue number (2026年第3期), given at publication, one series per street and year.
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    serial = models.PositiveSmallIntegerField(_("期号"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("起草人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("起草时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_from__lte=F("period_to")), name="bulletin_period_in_order"),
            models.CheckConstraint(
                condition=(
                    Q(
                        state="draft",
                        published_at__isnull=True,
                        published_by__isnull=True,
                        year__isnull=True,
                        serial__isnull=True,
                    )
                    | Q(
                        state="published",
                        published_at__isnull=False,
                        published_by__isnull=False,
                        year__isnull=False,
                        serial__isnull=False,
                    )
                ),
                name="bulletin_published_has_its_publication",
            ),
            models.UniqueConstraint(fields=["street", "year", "serial"], name="bulletin_one_serial_per_street_year"),
        ]
        indexes = [models.Index(fields=["street", "state", "-published_at"], name="bulletin_street_state_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.serial else self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:bulletin_detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def number(self) -> str:
        """The issue as it is printed: 2026年第3期 (a draft has none yet)."""
        return _("%(year)s年第%(serial)s期") % {"year": self.year, "serial": self.serial} if self.serial else ""


class BulletinItem(models.Model):
    """One violation a 通报 lists, with how it was handled (诫勉谈话, 通报批评, 责令整改 …)."""

    # Indexed by the unique constraint below, which leads with it.
    bulletin = models.ForeignKey(
        Bulletin, verbose_name=_("通报"), on_delete=models.CASCADE, related_name="items", db_index=False
    )
    violation = models.ForeignKey(
        ConductViolation, verbose_name=_("作风问题"), on_delete=models.PROTECT, related_name="bulletin_items"
    )
    handling = models.CharField(_("处理情况"), max_length=500)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("通报事项")
        verbose_name_plural = _("通报事项")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "violation"], name="bulletinitem_violation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.bulletin_id} · {self.violation}"
