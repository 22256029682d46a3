"""后备人才库: people found on visits (or entered directly) who could come back and lead."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.models import AppendOnlyModel, Community, phone_validator


class TalentRecord(models.Model):
    class Kind(models.TextChoices):
        RETURNING_YOUTH = "returning_youth", _("返乡青年")
        VETERAN = "veteran", _("退役军人")
        CAPABLE_ELSEWHERE = "capable_elsewhere", _("在外能人")
        OTHER = "other", _("其他")

    class Stage(models.TextChoices):
        IDENTIFIED = "identified", _("已发现")
        CONTACTED = "contacted", _("已联系")
        RETURNED = "returned", _("已回村(居)")
        RESERVE_SECRETARY = "reserve_secretary", _("后备书记")
        COMMITTEE_MEMBER = "committee_member", _("进入两委")

    # The pipeline moves forward only; a record may skip steps (a reserve secretary need not have returned first).
    STAGE_ORDER = [Stage.IDENTIFIED, Stage.CONTACTED, Stage.RETURNED, Stage.RESERVE_SECRETARY, Stage.COMMITTEE_MEMBER]

    community = models.ForeignKey(Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[phone_validator])
    working_in = models.CharField(_("现工作地/单位"), max_length=100, blank=True)
    strengths = models.CharField(_("特长"), max_length=200, blank=True)
    stage = models.CharField(_("进展"), max_length=20, choices=Stage.choices, default=Stage.IDENTIFIED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联系人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    visit_log = models.ForeignKey(
        "visits.VisitLog",
        verbose_name=_("发现于走访"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("备注"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    stage_changed_at = models.DateTimeField(_("进展更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("后备人才")
        verbose_name_plural = _("后备人才")
        ordering = ["community_id", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name", "phone"], name="talent_unique_person"),
        ]
        indexes = [models.Index(fields=["community", "stage"], name="talent_stage_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("outcomes:talent_detail", args=[self.pk])


class TalentStep(AppendOnlyModel):
    """An insert-only entry in a talent record's pipeline: the move and the owner's note."""

    append_only_hint = _("进展有误请再记一步说明")

    record = models.ForeignKey(TalentRecord, verbose_name=_("人才"), on_delete=models.CASCADE, related_name="steps")
    stage_from = models.CharField(_("原进展"), max_length=20, choices=TalentRecord.Stage.choices, blank=True)
    stage_to = models.CharField(_("新进展"), max_length=20, choices=TalentRecord.Stage.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("人才进展记录")
        verbose_name_plural = _("人才进展记录")
        ordering = ["record_id", "at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(stage_to=""), name="talentstep_has_stage")]

    def __str__(self) -> str:
        return f"{self.record_id} → {self.stage_to}"
