"""Forms of meetings: scheduling one, its procedure steps, parties, minutes, photos and cancelling; the filters of
the meeting and venue lists. Forms check shape only; the services decide what is allowed."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lucun.forms import PhotoField
from lucun.models import Community
from lucun.widgets import DateTimeLocalInput

from ..models import Meeting, ParticipantRole, Venue


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
