"""Forms of the agenda: adding a case, raising a new one, proposing the joint meeting's cases, deciding an item and
marking a follow-up task done. Forms check shape only; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import CaseList, Category, Tier
from cases.selectors import tier_default
from lucun.models import Community
from lucun.widgets import DateInput

from ..models import DECISIONS_FOR, Decision, Meeting

TASK_ROWS = 3


class AgendaAddForm(forms.Form):
    case = forms.ModelChoiceField(label=_("待议诉求"), queryset=None, required=False, empty_label=_("(从列表选择)"))
    number = forms.CharField(label=_("或输入诉求编号"), max_length=30, required=False)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = candidates

    def clean(self):
        data = super().clean()
        if not data.get("case") and not (data.get("number") or "").strip():
            raise forms.ValidationError(_("请选择一件诉求,或输入诉求编号。"))
        return data


class RaiseCaseForm(forms.Form):
    title = forms.CharField(label=_("问题"), max_length=100)
    description = forms.CharField(
        label=_("情况描述"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, required=False
    )
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.active(), empty_label=None)
    tier = forms.ModelChoiceField(label=_("办理层级"), queryset=Tier.objects.order_by("rank"), empty_label=None)
    case_list = forms.ChoiceField(label=_("清单"), choices=CaseList.choices, initial=CaseList.COMMUNITY)
    community = forms.ModelChoiceField(label=_("问题所在村(居)"), queryset=Community.objects.none(), required=False)

    def __init__(self, *args, meeting, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].initial = tier_default()
        if meeting.community_id:
            del self.fields["community"]
        else:
            self.fields["community"].queryset = communities.filter(street_id=meeting.street_id)
            self.fields["community"].required = True
            self.fields["case_list"].initial = CaseList.STREET


class DecideForm(forms.Form):
    """One agenda item's decision; the officials' choices are built once per page, not once per form."""

    decision = forms.ChoiceField(label=_("决定"), widget=forms.RadioSelect)
    summary = forms.CharField(label=_("讨论情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    result = forms.CharField(
        label=_("议定结果"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
        help_text=_("协商解决、交办部门时必填;协商解决的结果作为诉求的办理结果。"),
    )
    public_reply = forms.CharField(
        label=_("公开答复"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text=_("不填则使用议定结果;请勿写入个人信息。"),
    )
    case_list = forms.ChoiceField(
        label=_("解决方式"),
        choices=[(CaseList.COMMUNITY, CaseList.COMMUNITY.label), (CaseList.SELF, CaseList.SELF.label)],
        initial=CaseList.COMMUNITY,
        widget=forms.RadioSelect,
        required=False,
    )
    special_tier = forms.BooleanField(label=_("同时升级为“难事特办”"), required=False, initial=True)
    department = forms.CharField(label=_("承办部门"), max_length=60, required=False)
    handler = forms.TypedChoiceField(label=_("责任人"), coerce=int, required=False, empty_value=None)
    due_on = forms.DateField(label=_("办结时限"), required=False, widget=DateInput())

    def __init__(self, *args, meeting, officials: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        allowed = DECISIONS_FOR.get(meeting.kind, ())
        self.fields["decision"].choices = [(d.value, d.label) for d in allowed]
        choices = [("", "—"), *officials]
        self.fields["handler"].choices = choices
        self.task_rows = []
        if Decision.FOLLOW_UP in allowed:
            for index in range(1, TASK_ROWS + 1):
                self.fields[f"task_title_{index}"] = forms.CharField(
                    label=_("跟进事项 %(n)d") % {"n": index}, max_length=200, required=False
                )
                self.fields[f"task_owner_{index}"] = forms.TypedChoiceField(
                    label=_("负责人"), choices=choices, coerce=int, required=False, empty_value=None
                )
                self.fields[f"task_due_{index}"] = forms.DateField(label=_("时限"), required=False, widget=DateInput())
                self.task_rows.append(
                    (self[f"task_title_{index}"], self[f"task_owner_{index}"], self[f"task_due_{index}"])
                )
        if Decision.SETTLED not in allowed or meeting.kind == Meeting.Kind.JOINT:
            del self.fields["case_list"]
        if Decision.BEYOND not in allowed:
            del self.fields["special_tier"]
        if Decision.ASSIGNED not in allowed:
            for name in ("department", "handler", "due_on"):
                del self.fields[name]

    def tasks(self) -> list[tuple[str, int, object]]:
        """Return the filled task rows as (title, owner id, due date)."""
        rows = []
        for index in range(1, TASK_ROWS + 1):
            title = (self.cleaned_data.get(f"task_title_{index}") or "").strip()
            owner = self.cleaned_data.get(f"task_owner_{index}")
            due = self.cleaned_data.get(f"task_due_{index}")
            if title or owner or due:
                rows.append((title, owner, due))
        return rows

    def clean(self):
        data = super().clean()
        if data.get("decision") == Decision.FOLLOW_UP:
            for index, (title, owner, due) in enumerate(self.tasks(), start=1):
                if not (title and owner and due):
                    self.add_error(
                        f"task_title_{index}", _("请把第 %(n)d 项跟进事项的内容、负责人和时限填写完整。") % {"n": index}
                    )
        return data


class ProposeForm(forms.Form):
    cases = forms.ModelMultipleChoiceField(
        label=_("建议议题"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = proposals


class TaskDoneForm(forms.Form):
    note = forms.CharField(label=_("完成情况"), max_length=300, required=False)
