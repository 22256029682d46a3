from django import forms
from django.utils.translation import gettext_lazy as _

from .services import REASON_MAX


class SuccessorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj}({obj.username})"


class HandoverForm(forms.Form):
    successor = SuccessorChoice(
        label=_("接手人"),
        queryset=None,
        empty_label=_("请选择在任的干部"),
        error_messages={"invalid_choice": _("接手人须是在您负责范围内在任的干部。"), "required": _("请选择接手人。")},
    )
    reason = forms.CharField(
        label=_("交接原因"),
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("如:调任某街道、退休、岗位调整")}),
        error_messages={"required": _("请填写交接原因。")},
    )
    end_positions = forms.BooleanField(
        label=_("交接后结束其在本范围内的职务(离任)"),
        required=False,
        help_text=_("不勾选则只移交工作,职务不变(如同一村内换岗)。"),
    )

    def __init__(self, *args, successors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = successors


class PositionEndForm(forms.Form):
    reason = forms.CharField(
        label=_("结束职务的原因"), max_length=200, error_messages={"required": _("请填写结束职务的原因。")}
    )
