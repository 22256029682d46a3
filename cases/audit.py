"""The audit actions of 分类解 (see lucun.audit)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lucun.audit import register


@register
class AuditAction(models.TextChoices):
    CONDUCT_VIOLATION_RECORD = "cases.conduct_violation_record", _("记录作风问题")
    CHANNEL_CREATE = "cases.feedback_channel_create", _("创建反馈渠道")
    CHANNEL_DEACTIVATE = "cases.feedback_channel_deactivate", _("停用反馈渠道")
    FEEDBACK_CREATE_CASE = "cases.feedback_create_case", _("群众反馈立案")
    FEEDBACK_MERGE = "cases.feedback_merge", _("群众反馈并入诉求")
    FEEDBACK_REJECT_SPAM = "cases.feedback_reject_spam", _("群众反馈标记为无效信息")
    FEEDBACK_REJECT_NOT_ACTIONABLE = "cases.feedback_reject_not_actionable", _("群众反馈标记为无法办理")
    FEEDBACK_REDACT = "cases.feedback_redact", _("群众反馈脱敏")
    CASE_EXPORT = "cases.export", _("导出诉求清单")
    FEEDBACK_EXPORT = "cases.feedback_export", _("导出群众反馈")
    CASE_SHEETS_PRINT = "cases.print", _("打印诉求办理单")
    OPEN311_KEY_ISSUE = "cases.open311_key_issue", _("签发 Open311 API 密钥")
    OPEN311_KEY_REVOKE = "cases.open311_key_revoke", _("吊销 Open311 API 密钥")
    OPEN311_KEY_CHANGE = "cases.open311_key_change", _("修改 Open311 API 密钥")
    OPEN311_SETTING_CHANGE = "cases.open311_setting_change", _("修改 Open311 街道设置")
    HOTLINE_KEY_ISSUE = "cases.hotline_key_issue", _("签发 12345 推送密钥")
    HOTLINE_KEY_REVOKE = "cases.hotline_key_revoke", _("吊销 12345 推送密钥")
    HOTLINE_KEY_CHANGE = "cases.hotline_key_change", _("修改 12345 推送密钥")
    HOTLINE_SETTING_CHANGE = "cases.hotline_setting_change", _("修改 12345 街道设置")
    HOTLINE_IMPORT = "cases.hotline_import", _("导入 12345 工单")
    BULLETIN_CREATE = "cases.bulletin_create", _("起草通报")
    BULLETIN_UPDATE = "cases.bulletin_update", _("修改通报草稿")
    BULLETIN_PUBLISH = "cases.bulletin_publish", _("发布通报")
    CASE_HANDOVER = "cases.handover", _("交接诉求")
    CASE_MOVE = "cases.case_move", _("调整诉求所属村(居)或网格")
    CASE_TRANSFER_REQUEST = "cases.case_transfer_request", _("转交诉求到其他村(居)")
    CASE_TRANSFER_ACCEPT = "cases.case_transfer_accept", _("接收转交的诉求")
    CASE_TRANSFER_RETURN = "cases.case_transfer_return", _("退回转交的诉求")
    CASE_TRANSFER_WITHDRAW = "cases.case_transfer_withdraw", _("撤回转交的诉求")
    FEEDBACK_MOVE = "cases.feedback_move", _("群众反馈转到其他村(居)")
    CASE_PUBLIC_TITLE_SET = "cases.case_public_title_set", _("修改诉求公开标题")
    APPROVAL_DECIDE = "cases.approval_decide", _("审批延期或退回申请")
    APPROVAL_ESCALATE = "cases.approval_escalate", _("审批超时转上级")
