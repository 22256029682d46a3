from django import forms
from django.utils.translation import gettext_lazy as _

from .reading import MAX_BYTES


class HotlineImportForm(forms.Form):
    street = forms.ModelChoiceField(label=_("街道"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=_("工单表"),
        help_text=_("热线平台导出的 .xlsx 或 .csv(UTF-8 或 GBK 编码),不超过 %(mb)d MB、2000 条。")
        % {"mb": MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    preview = forms.BooleanField(label=_("仅预览,不保存"), required=False, initial=True)

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets
        self._only = streets.first() if streets.count() == 1 else None
        if self._only is not None:
            self.fields["street"].initial = self._only
            self.fields["street"].required = False
            self.fields["street"].widget = forms.HiddenInput()

    def clean_street(self):
        return self.cleaned_data.get("street") or self._only

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("文件超过 %(mb)d MB,请按日期分批导出后再上传。") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload
