"""The hand-over in the API: hand over a person's work, end a position (the same services as the pages)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ..errors import require_permission
from ..models import Handover, Position
from . import services
from .rules import handover_area, person_get, successors, visible_area


class HandoverRequestSerializer(serializers.Serializer):
    successor = serializers.IntegerField(help_text="接手人的用户编号:须在您负责的范围内有在任职务")
    reason = serializers.CharField(max_length=services.REASON_MAX, help_text="交接原因")
    end_positions = serializers.BooleanField(default=False, help_text="交接后结束移交人在本范围内的职务")


class HandoverSerializer(serializers.ModelSerializer):
    leaver = serializers.IntegerField(source="leaver_id", read_only=True)
    successor = serializers.IntegerField(source="successor_id", read_only=True)
    counts = serializers.SerializerMethodField(help_text="按类型统计的移交事项数")

    class Meta:
        model = Handover
        fields = [
            "id",
            "leaver",
            "successor",
            "reason",
            "street",
            "community",
            "positions_ended",
            "created_at",
            "counts",
        ]

    def get_counts(self, obj) -> dict[str, int]:
        return services.handover_counts(handover=obj)


class PositionEndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="结束职务的原因")


class PositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "user", "role", "title", "county", "street", "community", "grid", "started_on", "ended_on"]


class HandoverMakeView(APIView):
    @extend_schema(
        summary="工作交接:把一名干部在本范围内经手的工作移交给接手人",
        description=(
            "在办诉求(承办、首问负责)、待回访、所在队伍的调查样本和走访队伍席位一次移交;"
            "接手人若是某条回访诉求的承办人或首问责任人,该回访按回避规则改派或留待指派。"
            "街道班子成员、纪工委可办理本街道人员,村(居)干部可办理本村(居)人员。"
        ),
        request=HandoverRequestSerializer,
        responses={201: HandoverSerializer},
    )
    def post(self, request, pk: int):
        leaver, area = person_get(actor=request.user, pk=pk)
        body = HandoverRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        successor = successors(area, leaver=leaver).filter(pk=data["successor"]).first()
        if successor is None:
            raise ValidationError({"successor": [_("接手人须是在您负责范围内在任的干部。")]})
        handover = services.handover_make(
            actor=request.user,
            leaver=leaver,
            successor=successor,
            reason=data["reason"],
            end_positions=data["end_positions"],
        )
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)


class PositionEndView(APIView):
    @extend_schema(
        summary="结束职务(离任)",
        description="此人仍有工作在其余职务都管不到的地方时拒绝(code 为 handover_required),请先办理工作交接。",
        request=PositionEndSerializer,
        responses={200: PositionSerializer},
    )
    def post(self, request, pk: int):
        position = Position.objects.filter(visible_area(request.user).positions(), pk=pk).first()
        if position is None:
            raise Http404
        require_permission(
            Position.objects.filter(handover_area(request.user).positions(), pk=pk).exists(),
            _("您的职务不能结束此职务(不在您负责的范围内)。"),
        )
        body = PositionEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        position = services.position_end(actor=request.user, position=position, reason=body.validated_data["reason"])
        return Response(PositionSerializer(position).data)
