"""The audit actions of 积分 (see lucun.audit)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lucun.audit import register


@register
class AuditAction(models.TextChoices):
    VOLUNTEER_CREATE = "points.volunteer_create", _("登记志愿者")
    VOLUNTEER_UPDATE = "points.volunteer_update", _("修改志愿者信息")
    VOLUNTEER_TOKEN_ISSUE = "points.volunteer_token_issue", _("签发一码通")
    VOLUNTEER_TOKEN_REVOKE = "points.volunteer_token_revoke", _("作废一码通")
    CLAIM_SUBMIT = "points.claim_submit", _("申报志愿服务")
    CLAIM_SELF_SUBMIT = "points.claim_self_submit", _("一码通自助申报")
    CLAIM_BATCH_CREATE = "points.claim_batch_create", _("活动批量申报")
    CLAIM_APPROVE = "points.claim_approve", _("审核通过积分申报")
    CLAIM_REJECT = "points.claim_reject", _("驳回积分申报")
    LEDGER_ENTRY_REVERSE = "points.ledger_entry_reverse", _("冲正积分流水")
    POINTS_ADJUST = "points.points_adjust", _("调整积分")
    REWARD_CREATE = "points.reward_create", _("新增兑换商品")
    REWARD_UPDATE = "points.reward_update", _("修改兑换商品")
    REDEMPTION_CREATE = "points.redemption_create", _("积分兑换")
