"""Forms check shape only; the services decide what is allowed."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CaseList, Category, Tier
from cases.selectors import tier_default
from lucun.forms import PhotoField
from lucun.models import Community
from lucun.widgets import DateInput, DateTimeLocalInput

from .models import DECISIONS_FOR, ContestCriterion, Decision, Meeting, ParticipantRole, Venue

TASK_ROWS = 3


class VenueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, venue: Venue) -> str:
        return f"{venue.community.name} · {venue.name}({venue.get_kind_display()})"


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=Meeting.Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("议题/名称"), max_length=100)
    community = forms.ModelChoiceField(
        label=_("村(居)"),
        queryset=Community.objects.none(),
        required=False,
        help_text=_("大家小家座谈会和线上议事:召开会议的村(居);党政联席会、擂台比武:下沉召开所在的村(居)(可不选)。"),
    )
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    venue = VenueChoiceField(label=_("议事场所"), queryset=Venue.objects.none(), required=False)
    location = forms.CharField(
        label=_("其他地点"), max_length=200, required=False, help_text=_("不在议事场所时填写,如田间地头、小区凉亭。")
    )
    online_group = forms.CharField(label=_("线上群名称"), max_length=100, required=False)

    def __init__(self, *args, communities, venues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["venue"].queryset = venues
        self.fields["kind"].initial = Meeting.Kind.FAMILY_FORUM
        for role, label in ParticipantRole.choices:
            self.fields[f"invited_{role}"] = forms.IntegerField(
                label=_("%(role)s(邀请人数)") % {"role": label}, min_value=0, max_value=5000, required=False
            )

    def participant_fields(self):
        return [self[f"invited_{role}"] for role in ParticipantRole.values]

    def participants(self) -> dict[str, int]:
        return {role: self.cleaned_data.get(f"invited_{role}") or 0 for role in ParticipantRole.values}

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        if value < timezone.now() - timedelta(days=400):
            raise forms.ValidationError(_("开始时间不能早于一年多以前。"))
        return value


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


class StepForm(forms.Form):
    step = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class AttendanceForm(forms.Form):
    def __init__(self, *args, participations, **kwargs):
        super().__init__(*args, **kwargs)
        current = {p.role: p for p in participations}
        self.rows = []
        for role, label in ParticipantRole.choices:
            existing = current.get(role)
            self.fields[f"invited_{role}"] = forms.IntegerField(
                label=_("%(role)s 邀请") % {"role": label},
                min_value=0,
                max_value=5000,
                required=False,
                initial=existing.invited if existing else None,
            )
            self.fields[f"attended_{role}"] = forms.IntegerField(
                label=_("%(role)s 实到") % {"role": label},
                min_value=0,
                max_value=5000,
                required=False,
                initial=existing.attended if existing else None,
            )
            self.fields[f"note_{role}"] = forms.CharField(
                label=_("%(role)s 备注") % {"role": label},
                max_length=200,
                required=False,
                initial=existing.note if existing else "",
            )
            self.rows.append((label, self[f"invited_{role}"], self[f"attended_{role}"], self[f"note_{role}"]))

    def values(self) -> list[tuple[str, int, int | None, str]]:
        return [
            (
                role,
                self.cleaned_data.get(f"invited_{role}") or 0,
                self.cleaned_data.get(f"attended_{role}"),
                self.cleaned_data.get(f"note_{role}") or "",
            )
            for role in ParticipantRole.values
        ]


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("会议纪要"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        required=False,
        help_text=_("简单格式:以“# ”开头为小标题,“- ”开头为列表,**加粗**。"),
    )


class PhotoForm(forms.Form):
    image = PhotoField(label=_("照片"))
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class ProposeForm(forms.Form):
    cases = forms.ModelMultipleChoiceField(
        label=_("建议议题"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = proposals


class ScoreForm(forms.Form):
    community = forms.ModelChoiceField(label=_("参赛村(居)"), queryset=Community.objects.none(), empty_label=None)
    judge = forms.IntegerField(label=_("评委编号"), min_value=1, max_value=999)

    def __init__(self, *args, communities, criteria: list[ContestCriterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("%(name)s(满分 %(max)d)") % {"name": criterion.name, "max": criterion.max_score},
                min_value=0,
                max_value=criterion.max_score,
                required=False,
            )

    def scores(self) -> dict[ContestCriterion, int]:
        return {
            c: self.cleaned_data[f"score_{c.pk}"]
            for c in self.criteria
            if self.cleaned_data.get(f"score_{c.pk}") is not None
        }


class TaskDoneForm(forms.Form):
    note = forms.CharField(label=_("完成情况"), max_length=300, required=False)


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *Meeting.Kind.choices])
    community = forms.ModelChoiceField(
        label=_("村(居)"), queryset=Community.objects.none(), required=False, empty_label=_("全部村(居)")
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), ("scheduled", _("待召开")), ("held", _("已召开")), ("cancelled", _("已取消"))],
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class VenueFilterForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("村(居)"), queryset=Community.objects.none(), required=False, empty_label=_("全部村(居)")
    )
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *Venue.Kind.choices])

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
