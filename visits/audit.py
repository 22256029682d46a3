"""The audit actions of 直面问 (see lucun.audit)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lucun.audit import register


@register
class AuditAction(models.TextChoices):
    PLAN_BUILD = "visits.plan_build", _("生成走访轮换安排")
    ASSIGNMENT_UPDATE = "visits.assignment_update", _("调整走访安排")
    HOUSEHOLD_CREATE = "visits.household_create", _("登记住户")
    HOUSEHOLD_UPDATE = "visits.household_update", _("修改住户信息")
    HOUSEHOLD_IMPORT = "visits.household_import", _("导入住户")
    HOUSEHOLD_SENSITIVE_VIEW = "visits.household_sensitive_view", _("查看住户敏感信息")
    VISITLOG_CREATE = "visits.visitlog_create", _("记录走访")
    REQUEST_CONVERT = "visits.request_convert", _("走访诉求转为诉求")
    CARD_BATCH_CREATE = "visits.card_batch_create", _("登记党群联系卡")
    CARD_BATCH_DEACTIVATE = "visits.card_batch_deactivate", _("停用党群联系卡")
    FEEDBACK_POINT_CREATE = "visits.feedback_point_create", _("张贴意见收集二维码")
    FEEDBACK_POINT_DEACTIVATE = "visits.feedback_point_deactivate", _("停用意见收集二维码")
    PRINT_JOB_CREATE = "visits.print_job_create", _("生成联系卡印刷文件")
    TEAM_HANDOVER = "visits.team_handover", _("交接走访队伍")
