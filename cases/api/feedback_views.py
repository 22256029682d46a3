"""Feedback API: anonymous endpoints for a mini-program (form options, submit, status, answer) and the
staff intake queue. The anonymous ones read no credentials and keep nothing identifying; the salted
rate limit of the public pages applies to them too."""

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lucun.api.query import DocumentedQueryParameters
from lucun.api.serializers import ApiErrorSerializer
from lucun.errors import DomainError
from lucun.images import ImageRefused, images_clean
from lucun.models import Community, Grid
from lucun.scoping import require_role

from .. import selectors, services
from ..models import Category, Feedback, FeedbackChannel, FeedbackPhoto
from ..ratelimit import limit_exceeded
from ..services.feedback import TRIAGE_ROLES
from . import feedback_serializers as s

TOO_MANY = gettext_lazy("提交或查询太频繁了,请过十分钟再试。")
HELD_BACK = {429: OpenApiResponse(ApiErrorSerializer, "提交或查询太频繁,请过十分钟再试")}


class PublicAPIView(APIView):
    """No authentication, no session, no DRF throttle (it would keep the plain address in the cache)."""

    authentication_classes: list = []
    permission_classes = [AllowAny, DocumentedQueryParameters]
    throttle_classes: list = []


def _street_tokens() -> list[str]:
    return [c.token for c in selectors.street_channels()]


def _status_data(feedback: Feedback, request) -> dict:
    st = selectors.feedback_status(feedback)
    from django.utils import timezone

    return {
        "lookup_code": feedback.lookup_code,
        "stage": st.stage,
        "label": st.label,
        "message": st.message,
        "steps": st.steps,
        "received_on": timezone.localdate(feedback.received_at),
        "public_reply": st.public_reply,
        "resolved_on": timezone.localdate(st.resolved_on) if st.resolved_on else None,
        "can_answer": services.feedback_can_answer(feedback),
        "answer": {"solved": feedback.solved, "satisfaction": feedback.satisfaction} if feedback.answered_at else None,
    }


class FeedbackFormOptionsView(PublicAPIView):
    @extend_schema(
        summary="反馈表单选项(按二维码令牌)",
        responses={200: s.FormOptionsSerializer, 404: OpenApiResponse(s.UnknownTokenSerializer, "二维码无法识别")},
        tags=["feedback-public"],
    )
    def get(self, request, token: str):
        channel = selectors.channel_by_token(token)
        if channel is None:
            return Response(
                {"detail": _("二维码无法识别,可以改用街道总码反映。"), "street_tokens": _street_tokens()},
                status=status.HTTP_404_NOT_FOUND,
            )
        target, notice = channel, ""
        if not channel.is_active:
            target = services.feedback_channel_street_wide(street=channel.street)
            notice = _("这个二维码已停用,您仍然可以向%(street)s反映。") % {"street": channel.street.name}
        options = selectors.public_form_options(street=channel.street)
        data = {
            "token": channel.token,
            "active": channel.is_active,
            "submit_token": target.token,
            "notice": notice,
            "channel_label": channel.label,
            "channel_kind": channel.kind,
            "street": {"name": channel.street.name, "hotline": channel.street.hotline},
            "community": channel.community_id,
            "communities": [{"id": c.pk, "name": c.name} for c in options["communities"]],
            "categories": [{"id": c.pk, "name": c.name} for c in options["categories"]],
            "limits": {
                "text_min": Feedback.TEXT_MIN,
                "text_max": Feedback.TEXT_MAX,
                "photos_max": FeedbackPhoto.MAX_PER_FEEDBACK,
                "photo_max_bytes": settings.LUCUN_IMAGE_MAX_BYTES,
            },
        }
        return Response(s.FormOptionsSerializer(data).data)


class FeedbackSubmitView(PublicAPIView):
    @extend_schema(
        summary="提交匿名反馈",
        description=(
            "multipart/form-data(可带照片 photos,最多3张)或 JSON。返回查询码。不记录 IP、设备或微信信息。"
            "带 submit_key 重发(网络重试、连点两次)不会再保存一条,而是以 200 返回第一次的回执。"
        ),
        request={"multipart/form-data": s.FeedbackSubmitSerializer, "application/json": s.FeedbackSubmitSerializer},
        responses={
            201: s.FeedbackReceiptSerializer,
            200: OpenApiResponse(s.FeedbackReceiptSerializer, "同一 submit_key 已经提交过:返回原回执,不再保存"),
            404: OpenApiResponse(ApiErrorSerializer, "二维码无法识别"),
            **HELD_BACK,
        },
        tags=["feedback-public"],
    )
    def post(self, request):
        body = s.FeedbackSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["website"]:
            limit_exceeded(request, "submit")
            raise DomainError(_("提交没有成功,请不要填写防机器人字段。"))
        channel = selectors.channel_by_token(data["token"])
        if channel is None:
            raise NotFound(_("二维码无法识别,可以改用街道总码反映。"))
        if not channel.is_active:
            raise ValidationError(
                {
                    "token": [
                        _("这个二维码已停用,请改用街道总码:%(token)s")
                        % {"token": services.feedback_channel_street_wide(street=channel.street).token}
                    ]
                }
            )
        community = channel.community
        if data.get("community"):
            community = Community.objects.filter(pk=data["community"], street=channel.street).first()
            if community is None:
                raise ValidationError({"community": [_("所选村(居)不属于本街道。")]})
        if community is None:
            raise ValidationError({"community": [_("请选择村(居)。")]})
        category = None
        if data.get("category"):
            category = Category.objects.active().filter(pk=data["category"]).first()
            if category is None:
                raise ValidationError({"category": [_("所选类别不存在或已停用。")]})
        try:
            photos = images_clean(data.get("photos", []), most=FeedbackPhoto.MAX_PER_FEEDBACK)
        except ImageRefused as exc:
            raise ValidationError({"photos": exc.messages}) from exc
        if limit_exceeded(request, "submit"):
            raise Throttled(detail=TOO_MANY)
        feedback, created = services.feedback_submit(
            channel=channel,
            community=community,
            category=category,
            text=data["text"],
            reply_phone=data["reply_phone"],
            notify_sms=data["notify_sms"],
            photos=photos,
            submit_key=data["submit_key"] or None,
        )
        receipt = {
            "lookup_code": feedback.lookup_code,
            "status_url": selectors.feedback_status_url(code=feedback.lookup_code, request=request),
            "hotline": channel.street.hotline,
        }
        return Response(
            s.FeedbackReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


def _chosen(choices: list, field: str, value: int | None, message: str):
    """The community or category offered on the code's form that a body names (None if none), or a 400 on it."""
    if value is None:
        return None
    found = next((choice for choice in choices if choice.pk == value), None)
    if found is None:
        raise ValidationError({field: [message]})
    return found


class FeedbackSimilarView(PublicAPIView):
    @extend_schema(
        summary="我也遇到:与正在写的内容相似的在办问题",
        description=(
            "群众选好村(居)和类别、写了几个字后调用:返回该村(居)该类别中公开标题相似的在办诉求,最多3件,"
            "只有公开内容(公开标题、状态、已办天数、公开答复)。POST,所写文字不进地址和日志。"
            "只查本二维码所属街道的村(居);未选类别或字数太少时返回空列表。"
        ),
        request=s.SimilarRequestSerializer,
        responses={
            200: s.SimilarSerializer,
            404: OpenApiResponse(ApiErrorSerializer, "二维码无法识别"),
            429: OpenApiResponse(ApiErrorSerializer, "查询太频繁,请稍后再试"),
        },
        tags=["feedback-public"],
    )
    def post(self, request, token: str):
        channel = selectors.channel_by_token(token)
        if channel is None:
            raise NotFound(_("二维码无法识别,可以改用街道总码反映。"))
        if limit_exceeded(request, "similar"):
            raise Throttled(detail=_("查询太频繁,请稍后再试。"))
        body = s.SimilarRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        options = selectors.public_form_options(street=channel.street)
        community = _chosen(options["communities"], "community", data.get("community"), _("所选村(居)不属于本街道。"))
        category = _chosen(options["categories"], "category", data.get("category"), _("所选类别不存在或已停用。"))
        if community is None and "community" not in data:
            community = next((c for c in options["communities"] if c.pk == channel.community_id), None)
        found = (
            selectors.same_question_suggestions(community=community, category=category, text=data["text"])
            if community is not None
            else []
        )
        return Response(s.SimilarSerializer({"suggestions": [x.as_json() for x in found]}).data)


class FeedbackSameQuestionView(PublicAPIView):
    @extend_schema(
        summary="我也遇到:跟进一件在办问题(同问)",
        description=(
            "代替提交新反馈:对提示中的一件在办诉求说“我也遇到”,得到自己的查询码,跟进这件诉求,办结后可以评价。"
            "不保存文字和照片,不记录 IP、设备或微信信息;与提交反馈共用频率限制。"
            "带 submit_key 重发不会再计一次,而是以 200 返回第一次的回执。"
        ),
        request=s.SameQuestionSubmitSerializer,
        responses={
            201: s.FeedbackReceiptSerializer,
            200: OpenApiResponse(s.FeedbackReceiptSerializer, "同一 submit_key 已经提交过:返回原回执,不再计数"),
            404: OpenApiResponse(ApiErrorSerializer, "二维码无法识别"),
            **HELD_BACK,
        },
        tags=["feedback-public"],
    )
    def post(self, request):
        body = s.SameQuestionSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["website"]:
            limit_exceeded(request, "submit")
            raise DomainError(_("提交没有成功,请不要填写防机器人字段。"))
        channel = selectors.channel_by_token(data["token"])
        if channel is None:
            raise NotFound(_("二维码无法识别,可以改用街道总码反映。"))
        if not channel.is_active:
            raise ValidationError(
                {
                    "token": [
                        _("这个二维码已停用,请改用街道总码:%(token)s")
                        % {"token": services.feedback_channel_street_wide(street=channel.street).token}
                    ]
                }
            )
        options = selectors.public_form_options(street=channel.street)
        community = _chosen(options["communities"], "community", data.get("community"), _("所选村(居)不属于本街道。"))
        if community is None:
            community = next((c for c in options["communities"] if c.pk == channel.community_id), None)
        if community is None:
            raise ValidationError({"community": [_("请选择村(居)。")]})
        if limit_exceeded(request, "submit"):
            raise Throttled(detail=TOO_MANY)
        case = selectors.same_question_case(community=community, number=data["case"].strip())
        if case is None:
            raise ValidationError({"case": [_("这个问题已经办结或不再公开。请写下您的情况,点“提交”。")]})
        feedback, created = services.same_question_submit(
            channel=channel, case=case, reply_phone=data["reply_phone"], submit_key=data["submit_key"] or None
        )
        receipt = {
            "lookup_code": feedback.lookup_code,
            "status_url": selectors.feedback_status_url(code=feedback.lookup_code, request=request),
            "hotline": channel.street.hotline,
        }
        return Response(
            s.FeedbackReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


def _by_code(request, code: str) -> Feedback:
    if limit_exceeded(request, "lookup", count=False):
        raise Throttled(detail=TOO_MANY)
    feedback = selectors.feedback_by_code(code)
    if feedback is None:
        limit_exceeded(request, "lookup")
        raise NotFound(_("没有找到这个查询码。"))
    return feedback


class FeedbackStatusView(PublicAPIView):
    @extend_schema(
        summary="按查询码查看办理进度",
        responses={200: s.FeedbackStatusSerializer, **HELD_BACK},
        tags=["feedback-public"],
    )
    def get(self, request, code: str):
        return Response(s.FeedbackStatusSerializer(_status_data(_by_code(request, code), request)).data)


class FeedbackAnswerView(PublicAPIView):
    @extend_schema(
        summary="办结后评价(是否解决、是否满意,只能一次)",
        request=s.AnswerSerializer,
        responses={200: s.FeedbackStatusSerializer, **HELD_BACK},
        tags=["feedback-public"],
    )
    def post(self, request, code: str):
        feedback = _by_code(request, code)
        if limit_exceeded(request, "answer"):
            raise Throttled(detail=TOO_MANY)
        body = s.AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        feedback = services.feedback_answer(feedback=feedback, **body.validated_data)
        feedback = selectors.feedback_by_code(feedback.lookup_code)
        return Response(s.FeedbackStatusSerializer(_status_data(feedback, request)).data)


# --- Staff --------------------------------------------------------------------------------------------


def _require_triage(user) -> None:
    require_role(user, TRIAGE_ROLES, message=_("只有村居干部、机关干部、班子成员和督办人员可以分拣群众反馈。"))


def _get(request, pk: int) -> Feedback:
    _require_triage(request.user)
    try:
        return selectors.feedback_get(user=request.user, pk=pk)
    except Http404 as exc:
        raise NotFound(_("没有找到该反馈。")) from exc


class IntakeListView(generics.ListAPIView):
    """The intake queue: messages of the caller's communities (default: waiting for triage), newest first."""

    serializer_class = s.FeedbackSerializer
    community_field = None  # the selector scopes

    @extend_schema(
        summary="群众反馈分拣队列",
        parameters=[
            OpenApiParameter(
                "state",
                str,
                enum=[*Feedback.State.values, "all"],
                description="状态:new(默认)、case_created、merged、spam、not_actionable、all",
            ),
            OpenApiParameter("community", int, description="村(居)编号"),
            OpenApiParameter("kind", str, enum=FeedbackChannel.Kind.values, description="渠道类型"),
        ],
    )
    def get(self, request, *args, **kwargs):
        _require_triage(request.user)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Feedback.objects.none()
        params = self.request.query_params
        filters = {"state": params.get("state") or Feedback.State.NEW}
        if filters["state"] not in [*Feedback.State.values, "all"]:
            raise ValidationError({"state": [_("状态无效。")]})
        if params.get("community"):
            if not params["community"].isdigit():
                raise ValidationError({"community": [_("请输入数字编号。")]})
            filters["community"] = int(params["community"])
        if params.get("kind"):
            filters["kind"] = params["kind"]
        return selectors.feedback_queue(user=self.request.user, filters=filters).prefetch_related(
            Prefetch("photos", queryset=FeedbackPhoto.objects.order_by("pk"))
        )


class IntakeDetailView(APIView):
    @extend_schema(summary="群众反馈详情", responses=s.FeedbackSerializer)
    def get(self, request, pk: int):
        return Response(s.FeedbackSerializer(_get(request, pk), context={"request": request}).data)


def _done(request, pk: int) -> Response:
    return Response(
        s.FeedbackSerializer(selectors.feedback_get(user=request.user, pk=pk), context={"request": request}).data
    )


def _category_and_grid(data: dict, feedback: Feedback) -> tuple[Category | None, Grid | None]:
    """The category and grid of 立案 by their ids: an active category, a grid of the message's community."""
    category = None
    if data.get("category"):
        category = Category.objects.active().filter(pk=data["category"]).first()
        if category is None:
            raise ValidationError({"category": [_("类别无效。")]})
    grid = None
    if data.get("grid"):
        grid = Grid.objects.filter(pk=data["grid"], community=feedback.community_id).first()
        if grid is None:
            raise ValidationError({"grid": [_("所选网格不属于该村(居)。")]})
    return category, grid


class IntakeCreateCaseView(APIView):
    @extend_schema(summary="群众反馈立案", request=s.CreateCaseSerializer, responses={201: s.CreatedCaseSerializer})
    def post(self, request, pk: int):
        feedback = _get(request, pk)
        body = s.CreateCaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        category, grid = _category_and_grid(data, feedback)
        case = services.feedback_create_case(
            feedback=feedback,
            user=request.user,
            title=data["title"],
            category=category,
            tier=data.get("tier"),
            case_list=data["case_list"],
            grid=grid,
        )
        feedback = selectors.feedback_get(user=request.user, pk=pk)
        return Response(
            s.CreatedCaseSerializer(
                {"feedback": feedback, "case_number": case.number}, context={"request": request}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class IntakeCreateCaseMergedView(APIView):
    @extend_schema(
        summary="多条群众反馈合并立案",
        description=(
            "反映同一件事的多条反馈(须属于同一村(居))合立一件诉求:第一条立案,其余并入,每条反馈的查询码都跟随这件"
            "诉求。一次办完:任何一条不能立案或并入时全部不办理,答 400 或 403 并说明是第几条、为什么。"
        ),
        request=s.CreateCaseMergedSerializer,
        responses={
            201: s.CreatedMergedCaseSerializer,
            400: OpenApiResponse(ApiErrorSerializer, "内容不符合要求,反馈属于不同村(居),或某条反馈已分拣"),
            403: OpenApiResponse(ApiErrorSerializer, "您的职务不能分拣群众反馈"),
            404: OpenApiResponse(ApiErrorSerializer, "某条反馈不存在或不在您的工作范围内"),
        },
    )
    def post(self, request):
        _require_triage(request.user)
        body = s.CreateCaseMergedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        pks = list(dict.fromkeys(data["feedback"]))
        feedbacks = [_get(request, pk) for pk in pks]
        category, grid = _category_and_grid(data, feedbacks[0])
        case = services.feedback_create_case_merged(
            feedbacks=feedbacks,
            user=request.user,
            title=data["title"],
            category=category,
            tier=data.get("tier"),
            case_list=data["case_list"],
            grid=grid,
            public_title=data["public_title"],
            note=data["note"],
        )
        merged = {
            "case_number": case.number,
            "feedback": [selectors.feedback_get(user=request.user, pk=pk) for pk in pks],
        }
        return Response(
            s.CreatedMergedCaseSerializer(merged, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class IntakeMergeView(APIView):
    @extend_schema(summary="群众反馈并入已有诉求", request=s.MergeSerializer, responses=s.FeedbackSerializer)
    def post(self, request, pk: int):
        feedback = _get(request, pk)
        body = s.MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            case = selectors.case_get(user=request.user, number=body.validated_data["case_number"].strip())
        except Http404 as exc:
            raise ValidationError({"case_number": [_("在您可见的诉求中找不到这个编号。")]}) from exc
        services.feedback_merge(feedback=feedback, user=request.user, case=case, note=body.validated_data["note"])
        return _done(request, pk)


class IntakeRejectView(APIView):
    @extend_schema(summary="标记为无效信息或无法办理", request=s.RejectSerializer, responses=s.FeedbackSerializer)
    def post(self, request, pk: int):
        feedback = _get(request, pk)
        body = s.RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.feedback_reject(feedback=feedback, user=request.user, **body.validated_data)
        return _done(request, pk)


class IntakeMoveView(APIView):
    @extend_schema(
        summary="群众反馈转到其他村(居)",
        description="只有待分拣的反馈可以转出;转出后由接收村(居)分拣,原村(居)不再看到。",
        request=s.FeedbackMoveSerializer,
        responses=s.FeedbackSerializer,
    )
    def post(self, request, pk: int):
        feedback = _get(request, pk)
        body = s.FeedbackMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        feedback = services.feedback_move(feedback=feedback, user=request.user, **body.validated_data)
        return Response(s.FeedbackSerializer(feedback, context={"request": request}).data)


class IntakeRedactView(APIView):
    @extend_schema(summary="保存脱敏文本", request=s.RedactSerializer, responses=s.FeedbackSerializer)
    def post(self, request, pk: int):
        feedback = _get(request, pk)
        body = s.RedactSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.feedback_redact(feedback=feedback, user=request.user, **body.validated_data)
        return _done(request, pk)


class ChannelListView(generics.ListAPIView):
    """The feedback channels the caller may see, with the address each QR code holds."""

    serializer_class = s.ChannelSerializer
    community_field = None  # the selector scopes
    filterset_fields = ["kind", "community", "is_active"]  # ?kind= filters channel_kind

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FeedbackChannel.objects.none()
        return selectors.channels_for(user=self.request.user).order_by("kind", "label", "pk")
