import functools

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from lucun.api.fields import MAX_ID
from lucun.api.pagination import UncountedPagination
from lucun.api.serializers import ApiErrorSerializer
from lucun.bulk.api import run_data
from lucun.scoping import require_role

from .. import permissions, selectors, services
from ..models import Case, CaseList, CaseState, Category, Colour, ExtensionRequest, ReturnRequest, Tier
from ..moves import MOVES, Move
from . import serializers as s


def _days(delta) -> float | None:
    return round(delta.total_seconds() / 86400, 2) if delta is not None else None


class CaseFilter(filters.FilterSet):
    colour = filters.ChoiceFilter(choices=Colour.choices, method="filter_colour", label="颜色(实时)")
    state = filters.ChoiceFilter(field_name="state", choices=CaseState.choices, label="状态")
    q = filters.CharFilter(method="filter_q", label="编号或标题")

    class Meta:
        model = Case
        fields = ["community", "category", "tier", "case_list", "handler", "first_responder", "source", "street"]

    def filter_colour(self, queryset, name, value):
        return queryset.filter(live_colour=value)

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))


def _source_filter_method(source_filter):
    def apply(filterset, queryset, name, value):
        user = getattr(filterset.request, "user", None)
        chosen = source_filter.choices(user).filter(pk=value).first()
        return source_filter.narrow(queryset, chosen) if chosen else queryset.none()

    return apply


@functools.cache
def case_filterset() -> type[CaseFilter]:
    """CaseFilter plus the filters other apps offer (e.g. ?team=<visit team id>), known once apps are ready."""
    from .. import source_filters

    extra = {}
    for source_filter in source_filters.registered():
        extra[source_filter.key] = filters.NumberFilter(
            method=f"filter_source_{source_filter.key}", label=str(source_filter.label)
        )
        extra[f"filter_source_{source_filter.key}"] = _source_filter_method(source_filter)
    return type("CaseFilter", (CaseFilter,), extra)


class CategoryListView(generics.ListAPIView):
    serializer_class = s.CategorySerializer
    community_field = None
    pagination_class = None
    queryset = Category.objects.active()


class TierListView(generics.ListAPIView):
    serializer_class = s.TierSerializer
    community_field = None
    pagination_class = None
    queryset = Tier.objects.order_by("rank")


class CaseListCreateView(generics.ListAPIView):
    """List the cases the caller may see (filters: colour, state, community, …); POST registers a case."""

    serializer_class = s.CaseSerializer
    community_field = None  # the selector scopes
    pagination_class = UncountedPagination  # a county sees millions of cases: no total

    @property
    def filterset_class(self):
        return case_filterset()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return selectors.case_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # A page is read as plain values and written as CaseSerializer would (s.case_rows; tests hold them equal).
        queryset = self.filter_queryset(self.get_queryset()).values(*s.CASE_ROW_VALUES)
        return self.get_paginated_response(s.case_rows(self.paginate_queryset(queryset)))

    @extend_schema(request=s.CaseOpenSerializer, responses={201: s.CaseSerializer}, summary="登记诉求")
    def post(self, request):
        data = s.CaseOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        from lucun.scoping import communities_for

        if not communities_for(request.user).filter(pk=values["community"].pk).exists():
            raise ValidationError({"community": [_("您无权在该村(居)登记诉求。")]})
        case = services.case_open(created_by=request.user, **values)
        return Response(s.CaseSerializer(selectors.case_get(user=request.user, number=case.number)).data, status=201)


class CaseDetailView(APIView):
    @extend_schema(responses=s.CaseSerializer, summary="诉求详情")
    def get(self, request, number: str):
        return Response(s.CaseSerializer(selectors.case_get(user=request.user, number=number)).data)


class CaseEventListView(generics.ListAPIView):
    serializer_class = s.CaseEventSerializer
    community_field = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            from ..models import CaseEvent

            return CaseEvent.objects.none()
        return selectors.case_events(case=selectors.case_get(user=self.request.user, number=self.kwargs["number"]))


class CaseMoveView(APIView):
    """A move of ``cases.moves`` on one case: refuse a person who may not make it, then read the body.

    The caller's scope (404) and right (403) come before the body, so an empty body from someone who may not
    make the move is refused as such, not answered with the fields it lacks (400).
    """

    move: Move

    def post(self, request, number: str):
        case = selectors.case_get(user=request.user, number=number)
        self.move.check_who(request.user, case)
        body = self.move.serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        self.move.run(case=case, user=request.user, data=body.validated_data)
        try:
            case = selectors.case_get(user=request.user, number=number)
        except Http404:  # sent back, or moved out of the caller's sight: the case as the move left it
            case = Case.objects.select_related(*selectors.LIST_RELATED).get(pk=case.pk)
        return Response(s.CaseSerializer(case).data)


def _move_view(move: Move) -> type[CaseMoveView]:
    """Make the API view of one move, with its own documented ``post`` (request serializer and summary)."""

    def post(self, request, number: str):
        return CaseMoveView.post(self, request, number)

    states = "、".join(str(CaseState(state).label) for state in move.states)
    schema = extend_schema(
        request=move.serializer_class,
        responses=s.CaseSerializer,
        summary=str(move.summary or move.label),
        description=f"诉求处于{states}时可以办理;无权办理答 403,状态或规则不允许答 400。",
    )
    return type(f"Case{move.name.title()}View", (CaseMoveView,), {"move": move, "post": schema(post)})


# One view per move, by the move's name (the URL names are ``api_case_<name>``).
MOVE_VIEWS: dict[str, type[CaseMoveView]] = {name: _move_view(move) for name, move in MOVES.items()}


class _DecideView(APIView):
    model = ExtensionRequest
    output = s.ExtensionRequestSerializer
    service = staticmethod(services.case_decide_extension)

    def post(self, request, pk: int):
        obj = get_object_or_404(self.model.objects.select_related("case"), pk=pk)
        selectors.case_get(user=request.user, number=obj.case.number)  # 404 outside the caller's scope
        body = s.DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        obj = self.service(request=obj, user=request.user, **body.validated_data)
        return Response(self.output(obj).data, status=status.HTTP_200_OK)


class ExtensionDecideView(_DecideView):
    @extend_schema(request=s.DecisionSerializer, responses=s.ExtensionRequestSerializer, summary="审批延期申请")
    def post(self, request, pk: int):
        return super().post(request, pk)


class ReturnDecideView(_DecideView):
    model = ReturnRequest
    output = s.ReturnRequestSerializer
    service = staticmethod(services.case_decide_return)

    @extend_schema(request=s.DecisionSerializer, responses=s.ReturnRequestSerializer, summary="审批退回申请")
    def post(self, request, pk: int):
        return super().post(request, pk)


class ApprovalsWaitingView(generics.ListAPIView):
    """What waits for the caller's decision: extension and return requests, oldest first."""

    serializer_class = s.ApprovalWaitingSerializer
    community_field = None  # scoped by the selector itself

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ExtensionRequest.objects.none()
        require_role(self.request.user, permissions.APPROVE_ROLES, message="您的职务不审批延期或退回申请。")
        return selectors.approvals_inbox(user=self.request.user)

    @extend_schema(summary="待我审批", description="等待调用者审批的延期和退回申请,等待最久的在前。")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _approval_results(run, user) -> list[dict]:
    """Each row of a run of the inbox as the decide endpoint answers it: the request's kind and id, its case."""
    rows = list(run.rows.order_by("position"))
    found = selectors.approvals_picked(user=user, ids=[row.object_id for row in rows])
    results = []
    for row in rows:
        kind, pk = selectors.approval_row(row.object_id) or ("", row.object_id)
        request = found.get(row.object_id)
        number = request.case.number if request is not None else ""
        results.append({"kind": kind, "pk": pk, "ok": row.ok, "message": row.message, "case_number": number})
    return results


class ApprovalsDecideView(APIView):
    """Approve or refuse several requests with the bulk runner: each goes through its decide service and answers on
    its own; many run in the background."""

    @extend_schema(
        request=s.ApprovalsDecideSerializer,
        responses={
            200: s.ApprovalResultsSerializer,
            202: OpenApiResponse(
                s.ApprovalResultsSerializer, description="申请较多,已在后台办理:用 run.status_url 查询"
            ),
            400: OpenApiResponse(ApiErrorSerializer, description="未选申请、驳回未填理由或申请过多"),
            403: OpenApiResponse(ApiErrorSerializer, description="您的职务不审批延期或退回申请"),
        },
        summary="批量审批延期、退回申请",
        description="逐项办理:某一项未能办理(已被他人审批、不由您审批、不在您的范围内)不影响其他各项,"
        "结果逐项列出(ok 与 message)。驳回须填写 note。"
        f"不超过 {settings.LUCUN_BULK_SYNC_MAX} 项时立即办理,返回 200 和每项结果;更多时返回 202,在后台办理,"
        "results 为空,用 run.status_url 查询进度和每项结果(记录编号见 /api/v1/cases/approvals/ 的 row_id)。"
        "这是批量操作 cases.approval_approve、cases.approval_refuse(/api/v1/bulk/<kind>/)的另一种写法;"
        "要办理全部待我审批的申请,用后者的 all。",
    )
    def post(self, request):
        require_role(request.user, permissions.APPROVE_ROLES, message="您的职务不审批延期或退回申请。")
        body = s.ApprovalsDecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = list(dict.fromkeys((item["kind"], item["id"]) for item in body.validated_data["items"]))
        run = services.approvals_decide(
            user=request.user, items=items, approve=body.validated_data["approve"], note=body.validated_data["note"]
        )
        results = _approval_results(run, request.user) if run.finished else []
        data = s.ApprovalResultsSerializer({"results": results, "run": run_data(run, request)}).data
        return Response(data, status=status.HTTP_200_OK if run.finished else status.HTTP_202_ACCEPTED)


def _fixed_windows(resolved: dict) -> dict:
    """The deprecated fixed buckets (24 hours, 7 days, 30 days), kept for the clients that read them."""
    day, week, month = (resolved["within"][int(w.total_seconds())] for w in selectors.API_WINDOWS)
    return {
        "within_day": day,
        "within_week": week - day,
        "within_month": month - week,
        "longer": resolved["count"] - month,
    }


class DashboardView(APIView):
    @extend_schema(
        responses=s.DashboardSerializer,
        summary="三色督办汇总",
        parameters=[
            OpenApiParameter("community", int, description="村(居)编号"),
            OpenApiParameter("category", int, description="类别编号"),
            OpenApiParameter("tier", int, description="层级编号"),
            OpenApiParameter("first_responder", int, description="首问责任人编号"),
        ],
    )
    def get(self, request):
        require_role(
            request.user, permissions.DASHBOARD_ROLES, message=_("只有督办、班子成员和村居干部可以查看督办汇总。")
        )
        filters_ = {}
        for key in ("community", "category", "tier", "first_responder"):
            value = request.query_params.get(key)
            if value:
                if not value.isdigit() or int(value) > MAX_ID:
                    raise ValidationError({key: [_("请输入有效的数字编号。")]})
                filters_[key] = int(value)
        d = selectors.dashboard(user=request.user, filters=filters_)
        tier_codes = {t.pk: t.code for t in d.tiers}
        data = {
            "now": d.now,
            "totals": d.totals,
            "by_tier": {
                code: {colour: d.colour_by_tier[colour][pk] for colour in Colour.values}
                for pk, code in tier_codes.items()
            },
            "by_community": [
                {"id": r["id"], "name": r["name"], "red": r["red"], "yellow": r["yellow"], "green": r["green"]}
                for r in d.community_rows
            ],
            "resolved_count": d.resolved["count"],
            "on_time_rate": d.resolved["on_time_rate"],
            "mean_days": _days(d.resolved["mean"]),
            "median_days": _days(d.resolved["median"]),
            "resolved_by_tier": [
                {
                    "tier": b["tier"].code,
                    "name": b["tier"].name,
                    "within_hours": round(b["tier"].time_limit.total_seconds() / 3600, 2),
                    "count": b["count"],
                }
                for b in d.resolved_buckets
            ],
            "resolved_beyond": d.resolved_beyond["count"],
            **_fixed_windows(d.resolved),
            "list_share": {row["code"]: row["share"] for row in d.lists},
            "trend": [
                {"month": row["month"].strftime("%Y-%m"), "count": row["count"], "mean_days": _days(row["mean"])}
                for row in d.trend
            ],
            "hotline": d.hotline,
            "approvals": d.approvals,
        }
        return Response(s.DashboardSerializer(data).data)


__all__ = ["CaseList"]
