"""The audit actions of 现场议 (see lucun.audit)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lucun.audit import register


@register
class AuditAction(models.TextChoices):
    MEETING_SCHEDULE = "deliberation.meeting_schedule", _("召开议事会议")
    MEETING_CANCEL = "deliberation.meeting_cancel", _("取消议事会议")
    MEETING_MINUTES_SAVE = "deliberation.meeting_minutes_save", _("保存会议纪要")
    PARTICIPATIONS_RECORD = "deliberation.participations_record", _("登记参会情况")
    STEP_COMPLETE = "deliberation.step_complete", _("完成议事步骤")
    AGENDA_ADD = "deliberation.agenda_add", _("列入议程")
    AGENDA_RAISE_CASE = "deliberation.agenda_raise_case", _("会上登记诉求")
    AGENDA_DECIDE = "deliberation.agenda_decide", _("记录议定事项")
    JOINT_MEETING_PROPOSE_AGENDA = "deliberation.joint_meeting_propose_agenda", _("列入联席会议题")
    FOLLOWUP_TASK_COMPLETE = "deliberation.followup_task_complete", _("完成跟进事项")
    DELIBERATION_HANDOVER = "deliberation.handover", _("交接跟进事项和议事会议")
    MEETING_PHOTO_ADD = "deliberation.meeting_photo_add", _("上传会议照片")
    CONTEST_SCORE_RECORD = "deliberation.contest_score_record", _("擂台比武评分")
    CONTEST_WEIGHT_SET = "deliberation.contest_weight_set", _("设置群众评分权重")
    CONTEST_BALLOTS_ISSUE = "deliberation.contest_ballots_issue", _("发放群众评议选票")
    CONTEST_BALLOT_SUBMIT = "deliberation.contest_ballot_submit", _("群众扫码评分")
    CONTEST_BALLOTS_VOID = "deliberation.contest_ballots_void", _("作废群众评议选票")
