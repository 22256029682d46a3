"""The audit actions of outcomes: callbacks, surveys, red lines, goals, talent (see lucun.audit)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lucun.audit import register


@register
class AuditAction(models.TextChoices):
    CALLBACK_CREATE = "outcomes.callback_create", _("生成回访")
    CALLBACK_ASSIGN = "outcomes.callback_assign", _("指派回访人员")
    CALLBACK_RECORD = "outcomes.callback_record", _("记录回访")
    CALLBACK_UNREACHED = "outcomes.callback_unreached", _("回访未联系上")
    CALLBACK_EXPORT = "outcomes.callback_export", _("导出回访清单")
    HOTLINE_EXPORT = "outcomes.hotline_export", _("导出 12345 办理结果")
    CALLBACK_HANDOVER = "outcomes.callback_handover", _("交接回访")
    SURVEY_START = "outcomes.survey_start", _("发起满意度调查")
    SURVEY_CLOSE = "outcomes.survey_close", _("结束满意度调查")
    EXTERNAL_FIGURE_RECORD = "outcomes.external_figure_record", _("录入外部数据")
    WARNING_RECORD = "outcomes.warning_record", _("记录红线预警")
    GOAL_CREATE = "outcomes.goal_create", _("设定任期目标")
    GOAL_PROGRESS_RECORD = "outcomes.goal_progress_record", _("填报目标进展")
    GOAL_REVIEW_RECORD = "outcomes.goal_review_record", _("年度对账")
    ADJUSTMENT_RECORD = "outcomes.adjustment_record", _("记录干部调整")
    TALENT_CREATE = "outcomes.talent_create", _("登记后备人才")
    TALENT_ADVANCE = "outcomes.talent_advance", _("后备人才进展")
    TALENT_PHONE_VIEW = "outcomes.talent_phone_view", _("查看人才联系电话")
