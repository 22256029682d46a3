"""The exports in the API: start the export of a list page with its filters, follow the job, download its file.

An export through the API always runs in the background (``202`` and the job); its rows are those the page
shows the caller with the same filters, and it is refused (403) where the page is. A job is seen and downloaded
only by the person who asked for it (404 for anyone else); its file goes out through the private-file view
(``lucun.files``), and once expired answers 410.
"""

from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import files
from ..api.serializers import ApiErrorSerializer
from ..jobs.models import JobState
from ..jobs.views import expired_message
from ..models import ExportJob
from . import XLSX, get, page_query, registered, row_count, services
from .views import export_job_progress_data, job_get, site_address


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "array", "items": {"type": "string"}}]
        },
        "example": {"state": "all", "tier": 3},
    }
)
class PageFiltersField(serializers.Field):
    """A list page's filters as the page's address gives them (``{"state": "all", "community": 3}``); a list
    gives a filter more than once. Read as the query string the page would have."""

    default_error_messages = {
        "invalid": gettext_lazy('请以对象给出筛选条件,如 {"state": "all"}。'),
        "value": gettext_lazy("筛选条件 %(name)s 的值应为文字、整数或它们的列表。"),
    }

    def to_internal_value(self, data) -> QueryDict:
        if not isinstance(data, dict):  # not self.fail(): the message's braces are no format fields
            raise serializers.ValidationError(self.error_messages["invalid"])
        query = QueryDict(mutable=True)
        for name, value in data.items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, bool) or not isinstance(item, str | int):
                    raise serializers.ValidationError(self.error_messages["value"] % {"name": name})
                query.appendlist(str(name), str(item))
        return query

    def to_representation(self, value: QueryDict) -> dict:
        return {name: value.getlist(name) for name in value}


class ExportStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[], help_text="导出哪个页面:诉求清单、群众反馈、回访清单或诉求办理单")
    filters = PageFiltersField(
        required=False, help_text="与该页面地址栏相同的筛选条件;不填则为页面的默认筛选(如诉求清单的未办结诉求)"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(e.kind, str(e.label)) for e in sorted(registered(), key=lambda e: e.kind)]


class ExportJobSerializer(serializers.Serializer):
    """A background export: its state, progress and, once done, where to download the file."""

    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="导出内容,如 cases.case_list")
    label = serializers.CharField(help_text="文件内容,如 诉求清单")
    state = serializers.ChoiceField(choices=JobState.choices)
    state_label = serializers.CharField()
    done = serializers.IntegerField(help_text="已生成的数量")
    total = serializers.IntegerField(help_text="总数量")
    unit = serializers.CharField(help_text="计数单位:行(Excel)或 份(办理单)")
    percent = serializers.IntegerField(min_value=0, max_value=100)
    text = serializers.CharField(help_text="进度的中文说明,如“生成中 · 500 / 2300 行”")
    error = serializers.CharField(help_text="失败或文件已过期时的中文说明;否则为空")
    content_type = serializers.CharField(help_text="文件类型")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    status_url = serializers.CharField(help_text="查询这项导出的接口地址")
    download_url = serializers.CharField(help_text="下载文件的接口地址;生成完成前为空")


def export_job_data(job: ExportJob, request) -> dict:
    """The job as ``ExportJobSerializer`` shows it, with absolute addresses."""
    try:
        exporter = get(job.kind)
        label, fmt = str(exporter.label), exporter.format
    except Http404:  # an exporter no longer registered: its old jobs still show
        label, fmt = job.kind, XLSX
    download = request.build_absolute_uri(reverse("api_export_job_download", args=[job.pk]))
    progress = export_job_progress_data(job, download_url=download)
    return {
        "id": job.pk,
        "kind": job.kind,
        "label": label,
        "unit": str(fmt.unit),
        "content_type": fmt.content_type,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "status_url": request.build_absolute_uri(reverse("api_export_job", args=[job.pk])),
        **{key: progress[key] for key in ("state", "state_label", "done", "total", "percent", "text", "error")},
        "download_url": progress["download_url"],
    }


def job_answer(job: ExportJob, request) -> Response:
    """202 and the job just queued."""
    return Response(ExportJobSerializer(export_job_data(job, request)).data, status=status.HTTP_202_ACCEPTED)


class ExportStartView(APIView):
    @extend_schema(
        summary="导出列表(后台生成)",
        description=(
            "按页面的筛选条件和您的范围,在后台生成该页面全部行的文件(诉求清单、群众反馈、回访清单为 Excel,"
            "诉求办理单为 PDF)。返回 202 和任务;用 status_url 查询进度,完成后从 download_url 下载。"
            "您不能打开的页面,也不能导出(403)。"
        ),
        request=ExportStartSerializer,
        responses={202: ExportJobSerializer},
    )
    def post(self, request):
        data = ExportStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        exporter = get(data.validated_data["kind"])
        query = data.validated_data.get("filters") or QueryDict()
        table = exporter.table(user=request.user, query=query)
        job = services.export_job_create(
            actor=request.user,
            exporter=exporter,
            rows_total=row_count(table),
            query=page_query(query),
            site=site_address(request),
        )
        return job_answer(job, request)


class ExportJobView(APIView):
    @extend_schema(summary="导出任务的进度", responses=ExportJobSerializer)
    def get(self, request, pk: int):
        job = job_get(user=request.user, pk=pk)
        return Response(ExportJobSerializer(export_job_data(job, request)).data)


class ExportJobDownloadView(APIView):
    @extend_schema(
        summary="下载导出的文件",
        description="只有发起导出的人可以下载;文件保存期满后被清理,下载时返回 410。",
        responses={
            (200, XLSX.content_type): OpenApiResponse(OpenApiTypes.BINARY, description="Excel 文件"),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF 文件(诉求办理单)"),
            409: OpenApiResponse(ApiErrorSerializer, description="文件还在生成中,或生成失败(code 为 not_ready)"),
            410: OpenApiResponse(ApiErrorSerializer, description="文件已超过保存期限被清理(code 为 expired)"),
        },
    )
    def get(self, request, pk: int):
        job = job_get(user=request.user, pk=pk)
        if job.state == JobState.EXPIRED:
            return Response({"detail": expired_message(), "code": "expired"}, status=status.HTTP_410_GONE)
        if job.state != JobState.DONE:
            detail = job.error if job.state == JobState.FAILED else gettext("文件还在生成中,请稍后再下载。")
            return Response({"detail": detail, "code": "not_ready"}, status=status.HTTP_409_CONFLICT)
        return files.serve(request._request, kind="export", pk=job.pk)
