from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Community, Grid, Notification, Position, Street, User
from .fields import IdField


class StreetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Street
        fields = ["id", "name", "code", "hotline", "county"]


class CommunitySerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)

    class Meta:
        model = Community
        fields = ["id", "name", "kind", "street", "street_name"]


class GridSerializer(serializers.ModelSerializer):
    class Meta:
        model = Grid
        fields = ["id", "name", "community"]


class PositionSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    level = serializers.CharField(read_only=True)
    node_name = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = ["id", "role", "role_display", "title", "level", "node_name", "county", "street", "community", "grid"]

    def get_node_name(self, position: Position) -> str:
        return str(position.org_node or "")


class MeSerializer(serializers.ModelSerializer):
    positions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "real_name", "phone", "email", "positions"]

    def get_positions(self, user: User) -> list[dict]:
        from ..scoping import user_positions

        return PositionSerializer(user_positions(user), many=True).data


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "level", "title", "body", "url", "created_at", "read_at"]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=IdField(),
        required=False,
        max_length=500,
        help_text="要标记为已读的消息编号;不传则全部标记为已读。",
    )


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


@extend_schema_field(
    {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
)
class _ErrorDetailField(serializers.Field):
    def to_representation(self, value):
        return value


class ApiErrorSerializer(serializers.Serializer):
    """A refused request. ``detail`` holds the Chinese message; a refusal by a business rule or of the caller's
    position also names it in ``code``; a refused field or query parameter appears under its own name with its
    messages, e.g. ``{"state": ["查询参数 state 只能是:…"]}`` (lucun.api.errors)."""

    detail = _ErrorDetailField(required=False, help_text="中文说明(多条时以“；”连接)")
    code = serializers.CharField(
        required=False,
        help_text="拒绝的原因:refused(规则不允许,400)、not_allowed(职务不允许,403),或具体规则,如 insufficient_points",
    )


class SearchKindSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="case 诉求 / feedback 群众反馈 / household 住户")
    label = serializers.CharField()
    count = serializers.IntegerField()


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(help_text="该对象的页面地址")
    community = serializers.CharField()
    detail = serializers.CharField()
    phone = serializers.CharField(help_text="有权限的职务得到完整号码,其他职务得到掩码号码")


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField(allow_blank=True)
    hint = serializers.CharField(allow_blank=True, help_text="查询词太短时的提示;否则为空")
    kinds = SearchKindSerializer(many=True, help_text="各类结果的条数(只含您职责范围内的)")
    kind = serializers.CharField(help_text="本页结果的类别")
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = SearchHitSerializer(many=True)
