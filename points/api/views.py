"""The points API: one view per operation, scoped to the caller's communities; writes go through services."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lucun.scoping import get_scoped_or_404

from .. import selectors, services
from ..models import LedgerEntry, Redemption, Reward, ServiceClaim, ServiceType, Volunteer
from .serializers import (
    ClaimRejectSerializer,
    ClaimSubmitSerializer,
    ErrorSerializer,
    LedgerEntrySerializer,
    RedemptionCreateSerializer,
    RedemptionSerializer,
    RewardSerializer,
    ServiceClaimSerializer,
    ServiceTypeSerializer,
    VolunteerSerializer,
)


def _refused(exc: ValidationError) -> Response:
    code = getattr(exc, "code", None) or "invalid"
    return Response({"detail": "；".join(exc.messages), "code": code}, status=status.HTTP_400_BAD_REQUEST)


class VolunteerListView(generics.ListAPIView):
    serializer_class = VolunteerSerializer
    filterset_fields = ["community", "active"]

    def get_queryset(self):
        return Volunteer.objects.select_related("community", "account").prefetch_related("corps").order_by("id")


class VolunteerDetailView(generics.RetrieveAPIView):
    serializer_class = VolunteerSerializer

    def get_queryset(self):
        return Volunteer.objects.select_related("community", "account").prefetch_related("corps")


class ServiceTypeListView(generics.ListAPIView):
    serializer_class = ServiceTypeSerializer
    community_field = None  # street-wide configuration
    pagination_class = None

    def get_queryset(self):
        return ServiceType.objects.filter(active=True).order_by("sort_order", "name")


class ClaimListView(generics.ListAPIView):
    serializer_class = ServiceClaimSerializer
    filterset_fields = ["status", "community", "volunteer", "service_type", "via"]

    def get_queryset(self):
        return ServiceClaim.objects.select_related("volunteer", "service_type").order_by("-created_at", "-id")


class ClaimDetailView(generics.RetrieveAPIView):
    serializer_class = ServiceClaimSerializer

    def get_queryset(self):
        return ServiceClaim.objects.select_related("volunteer", "service_type")


class ClaimSubmitView(APIView):
    @extend_schema(
        request=ClaimSubmitSerializer,
        responses={201: ServiceClaimSerializer, 400: ErrorSerializer},
        summary="录入一条志愿服务申报(待审核)",
    )
    def post(self, request):
        serializer = ClaimSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        volunteer = get_scoped_or_404(
            Volunteer.objects.select_related("community"), request.user, pk=data.pop("volunteer")
        )
        try:
            claim = services.claim_submit(actor=request.user, volunteer=volunteer, via=ServiceClaim.Via.API, **data)
        except ValidationError as exc:
            return _refused(exc)
        return Response(ServiceClaimSerializer(claim, context={"request": request}).data, status=201)


class ClaimApproveView(APIView):
    @extend_schema(
        request=None, responses={200: ServiceClaimSerializer, 400: ErrorSerializer}, summary="审核通过并入账"
    )
    def post(self, request, pk: int):
        claim = selectors.claim_get(user=request.user, pk=pk)
        try:
            claim = services.claim_approve(actor=request.user, claim=claim)
        except ValidationError as exc:
            return _refused(exc)
        return Response(ServiceClaimSerializer(claim, context={"request": request}).data)


class ClaimRejectView(APIView):
    @extend_schema(
        request=ClaimRejectSerializer, responses={200: ServiceClaimSerializer, 400: ErrorSerializer}, summary="驳回申报"
    )
    def post(self, request, pk: int):
        claim = selectors.claim_get(user=request.user, pk=pk)
        serializer = ClaimRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            claim = services.claim_reject(actor=request.user, claim=claim, reason=serializer.validated_data["reason"])
        except ValidationError as exc:
            return _refused(exc)
        return Response(ServiceClaimSerializer(claim, context={"request": request}).data)


class LedgerListView(generics.ListAPIView):
    """积分流水(只读)。"""

    serializer_class = LedgerEntrySerializer
    filterset_fields = {"account__volunteer": ["exact"], "kind": ["exact"], "community": ["exact"]}

    def get_queryset(self):
        return LedgerEntry.objects.select_related("account").order_by("-created_at", "-id")


class RewardListView(generics.ListAPIView):
    serializer_class = RewardSerializer
    filterset_fields = ["community", "active", "kind"]

    def get_queryset(self):
        return Reward.objects.order_by("community_id", "sort_order", "price_points", "name")


class RedemptionListView(generics.ListAPIView):
    serializer_class = RedemptionSerializer
    filterset_fields = ["community", "volunteer"]

    def get_queryset(self):
        return Redemption.objects.prefetch_related("lines__reward").order_by("-created_at", "-id")


class RedemptionDetailView(generics.RetrieveAPIView):
    serializer_class = RedemptionSerializer

    def get_queryset(self):
        return Redemption.objects.prefetch_related("lines__reward")


class RedemptionCreateView(APIView):
    @extend_schema(
        request=RedemptionCreateSerializer,
        responses={201: RedemptionSerializer, 200: RedemptionSerializer, 400: ErrorSerializer},
        summary="积分兑换(幂等:同一 idempotency_key 只兑换一次)",
    )
    def post(self, request):
        serializer = RedemptionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        volunteer = get_scoped_or_404(Volunteer.objects.select_related("community"), request.user, pk=data["volunteer"])
        items: dict[int, int] = {}
        for item in data["items"]:
            items[item["reward"]] = items.get(item["reward"], 0) + item["quantity"]
        existed = Redemption.objects.filter(volunteer=volunteer, idempotency_key=data["idempotency_key"]).exists()
        try:
            redemption = services.redemption_create(
                actor=request.user, volunteer=volunteer, items=items, idempotency_key=data["idempotency_key"]
            )
        except ValidationError as exc:
            return _refused(exc)
        body = RedemptionSerializer(Redemption.objects.prefetch_related("lines__reward").get(pk=redemption.pk)).data
        return Response(body, status=200 if existed else 201)
