"""Case sheets (民情诉求办理单) in the API: one case's sheet, and the sheets of several cases — at once up to
LUCUN_CASE_SHEETS_MAX, else a background job followed and downloaded like an export (``/api/v1/exports/``)."""

from django.http import Http404, QueryDict
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from lucun import exports
from lucun.exports import page_query, row_count
from lucun.exports import services as export_services
from lucun.exports.api import ExportJobSerializer, PageFiltersField, job_answer
from lucun.exports.views import site_address

from .. import selectors
from ..exports import SHEETS_KIND, sheet_table, sheets_check, sheets_direct_max
from ..views.sheets import sheets_pdf_response

PDF = OpenApiResponse(OpenApiTypes.BINARY, description="PDF 文件,每件诉求一页 A4")


class CaseSheetsSerializer(serializers.Serializer):
    numbers = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        max_length=10_000,
        help_text="要打印的诉求编号(您范围以外的编号略过);不填则按 filters 打印诉求清单筛选出的诉求",
    )
    filters = PageFiltersField(
        required=False,
        help_text="诉求清单页面的筛选条件,与页面地址栏相同;不填则为未办结的诉求",
    )


class CaseSheetView(APIView):
    @extend_schema(summary="诉求办理单(PDF)", responses={(200, "application/pdf"): PDF})
    def get(self, request, number: str):
        cases = list(selectors.case_sheets(user=request.user, numbers=[number]))
        if not cases:
            raise Http404
        return sheets_pdf_response(request, cases, f"case-sheet-{number}.pdf")


class CaseSheetsView(APIView):
    @extend_schema(
        summary="打印多件诉求的办理单",
        description=(
            "不超过 LUCUN_CASE_SHEETS_MAX(默认 50)件时直接返回 PDF;更多时在后台生成,返回 202 和导出任务,"
            "用 status_url 查询进度,完成后从 download_url 下载。没有符合条件的诉求、或超过一次可打印的上限时返回 400。"
        ),
        request=CaseSheetsSerializer,
        responses={(200, "application/pdf"): PDF, 202: ExportJobSerializer},
    )
    def post(self, request):
        data = CaseSheetsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        query = (data.validated_data.get("filters") or QueryDict()).copy()
        for number in data.validated_data.get("numbers", []):
            query.appendlist("number", number)
        table = sheet_table(user=request.user, query=query)
        count = row_count(table)
        sheets_check(count)
        if count <= sheets_direct_max():
            return sheets_pdf_response(request, list(table.rows), f"case-sheets-{timezone.localtime():%Y%m%d-%H%M}.pdf")
        job = export_services.export_job_create(
            actor=request.user,
            exporter=exports.get(SHEETS_KIND),
            rows_total=count,
            query=page_query(query),
            site=site_address(request),
        )
        return job_answer(job, request)


urlpatterns = [
    path("cases/sheets/", CaseSheetsView.as_view(), name="api_case_sheets"),
    path("cases/<str:number>/sheet/", CaseSheetView.as_view(), name="api_case_sheet"),
]
