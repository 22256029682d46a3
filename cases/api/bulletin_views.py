"""The 通报 in the API: readers list and read them and fetch the PDF; supervisors draft and publish them.

As on the pages, a 通报 of another street is not found (404) and a position that may not read or write it is
refused (403).
"""

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from lucun.errors import require_permission
from lucun.scoping import streets_for

from .. import permissions, selectors, services
from ..bulletin_printing import bulletin_pdf_file
from ..models import Bulletin, BulletinItem
from ..selectors.notices import ITEM_RELATED
from . import bulletin_serializers as s


def _readable(request, pk: int) -> Bulletin:
    bulletin = selectors.bulletin_get(user=request.user, pk=pk)
    permissions.require_bulletin_reader(request.user, bulletin, selectors.bulletin_reader_roles())
    return bulletin


def _detail(bulletin: Bulletin) -> dict:
    items = Prefetch("items", queryset=BulletinItem.objects.select_related(*ITEM_RELATED).order_by("sort_order", "pk"))
    bulletin = Bulletin.objects.select_related("street", "published_by").prefetch_related(items).get(pk=bulletin.pk)
    return s.BulletinDetailSerializer(bulletin).data


class BulletinListCreateView(generics.ListAPIView):
    """List the 通报 the caller reads, latest first (drafts first for who writes them); POST drafts one."""

    serializer_class = s.BulletinSerializer
    community_field = None  # the selector scopes, by street

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Bulletin.objects.none()
        readers = selectors.bulletin_reader_roles()
        require_permission(permissions.reads_bulletins(self.request.user, readers), _("您的职务不在通报的阅读范围内。"))
        return selectors.bulletin_list(user=self.request.user, readers=readers)

    @extend_schema(request=s.BulletinCreateSerializer, responses={201: s.BulletinDetailSerializer}, summary="起草通报")
    def post(self, request):
        require_permission(
            selectors.bulletin_streets_to_write(user=request.user).exists(),
            _("只有街道督办人员或班子成员可以起草通报。"),
        )
        body = s.BulletinCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        street = streets_for(request.user).filter(pk=data["street"]).first()
        if street is None:
            raise ValidationError({"street": [_("没有这个街道,或不在您的范围内。")]})
        corrects = None
        if data["corrects"] is not None:
            corrects = Bulletin.objects.filter(pk=data["corrects"], street__in=streets_for(request.user)).first()
            if corrects is None:
                raise ValidationError({"corrects": [_("没有这期通报,或不在您的范围内。")]})
        bulletin = services.bulletin_create(
            user=request.user,
            street=street,
            title=data["title"],
            period_from=data["period_from"],
            period_to=data["period_to"],
            body=data["body"],
            entries=[services.BulletinEntry(e["violation"], e["handling"]) for e in data["items"]],
            corrects=corrects,
        )
        return Response(_detail(bulletin), status=201)


class BulletinDetailView(APIView):
    @extend_schema(responses=s.BulletinDetailSerializer, summary="通报详情")
    def get(self, request, pk: int):
        return Response(_detail(_readable(request, pk)))


class BulletinPdfView(APIView):
    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "A4 PDF 通报")},
        summary="下载通报 PDF(仅已发布的通报)",
    )
    def get(self, request, pk: int):
        bulletin = _readable(request, pk)
        if not bulletin.is_published:
            raise Http404
        content, name = bulletin_pdf_file(bulletin, list(selectors.bulletin_items(bulletin=bulletin)))
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response


class BulletinPublishView(APIView):
    @extend_schema(request=None, responses=s.BulletinDetailSerializer, summary="发布通报")
    def post(self, request, pk: int):
        bulletin = selectors.bulletin_get(user=request.user, pk=pk)
        bulletin = services.bulletin_publish(user=request.user, bulletin=bulletin)
        return Response(_detail(bulletin))
