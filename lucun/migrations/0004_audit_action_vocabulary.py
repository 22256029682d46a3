"""Audit actions become codes of a fixed vocabulary (lucun.audit); the rows written before are restated.

The texts and codes are written out here, as they were when the vocabulary began: a migration keeps meaning
the same thing as the code moves on, and lucun imports no app.
"""

import lucun.audit
from django.db import migrations, models

from lucun.db import append_only_updates_allowed

# The free texts the services wrote, and the code each now has.
TEXT_CODES = {
    "记录作风问题": "cases.conduct_violation_record",
    "创建反馈渠道": "cases.feedback_channel_create",
    "停用反馈渠道": "cases.feedback_channel_deactivate",
    "群众反馈立案": "cases.feedback_create_case",
    "群众反馈并入诉求": "cases.feedback_merge",
    "群众反馈标记为无效信息": "cases.feedback_reject_spam",
    "群众反馈标记为无法办理": "cases.feedback_reject_not_actionable",
    "群众反馈脱敏": "cases.feedback_redact",
    "召开议事会议": "deliberation.meeting_schedule",
    "取消议事会议": "deliberation.meeting_cancel",
    "保存会议纪要": "deliberation.meeting_minutes_save",
    "登记参会情况": "deliberation.participations_record",
    "完成议事步骤": "deliberation.step_complete",
    "列入议程": "deliberation.agenda_add",
    "会上登记诉求": "deliberation.agenda_raise_case",
    "记录议定事项": "deliberation.agenda_decide",
    "列入联席会议题": "deliberation.joint_meeting_propose_agenda",
    "完成跟进事项": "deliberation.followup_task_complete",
    "上传会议照片": "deliberation.meeting_photo_add",
    "擂台比武评分": "deliberation.contest_score_record",
    "解除登录锁定": "lucun.login_lock_clear",
    "记录红线预警": "outcomes.warning_record",
    "设定任期目标": "outcomes.goal_create",
    "填报目标进展": "outcomes.goal_progress_record",
    "年度对账": "outcomes.goal_review_record",
    "记录干部调整": "outcomes.adjustment_record",
    "回访未联系上": "outcomes.callback_unreached",
    "记录回访": "outcomes.callback_record",
    "录入外部数据": "outcomes.external_figure_record",
    "发起满意度调查": "outcomes.survey_start",
    "结束满意度调查": "outcomes.survey_close",
    "登记后备人才": "outcomes.talent_create",
    "后备人才进展": "outcomes.talent_advance",
    "查看人才联系电话": "outcomes.talent_phone_view",
    "申报志愿服务": "points.claim_submit",
    "一码通自助申报": "points.claim_self_submit",
    "活动批量申报": "points.claim_batch_create",
    "审核通过积分申报": "points.claim_approve",
    "驳回积分申报": "points.claim_reject",
    "冲正积分流水": "points.ledger_entry_reverse",
    "调整积分": "points.points_adjust",
    "新增兑换商品": "points.reward_create",
    "修改兑换商品": "points.reward_update",
    "积分兑换": "points.redemption_create",
    "登记志愿者": "points.volunteer_create",
    "修改志愿者信息": "points.volunteer_update",
    "签发一码通": "points.volunteer_token_issue",
    "作废一码通": "points.volunteer_token_revoke",
}
# visits wrote codes already; they stay as they are.
CODES_ALREADY = frozenset(
    {
        "visits.plan_build",
        "visits.assignment_update",
        "visits.household_create",
        "visits.household_update",
        "visits.household_import",
        "visits.household_sensitive_view",
        "visits.visitlog_create",
        "visits.request_convert",
        "visits.card_batch_create",
        "visits.card_batch_deactivate",
        "visits.feedback_point_create",
        "visits.feedback_point_deactivate",
        "visits.print_job_create",
    }
)
LEGACY = "legacy"
CODES = frozenset({*TEXT_CODES.values(), *CODES_ALREADY, LEGACY})
SUMMARY_LENGTH = 300


def action_code(text: str) -> str:
    """Return the code of an action as it was stored before the vocabulary (``legacy`` when none fits)."""
    if text in CODES:
        return text
    return TEXT_CODES.get(text, LEGACY)


def legacy_restated(action: str, summary: str, changes: dict) -> tuple[str, dict]:
    """Return the summary and changes of a row whose text fits no code: the text leads the summary, and
    both the text and the old summary are kept whole in ``changes``, so nothing is lost."""
    restated = f"{action}:{summary}" if summary else action
    return restated[:SUMMARY_LENGTH], {**changes, "legacy": {"action": action, "summary": summary}}


def forwards(apps, schema_editor):
    AuditEvent = apps.get_model("lucun", "AuditEvent")
    rows = AuditEvent.objects.using(schema_editor.connection.alias)
    # Audit rows refuse UPDATE (lucun.db.append_only); restating them is this migration's one exception.
    with append_only_updates_allowed(schema_editor, "lucun_auditevent"):
        for text, code in TEXT_CODES.items():
            rows.filter(action=text).update(action=code)
        for pk, action, summary, changes in rows.exclude(action__in=CODES).values_list(
            "pk", "action", "summary", "changes"
        ):
            summary, changes = legacy_restated(action, summary, changes or {})
            rows.filter(pk=pk).update(action=LEGACY, summary=summary, changes=changes)


def backwards(apps, schema_editor):
    AuditEvent = apps.get_model("lucun", "AuditEvent")
    rows = AuditEvent.objects.using(schema_editor.connection.alias)
    with append_only_updates_allowed(schema_editor, "lucun_auditevent"):
        for text, code in TEXT_CODES.items():
            rows.filter(action=code).update(action=text)
        for pk, changes in rows.filter(action=LEGACY).values_list("pk", "changes"):
            legacy = dict(changes or {})
            kept = legacy.pop("legacy", None) or {"action": LEGACY, "summary": ""}
            rows.filter(pk=pk).update(action=kept["action"], summary=kept["summary"], changes=legacy)


class Migration(migrations.Migration):
    dependencies = [("lucun", "0003_outbox_claims_and_deliveries")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(choices=lucun.audit.action_choices, max_length=60, verbose_name="操作"),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
