"""The bulk actions of the callbacks area (registered with ``lucun.bulk`` in ``OutcomesConfig.ready``): give many
waiting callbacks to one person of the pool, each through ``callback_assign`` — never to a case's handler or
first responder, whom each callback refuses on its own; and 生成回访 for many resolved cases without one, each
through ``callback_create_for_case`` (the rows of 待生成回访 are cases, named by the case's id)."""

from django import forms as django_forms
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case
from lucun.bulk import ActionForm, BulkAction
from lucun.models import User
from lucun.scoping import communities_with_role, has_role

from . import forms, permissions, selectors, services
from .independence import Pool
from .models import Callback


def callback_rows(*, user: User, query: QueryDict):
    """The callbacks list's rows: its tab (the pending ones unless another is chosen), its scope, its order."""
    state = forms.callback_state(query)
    return selectors.callback_list(user=user, state="" if state == "all" else state)


def callback_scope(*, user: User):
    return selectors.callback_list(user=user, state="")


def _label(callback: Callback) -> str:
    return f"{callback.case.number} {Truncator(callback.case.title).chars(40)}"


class BulkCallbackAssignForm(ActionForm):
    """The person every ticked callback goes to: one of the pool of a community where the person assigns."""

    assignee = django_forms.ModelChoiceField(label=_("回访责任人"), queryset=User.objects.none())
    note = django_forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        ids = list(communities_with_role(user, permissions.CALLBACK_ASSIGN_ROLES).values_list("pk", flat=True))
        pool = Pool(ids)
        members = set().union(*(pool.members(community_id=pk, team_id=None) for pk in ids)) if ids else set()
        self.fields["assignee"].queryset = User.objects.filter(pk__in=members, is_active=True).order_by(
            "real_name", "pk"
        )


def _assign(callback: Callback, *, user: User, data: dict) -> str:
    services.callback_assign(callback=callback, user=user, assignee=data["assignee"], note=data["note"])
    return _("已指派 %(name)s 回访。") % {"name": data["assignee"]}


def missing_rows(*, user: User, query: QueryDict):
    """待生成回访's rows with its filters, for the positions that make callbacks (403 for others, as the page)."""
    if not permissions.can_create_callback(user):
        raise PermissionDenied
    communities = communities_with_role(user, permissions.CALLBACK_CREATE_ROLES).order_by("sort_order", "name")
    filters = forms.CallbackMissingFilterForm(query or None, communities=communities).filters()
    return selectors.callback_missing_list(user=user, filters=filters)


def missing_scope(*, user: User):
    """Every case of the communities where the person makes callbacks, whatever its state: a case resolved and
    called back meanwhile is then refused by the service with its reason, not merely not found."""
    communities = communities_with_role(user, permissions.CALLBACK_CREATE_ROLES)
    return Case.objects.select_related("community").filter(community__in=communities)


def _case_label(case: Case) -> str:
    return f"{case.number} {Truncator(case.title).chars(40)}"


def _create(case: Case, *, user: User, data: dict) -> str:
    return services.callback_created_summary(services.callback_create_for_case(case=case, actor=user))


ACTIONS = (
    BulkAction(
        kind="outcomes.callback_assign",
        label=gettext_lazy("指派回访人员"),
        page="outcomes:callback_list",
        unit=gettext_lazy("条"),
        rows=callback_rows,
        scope=callback_scope,
        run=_assign,
        form=BulkCallbackAssignForm,
        describe=_label,
        allowed=lambda user: has_role(user, permissions.CALLBACK_ASSIGN_ROLES),
        help=gettext_lazy("承办人和首问责任人不能回访自己办理的诉求:这样的回访不会指派,结果中逐条说明。"),
    ),
    BulkAction(
        kind="outcomes.callback_create",
        label=gettext_lazy("生成回访"),
        page="outcomes:callback_missing",
        unit=gettext_lazy("件"),
        rows=missing_rows,
        scope=missing_scope,
        run=_create,
        describe=_case_label,
        allowed=permissions.can_create_callback,
        help=gettext_lazy(
            "每件诉求生成本次办结的回访,交给回访人员库中与该诉求无关、待回访最少的人员;"
            "未办结或已有回访的诉求不会生成,结果中逐条说明。"
        ),
    ),
)
