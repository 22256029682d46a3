"""Bulk actions in the API: one endpoint takes the action by name, the ticked ids or "all matching" the list's
filters, and the action's input; it answers each row's result at once (200) or, for many rows, the run queued
in the background (202) to follow at its address. Rows outside the caller's scope are not touched and are
reported refused; the action is refused (403) to a position that may not make it."""

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api.fields import IdField
from ..api.serializers import ApiErrorSerializer
from ..exports import page_query
from ..exports.api import PageFiltersField
from ..jobs.models import JobState
from ..models import BulkRun
from . import get, registered, services
from .views import run_get, run_progress


class BulkStartSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=IdField(),
        required=False,
        default=list,
        max_length=10000,
        help_text="勾选的记录编号(诉求、反馈或回访的 id,待我审批的 row_id);与 all 二选一",
    )
    all = serializers.BooleanField(
        required=False, default=False, help_text="为 true 时,办理按 filters 筛选出的全部记录(在您的范围内)"
    )
    filters = PageFiltersField(required=False, help_text="与列表页面地址栏相同的筛选条件;all 为 true 时使用")
    params = serializers.DictField(
        required=False,
        default=dict,
        help_text=(
            "操作所需的内容,与页面表单字段相同:指派承办人 {handler, handler_office};"
            "逐条立案 {tier, case_list, category};"
            "合并立案 {title, public_title, category, tier, case_list, grid, note};并入同一诉求 {case_number, note};"
            "标记为无效信息 {reason};"
            "指派回访人员 {assignee, note};批准 {note};驳回 {note}(必填);签收、生成回访无需内容"
        ),
    )


class BulkRowSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="在所选记录中的序号,从 1 起")
    id = serializers.IntegerField(source="object_id")
    label = serializers.CharField(help_text="记录的名称,如诉求编号和标题")
    ok = serializers.BooleanField(help_text="true:已办理;false:未办理,原因见 message")
    message = serializers.CharField()


class BulkRunSerializer(serializers.Serializer):
    """A bulk run: its state, progress and, once done, each row's result."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=JobState.choices)
    state_label = serializers.CharField()
    done = serializers.IntegerField(help_text="已处理的记录数")
    total = serializers.IntegerField(help_text="所选记录数")
    refused = serializers.IntegerField(help_text="未办理的记录数(完成后)")
    percent = serializers.IntegerField(min_value=0, max_value=100)
    text = serializers.CharField()
    error = serializers.CharField(help_text="整批失败时的中文说明;否则为空")
    status_url = serializers.CharField(help_text="查询这次批量操作的接口地址")
    rows = BulkRowSerializer(many=True, help_text="每条记录的结果,按所选顺序;进行中为已处理的部分")


def run_data(run: BulkRun, request) -> dict:
    progress = run_progress(run)
    return {
        "id": run.pk,
        "kind": run.kind,
        "label": run.label,
        "refused": run.refused,
        "status_url": request.build_absolute_uri(reverse("api_bulk_run", args=[run.pk])),
        "rows": list(run.rows.order_by("position")),
        **{key: progress[key] for key in ("state", "state_label", "done", "total", "percent", "text", "error")},
    }


KIND = OpenApiParameter(
    "kind",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="批量操作:" + ";".join(f"{a.kind}({a.label})" for a in sorted(registered(), key=lambda a: a.kind)),
)


class BulkStartView(APIView):
    @extend_schema(
        summary="批量操作",
        description=(
            "对列表中勾选的记录(ids),或按筛选条件的全部记录(all、filters),逐条执行与单条操作相同的办理:"
            "case_accept 签收、case_assign 指派承办人(诉求清单);feedback_create_case 逐条立案、"
            "feedback_create_case_merged 合并立案、feedback_merge 并入同一诉求、feedback_spam 标记为无效信息(群众反馈);"
            "callback_assign 指派回访人员(回访);"
            "callback_create 生成回访(待生成回访,记录编号为 /api/v1/outcomes/callbacks/missing/ 的诉求 id);"
            "approval_approve 批准、approval_refuse 驳回(待我审批,记录编号为 /api/v1/cases/approvals/ 的 row_id)。"
            "每条单独办理:某条被拒绝不影响其他记录,结果逐条返回;合并立案例外,所选反馈合立一件诉求,"
            "任何一条被拒绝则全部不办理,每条结果都说明原因。不在您范围内的记录不会办理,报告为未办理。"
            f"不超过 {settings.LUCUN_BULK_SYNC_MAX} 条时立即办理并返回 200 和每条结果;更多时返回 202,"
            "在后台办理,用 status_url 查询进度和结果。"
        ),
        parameters=[KIND],
        request=BulkStartSerializer,
        responses={
            200: BulkRunSerializer,
            202: BulkRunSerializer,
            400: OpenApiResponse(ApiErrorSerializer, description="操作内容不符合要求、未选记录或记录过多"),
            403: OpenApiResponse(ApiErrorSerializer, description="您的职务不能办理这种批量操作"),
            404: OpenApiResponse(ApiErrorSerializer, description="没有这种批量操作"),
        },
    )
    def post(self, request, kind: str):
        action = get(kind)
        data = BulkStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        query = data.validated_data.get("filters") or QueryDict()
        run = services.bulk_run_start(
            actor=request.user,
            action=action,
            params=dict(data.validated_data["params"]),
            query=QueryDict(page_query(query)),
            ids=data.validated_data["ids"],
            everything=data.validated_data["all"],
        )
        answer = status.HTTP_200_OK if run.finished else status.HTTP_202_ACCEPTED
        return Response(BulkRunSerializer(run_data(run, request)).data, status=answer)


class BulkRunView(APIView):
    @extend_schema(
        summary="批量操作的进度和结果",
        description="只有发起的人可以查看(其他人 404)。",
        responses={200: BulkRunSerializer, 404: OpenApiResponse(ApiErrorSerializer, description="没有这次批量操作")},
    )
    def get(self, request, pk: int):
        run = run_get(user=request.user, pk=pk)
        return Response(BulkRunSerializer(run_data(run, request)).data)
