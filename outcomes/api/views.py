from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Case
from lucun.api.serializers import ApiErrorSerializer
from lucun.errors import require_permission
from lucun.models import User
from lucun.scoping import communities_for, streets_for

from .. import permissions, selectors, services
from .. import rates as rates_module
from ..independence import callback_candidates
from ..models import Callback, QuarterlyWarning, RedLine, ReportSnapshot, TalentRecord, TermGoal
from ..periods import Period, quarter_of
from ..report.figures import report
from . import serializers as s

PERIOD = OpenApiParameter(
    "period", str, description="统计期:2026、2026-Q2、2026-05 或 recent(近一年,截至今天的 365 天);默认本年度"
)
COMMUNITY = OpenApiParameter("community", int, description="村(居)编号;不填为可见的全部村(居)")
NO_COMMUNITY = OpenApiResponse(ApiErrorSerializer, "该村(居)不存在或不在您的范围内")


def _community(request):
    value = request.query_params.get("community")
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    community = communities_for(request.user).select_related("street").filter(pk=int(value)).first()
    if community is None:
        raise Http404
    return community


class CallbackListView(generics.ListAPIView):
    """Callbacks (回访) of the caller's communities; ``?state=pending`` lists those awaiting a call."""

    serializer_class = s.CallbackSerializer
    community_field = None  # the selector scopes

    @extend_schema(parameters=[OpenApiParameter("state", str, enum=["pending", "answered", "anonymous"])])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Callback.objects.none()
        return selectors.callback_list(user=self.request.user, state=self.request.query_params.get("state", ""))


class CallbackMissingListView(generics.ListAPIView):
    """The resolved cases without a callback for their current resolution (待生成回访) in the communities where the
    caller makes callbacks, longest resolved first; for the supervisor and the street leaders."""

    serializer_class = s.CaseWithoutCallbackSerializer
    community_field = None  # the selector scopes

    @extend_schema(
        parameters=[COMMUNITY],
        responses={200: s.CaseWithoutCallbackSerializer(many=True), 404: NO_COMMUNITY},
        summary="待生成回访的诉求",
        description=(
            "已办结(或已归档)但还没有本次办结回访的诉求,按办结时间从早到晚。生成回访:把其中的 id 作为 ids "
            "提交到 POST /api/v1/bulk/outcomes.callback_create/(或 all 与 filters 按同样的筛选条件)。"
        ),
    )
    def get(self, request, *args, **kwargs):
        require_permission(permissions.can_create_callback(request.user), _("只有纪工委或街道班子成员可以生成回访。"))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return selectors.callback_missing_list(user=self.request.user, filters={"community": _community(self.request)})


class CallbackDetailView(generics.RetrieveAPIView):
    serializer_class = s.CallbackSerializer
    community_field = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Callback.objects.none()
        return selectors.callback_list(user=self.request.user)


class CallbackRecordView(APIView):
    """Record a staff callback; not solved or 不满意 reopens the case (发回重办)."""

    @extend_schema(request=s.CallbackRecordSerializer, responses=s.CallbackSerializer, summary="记录回访")
    def post(self, request, pk: int):
        callback = selectors.callback_get(user=request.user, pk=pk)
        body = s.CallbackRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        callback = services.callback_record(callback=callback, user=request.user, **body.validated_data)
        return Response(s.CallbackSerializer(callback).data)


class CallbackCandidatesView(APIView):
    """The people a waiting callback may be given to: the pool (回访人员库) less the case's handler and first
    responder, fewest callbacks waiting first. For the supervisor and the street leaders."""

    @extend_schema(responses=s.CallbackCandidateSerializer(many=True), summary="可指派的回访人员")
    def get(self, request, pk: int):
        callback = selectors.callback_get(user=request.user, pk=pk)
        require_permission(
            permissions.can_assign_callback(request.user, callback.community),
            _("只有纪工委或街道班子成员可以指派回访人员。"),
        )
        rows = [
            {"id": user.pk, "name": str(user), "pool": c.pool, "waiting": c.waiting}
            for user, c in callback_candidates(callback=callback)
        ]
        return Response(s.CallbackCandidateSerializer(rows, many=True).data)


class CallbackAssignView(APIView):
    """Give a waiting callback to a person of the pool; the case's handler or first responder is refused."""

    @extend_schema(request=s.CallbackAssignSerializer, responses=s.CallbackSerializer, summary="指派回访人员")
    def post(self, request, pk: int):
        callback = selectors.callback_get(user=request.user, pk=pk)
        require_permission(
            permissions.can_assign_callback(request.user, callback.community),
            _("只有纪工委或街道班子成员可以指派回访人员。"),
        )
        body = s.CallbackAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignee = User.objects.filter(pk=body.validated_data["assignee"], is_active=True).first()
        if assignee is None:
            raise ValidationError({"assignee": _("没有这个人员。")})
        callback = services.callback_assign(
            callback=callback, user=request.user, assignee=assignee, note=body.validated_data["note"]
        )
        return Response(s.CallbackSerializer(selectors.callback_get(user=request.user, pk=callback.pk)).data)


def _row(row, **extra) -> dict:
    return {**extra, **row.as_dict()}


class RatesView(APIView):
    """The three rates (三率) grouped by community, team, handler or first responder; definitions included."""

    @extend_schema(
        parameters=[
            PERIOD,
            COMMUNITY,
            OpenApiParameter("dimension", str, enum=list(rates_module.DIMENSIONS)),
            OpenApiParameter("bucket", str, enum=list(rates_module.BUCKETS)),
        ],
        responses={200: s.RatesSerializer, 404: NO_COMMUNITY},
        summary="三率",
    )
    def get(self, request):
        dimension = request.query_params.get("dimension", "community")
        if dimension not in rates_module.DIMENSIONS:
            raise ValidationError({"dimension": _("未知的分组。")})
        bucket = request.query_params.get("bucket") or None
        if bucket is not None and bucket not in rates_module.BUCKETS:
            raise ValidationError({"bucket": _("只能按 month 或 quarter 细分。")})
        community = _community(request)
        communities = communities_for(request.user)
        if community is not None:
            communities = communities.filter(pk=community.pk)
        period = Period.parse(request.query_params.get("period"))
        r = rates_module.rates(communities=communities, period=period, dimension=dimension, bucket=bucket)
        data = {
            "period": period.key,
            "dimension": dimension,
            "bucket": bucket,
            "total": _row(r.total),
            "groups": [_row(g["total"], id=g["id"], name=g["name"]) for g in r.groups],
            "buckets": [_row(row, bucket=day) for day, row in r.by_bucket.items()],
            "definitions": {k: str(v) for k, v in r.definitions.items()},
        }
        return Response(s.RatesSerializer(data).data)


class RedLineListView(generics.ListAPIView):
    """The seven red lines (configuration)."""

    serializer_class = s.RedLineSerializer
    community_field = None
    queryset = RedLine.objects.order_by("sort_order")


class RedLineMeasuresView(APIView):
    """The measured red lines of the caller's communities for a quarter (default: the one running).

    A quarter still running is ``provisional``: its figures are shown, and they warn nobody; warnings are
    judged on complete quarters (``warnings``).
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="年度;默认本季度所在年度"),
            OpenApiParameter("quarter", int, description="季度 1–4;默认进行中的季度"),
        ],
        responses=s.RedLineMeasuresSerializer,
        summary="红线测算(含进行中季度的暂定数据)",
    )
    def get(self, request):
        require_permission(permissions.can_view_cadres(request.user), _("您的职务不能查看红线测算。"))
        year, quarter = quarter_of(timezone.localdate())
        try:
            year = int(request.query_params.get("year", year))
            quarter = int(request.query_params.get("quarter", quarter))
        except ValueError as exc:
            raise ValidationError({"quarter": _("年度和季度须为数字。")}) from exc
        if not (1 <= quarter <= 4 and 2000 <= year <= 2100):
            raise ValidationError({"quarter": _("季度须为 1 到 4。")})
        if not Period.quarter(year, quarter).has_started():
            raise ValidationError({"quarter": _("该季度尚未开始。")})
        measures = selectors.red_line_measures(user=request.user, year=year, quarter=quarter)
        data = {
            "period": measures.period.key,
            "provisional": measures.provisional,
            "communities": [
                {"community": community.pk, "community_name": community.name, "lines": cells}
                for community, cells in measures.rows
            ],
        }
        return Response(s.RedLineMeasuresSerializer(data).data)


class WarningListView(generics.ListAPIView):
    """Quarterly warnings (季度预警) of the caller's communities."""

    serializer_class = s.WarningSerializer
    community_field = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return QuarterlyWarning.objects.none()
        return selectors.warning_list(user=self.request.user)


class GoalListView(generics.ListAPIView):
    """Term goals with their quarterly progress and annual reconciliation."""

    serializer_class = s.GoalSerializer
    community_field = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TermGoal.objects.none()
        return selectors.goal_list(user=self.request.user)


class TalentListView(generics.ListAPIView):
    """The talent reserve; phones are masked unless the caller may see household phones."""

    serializer_class = s.TalentSerializer
    community_field = None

    @extend_schema(
        parameters=[
            COMMUNITY,
            OpenApiParameter("stage", str, enum=TalentRecord.Stage.values, description="进展"),
            OpenApiParameter("kind", str, enum=TalentRecord.Kind.values, description="类别"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TalentRecord.objects.none()
        filters = {k: self.request.query_params.get(k, "") for k in ("community", "stage", "kind")}
        return selectors.talent_list(user=self.request.user, filters=filters)


class TalentDetailView(generics.RetrieveAPIView):
    serializer_class = s.TalentSerializer
    community_field = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TalentRecord.objects.none()
        return selectors.talent_list(user=self.request.user)


class ReportView(APIView):
    """The outcome report's figures (工作成效) for the caller's street or one community."""

    @extend_schema(
        parameters=[PERIOD, COMMUNITY], responses={200: OpenApiTypes.OBJECT, 404: NO_COMMUNITY}, summary="工作成效"
    )
    def get(self, request):
        community = _community(request)
        street = community.street if community else streets_for(request.user).order_by("name").first()
        if street is None:
            raise Http404
        period = Period.parse(request.query_params.get("period"))
        from lucun.scoping import is_street_level

        if community is None and not is_street_level(request.user):
            community = communities_for(request.user).filter(street=street).order_by("sort_order").first()
        figures = report(user=request.user, period=period, street=street, community=community)
        data = figures.as_dict()
        data["definitions"] = {k: str(v) for k, v in figures.definitions.items()}
        return Response(data)


class ReportSnapshotListView(generics.ListAPIView):
    """The monthly outcome reports stored for the street leaders (月度报告存档), newest first.

    A street's report carries every community's figures: only officials who see the whole street (street and
    county positions) get any.
    """

    serializer_class = s.ReportSnapshotSerializer
    community_field = None  # the selector scopes by street

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportSnapshot.objects.none()
        return selectors.snapshot_list(user=self.request.user)


class ReportSnapshotDetailView(generics.RetrieveAPIView):
    """One stored monthly report with its figures as they were reported, never recomputed."""

    serializer_class = s.ReportSnapshotDetailSerializer
    community_field = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportSnapshot.objects.none()
        return selectors.snapshot_list(user=self.request.user)
