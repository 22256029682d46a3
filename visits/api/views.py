from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lucun.scoping import get_scoped_or_404, streets_for

from .. import selectors, services
from ..models import Household, VisitCycle, VisitLog, VisitRequest, VisitTeam
from ..permissions import SensitiveCache
from .serializers import (
    HouseholdSerializer,
    VisitAssignmentSerializer,
    VisitCycleSerializer,
    VisitLogCreateSerializer,
    VisitLogSerializer,
    VisitRequestSerializer,
    VisitTeamSerializer,
)


class VisitTeamListView(generics.ListAPIView):
    """Visit teams of the caller's streets, with members and make-up warnings."""

    serializer_class = VisitTeamSerializer
    community_field = None  # teams belong to a street; scoped by the selector

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VisitTeam.objects.none()
        return selectors.team_list(user=self.request.user)


class VisitCycleListView(generics.ListAPIView):
    serializer_class = VisitCycleSerializer
    community_field = None  # cycles belong to a street; scoped by the selector
    filterset_fields = ["street"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VisitCycle.objects.none()
        return selectors.cycle_list(user=self.request.user)


class VisitCycleAssignmentsView(APIView):
    @extend_schema(responses=VisitAssignmentSerializer(many=True), summary="一轮的走访安排(队伍、村居、日期、状态)")
    def get(self, request, pk: int):
        cycle = get_object_or_404(VisitCycle.objects.filter(street__in=streets_for(request.user)), pk=pk)
        rows = selectors.assignments_with_state(user=request.user, cycle=cycle)
        return Response(VisitAssignmentSerializer(rows, many=True).data)


class _SensitiveMixin:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["sensitive"] = SensitiveCache(self.request.user)
        return context

    def audit_sensitive(self, households) -> None:
        check = SensitiveCache(self.request.user)
        by_community: dict = {}
        for h in households:
            if check(h.community):
                by_community.setdefault(h.community_id, (h.community, []))[1].append(h)
        for community, shown in by_community.values():
            services.household_sensitive_viewed(
                actor=self.request.user, community=community, households=shown, where="接口"
            )


@extend_schema(
    parameters=[OpenApiParameter("q", str, description="户主姓名、地址或拼音首字母")],
)
class HouseholdListView(_SensitiveMixin, generics.ListAPIView):
    """Households the caller may see; sensitive fields only where the caller's position allows."""

    serializer_class = HouseholdSerializer
    filterset_fields = ["community", "grid", "attention_level"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Household.objects.none()
        query = self.request.query_params.get("q", "").strip()[:50]
        qs = selectors.household_search(user=self.request.user, query=query)
        return qs.prefetch_related("tags")

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        self.audit_sensitive(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class HouseholdDetailView(_SensitiveMixin, generics.RetrieveAPIView):
    serializer_class = HouseholdSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Household.objects.none()
        return selectors.household_list(user=self.request.user).prefetch_related("tags")

    def retrieve(self, request, *args, **kwargs):
        household = self.get_object()
        self.audit_sensitive([household])
        return Response(self.get_serializer(household).data)


class VisitLogListCreateView(generics.ListAPIView):
    """Visit logs the caller may see; POST records a visit with its requests."""

    serializer_class = VisitLogSerializer
    filterset_fields = ["household", "community", "team"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VisitLog.objects.none()
        return selectors.visit_log_list(user=self.request.user)

    @extend_schema(
        request=VisitLogCreateSerializer,
        responses={
            201: VisitLogSerializer,
            200: OpenApiResponse(VisitLogSerializer, description="同一提交键已记录过,返回原日志"),
        },
        summary="记录一次走访(含诉求)",
    )
    def post(self, request):
        serializer = VisitLogCreateSerializer(data=request.data, households=selectors.household_list(user=request.user))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        log, created = services.visitlog_create(
            actor=request.user,
            household=data["household"],
            team=data.get("team"),
            visited_at=data["visited_at"],
            visitors=data["visitors"],
            method=data["method"],
            met=data["met"],
            family_note=data["family_note"],
            suggestions=data["suggestions"],
            answered_on_spot=data["answered_on_spot"],
            duration_minutes=data.get("duration_minutes"),
            requests=[
                services.RequestInput(text=r["text"], answered=r["answered"], convert=r["convert"])
                for r in data["requests"]
            ],
            idempotency_key=data["idempotency_key"],
        )
        log = selectors.visit_log_list(user=request.user).get(pk=log.pk)
        return Response(VisitLogSerializer(log).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class VisitLogDetailView(generics.RetrieveAPIView):
    serializer_class = VisitLogSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return VisitLog.objects.none()
        return selectors.visit_log_list(user=self.request.user)


class VisitRequestConvertView(APIView):
    @extend_schema(request=None, responses=VisitRequestSerializer, summary="把走访诉求转为诉求件")
    def post(self, request, pk: int):
        item = get_scoped_or_404(VisitRequest.objects.all(), request.user, pk=pk)
        services.visitrequest_convert(request=item, actor=request.user)
        return Response(VisitRequestSerializer(VisitRequest.objects.select_related("case").get(pk=pk)).data)
