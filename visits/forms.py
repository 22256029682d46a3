"""Forms of 直面问: they check shape only; the services decide."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.forms import PhotosField
from lucun.models import User
from lucun.text import pinyin_initials, pinyin_key
from lucun.widgets import DateInput, DateTimeLocalInput, Select

from .models import Household, VisitLog, VisitTeam

MAX_PHOTOS = 6
MAX_REQUESTS = 10


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name()


class VisitLogForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    team = forms.ModelChoiceField(
        label=_("走访队伍"), queryset=VisitTeam.objects.none(), required=False, empty_label=_("(不属于走访队伍)")
    )
    visited_at = forms.DateTimeField(label=_("走访时间"), widget=DateTimeLocalInput())
    visitors = UserChoiceField(
        label=_("走访人(至少两名)"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    method = forms.ChoiceField(
        label=_("方式"), choices=VisitLog.Method.choices, initial=VisitLog.Method.HOME, widget=forms.RadioSelect
    )
    met = forms.ChoiceField(
        label=_("见到"), choices=VisitLog.Met.choices, initial=VisitLog.Met.HEAD, widget=forms.RadioSelect
    )
    family_note = forms.CharField(
        label=_("家庭情况"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    suggestions = forms.CharField(
        label=_("意见建议"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    answered_on_spot = forms.CharField(
        label=_("当场解答或解决"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    duration_minutes = forms.IntegerField(
        label=_("时长(分钟)"),
        required=False,
        min_value=1,
        max_value=1440,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    photos = PhotosField(
        label=_("照片"), most=MAX_PHOTOS, camera=True, help_text=_("可直接拍照,最多 6 张;位置等信息会被清除。")
    )

    def __init__(self, *args, teams, visitors, user: User, default_team=None, visiting_team=None, **kwargs):
        """``visiting_team``: the team whose turn it is in the household's community; its members come first."""
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["visitors"].queryset = visitors
        self.user = user
        self.visiting_team = visiting_team
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())
            self.initial.setdefault("visited_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("visitors", [user.pk])
            if default_team is not None:
                self.initial.setdefault("team", default_team.pk)

    def visitor_groups(self) -> list[dict]:
        """The visitors' check boxes: the visiting team's members first, then everyone else, each by pinyin.

        The user (already ticked) comes first in their group. Each box carries the text a search matches: the
        name, its pinyin and its pinyin initials.
        """
        team_ids = set(self.visiting_team.members.values_list("user_id", flat=True)) if self.visiting_team else set()
        first, rest = [], []
        for box in self["visitors"]:
            user_id = int(str(box.data["value"]))
            name = str(box.choice_label)
            item = {
                "box": box,
                "search": f"{name} {pinyin_key(name)[0].replace(' ', '')} {pinyin_initials(name)}",
                "key": (user_id != self.user.pk, pinyin_key(name)),
            }
            (first if user_id in team_ids else rest).append(item)
        groups = []
        if first and rest:
            label = _("%(team)s(本村本期走访队伍)") % {"team": self.visiting_team.name}
            groups.append({"label": label, "boxes": sorted(first, key=lambda i: i["key"])})
            groups.append({"label": _("其他人员"), "boxes": sorted(rest, key=lambda i: i["key"])})
        else:
            groups.append({"label": "", "boxes": sorted(first + rest, key=lambda i: i["key"])})
        return groups

    def clean_visitors(self):
        visitors = self.cleaned_data["visitors"]
        if len(visitors) < 2:
            raise forms.ValidationError(_("至少勾选两名走访人。"))
        return visitors


class VisitRequestForm(forms.Form):
    text = forms.CharField(label=_("诉求"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    answered = forms.BooleanField(label=_("已当场解答"), required=False)
    convert = forms.BooleanField(label=_("转为诉求"), required=False, help_text=_("登记为诉求件,由您作为首问责任人。"))


VisitRequestFormSet = forms.formset_factory(
    VisitRequestForm, extra=2, max_num=MAX_REQUESTS, validate_max=True, absolute_max=MAX_REQUESTS
)


STATE_CHOICES = [
    ("", _("全部")),
    ("never", _("从未走访")),
    ("overdue", _("重点户逾期未访")),
    ("open", _("有待办诉求")),
]


class LedgerFilterForm(forms.Form):
    # The drop-downs are written in Python (``lucun.widgets.Select``), as the case filters are: a ledger page is
    # opened again with every filter chosen, and each option through the widget templates costs more than its rows.
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    grid = forms.TypedChoiceField(label=_("网格"), required=False, coerce=int, empty_value=None, widget=Select)
    level = forms.ChoiceField(
        label=_("关注等级"),
        required=False,
        choices=[("", _("全部")), *Household.AttentionLevel.choices],
        widget=Select,
    )
    tag = forms.TypedChoiceField(label=_("关注标签"), required=False, coerce=int, empty_value=None, widget=Select)
    state = forms.ChoiceField(label=_("走访情况"), required=False, choices=STATE_CHOICES, widget=Select)

    def __init__(self, *args, grids, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [("", _("全部")), *((g.pk, g.name) for g in grids)]
        if tags is None:
            del self.fields["tag"]
        else:
            self.fields["tag"].choices = [("", _("全部")), *((t.pk, t.display_name) for t in tags)]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("住户表格(.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的表格(可先下载模板)。"))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("表格不能超过 10 MB。"))
        return upload


class AssignmentForm(forms.Form):
    team = forms.ModelChoiceField(label=_("走访队伍"), queryset=VisitTeam.objects.none())
    community = forms.ModelChoiceField(label=_("村(居)"), queryset=None)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())

    def __init__(self, *args, teams, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["community"].queryset = communities


class PlanBuildForm(forms.Form):
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    cycles = forms.IntegerField(label=_("轮次数"), min_value=1, max_value=26, initial=1)


# ------------------------------------------------------------------------------------- cards and posters


class CardBatchForm(forms.Form):
    team = forms.ModelChoiceField(label=_("走访队伍"), queryset=VisitTeam.objects.none(), empty_label=None)
    quantity = forms.IntegerField(label=_("张数"), min_value=1, max_value=50_000, initial=1000)
    contact_name = forms.CharField(label=_("联系干部"), max_length=50)
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    contact_wechat = forms.CharField(
        label=_("微信号"), max_length=20, required=False, help_text=_("印在卡上,方便群众加微信联系。")
    )
    hotline = forms.CharField(label=_("街道热线"), max_length=30)

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams


class FeedbackPointForm(forms.Form):
    name = forms.CharField(label=_("张贴地点"), max_length=60, help_text=_("如:文化广场东侧宣传栏、便民超市门口。"))
    place = forms.ChoiceField(label=_("地点类型"), choices=[])

    def __init__(self, *args, **kwargs):
        from .models import FeedbackPoint

        super().__init__(*args, **kwargs)
        self.fields["place"].choices = FeedbackPoint.Place.choices


class DeactivateForm(forms.Form):
    reason = forms.ChoiceField(label=_("停用原因"), choices=[])
    note = forms.CharField(label=_("说明"), max_length=150, required=False)

    def __init__(self, *args, reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = list(reasons)
