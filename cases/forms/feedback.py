"""Forms of the feedback pages; they check shape only, the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lucun.errors import DomainError
from lucun.forms import PhotosField
from lucun.models import Community, Grid

from ..models import TOKEN_PATTERN, CaseList, Category, Feedback, FeedbackChannel, FeedbackPhoto, Tier
from ..selectors import tier_default
from .case import PUBLIC_TITLE_HELP


class TilesMixin:
    """Large radio tiles for the public pages, written out by ``cases/public/_tiles.html``."""

    def tiles(self, name: str) -> dict:
        """The radio tiles of the choice field ``name``: its name, whether it is required or wrong, the choices."""
        field = self[name]
        chosen = "" if field.value() is None else str(field.value())
        return {
            "name": field.html_name,
            "required": field.field.required,
            "invalid": bool(field.errors),
            "choices": [(str(value), label, str(value) == chosen) for value, label in field.field.choices],
        }


class PublicFeedbackForm(TilesMixin, forms.Form):
    """The villager's form: a category tile, one text box, photos, the community, an optional phone."""

    community = forms.ChoiceField(
        label=_("您反映的是哪个村(居)"),
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择村(居)。"), "invalid_choice": _("请重新选择村(居)。")},
    )
    category = forms.ChoiceField(label=_("是哪方面的事"), required=False, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("说说情况"),
        widget=forms.Textarea(attrs={"rows": 6}),
        min_length=Feedback.TEXT_MIN,
        max_length=Feedback.TEXT_MAX,
        error_messages={
            "required": _("请说说情况,写几个字就行。"),
            "min_length": _("请多写几个字,至少 %(limit_value)d 个字。"),
            "max_length": _("写得太长了:最多 %(limit_value)d 个字,现在是 %(show_value)d 个字。"),
        },
    )
    photos = PhotosField(label=_("拍照片(可不传,最多3张)"), most=FeedbackPhoto.MAX_PER_FEEDBACK)
    reply_phone = forms.CharField(
        label=_("我想要回复:留个电话(可不填)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
        help_text=_("留下电话,工作人员可以打给您;但这样您的反映就不再是匿名的。不留电话也能凭查询码查看办理结果。"),
    )
    notify_sms = forms.BooleanField(
        label=_("办结后发短信告诉我(短信里只有查询码)"),
        required=False,
        help_text=_("需要在上面留手机号。"),
    )
    # Hidden from people (CSS and aria-hidden); a robot that fills every field fills this one too.
    website = forms.CharField(label=_("请勿填写此项"), required=False, max_length=200)
    submit_key = forms.RegexField(regex=rf"^{TOKEN_PATTERN}$", required=False, widget=forms.HiddenInput)

    def __init__(self, *args, communities, categories, **kwargs):
        """``communities`` and ``categories`` are lists already read (``selectors.public_form_options``)."""
        super().__init__(*args, **kwargs)
        self.communities = {str(c.pk): c for c in communities}
        self.fields["community"].choices = [(str(c.pk), c.name) for c in communities]
        self.categories = {str(c.pk): c for c in categories}
        self.fields["category"].choices = [*((str(c.pk), c.display_name) for c in categories), ("", _("其他"))]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_community(self) -> Community:
        return self.communities[self.cleaned_data["community"]]

    def clean_category(self) -> Category | None:
        return self.categories.get(self.cleaned_data.get("category") or "")

    @property
    def category_tiles(self) -> dict:
        return self.tiles("category")

    @property
    def community_tiles(self) -> dict:
        return self.tiles("community")

    def clean_reply_phone(self) -> str:
        from ..services.feedback import clean_phone

        return clean_phone(self.cleaned_data.get("reply_phone", ""))  # its refusal is the field's error

    def clean(self) -> dict:
        data = super().clean()
        if data.get("notify_sms") and "reply_phone" in data:
            from ..services.feedback import clean_sms_phone

            try:
                clean_sms_phone(data["reply_phone"])
            except DomainError as exc:
                self.add_error("reply_phone", str(exc))
        return data

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": _("请输入查询码。")},
    )


class AnswerForm(TilesMixin, forms.Form):
    solved = forms.TypedChoiceField(
        label=_("问题解决了吗"),
        choices=[("yes", _("解决了")), ("no", _("没有解决"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择问题是否解决。")},
    )
    satisfaction = forms.ChoiceField(
        label=_("您满意吗"),
        choices=Feedback.Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择是否满意。")},
    )

    @property
    def solved_tiles(self) -> dict:
        return self.tiles("solved")

    @property
    def satisfaction_tiles(self) -> dict:
        return self.tiles("satisfaction")


# --- Staff --------------------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False)
    community = forms.ModelChoiceField(label=_("村(居)"), queryset=None, required=False, empty_label=_("全部村(居)"))
    kind = forms.ChoiceField(
        label=_("渠道"), required=False, choices=[("", _("全部渠道")), *FeedbackChannel.Kind.choices]
    )
    q = forms.CharField(label=_("内容包含"), required=False, max_length=50)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["state"].choices = [*Feedback.State.choices, ("all", _("全部状态"))]

    def filters(self) -> dict:
        if not self.is_valid():
            return {"state": Feedback.State.NEW}
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data.setdefault("state", Feedback.State.NEW)
        return data


class SameQuestionForm(forms.Form):
    """ "我也遇到" from the public form: the case tapped, the community it was suggested for, the optional phone."""

    same_case = forms.CharField(max_length=30)
    community = forms.ChoiceField(
        error_messages={"required": _("请选择村(居)。"), "invalid_choice": _("请重新选择村(居)。")}
    )
    reply_phone = forms.CharField(required=False, max_length=20)
    submit_key = forms.RegexField(regex=rf"^{TOKEN_PATTERN}$", required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.communities = {str(c.pk): c for c in communities}
        self.fields["community"].choices = [(str(c.pk), c.name) for c in communities]

    def clean_community(self) -> Community:
        return self.communities[self.cleaned_data["community"]]

    def clean_reply_phone(self) -> str:
        from ..services.feedback import clean_phone

        return clean_phone(self.cleaned_data.get("reply_phone", ""))


class CreateCaseForm(forms.Form):
    title = forms.CharField(label=_("诉求标题"), max_length=100)
    public_title = forms.CharField(label=_("公开标题"), max_length=60, required=False, help_text=PUBLIC_TITLE_HELP)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.active(), widget=forms.RadioSelect, empty_label=None
    )
    tier = forms.ModelChoiceField(
        label=_("办理层级"), queryset=Tier.objects.order_by("rank"), widget=forms.RadioSelect, empty_label=None
    )
    case_list = forms.ChoiceField(label=_("清单"), choices=CaseList.choices, initial=CaseList.COMMUNITY)
    grid = forms.ModelChoiceField(label=_("网格"), queryset=Grid.objects.none(), required=False)

    def __init__(self, *args, feedback: Feedback | None, **kwargs):
        """``feedback``: the message the case opens from (its text gives the title); None for several messages,
        whose form sets the grids itself (``cases.bulk.MergedCreateCaseForm``)."""
        initial = {"tier": tier_default()}
        if feedback is not None:
            initial |= {"title": feedback.shareable_text.replace("\n", " ")[:30], "category": feedback.category_id}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if feedback is not None:
            self.fields["grid"].queryset = Grid.objects.filter(community=feedback.community_id)


class MergeForm(forms.Form):
    case_number = forms.CharField(label=_("并入的诉求编号"), max_length=30, help_text=_("如 LH-2026-000123"))
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class RejectForm(forms.Form):
    state = forms.ChoiceField(
        label=_("处理方式"),
        choices=[
            (Feedback.State.SPAM, Feedback.State.SPAM.label),
            (Feedback.State.NOT_ACTIONABLE, Feedback.State.NOT_ACTIONABLE.label),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class FeedbackMoveForm(forms.Form):
    community = forms.ModelChoiceField(label=_("转到村(居)"), queryset=None, empty_label=None)
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, feedback: Feedback, **kwargs):
        from lucun.models import Community

        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = (
            Community.objects.filter(street=feedback.street_id)
            .exclude(pk=feedback.community_id)
            .order_by("sort_order", "name")
        )


class RedactForm(forms.Form):
    redacted_text = forms.CharField(
        label=_("脱敏文本"),
        max_length=Feedback.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("把姓名、门牌号、身份证号等个人信息改成 *** 后保存;原文只留给承办单位。"),
    )


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("渠道类型"),
        choices=[c for c in FeedbackChannel.Kind.choices if c[0] != FeedbackChannel.Kind.OPEN311],
    )
    community = forms.ModelChoiceField(
        label=_("村(居)"), queryset=None, required=False, empty_label=_("(街道总码不选)")
    )
    label = forms.CharField(label=_("名称"), max_length=100, help_text=_("如:芦湖村文化广场、第3期议事公示。"))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class DeactivateForm(forms.Form):
    reason = forms.CharField(label=_("停用原因"), max_length=200)
