"""Forms check shape only; the services decide what is allowed."""

import re

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from lucun.forms import PhotosField
from lucun.models import Grid
from lucun.widgets import DateInput, Select, read_choices_plainly

from ..models import Case, CaseList, Category, ConductKind, Tier
from ..selectors import tier_default
from ..services.opening import MAX_CASE_PHOTOS

PUBLIC_TITLE_HELP = _(
    "扫码反映的群众能看到,用于“我也遇到”:只写什么地方什么问题(如:芦湖路东段路灯不亮),"
    "不写姓名、门牌号、电话。留空则不公开。"
)


class CaseOpenForm(forms.Form):
    community = forms.ModelChoiceField(label=_("村(居)"), queryset=None, empty_label=None)
    grid = forms.ModelChoiceField(label=_("网格"), queryset=Grid.objects.none(), required=False)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.active(), widget=forms.RadioSelect, empty_label=None
    )
    title = forms.CharField(label=_("标题"), max_length=100)
    public_title = forms.CharField(label=_("公开标题"), max_length=60, required=False, help_text=PUBLIC_TITLE_HELP)
    description = forms.CharField(
        label=_("情况描述"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    source = forms.ChoiceField(label=_("来源"), choices=Case.Source.choices, initial=Case.Source.WALK_IN)
    tier = forms.ModelChoiceField(
        label=_("办理层级"), queryset=Tier.objects.order_by("rank"), empty_label=None, widget=forms.RadioSelect
    )
    case_list = forms.ChoiceField(label=_("清单"), choices=CaseList.choices, initial=CaseList.COMMUNITY)
    contact_name = forms.CharField(label=_("群众姓名"), max_length=50, required=False)
    contact_phone = forms.RegexField(
        label=_("群众电话"),
        regex=r"^[0-9\-]{7,20}$",
        required=False,
        error_messages={"invalid": _("请输入正确的电话号码。")},
    )
    photos = PhotosField(
        label=_("现场照片"), most=MAX_CASE_PHOTOS, camera=True, help_text=_("可选,最多 6 张;照片会去除位置等信息。")
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["grid"].queryset = Grid.objects.filter(community__in=communities).select_related("community")
        self.fields["tier"].initial = tier_default()

    def clean(self):
        data = super().clean()
        grid, community = data.get("grid"), data.get("community")
        if grid and community and grid.community_id != community.pk:
            self.add_error("grid", _("所选网格不属于该村(居)。"))
        return data


class PublicTitleForm(forms.Form):
    public_title = forms.CharField(label=_("公开标题"), max_length=60, required=False, help_text=PUBLIC_TITLE_HELP)

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault("initial", {"public_title": case.public_title})
        super().__init__(*args, **kwargs)


class EmptyForm(forms.Form):
    pass


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)


class SuperviseForm(forms.Form):
    note = forms.CharField(label=_("督办意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("办理进展"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    contacted = forms.BooleanField(label=_("已联系群众"), required=False)


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("承办人"), queryset=None)
    handler_office = forms.CharField(label=_("承办单位"), max_length=60, required=False)

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers


class MoveForm(forms.Form):
    """Where a case goes: a community of the case's street, and optionally one of its grids."""

    community = forms.ModelChoiceField(label=_("转到村(居)"), queryset=None, empty_label=None)
    grid = forms.ModelChoiceField(
        label=_("网格"), queryset=Grid.objects.none(), required=False, empty_label=_("(不指定网格)")
    )
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, street, exclude=None, **kwargs):
        from lucun.models import Community

        super().__init__(*args, **kwargs)
        communities = Community.objects.filter(street=street).order_by("sort_order", "name")
        if exclude is not None:
            communities = communities.exclude(pk=exclude.pk)
        self.fields["community"].queryset = communities
        self.fields["grid"].queryset = (
            Grid.objects.filter(community__in=communities)
            .select_related("community")
            .order_by("community__sort_order", "community__name", "sort_order", "name")
        )

    def clean(self):
        data = super().clean()
        grid, community = data.get("grid"), data.get("community")
        if grid and community and grid.community_id != community.pk:
            self.add_error("grid", _("所选网格不属于该村(居)。"))
        return data


class TransferForm(MoveForm):
    """A community official's hand-over: another community of the street, which accepts it or sends it back."""

    community = forms.ModelChoiceField(label=_("转交给村(居)"), queryset=None, empty_label=None)
    reason = forms.CharField(label=_("转交理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class RegridForm(forms.Form):
    grid = forms.ModelChoiceField(label=_("转到网格"), queryset=None, empty_label=None)
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = (
            Grid.objects.filter(community=community).select_related("community").order_by("sort_order", "name")
        )


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    public_reply = forms.CharField(
        label=_("公开答复"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text=_("群众凭查询码可以看到这段答复,请勿写入个人信息。"),
    )
    case_list = forms.ChoiceField(label=_("解决方式"), choices=CaseList.choices)


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("延长天数"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class EscalateForm(forms.Form):
    tier = forms.ModelChoiceField(
        label=_("升级到层级"), queryset=Tier.objects.none(), required=False, empty_label=_("(层级不变)")
    )
    case_list = forms.ChoiceField(
        label=_("提交到清单"), choices=[("", _("(清单不变)")), *CaseList.choices], required=False
    )
    reason = forms.CharField(label=_("升级理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(rank__gt=case.tier.rank).order_by("rank")


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批"),
        choices=[("1", _("批准")), ("0", _("驳回"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审批意见"), max_length=300, required=False)


class ApprovalsDecideForm(forms.Form):
    """The inbox's form: the selected requests (``selected`` = ``extension-12``, ``return-5``) or all that wait for
    the person (``all``), the decision and the reason. The requests are checked one by one by the decide service,
    not here; how many at once is the bulk runner's limit (``LUCUN_BULK_MAX``)."""

    ITEM = re.compile(r"^(extension|return)-([1-9][0-9]{0,16})$")

    approve = forms.TypedChoiceField(
        label=_("审批"), choices=[("1", _("批准所选")), ("0", _("驳回所选"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("审批意见"), max_length=300, required=False, help_text=_("驳回时必填。"))
    all = forms.BooleanField(label=_("全部待我审批的申请"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.raw_items = data.getlist("selected") if data is not None else []

    def clean(self):
        cleaned = super().clean()
        items = []
        for raw in self.raw_items:
            match = self.ITEM.match(raw)
            if match is None:
                raise forms.ValidationError(_("所选申请无效,请刷新页面后重新选择。"))
            if (match[1], int(match[2])) not in items:
                items.append((match[1], int(match[2])))
        if not items and not cleaned.get("all"):
            raise forms.ValidationError(_("请至少选择一项申请。"))
        if cleaned.get("approve") is False and not cleaned.get("note", "").strip():
            self.add_error("note", _("驳回申请须填写理由。"))
        cleaned["items"] = items
        return cleaned


class ViolationForm(forms.Form):
    official = forms.ModelChoiceField(label=_("干部"), queryset=None)
    kind = forms.ModelChoiceField(
        label=_("情形"), queryset=ConductKind.objects.active(), widget=forms.RadioSelect, empty_label=None
    )
    community = forms.ModelChoiceField(label=_("村(居)"), queryset=None, empty_label=None)
    case_number = forms.CharField(label=_("相关诉求编号"), max_length=30, required=False)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DateInput())
    note = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, officials, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["official"].queryset = officials
        self.fields["community"].queryset = communities


class CaseFilterForm(forms.Form):
    # Every drop-down is written in Python (``lucun.widgets.Select``): the lists run to every official of a street.
    q = forms.CharField(label=_("编号或标题"), required=False, max_length=50)
    community = forms.ModelChoiceField(
        label=_("村(居)"), queryset=None, required=False, empty_label=_("全部村(居)"), widget=Select
    )
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.all(), required=False, empty_label=_("全部类别"), widget=Select
    )
    tier = forms.ModelChoiceField(
        label=_("层级"),
        queryset=Tier.objects.order_by("rank"),
        required=False,
        empty_label=_("全部层级"),
        widget=Select,
    )
    state = forms.ChoiceField(label=_("状态"), required=False, widget=Select)
    colour = forms.ChoiceField(label=_("颜色"), required=False, widget=Select)
    case_list = forms.ChoiceField(
        label=_("清单"), required=False, choices=[("", _("全部清单")), *CaseList.choices], widget=Select
    )
    first_responder = forms.ModelChoiceField(
        label=_("首问责任人"), queryset=None, required=False, empty_label=_("全部首问责任人"), widget=Select
    )
    source = forms.ChoiceField(
        label=_("来源"), required=False, choices=[("", _("全部来源")), *Case.Source.choices], widget=Select
    )

    def __init__(self, *args, communities, officials, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .. import source_filters
        from ..models import CaseState, Colour

        self.fields["community"].queryset = communities
        self.fields["first_responder"].queryset = officials
        for source_filter in source_filters.registered():
            self.fields[source_filter.key] = forms.ModelChoiceField(
                label=source_filter.label,
                queryset=source_filter.choices(user),
                required=False,
                empty_label=source_filter.empty_label,
                widget=Select,
            )
        # The case list opens on the open cases ("open"); "all" shows every state (views.case_list).
        self.fields["state"].choices = [("open", _("未办结")), ("all", _("全部状态")), *CaseState.choices]
        self.fields["colour"].choices = [("", _("全部颜色")), *Colour.choices]
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                read_choices_plainly(field)

    def filters(self) -> dict:
        """The filters chosen. One that does not hold (an address typed or kept from before, naming a community no
        longer in reach or a colour that does not exist) is left out, and the others still apply: the page names
        it (``ignored_labels``) instead of showing every case as if nothing had been chosen."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors and v not in (None, "")}

    def ignored_labels(self) -> list[str]:
        """The labels of the filters ``filters`` left out."""
        return [str(self.fields[name].label) for name in self.errors if name in self.fields]

    def show_choices(self, name: str, objects) -> None:
        """Write the options of ``name`` from ``objects`` the page has read anyway, instead of reading them again."""
        field = self.fields[name]
        field.widget.choices = [("", field.empty_label), *((obj.pk, field.label_from_instance(obj)) for obj in objects)]


def case_filter_form(*, user, data=None) -> CaseFilterForm:
    """The dashboard's filters for ``user`` (the page, and its background refresh).

    The communities' options are those the page reads for its figures (``communities_seen``, once per request).
    """
    from lucun.models import Community
    from lucun.selectors import communities_seen, officials_in_scope

    seen = communities_seen(user=user)
    form = CaseFilterForm(
        data,
        communities=Community.objects.filter(pk__in=[c.pk for c in seen]).order_by("sort_order", "name"),
        officials=officials_in_scope(user=user, seen=seen),
        user=user,
    )
    form.show_choices("community", seen)
    return form


class CaseListFilterForm(CaseFilterForm):
    """The case list's filters, and its order: soonest due (the default) or most 同问 ("我也遇到") first."""

    order = forms.ChoiceField(
        label=_("排序"), required=False, choices=[("", _("按办理期限")), ("same_question", _("同问最多"))]
    )

    def filters(self) -> dict:
        # A state that does not hold is left out like any filter, and the list stays on its default: the open cases.
        return {"state": "open", **super().filters()}


def case_list_filter_form(*, user, data=None) -> CaseFilterForm:
    """The case list's filters: without a chosen state, the open cases (the page and its export and print)."""
    from lucun.scoping import communities_for
    from lucun.selectors import officials_in_scope

    data = data.copy() if data is not None else QueryDict(mutable=True)
    if not data.get("state"):
        data["state"] = "open"
    return CaseListFilterForm(
        data,
        communities=communities_for(user).order_by("sort_order", "name"),
        officials=officials_in_scope(user=user),
        user=user,
    )
