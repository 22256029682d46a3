"""Requests an approver decides on: more time for a case (延期), or sending it back (退回); and who approves them.

Who approves is configuration (``ApprovalRule``): a role per tier, per kind of request and, for an extension, per
length. A request records the role the rules named when it was made and when it goes to the next approver if
nobody decides it (``cases.services.approvals``).
"""

import math
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.db import RowTriggers, SqliteTrigger
from lucun.models import Community, ConfigRow, Role

from .case import Case
from .classification import Tier


class ApprovalKind(models.TextChoices):
    EXTENSION = "extension", _("延期申请")
    RETURN = "return", _("退回申请")


# The positions a rule may name as approver: officials with authority over a case, not residents' representatives.
APPROVER_ROLES = (Role.COMMUNITY_CADRE, Role.STREET_STAFF, Role.STREET_LEADER, Role.SUPERVISOR)
APPROVER_CHOICES = [(role.value, role.label) for role in APPROVER_ROLES]


class ApprovalRule(ConfigRow):
    """Who approves a kind of request for a tier (审批权限): a role, and for extensions up to how many days.

    The extension rules of a tier are read in the order of their limits: a request goes to the first rule whose
    limit is at least the time asked (a rule without a limit takes the rest). The active rules of a tier must
    reach the tier's own time limit (an extension never asks for more), so no request is left without an
    approver; a tier without any rule of a kind falls back to the supervisors and street leaders.
    """

    kind = models.CharField(_("申请类型"), max_length=10, choices=ApprovalKind.choices)
    tier = models.ForeignKey(Tier, verbose_name=_("办理层级"), on_delete=models.PROTECT, related_name="+")
    up_to_days = models.PositiveSmallIntegerField(
        _("延期不超过(天)"),
        null=True,
        blank=True,
        help_text=_("延期申请:本规则审批的最长延期天数;留空表示不限(承接更长的延期)。退回申请须留空。"),
    )
    approver_role = models.CharField(
        _("审批职务"),
        max_length=30,
        choices=APPROVER_CHOICES,
        help_text=_("覆盖诉求所在村(居)的该职务在岗人员审批;申请人不能审批自己的申请。"),
    )
    escalate_after = models.DurationField(
        _("超时转上级"),
        null=True,
        blank=True,
        help_text=_("申请等待超过此时长未审批,转交“上级审批职务”;留空表示不转交。格式如 1 00:00:00(1天)。"),
    )
    escalate_to = models.CharField(
        _("上级审批职务"),
        max_length=30,
        choices=APPROVER_CHOICES,
        blank=True,
        help_text=_("与“超时转上级”同时填写。"),
    )

    class Meta(ConfigRow.Meta):
        verbose_name = _("审批权限")
        verbose_name_plural = _("审批权限")
        ordering = ["sort_order", "kind", "tier__rank", "up_to_days"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="extension") | Q(up_to_days__isnull=True), name="approvalrule_return_no_length"
            ),
            models.CheckConstraint(
                condition=Q(up_to_days__isnull=True) | Q(up_to_days__gt=0), name="approvalrule_length_positive"
            ),
            models.CheckConstraint(
                condition=Q(escalate_after__isnull=True, escalate_to="")
                | (Q(escalate_after__gt=timedelta(0)) & ~Q(escalate_to="")),
                name="approvalrule_escalation_complete",
            ),
            models.CheckConstraint(
                condition=~Q(escalate_to=models.F("approver_role")), name="approvalrule_escalates_elsewhere"
            ),
            # One active rule per limit, and one without a limit, for a kind and a tier: no overlap.
            models.UniqueConstraint(
                fields=["kind", "tier", "up_to_days"],
                condition=Q(is_active=True, up_to_days__isnull=False),
                name="approvalrule_one_per_length",
            ),
            models.UniqueConstraint(
                fields=["kind", "tier"],
                condition=Q(is_active=True, up_to_days__isnull=True),
                name="approvalrule_one_open_ended",
            ),
        ]

    def covers(self, extra_time: timedelta | None) -> bool:
        """Tell whether this rule takes a request asking for ``extra_time`` (None: a return request)."""
        return self.up_to_days is None or (extra_time is not None and extra_time <= timedelta(days=self.up_to_days))

    def clean(self) -> None:
        errors = {}
        if self.kind == ApprovalKind.RETURN and self.up_to_days is not None:
            errors["up_to_days"] = _("退回申请不分延期天数,请留空。")
        if bool(self.escalate_after) != bool(self.escalate_to):
            errors["escalate_to"] = _("“超时转上级”和“上级审批职务”须同时填写或同时留空。")
        elif self.escalate_to and self.escalate_to == self.approver_role:
            errors["escalate_to"] = _("上级审批职务不能与审批职务相同。")
        if self.escalate_after is not None and self.escalate_after <= timedelta(0):
            errors["escalate_after"] = _("超时时长须大于零。")
        if errors:
            raise ValidationError(errors)
        if self.tier_id and self.kind:
            self._check_siblings()

    def _check_siblings(self) -> None:
        """Refuse a change that leaves two rules on one length, or a length of the tier without an approver."""
        others = list(
            ApprovalRule.objects.filter(kind=self.kind, tier_id=self.tier_id, is_active=True).exclude(pk=self.pk)
        )
        if self.is_active:
            if any(rule.up_to_days == self.up_to_days for rule in others):
                raise ValidationError(
                    {
                        "up_to_days": _("该层级已有同一延期天数的启用规则,同一申请只能有一个审批职务。")
                        if self.up_to_days is not None
                        else _("该层级已有不限天数的启用规则,同一申请只能有一个审批职务。")
                    }
                )
            others.append(self)
        if not others:
            return  # no rule at all: the tier falls back to the supervisors and street leaders
        gap = rules_gap(rules=others, tier=self.tier, kind=self.kind)
        if gap:
            raise ValidationError(gap)


def rules_gap(*, rules, tier: Tier, kind: str) -> str:
    """Say which requests of ``tier`` the ``rules`` leave without an approver ("" when none)."""
    if any(rule.up_to_days is None for rule in rules):
        return ""
    reach = max(rule.up_to_days for rule in rules)
    limit_days = math.ceil(tier.time_limit / timedelta(days=1))
    if kind == ApprovalKind.RETURN:
        return str(_("%(tier)s层级的退回申请将没有审批人:请保留一条启用的退回规则。") % {"tier": tier.display_name})
    if reach >= limit_days:
        return ""
    return str(
        _(
            "%(tier)s层级超过 %(reach)s 天的延期申请将没有审批人(本层级最长可延期 %(limit)s 天):"
            "请把最长的一条规则的天数留空或改为不少于 %(limit)s 天。"
        )
        % {"tier": tier.display_name, "reach": reach, "limit": limit_days}
    )


class ApprovalRouting(models.Model):
    """Who decides a pending request now, and when it goes to the next approver (fixed from the rules when asked).

    An empty ``approver_role`` is a request made before the rules existed, or for a tier without rules: the
    supervisors and street leaders decide it.
    """

    approver_role = models.CharField(_("审批职务"), max_length=30, choices=Role.choices, blank=True)
    escalate_at = models.DateTimeField(_("超时转上级时间"), null=True, blank=True)
    escalate_to = models.CharField(_("上级审批职务"), max_length=30, choices=Role.choices, blank=True)
    escalated_at = models.DateTimeField(_("转上级时间"), null=True, blank=True)
    # The case's community, given when the request is made and kept in step by a trigger when the case moves
    # (``COMMUNITY_TRIGGERS``): the dashboard's and the navigation's counts of requests waiting in a person's
    # communities read the requests' own index, not every request's case.
    community = models.ForeignKey(
        Community, verbose_name=_("村(居)"), on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        abstract = True


class ExtensionRequest(ApprovalRouting):
    """A handler's request for more time; the configured approver approves or refuses; at most one approved a case."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("已驳回")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    extra_time = models.DurationField(_("申请延长"))
    reason = models.TextField(_("理由"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(_("审批结果"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="extension_one_pending_per_case"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="approved"), name="extension_at_most_one_approved"
            ),
            models.CheckConstraint(condition=Q(extra_time__gt=timedelta(0)), name="extension_positive"),
        ]
        indexes = [
            # The escalation sweep reads only the pending requests whose time is up.
            models.Index(
                fields=["escalate_at"],
                condition=Q(decision="pending", escalated_at__isnull=True, escalate_at__isnull=False),
                name="extension_escalation_due",
            ),
            # The requests waiting in some communities, counted from this index alone (see ``community``).
            models.Index(
                fields=["community", "approver_role", "escalated_at", "requested_by"],
                condition=Q(decision="pending"),
                name="extension_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.extra_time}"


class ReturnRequest(ApprovalRouting):
    """A handler's request to send a case back (退回); needs approval so cases don't bounce between offices."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="return_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("理由"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(
        _("审批结果"),
        max_length=10,
        choices=ExtensionRequest.Decision.choices,
        default=ExtensionRequest.Decision.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("退回申请")
        verbose_name_plural = _("退回申请")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="return_one_pending_per_case"
            ),
        ]
        indexes = [
            models.Index(
                fields=["escalate_at"],
                condition=Q(decision="pending", escalated_at__isnull=True, escalate_at__isnull=False),
                name="return_escalation_due",
            ),
            models.Index(
                fields=["community", "approver_role", "escalated_at", "requested_by"],
                condition=Q(decision="pending"),
                name="return_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_decision_display()}"


# --- A request's community follows its case ----------------------------------------------------------
#
# When a case moves to another community (a hand-over accepted, a relocation), its requests move with it, whatever
# wrote the move. One row trigger on the cases, run only when the community changed; on SQLite lucun.db re-creates
# it after a migrate that rebuilt the cases table, setting every request's community from its case first.

_REQUEST_TABLES = ("cases_extensionrequest", "cases_returnrequest")

FOLLOW = tuple(
    f"UPDATE {table} SET community_id = (SELECT community_id FROM cases_case WHERE id = {table}.case_id)"  # noqa: S608
    for table in _REQUEST_TABLES
)


def _follow(row: str) -> str:
    return " ".join(
        f"UPDATE {table} SET community_id = {row}.community_id WHERE case_id = {row}.id;"  # noqa: S608
        for table in _REQUEST_TABLES
    )


COMMUNITY_TRIGGERS = RowTriggers(
    label="request community",
    prefix="cases_request_community",
    table="cases_case",
    keeps=f"{_REQUEST_TABLES[0]}.community_id",
    refill=FOLLOW,
    postgres_functions=lambda: {"update": f"BEGIN {_follow('NEW')} RETURN NULL; END;"},
    sqlite_bodies=lambda: {
        "update": (
            "AFTER UPDATE OF community_id",
            " WHEN (OLD.community_id <> NEW.community_id)",
            _follow("NEW"),
        )
    },
)


def sqlite_request_community_triggers() -> list[SqliteTrigger]:
    return COMMUNITY_TRIGGERS.sqlite_triggers()
