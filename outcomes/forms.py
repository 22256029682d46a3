"""Forms of the outcomes app: they check shape only; the services decide."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lucun.models import Community
from lucun.widgets import DateInput, MonthInput

from .models import (
    CadreAdjustment,
    ContactMethod,
    ExternalFigure,
    GoalProgress,
    GoalReview,
    RedLine,
    Satisfaction,
    TalentRecord,
)

YES_NO = [("yes", _("是")), ("no", _("否"))]

CALLBACK_STATES = [
    ("pending", _("待回访")),
    ("mine", _("我的回访")),
    ("answered", _("已回访")),
    ("anonymous", _("匿名自评")),
    ("all", _("全部")),
]


def callback_state(data) -> str:
    """The callbacks list's tab from its query string: the pending callbacks unless another known tab is chosen."""
    state = data.get("state", "pending")
    return state if state in dict(CALLBACK_STATES) else "pending"


class CallbackMissingFilterForm(forms.Form):
    """The filters of 待生成回访: a community of those where the person makes callbacks (others are ignored)."""

    community = forms.ModelChoiceField(
        label=_("村(居)"), queryset=Community.objects.none(), required=False, empty_label=_("全部村(居)")
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


def _year_choices():
    year = timezone.localdate().year
    return [(y, str(y)) for y in range(year, year - 6, -1)]


def _quarter_label(q: int):
    """第1季度 … in the language of the page that shows it (the choices are built once, at import)."""
    return lazy(lambda: gettext("第%(q)d季度") % {"q": q}, str)()


QUARTERS = [(q, _quarter_label(q)) for q in range(1, 5)]


class CallbackForm(forms.Form):
    contacted = forms.ChoiceField(label=_("联系上群众了吗"), choices=YES_NO, widget=forms.RadioSelect)
    method = forms.ChoiceField(label=_("回访形式"), choices=ContactMethod.choices, widget=forms.RadioSelect)
    solved = forms.ChoiceField(label=_("问题解决了吗"), choices=YES_NO, widget=forms.RadioSelect, required=False)
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect, required=False
    )
    note = forms.CharField(
        label=_("回访记录"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def clean(self):
        data = super().clean()
        if data.get("contacted") == "yes":
            if not data.get("solved"):
                self.add_error("solved", _("请选择问题是否解决。"))
            if not data.get("satisfaction"):
                self.add_error("satisfaction", _("请选择满意度。"))
        return data


class CandidateChoiceField(forms.ModelChoiceField):
    """A person of the pool, shown with the pool row and how many callbacks wait for them."""

    def __init__(self, *args, **kwargs):
        self.notes: dict[int, str] = {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        note = self.notes.get(obj.pk)
        return f"{obj}({note})" if note else str(obj)


class CallbackAssignForm(forms.Form):
    """Give a callback to a person independent of its case: the choices are the pool less the case's people."""

    assignee = CandidateChoiceField(
        label=_("回访责任人"),
        queryset=None,
        empty_label=_("请选择"),
        error_messages={
            "required": _("请选择回访责任人。"),
            "invalid_choice": _("所选人员不在可指派的回访人员中:承办人、首问责任人不能回访自己办理的诉求。"),
        },
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        from django.db.models import Case, IntegerField, When

        from lucun.models import User

        ids = [user.pk for user, _c in candidates]
        self.has_candidates = bool(ids)
        field = self.fields["assignee"]
        # In the candidates' order (fewest callbacks waiting first).
        order = Case(*[When(pk=pk, then=i) for i, pk in enumerate(ids)], default=len(ids), output_field=IntegerField())
        field.queryset = User.objects.filter(pk__in=ids).order_by(order, "pk")
        field.notes = {
            user.pk: _("%(pool)s,待回访 %(n)d 件") % {"pool": c.pool, "n": c.waiting} for user, c in candidates
        }


class SurveyStartForm(forms.Form):
    title = forms.CharField(label=_("调查名称"), max_length=100)
    sample_size = forms.IntegerField(label=_("每个村(居)抽样户数"), min_value=1, max_value=500, initial=30)
    closes_on = forms.DateField(label=_("截止日期"), widget=DateInput())
    communities = forms.ModelMultipleChoiceField(
        label=_("村(居)"),
        queryset=Community.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示全部村(居)。"),
    )


class SurveyAnswerForm(forms.Form):
    contacted = forms.ChoiceField(label=_("联系上了吗"), choices=YES_NO, widget=forms.RadioSelect)
    method = forms.ChoiceField(label=_("调查形式"), choices=ContactMethod.choices, widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect, required=False
    )
    note = forms.CharField(label=_("意见"), max_length=500, required=False)


class QuarterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=_year_choices)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int, choices=QUARTERS)


class WarningForm(QuarterForm):
    red_line = forms.ModelChoiceField(label=_("红线"), queryset=RedLine.objects.active())
    community = forms.ModelChoiceField(label=_("村(居)"), queryset=Community.objects.none())
    evidence = forms.CharField(label=_("依据"), widget=forms.Textarea(attrs={"rows": 3}), max_length=3000)


class GoalForm(forms.Form):
    title = forms.CharField(label=_("目标"), max_length=100)
    target = forms.CharField(label=_("量化指标"), max_length=200, required=False)
    term_start = forms.IntegerField(label=_("任期开始年"), min_value=2000, max_value=2100)
    term_end = forms.IntegerField(label=_("任期结束年"), min_value=2000, max_value=2100)


class GoalProgressForm(QuarterForm):
    percent = forms.IntegerField(label=_("完成进度(%)"), min_value=0, max_value=100)
    status = forms.ChoiceField(label=_("状态"), choices=GoalProgress.Status.choices)
    note = forms.CharField(label=_("进展说明"), max_length=500)


class GoalReviewForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=_year_choices)
    result = forms.ChoiceField(label=_("对账结果"), choices=GoalReview.Result.choices)
    evidence = forms.CharField(label=_("依据"), widget=forms.Textarea(attrs={"rows": 3}), max_length=3000)


class AdjustmentForm(forms.Form):
    community = forms.ModelChoiceField(label=_("村(居)"), queryset=Community.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=CadreAdjustment.Kind.choices)
    person_name = forms.CharField(label=_("姓名"), max_length=50)
    position_title = forms.CharField(label=_("职务"), max_length=50, initial="村党组织书记")
    effective_on = forms.DateField(label=_("日期"), widget=DateInput())
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class TalentForm(forms.Form):
    community = forms.ModelChoiceField(label=_("村(居)"), queryset=Community.objects.none())
    name = forms.CharField(label=_("姓名"), max_length=50)
    kind = forms.ChoiceField(label=_("类别"), choices=TalentRecord.Kind.choices)
    birth_year = forms.IntegerField(label=_("出生年份"), min_value=1930, max_value=2015, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    working_in = forms.CharField(label=_("现工作地/单位"), max_length=100, required=False)
    strengths = forms.CharField(label=_("特长"), max_length=200, required=False)
    note = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)
    visit_log = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TalentAdvanceForm(forms.Form):
    stage = forms.ChoiceField(label=_("推进到"), choices=TalentRecord.Stage.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class ExternalFigureForm(forms.Form):
    kind = forms.ChoiceField(label=_("指标"), choices=ExternalFigure.Kind.choices)
    month = forms.DateField(label=_("月份"), widget=MonthInput(), input_formats=["%Y-%m"])
    value = forms.IntegerField(label=_("数量"), min_value=0)
    source = forms.CharField(label=_("来源"), max_length=100, required=False)


class HotlinePeriodForm(forms.Form):
    """The period of the 12345 results sheet: orders accepted from ``from`` to ``to`` (dates, both included)."""

    start = forms.DateField(label=_("受理日期自"), required=False, widget=DateInput())
    end = forms.DateField(label=_("至"), required=False, widget=DateInput())


def hotline_period(data) -> tuple:
    """Return (first day, day after the last) of the chosen period; this month when none or a wrong one is given."""
    today = timezone.localdate()
    form = HotlinePeriodForm(data or None)
    start = today.replace(day=1)
    end = today
    if form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    if end < start:
        start, end = end, start
    return start, end + timedelta(days=1)
