"""Forms check shape only; the rules live in services."""

import uuid
from itertools import groupby

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.forms import PhotoField
from lucun.models import Community, phone_validator
from lucun.text import listed
from lucun.widgets import DateInput
from visits.models import HouseholdMember

from .models import Reward, ServiceCorps, ServiceType, Volunteer, normalise_token


class _MembersByHousehold(ModelChoiceIterator):
    """One option group per household (户主 · 地址), its members as the options."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for _household_id, members in groupby(self.queryset, key=lambda m: m.household_id):
            members = list(members)
            yield (str(members[0].household), [self.choice(m) for m in members])


class HouseholdMemberField(forms.ModelChoiceField):
    """A plain select grouped by household; the page adds a filter box above it (static/points/points.js)."""

    iterator = _MembersByHousehold

    def label_from_instance(self, obj: HouseholdMember) -> str:
        born = _("%(year)s年生") % {"year": obj.birth_year} if obj.birth_year else ""
        details = listed(x for x in (obj.relation, born) if x)
        return f"{obj.name}({details})" if details else obj.name


class VolunteerForm(forms.Form):
    community = forms.ModelChoiceField(label=_("村(居)"), queryset=Community.objects.none(), empty_label=None)
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    corps = forms.ModelMultipleChoiceField(
        label=_("服务团"),
        queryset=ServiceCorps.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    joined_on = forms.DateField(label=_("加入日期"), initial=timezone.localdate, widget=DateInput())
    active = forms.BooleanField(label=_("在册"), required=False, initial=True)
    member = HouseholdMemberField(
        label=_("本人是哪户的家庭成员"),
        queryset=HouseholdMember.objects.none(),
        required=False,
        empty_label=_("不关联"),
        help_text=_("可不填。关联后,志愿者页可打开其住户的民情账本,住户页也会标出志愿者。"),
        widget=forms.Select(attrs={"data-filter-label": _("筛选:输入姓名、户主或地址")}),
    )

    def __init__(self, *args, communities=None, fixed_community: bool = False, members=None, **kwargs):
        """``members``: the household members that may be picked (one community's), or None to leave the link out."""
        super().__init__(*args, **kwargs)
        if fixed_community:
            del self.fields["community"]
        else:
            self.fields["community"].queryset = communities if communities is not None else Community.objects.none()
        if members is None:
            del self.fields["member"]
        else:
            self.fields["member"].queryset = members


class ClaimForm(forms.Form):
    service_type = forms.ModelChoiceField(
        label=_("服务类别"),
        queryset=ServiceType.objects.active(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    service_date = forms.DateField(label=_("服务日期"), initial=timezone.localdate, widget=DateInput())
    quantity = forms.IntegerField(
        label=_("数量(次数或小时)"),
        min_value=1,
        max_value=24,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    photo = PhotoField(label=_("现场照片"), required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class BatchForm(forms.Form):
    title = forms.CharField(
        label=_("活动名称"), max_length=100, help_text=_("如:3月大家小家座谈会、春季清洁家园行动。")
    )
    service_type = forms.ModelChoiceField(label=_("服务类别"), queryset=ServiceType.objects.active(), empty_label=None)
    service_date = forms.DateField(label=_("活动日期"), initial=timezone.localdate, widget=DateInput())
    quantity = forms.IntegerField(label=_("每人数量(次数或小时)"), min_value=1, max_value=24, initial=1)
    volunteers = forms.ModelMultipleChoiceField(
        label=_("参加的志愿者"), queryset=Volunteer.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, volunteers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = volunteers if volunteers is not None else Volunteer.objects.none()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class AdjustForm(forms.Form):
    points = forms.IntegerField(label=_("调整积分(可为负数)"), min_value=-100000, max_value=100000)
    reason = forms.CharField(label=_("原因"), max_length=200)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class RewardForm(forms.ModelForm):
    class Meta:
        model = Reward
        fields = [
            "community",
            "shop_name",
            "name",
            "kind",
            "price_points",
            "stock",
            "market_value_yuan",
            "description",
            "is_active",
            "sort_order",
        ]

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities if communities is not None else Community.objects.none()
        self.fields["community"].empty_label = None
        self.fields["stock"].min_value = 0
        self.fields["stock"].widget.attrs["min"] = 0


class TokenLookupForm(forms.Form):
    code = forms.CharField(
        label=_("一码通号码"),
        max_length=300,
        help_text=_("用扫码枪扫描志愿者的一码通,或手工输入卡上的 16 位号码。"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        raw = self.cleaned_data["code"].strip().rstrip("/")
        # A scanner types the whole URL printed in the QR code; keep its last path segment.
        token = normalise_token(raw.rsplit("/", 1)[-1])
        if len(token) != 16:
            raise forms.ValidationError(_("号码应为 16 位字母和数字,请核对后重新输入。"))
        return token


class RedeemForm(forms.Form):
    """One quantity box per catalogue item, and the key that makes a double submit harmless."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, rewards=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.rewards = list(rewards)
        for reward in self.rewards:
            self.fields[f"qty_{reward.pk}"] = forms.IntegerField(
                label=reward.display_name,
                min_value=0,
                max_value=99,
                required=False,
                initial=0,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 99}),
            )

    def rows(self):
        for reward in self.rewards:
            yield reward, self[f"qty_{reward.pk}"]

    def items(self) -> dict[int, int]:
        return {
            reward.pk: self.cleaned_data.get(f"qty_{reward.pk}") or 0
            for reward in self.rewards
            if self.cleaned_data.get(f"qty_{reward.pk}")
        }
