from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..models import Community, Notification
from .serializers import (
    CommunitySerializer,
    GridSerializer,
    MarkReadResultSerializer,
    MarkReadSerializer,
    MeSerializer,
    NotificationSerializer,
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
