"""The points API: one view per operation, scoped to the caller's communities; writes go through services."""

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from lucun.api.serializers import ApiErrorSerializer
from lucun.scoping import get_scoped_or_404

from .. import selectors, services
from ..models import LedgerEntry, Redemption, Reward, ServiceClaim, ServiceType, Volunteer
from .serializers import (
    ClaimRejectSerializer,
    ClaimSubmitSerializer,
    LedgerEntrySerializer,
    RedemptionCreateSerializer,
    RedemptionSerializer,
    RewardCreateSerializer,
    RewardSerializer,
    RewardUpdateSerializer,
    ServiceClaimSerializer,
    ServiceTypeSerializer,
    VolunteerCreateSerializer,
    VolunteerSerializer,
    VolunteerTokenSerializer,
    VolunteerUpdateSerializer,
)

REFUSED = {
    400: OpenApiResponse(ApiErrorSerializer, description="输入有误或规则不允许(detail 为中文说明,code 为规则)"),
    403: OpenApiResponse(ApiErrorSerializer, description="没有办理此事的职务"),
}
NO_VOLUNTEER = OpenApiResponse(ApiErrorSerializer, description="志愿者不存在或不在您负责的村(居)")


def _volunteers():
    return Volunteer.objects.select_related("community", "account", "member").prefetch_related("corps")


def _member(request, pk: int | None):
    """Resolve a household member id from the body within the caller's communities (None stays None)."""
    if pk is None:
        return None
    member = selectors.member_for_link(user=request.user, pk=pk)
    if member is None:
        raise ApiValidationError({"member": [_("找不到该家庭成员,或不在您负责的村(居)。")]})
    return member


class VolunteerListView(generics.ListAPIView):
    """The volunteers the caller may see; POST registers one (with an empty account and a fresh 一码通)."""

    serializer_class = VolunteerSerializer
    filterset_fields = ["community", "active"]

    def get_queryset(self):
        return _volunteers().order_by("id")

    @extend_schema(
        request=VolunteerCreateSerializer,
        responses={201: VolunteerSerializer, **REFUSED},
        summary="登记志愿者",
        description="同一村(居)同名且同手机号的志愿者已在册时拒绝重复登记(code: volunteer_exists)。",
    )
    def post(self, request):
        body = VolunteerCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        member = _member(request, data["member"])
        volunteer = services.volunteer_create(
            actor=request.user,
            community=data["community"],
            name=data["name"],
            phone=data["phone"],
            corps=data["corps"],
            joined_on=data["joined_on"],
            active=data["active"],
            member=member,
        )
        return Response(VolunteerSerializer(_volunteers().get(pk=volunteer.pk)).data, status=status.HTTP_201_CREATED)


class VolunteerDetailView(generics.RetrieveAPIView):
    """One volunteer; PATCH changes the record (the community stays: points and history belong to it)."""

    serializer_class = VolunteerSerializer

    def get_queryset(self):
        return _volunteers()

    @extend_schema(
        request=VolunteerUpdateSerializer, responses={200: VolunteerSerializer, **REFUSED}, summary="修改志愿者信息"
    )
    def patch(self, request, pk: int):
        volunteer = selectors.volunteer_get(user=request.user, pk=pk)
        body = VolunteerUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        member = _member(request, data["member"]) if "member" in data else volunteer.member
        services.volunteer_update(
            actor=request.user,
            volunteer=volunteer,
            name=data.get("name", volunteer.name),
            phone=data.get("phone", volunteer.phone),
            corps=data["corps"] if "corps" in data else list(volunteer.corps.all()),
            joined_on=data.get("joined_on", volunteer.joined_on),
            active=data.get("active", volunteer.active),
            member=member,
        )
        return Response(VolunteerSerializer(_volunteers().get(pk=volunteer.pk)).data)


class VolunteerTokenReissueView(APIView):
    @extend_schema(
        request=None,
        responses={200: VolunteerTokenSerializer, 403: REFUSED[403]},
        summary="补办一码通(旧卡立即失效)",
        description="每次调用都签发一个新号码;请打印返回的新卡。",
    )
    def post(self, request, pk: int):
        volunteer = selectors.volunteer_get(user=request.user, pk=pk)
        services.volunteer_token_issue(actor=request.user, volunteer=volunteer)
        return Response(VolunteerTokenSerializer(volunteer, context={"request": request}).data)


class VolunteerTokenRevokeView(APIView):
    @extend_schema(
        request=None,
        responses={200: VolunteerTokenSerializer, 403: REFUSED[403]},
        summary="作废一码通(挂失)",
        description="作废后旧码不能再打开志愿者页面;重复作废不改变任何数据。",
    )
    def post(self, request, pk: int):
        volunteer = selectors.volunteer_get(user=request.user, pk=pk)
        services.volunteer_token_revoke(actor=request.user, volunteer=volunteer)
        return Response(VolunteerTokenSerializer(volunteer, context={"request": request}).data)


class ServiceTypeListView(generics.ListAPIView):
    serializer_class = ServiceTypeSerializer
    community_field = None  # street-wide configuration
    pagination_class = None

    def get_queryset(self):
        return ServiceType.objects.active().order_by("sort_order", "name")


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
        responses={201: ServiceClaimSerializer, 400: ApiErrorSerializer, 404: NO_VOLUNTEER},
        summary="录入一条志愿服务申报(待审核)",
    )
    def post(self, request):
        serializer = ClaimSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        volunteer = get_scoped_or_404(
            Volunteer.objects.select_related("community"), request.user, pk=data.pop("volunteer")
        )
        claim = services.claim_submit(actor=request.user, volunteer=volunteer, via=ServiceClaim.Via.API, **data)
        return Response(ServiceClaimSerializer(claim, context={"request": request}).data, status=201)


class ClaimApproveView(APIView):
    @extend_schema(
        request=None, responses={200: ServiceClaimSerializer, 400: ApiErrorSerializer}, summary="审核通过并入账"
    )
    def post(self, request, pk: int):
        claim = selectors.claim_get(user=request.user, pk=pk)
        claim = services.claim_approve(actor=request.user, claim=claim)
        return Response(ServiceClaimSerializer(claim, context={"request": request}).data)


class ClaimRejectView(APIView):
    @extend_schema(
        request=ClaimRejectSerializer,
        responses={200: ServiceClaimSerializer, 400: ApiErrorSerializer},
        summary="驳回申报",
    )
    def post(self, request, pk: int):
        claim = selectors.claim_get(user=request.user, pk=pk)
        serializer = ClaimRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.claim_reject(actor=request.user, claim=claim, reason=serializer.validated_data["reason"])
        return Response(ServiceClaimSerializer(claim, context={"request": request}).data)


class LedgerListView(generics.ListAPIView):
    """积分流水(只读)。"""

    serializer_class = LedgerEntrySerializer
    filterset_fields = {"account__volunteer": ["exact"], "kind": ["exact"], "community": ["exact"]}

    def get_queryset(self):
        return LedgerEntry.objects.select_related("account").order_by("-created_at", "-id")


class RewardFilter(filters.FilterSet):
    active = filters.BooleanFilter(field_name="is_active", label="上架")  # the published name of is_active

    class Meta:
        model = Reward
        fields = ["community", "active", "kind"]


class RewardListView(generics.ListAPIView):
    """The points-shop catalogue of the caller's communities; POST adds an item."""

    serializer_class = RewardSerializer
    filterset_class = RewardFilter

    def get_queryset(self):
        return Reward.objects.order_by("community_id", "sort_order", "price_points", "name")

    @extend_schema(
        request=RewardCreateSerializer,
        responses={201: RewardSerializer, **REFUSED},
        summary="新增兑换商品",
        description="同一村(居)的积分超市中商品名称不能重复(code: reward_exists)。",
    )
    def post(self, request):
        body = RewardCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reward = services.reward_save(actor=request.user, reward=Reward(**body.validated_data))
        return Response(RewardSerializer(reward).data, status=status.HTTP_201_CREATED)


class RewardDetailView(generics.RetrieveAPIView):
    """One catalogue item; PATCH changes it (the community stays)."""

    serializer_class = RewardSerializer

    def get_queryset(self):
        return Reward.objects.select_related("community")

    @extend_schema(
        request=RewardUpdateSerializer,
        responses={200: RewardSerializer, **REFUSED},
        summary="修改兑换商品",
        description="只改请求中给出的字段;库存为盘点后的实数,不填则不改(期间的兑换不会被覆盖)。",
    )
    def patch(self, request, pk: int):
        reward = selectors.reward_get(user=request.user, pk=pk)
        body = RewardUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if not data:
            return Response(RewardSerializer(reward).data)
        for field, value in data.items():
            setattr(reward, field, value)
        services.reward_save(actor=request.user, reward=reward, fields=list(data))
        reward.refresh_from_db()
        return Response(RewardSerializer(reward).data)


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
        responses={201: RedemptionSerializer, 200: RedemptionSerializer, 400: ApiErrorSerializer, 404: NO_VOLUNTEER},
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
        redemption = services.redemption_create(
            actor=request.user, volunteer=volunteer, items=items, idempotency_key=data["idempotency_key"]
        )
        body = RedemptionSerializer(Redemption.objects.prefetch_related("lines__reward").get(pk=redemption.pk)).data
        return Response(body, status=200 if existed else 201)
