from dataclasses import asdict

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import search as site_search
from .. import selectors, services
from ..models import Community, Notification
from .pagination import PageNumberPagination
from .serializers import (
    CommunitySerializer,
    GridSerializer,
    MarkReadResultSerializer,
    MarkReadSerializer,
    MeSerializer,
    NotificationSerializer,
    SearchResultSerializer,
    StreetSerializer,
)


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="当前用户及其职务")
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class StreetListView(generics.ListAPIView):
    serializer_class = StreetSerializer
    community_field = None  # scoped by the selector itself

    def get_queryset(self):
        from ..scoping import streets_for

        return streets_for(self.request.user).order_by("name")


class CommunityListView(generics.ListAPIView):
    serializer_class = CommunitySerializer
    community_field = "pk"
    filterset_fields = ["street", "kind"]

    def get_queryset(self):
        return Community.objects.select_related("street").order_by("street__name", "sort_order", "name")


class CommunityDetailView(generics.RetrieveAPIView):
    serializer_class = CommunitySerializer
    community_field = "pk"

    def get_queryset(self):
        return Community.objects.select_related("street")


class GridListView(generics.ListAPIView):
    serializer_class = GridSerializer
    filterset_fields = ["community"]

    def get_queryset(self):
        from ..models import Grid

        return Grid.objects.select_related("community").order_by("community_id", "sort_order", "name")


class NotificationListView(generics.ListAPIView):
    serializer_class = NotificationSerializer
    community_field = None  # a user's own messages
    filterset_fields = {"read_at": ["isnull"]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notification_list(user=self.request.user)


class NotificationMarkReadView(APIView):
    @extend_schema(request=MarkReadSerializer, responses=MarkReadResultSerializer, summary="标记消息为已读")
    def post(self, request):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.notification_mark_read(
            user=request.user, notification_ids=serializer.validated_data.get("ids")
        )
        return Response({"marked": marked})


class SearchPagination(PageNumberPagination):
    page_size = 20


class SearchView(APIView):
    """Search within the caller's communities: case number or title, lookup code, household name or address,
    phone number. Each kind's count, and one kind's hits a page at a time (the first kind that found something
    unless ``kind`` is given). Phones come masked where the caller sees masked numbers."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description=f"至少 {site_search.MIN_LENGTH} 个字;不足时不搜索(见 hint)"),
            OpenApiParameter("kind", str, description="case 诉求 / feedback 群众反馈 / household 住户"),
            OpenApiParameter("page", int, description="页码,从 1 开始"),
            OpenApiParameter("page_size", int, description="每页条数,默认 20,最多 200"),
        ],
        responses={200: SearchResultSerializer, 404: OpenApiResponse(description="页码超出结果范围")},
        summary="站内搜索",
    )
    def get(self, request):
        results = site_search.search(
            user=request.user, raw=request.query_params.get("q"), kind=request.query_params.get("kind", "")
        )
        hits, count, next_url, previous_url = [], 0, None, None
        if results.rows is not None:
            paginator = SearchPagination()
            rows = paginator.paginate_queryset(results.rows, request, view=self)
            hits = [asdict(hit) for hit in results.hits(rows, user=request.user)]
            count, next_url, previous_url = (
                results.rows.count(),
                paginator.get_next_link(),
                paginator.get_previous_link(),
            )
        data = {
            "query": results.query.text if results.query else "",
            "hint": "" if results.query else _("请输入至少 %(n)d 个字。") % {"n": site_search.MIN_LENGTH},
            "kinds": [asdict(kind) for kind in results.kinds],
            "kind": results.kind,
            "count": count,
            "next": next_url,
            "previous": previous_url,
            "results": hits,
        }
        return Response(SearchResultSerializer(data).data)
