"""The push API of the 12345 platform: POST /api/v1/hotline/orders/ with the street's key in ``X-Hotline-Key``.

No session and no user: the key names the street, and the cases are registered in the name of the official who
issued it. Each order is kept or refused alone, as in an upload; the answer lists what became of each.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lucun.api.query import DocumentedQueryParameters
from lucun.api.serializers import ApiErrorSerializer

from .. import ratelimit, selectors, services
from ..models import HotlineOrder

KEY_HEADER = "X-Hotline-Key"
MAX_ORDERS = 200


class HotlineOrderInSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=50, help_text="工单编号(本街道内唯一;重复推送不会重复登记)")
    content = serializers.CharField(max_length=5000, help_text="诉求内容")
    accepted_at = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="受理时间,如 2026-03-01 09:30:00(北京时间)"
    )
    caller_name = serializers.CharField(max_length=50, required=False, allow_blank=True, help_text="诉求人")
    caller_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, help_text="联系电话")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="诉求地址")
    category = serializers.CharField(max_length=60, required=False, allow_blank=True, help_text="诉求类型")
    time_limit = serializers.CharField(
        max_length=60, required=False, allow_blank=True, help_text="办理时限:24小时、3天、5个工作日、1个月或截止时间"
    )
    office = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="承办单位")


class HotlinePushSerializer(serializers.Serializer):
    orders = HotlineOrderInSerializer(many=True, help_text=f"一次最多 {MAX_ORDERS} 张工单")

    def validate_orders(self, value):
        if not value:
            raise serializers.ValidationError(_("没有工单。"))
        if len(value) > MAX_ORDERS:
            raise serializers.ValidationError(_("一次最多推送 %(n)d 张工单,请分批推送。") % {"n": MAX_ORDERS})
        return value


class HotlineRowSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="该工单在 orders 中的位置(从 0 起)")
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "existing", "error"])
    message = serializers.CharField()
    case_number = serializers.CharField(help_text="登记的诉求编号;有误时为空")
    notes = serializers.ListField(child=serializers.CharField())


class HotlinePushResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    errors = serializers.IntegerField()
    rows = HotlineRowSerializer(many=True)


class HotlineOrderPushView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny, DocumentedQueryParameters]
    throttle_classes: list = []

    @extend_schema(
        summary="12345 热线平台推送工单",
        description=(
            "请求头 X-Hotline-Key 填写街道在管理后台签发的推送密钥。每张工单单独登记:已登记过的工单编号返回 "
            "existing,不会重复登记;有误的工单返回 error 和原因,不影响其他工单。"
        ),
        parameters=[
            OpenApiParameter(KEY_HEADER, str, OpenApiParameter.HEADER, required=True, description="推送密钥"),
        ],
        request=HotlinePushSerializer,
        responses={
            200: HotlinePushResultSerializer,
            400: OpenApiResponse(ApiErrorSerializer, "请求体有误"),
            403: OpenApiResponse(ApiErrorSerializer, "缺少密钥、密钥无效或已吊销"),
            429: OpenApiResponse(ApiErrorSerializer, "该密钥一小时内推送太多次"),
        },
        tags=["hotline"],
    )
    def post(self, request):
        key = selectors.hotline_key(request.headers.get(KEY_HEADER, "").strip())
        if key is None:
            raise PermissionDenied(_("缺少推送密钥,或密钥无效、已吊销。"))
        if ratelimit.key_limit_exceeded(key):
            raise Throttled(wait=ratelimit.KEY_WINDOW_SECONDS, detail=_("该密钥一小时内推送太多次,请稍后再试。"))
        body = HotlinePushSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = [(index, dict(order)) for index, order in enumerate(body.validated_data["orders"])]
        report = services.hotline_orders_import(
            street=key.street, rows=rows, user=key.created_by, via=HotlineOrder.Via.API, key=key
        )
        data = {
            "created": report.created,
            "existing": report.existing,
            "errors": report.errors,
            "rows": [
                {
                    "index": r.row,
                    "number": r.number,
                    "status": r.status,
                    "message": r.message,
                    "case_number": r.case_number,
                    "notes": r.notes,
                }
                for r in report.rows
            ],
        }
        return Response(HotlinePushResultSerializer(data).data, status=status.HTTP_200_OK)
