from django.conf import settings
from rest_framework import serializers

from lucun.api.fields import IdField
from lucun.files import url_for
from lucun.models import Community

from ..models import CaseList, Feedback, FeedbackChannel, FeedbackPhoto, Tier


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StreetInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    hotline = serializers.CharField()


class FormLimitsSerializer(serializers.Serializer):
    text_min = serializers.IntegerField()
    text_max = serializers.IntegerField()
    photos_max = serializers.IntegerField()
    photo_max_bytes = serializers.IntegerField()


class FormOptionsSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="扫码所得令牌")
    active = serializers.BooleanField(help_text="该二维码是否启用;停用时请提交到 submit_token(街道总码)")
    submit_token = serializers.CharField(help_text="提交反馈时使用的令牌")
    notice = serializers.CharField(allow_blank=True)
    channel_label = serializers.CharField()
    channel_kind = serializers.ChoiceField(choices=FeedbackChannel.Kind.choices)
    street = StreetInfoSerializer()
    community = serializers.IntegerField(allow_null=True, help_text="预填的村(居)编号,群众可以更改")
    communities = NamedSerializer(many=True)
    categories = NamedSerializer(many=True, help_text="不选类别即为“其他”")
    limits = FormLimitsSerializer()


class UnknownTokenSerializer(serializers.Serializer):
    detail = serializers.CharField()
    street_tokens = serializers.ListField(child=serializers.CharField(), help_text="可改用的街道总码令牌")


class FeedbackSubmitSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=40)
    community = serializers.IntegerField(required=False, allow_null=True, help_text="不传则用二维码所属村(居)")
    category = serializers.IntegerField(required=False, allow_null=True, help_text="不传或为空表示“其他”")
    text = serializers.CharField(max_length=Feedback.TEXT_MAX, trim_whitespace=True)
    reply_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    notify_sms = serializers.BooleanField(
        required=False, default=False, help_text="办结后发一条只含查询码的短信,需留11位手机号"
    )
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=FeedbackPhoto.MAX_PER_FEEDBACK,
        help_text=(
            f"最多 {FeedbackPhoto.MAX_PER_FEEDBACK} 张,JPG/PNG/WebP/HEIC,"
            f"每张不超过 {settings.LUCUN_IMAGE_MAX_BYTES // 1048576} MB"
        ),
    )
    website = serializers.CharField(required=False, allow_blank=True, default="", help_text="防机器人字段,请留空")
    submit_key = serializers.RegexField(
        r"^[A-Za-z0-9_-]{8,40}$", required=False, allow_blank=True, default="", help_text="防重复提交的随机键"
    )


class FeedbackReceiptSerializer(serializers.Serializer):
    lookup_code = serializers.CharField()
    status_url = serializers.CharField()
    hotline = serializers.CharField(allow_blank=True)


class SimilarRequestSerializer(serializers.Serializer):
    community = serializers.IntegerField(required=False, allow_null=True, help_text="不传则用二维码所属村(居)")
    category = serializers.IntegerField(required=False, allow_null=True, help_text="不传或为空(“其他”)时不提示")
    text = serializers.CharField(
        max_length=Feedback.TEXT_MAX, required=False, allow_blank=True, default="", help_text="群众正在写的几个字"
    )


class SuggestionSerializer(serializers.Serializer):
    """What anyone may read of an open case: its public title, status, days open and public reply, nothing else."""

    case = serializers.CharField(help_text="诉求编号,点“我也遇到”时传回")
    title = serializers.CharField(help_text="公开标题(干部填写,不含姓名门牌)")
    status = serializers.CharField()
    days_open = serializers.IntegerField(min_value=0)
    public_reply = serializers.CharField(allow_blank=True)


class SimilarSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True, help_text="最多3件,最相似的在前;没有则为空")


class SameQuestionSubmitSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=40)
    community = serializers.IntegerField(required=False, allow_null=True, help_text="不传则用二维码所属村(居)")
    case = serializers.CharField(max_length=30, help_text="提示中的诉求编号")
    reply_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    website = serializers.CharField(required=False, allow_blank=True, default="", help_text="防机器人字段,请留空")
    submit_key = serializers.RegexField(
        r"^[A-Za-z0-9_-]{8,40}$", required=False, allow_blank=True, default="", help_text="防重复提交的随机键"
    )


class StepSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    done = serializers.BooleanField()
    current = serializers.BooleanField()


class AnswerSerializer(serializers.Serializer):
    solved = serializers.BooleanField()
    satisfaction = serializers.ChoiceField(choices=Feedback.Satisfaction.choices)


class FeedbackStatusSerializer(serializers.Serializer):
    lookup_code = serializers.CharField()
    stage = serializers.ChoiceField(choices=["received", "handling", "resolved", "closed"])
    label = serializers.CharField()
    message = serializers.CharField()
    steps = StepSerializer(many=True)
    received_on = serializers.DateField()
    public_reply = serializers.CharField(allow_blank=True)
    resolved_on = serializers.DateField(allow_null=True)
    can_answer = serializers.BooleanField()
    answer = AnswerSerializer(allow_null=True)


class FeedbackSerializer(serializers.ModelSerializer):
    """A message as staff see it (never its lookup code: that belongs to the sender)."""

    community_name = serializers.CharField(source="community.name", read_only=True)
    category_name = serializers.SerializerMethodField()
    channel_label = serializers.SerializerMethodField()
    channel_kind = serializers.SerializerMethodField()
    case_number = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    # Blank until the sender answers; a read-only model field would lose allow_blank and the schema with it.
    satisfaction = serializers.ChoiceField(choices=Feedback.Satisfaction.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "state",
            "state_reason",
            "community",
            "community_name",
            "category",
            "category_name",
            "channel",
            "channel_label",
            "channel_kind",
            "text",
            "redacted_text",
            "reply_phone",
            "received_at",
            "case_number",
            "triaged_at",
            "photos",
            "solved",
            "satisfaction",
            "answered_at",
        ]
        read_only_fields = fields

    def get_category_name(self, feedback: Feedback) -> str:
        return feedback.category.name if feedback.category_id else "其他"

    def get_channel_label(self, feedback: Feedback) -> str:
        return feedback.channel.label if feedback.channel_id else ""

    def get_channel_kind(self, feedback: Feedback) -> str:
        return feedback.channel.kind if feedback.channel_id else ""

    def get_case_number(self, feedback: Feedback) -> str:
        return feedback.case.number if feedback.case_id else ""

    def get_photos(self, feedback: Feedback) -> list[str]:
        # The scoped file view: whoever may open the message may see its photos.
        request = self.context.get("request")
        urls = [url_for(photo.image) for photo in feedback.photos.all()]
        return [request.build_absolute_uri(u) for u in urls] if request else urls


class CreateCaseSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    category = serializers.IntegerField(required=False, allow_null=True, help_text="不传则用反馈的类别")
    tier = serializers.SlugRelatedField(slug_field="code", queryset=Tier.objects.all(), required=False)
    case_list = serializers.ChoiceField(choices=CaseList.choices, required=False, default=CaseList.COMMUNITY)
    grid = serializers.IntegerField(required=False, allow_null=True)


class CreatedCaseSerializer(serializers.Serializer):
    feedback = FeedbackSerializer()
    case_number = serializers.CharField()


class CreateCaseMergedSerializer(CreateCaseSerializer):
    feedback = serializers.ListField(
        child=IdField(),
        min_length=2,
        max_length=50,
        help_text="合并的反馈编号(同一村(居)),按顺序:第一条立案,其余并入这件诉求",
    )
    category = serializers.IntegerField(required=False, allow_null=True, help_text="不传则用第一条反馈的类别")
    public_title = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="记在第二条起每条反馈的并入记录里"
    )


class CreatedMergedCaseSerializer(serializers.Serializer):
    case_number = serializers.CharField()
    feedback = FeedbackSerializer(many=True, help_text="合并的反馈,按所给顺序;每条的查询码都跟随这件诉求")


class MergeSerializer(serializers.Serializer):
    case_number = serializers.CharField(max_length=30)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[Feedback.State.SPAM, Feedback.State.NOT_ACTIONABLE])
    reason = serializers.CharField(max_length=300)


class FeedbackMoveSerializer(serializers.Serializer):
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all(), help_text="转到的村(居)编号")
    reason = serializers.CharField(max_length=300)


class RedactSerializer(serializers.Serializer):
    redacted_text = serializers.CharField(max_length=Feedback.TEXT_MAX)


class ChannelSerializer(serializers.ModelSerializer):
    channel_kind = serializers.ChoiceField(source="kind", choices=FeedbackChannel.Kind.choices, read_only=True)
    community_name = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackChannel
        fields = [
            "id",
            "channel_kind",
            "label",
            "street",
            "community",
            "community_name",
            "is_active",
            "deactivated_at",
            "deactivated_reason",
            "created_at",
            "public_url",
        ]
        read_only_fields = fields

    def get_community_name(self, channel: FeedbackChannel) -> str:
        return channel.community.name if channel.community_id else ""

    def get_public_url(self, channel: FeedbackChannel) -> str:
        from ..selectors import feedback_channel_public_url

        return feedback_channel_public_url(channel=channel, request=self.context.get("request"))
