"""The bulk actions of the case list, the feedback queue and the approvals inbox (registered with ``lucun.bulk`` in
``CasesConfig.ready``): each row goes through the single action's service — a case's move as ``cases.moves``
declares it, a message's triage, a request's decision — so a bulk action allows and refuses exactly what the
single one does.

The inbox's rows are extension and return requests, whose ids overlap: a row is named by one integer that encodes
both (``selectors.approval_row_id``: extension 37 is 371, return 37 is 372), read with ``select`` and found with
``pick`` instead of one model's queryset."""

import functools

from django import forms as django_forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lucun.bulk import ActionForm, BulkAction
from lucun.errors import require
from lucun.models import Grid, User
from lucun.scoping import communities_for, communities_with_role, has_role

from . import forms, selectors, services
from .models import Case, CaseList, Category, ExtensionRequest, Feedback, ReturnRequest, Tier
from .moves import MOVES
from .permissions import APPROVE_ROLES, DISPATCH_ROLES, HANDLE_ROLES
from .services.feedback import TRIAGE_ROLES

# --- The case list ------------------------------------------------------------------------------------------


def case_rows(*, user: User, query: QueryDict):
    """The case list's rows: its filters (open cases unless a state is chosen), its scope, its order."""
    return selectors.case_list(user=user, filters=forms.case_list_filter_form(user=user, data=query).filters())


def case_scope(*, user: User):
    return selectors.case_list(user=user, filters={"state": "all"})


def _case_label(case: Case) -> str:
    return f"{case.number} {Truncator(case.title).chars(40)}"


def _accept(case: Case, *, user: User, data: dict) -> str:
    MOVES["accept"].run(case=case, user=user, data=data)
    return _("已签收。")


class BulkAssignForm(ActionForm):
    """The handler for every ticked case: an official who handles cases in one of the person's communities; each
    case checks that the handler covers its own community, as the case page's list does."""

    handler = django_forms.ModelChoiceField(label=_("承办人"), queryset=User.objects.none())
    handler_office = django_forms.CharField(label=_("承办单位"), max_length=60, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        from lucun.models import Position

        communities = communities_with_role(user, DISPATCH_ROLES)
        positions = Position.objects.current().filter(role__in=sorted(HANDLE_ROLES))
        covering = (
            positions.filter(community__in=communities)
            | positions.filter(grid__community__in=communities)
            | positions.filter(street__in=communities.values("street"))
            | positions.filter(county__in=communities.values("street__county"))
        )
        self.fields["handler"].queryset = User.objects.filter(is_active=True, pk__in=covering.values("user")).order_by(
            "real_name", "pk"
        )


def _assign(case: Case, *, user: User, data: dict) -> str:
    handler = data["handler"]
    require(
        selectors.handlers_for(community=case.community).filter(pk=handler.pk).exists(),
        _("%(name)s不负责%(community)s的诉求,不能承办该诉求。") % {"name": handler, "community": case.community.name},
    )
    MOVES["assign"].run(case=case, user=user, data=data)
    return _("已指派 %(name)s。") % {"name": handler}


# --- The feedback queue -------------------------------------------------------------------------------------


def feedback_rows(*, user: User, query: QueryDict):
    """The feedback queue's rows with its filters (the waiting messages unless a state is chosen), for the
    positions that triage it (403 for others, as the page)."""
    if not has_role(user, TRIAGE_ROLES):
        raise PermissionDenied
    communities = communities_for(user).order_by("sort_order", "name")
    filters = forms.QueueFilterForm(query or None, communities=communities).filters()
    return selectors.feedback_queue(user=user, filters=filters)


def feedback_scope(*, user: User):
    return selectors.feedback_queue(user=user, filters={"state": "all"})


def _feedback_label(item: Feedback) -> str:
    return Truncator(item.shareable_text.replace("\n", " ")).chars(40)


def _can_triage(user) -> bool:
    return has_role(user, TRIAGE_ROLES)


class BulkCreateCaseForm(ActionForm):
    """立案 for each ticked message: one case each, titled with the start of its text, in its own community."""

    tier = django_forms.ModelChoiceField(label=_("办理层级"), queryset=Tier.objects.order_by("rank"), empty_label=None)
    case_list = django_forms.ChoiceField(label=_("清单"), choices=CaseList.choices, initial=CaseList.COMMUNITY)
    category = django_forms.ModelChoiceField(
        label=_("类别"),
        queryset=Category.objects.active(),
        required=False,
        empty_label=_("(按群众所选类别)"),
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"tier": selectors.tier_default()})
        super().__init__(*args, user=user, **kwargs)


def _create_case(item: Feedback, *, user: User, data: dict) -> str:
    case = services.feedback_create_case(
        feedback=item,
        user=user,
        title=item.shareable_text.replace("\n", " ")[:30],
        category=data["category"],
        tier=data["tier"],
        case_list=data["case_list"],
    )
    return _("已立案:%(number)s。") % {"number": case.number}


class MergedCreateCaseForm(forms.CreateCaseForm):
    """合并立案: the fields of single 立案 for the one case the ticked messages become, and a note for the merged
    ones. The title is written for all of them; the grid is one of the person's communities' (the service checks
    that it lies in the messages' community)."""

    note = django_forms.CharField(
        label=_("并入说明"), max_length=300, required=False, help_text=_("记在第二条起每条反馈的并入记录里(可不填)。")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, feedback=None, **kwargs)
        self.fields["grid"].queryset = (
            Grid.objects.filter(community__in=communities_with_role(user, TRIAGE_ROLES))
            .select_related("community")
            .order_by("community__sort_order", "community__name", "name")
        )


def _create_case_merged(items: list[Feedback], *, user: User, data: dict) -> str:
    case = services.feedback_create_case_merged(
        feedbacks=items,
        user=user,
        title=data["title"],
        category=data["category"],
        tier=data["tier"],
        case_list=data["case_list"],
        grid=data["grid"],
        public_title=data["public_title"],
        note=data["note"],
    )
    return _("已合并立案:%(number)s,共 %(count)d 条反馈。") % {"number": case.number, "count": len(items)}


class BulkMergeForm(ActionForm):
    """The case every ticked message is merged into: one the person may see, by its number."""

    case_number = django_forms.CharField(
        label=_("并入的诉求编号"), max_length=30, help_text=_("如 LH-2026-000123;所选反馈都并入这一件诉求。")
    )
    note = django_forms.CharField(label=_("说明"), max_length=300, required=False)

    def clean_case_number(self) -> str:
        number = self.cleaned_data["case_number"].strip()
        try:
            self.cleaned_data["case"] = selectors.case_get(user=self.user, number=number)
        except Http404 as exc:
            raise django_forms.ValidationError(_("在您可见的诉求中找不到这个编号。")) from exc
        return number


def _merge(item: Feedback, *, user: User, data: dict) -> str:
    case = data["case"]
    case.refresh_from_db()  # the rows before may have merged into it: the service reads it as it stands
    services.feedback_merge(feedback=item, user=user, case=case, note=data["note"])
    return _("已并入诉求 %(number)s。") % {"number": case.number}


class BulkSpamForm(ActionForm):
    reason = django_forms.CharField(
        label=_("原因"),
        max_length=300,
        widget=django_forms.Textarea(attrs={"rows": 2}),
        help_text=_("如:广告、无意义内容、重复刷屏。每条反馈都记下这个原因,不会删除。"),
    )


def _spam(item: Feedback, *, user: User, data: dict) -> str:
    services.feedback_reject(feedback=item, user=user, state=Feedback.State.SPAM, reason=data["reason"])
    return _("已标记为无效信息。")


# --- The approvals inbox ------------------------------------------------------------------------------------

APPROVE = "cases.approval_approve"
REFUSE = "cases.approval_refuse"


def approval_rows(*, user: User, query: QueryDict):
    """The inbox's rows (dicts, oldest first), for the positions that approve (403 for others, as the page)."""
    if not _can_approve(user):
        raise PermissionDenied
    return selectors.approvals_inbox(user=user)


def _approval_select(*, user: User, query: QueryDict, limit: int) -> list[int]:
    if not _can_approve(user):
        raise PermissionDenied
    return selectors.approvals_inbox_ids(user=user, limit=limit)


def _approval_pick(*, user: User, ids: list[int]) -> dict[int, ExtensionRequest | ReturnRequest]:
    return selectors.approvals_picked(user=user, ids=ids)


def _can_approve(user) -> bool:
    return has_role(user, APPROVE_ROLES)


def _approval_label(request: ExtensionRequest | ReturnRequest) -> str:
    kind = _("延期申请") if isinstance(request, ExtensionRequest) else _("退回申请")
    return f"{request.case.number} {kind} · {Truncator(request.case.title).chars(30)}"


class BulkApproveForm(ActionForm):
    note = django_forms.CharField(label=_("审批意见"), max_length=300, required=False)


class BulkRefuseForm(ActionForm):
    note = django_forms.CharField(
        label=_("驳回理由"),
        max_length=300,
        error_messages={"required": _("驳回申请须填写理由。")},
        help_text=_("每项申请都记下这个理由,申请人会收到通知。"),
    )


def _decide(request: ExtensionRequest | ReturnRequest, *, user: User, data: dict, approve: bool) -> str:
    service = services.case_decide_extension if isinstance(request, ExtensionRequest) else services.case_decide_return
    service(request=request, user=user, approve=approve, note=data["note"])
    return _("已批准。") if approve else _("已驳回。")


def _approval_link(request: ExtensionRequest | ReturnRequest) -> str:
    return request.case.get_absolute_url()


def _approval_decision(*, approve: bool) -> BulkAction:
    """批准 or 驳回 on the inbox: every ticked request decided by its own kind's service, with the one note."""
    return BulkAction(
        kind=APPROVE if approve else REFUSE,
        label=gettext_lazy("批准") if approve else gettext_lazy("驳回"),
        page="cases:approvals",
        unit=gettext_lazy("项"),
        rows=approval_rows,
        scope=None,
        select=_approval_select,
        pick=_approval_pick,
        run=functools.partial(_decide, approve=approve),
        form=BulkApproveForm if approve else BulkRefuseForm,
        describe=_approval_label,
        link=_approval_link,
        allowed=_can_approve,
        help=gettext_lazy("每项申请由其审批职务审批:已被他人审批或不由您审批的申请不会办理,结果中逐项说明。")
        if approve
        else gettext_lazy("驳回的延期申请不延长期限,驳回的退回申请由承办人继续办理。"),
        danger=not approve,
    )


ACTIONS = (
    BulkAction(
        kind="cases.case_accept",
        label=gettext_lazy("签收"),
        page="cases:case_list",
        unit=gettext_lazy("件"),
        rows=case_rows,
        scope=case_scope,
        run=_accept,
        describe=_case_label,
        allowed=lambda user: has_role(user, HANDLE_ROLES),
        help=gettext_lazy("您签收后成为承办人;已有承办人的诉求只有承办人本人可以签收。"),
    ),
    BulkAction(
        kind="cases.case_assign",
        label=gettext_lazy("指派承办人"),
        page="cases:case_list",
        unit=gettext_lazy("件"),
        rows=case_rows,
        scope=case_scope,
        run=_assign,
        form=BulkAssignForm,
        describe=_case_label,
        allowed=lambda user: has_role(user, DISPATCH_ROLES),
        help=gettext_lazy("已签收的诉求改派后,需新承办人重新签收;承办人会收到通知。"),
    ),
    BulkAction(
        kind="cases.feedback_create_case",
        label=gettext_lazy("逐条立案"),
        page="cases:feedback_queue",
        unit=gettext_lazy("条"),
        rows=feedback_rows,
        scope=feedback_scope,
        run=_create_case,
        form=BulkCreateCaseForm,
        describe=_feedback_label,
        allowed=_can_triage,
        help=gettext_lazy("每条反馈各立一件诉求,标题取反馈的开头;同一件事的多条反馈请用“合并立案”。"),
    ),
    BulkAction(
        kind="cases.feedback_create_case_merged",
        label=gettext_lazy("合并立案"),
        page="cases:feedback_queue",
        unit=gettext_lazy("条"),
        rows=feedback_rows,
        scope=feedback_scope,
        run=_create_case_merged,
        form=MergedCreateCaseForm,
        describe=_feedback_label,
        allowed=_can_triage,
        together=True,
        help=gettext_lazy(
            "反映同一件事的多条反馈(同一村(居))合立一件诉求:第一条立案,其余并入,每条反馈的查询码都跟随这件诉求;"
            "任何一条不能办理时全部不办理。"
        ),
    ),
    BulkAction(
        kind="cases.feedback_merge",
        label=gettext_lazy("并入同一诉求"),
        page="cases:feedback_queue",
        unit=gettext_lazy("条"),
        rows=feedback_rows,
        scope=feedback_scope,
        run=_merge,
        form=BulkMergeForm,
        describe=_feedback_label,
        allowed=_can_triage,
        help=gettext_lazy("反映同一件事的多条反馈并入一件已登记的诉求;还没有诉求时请用“合并立案”。"),
    ),
    BulkAction(
        kind="cases.feedback_spam",
        label=gettext_lazy("标记为无效信息"),
        page="cases:feedback_queue",
        unit=gettext_lazy("条"),
        rows=feedback_rows,
        scope=feedback_scope,
        run=_spam,
        form=BulkSpamForm,
        describe=_feedback_label,
        allowed=_can_triage,
        danger=True,
    ),
    _approval_decision(approve=True),
    _approval_decision(approve=False),
)
