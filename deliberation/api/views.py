from datetime import date

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.feedback_views import PublicAPIView
from cases.models import Case
from lucun.api.serializers import ApiErrorSerializer
from lucun.errors import require_permission
from lucun.printing import absolute_url
from lucun.scoping import communities_for

from .. import figures as figures_module
from .. import permissions, selectors, services
from ..models import AgendaItem, ContestCriterion, Decision, Meeting, ProcedureStep, Venue
from ..ratelimit import ballot_limit_exceeded
from ..services import TaskSpec
from . import serializers as s


class VenueFilter(filters.FilterSet):
    class Meta:
        model = Venue
        fields = ["community", "kind", "is_active"]


class VenueListView(generics.ListAPIView):
    """The doorstep venues (驿站, 议事厅, 说事点) of the caller's communities."""

    serializer_class = s.VenueSerializer
    filterset_class = VenueFilter
    community_field = None  # the selector scopes

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Venue.objects.none()
        return selectors.venue_list(user=self.request.user)


class VenueDetailView(generics.RetrieveAPIView):
    serializer_class = s.VenueDetailSerializer
    community_field = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Venue.objects.none()
        return selectors.venue_list(user=self.request.user).prefetch_related("grids", "staff")


class MeetingFilter(filters.FilterSet):
    starts_after = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte", label="开始时间不早于")
    starts_before = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt", label="开始时间早于")

    class Meta:
        model = Meeting
        fields = ["kind", "community", "street", "held_in", "venue"]


class MeetingListCreateView(generics.ListAPIView):
    """List the meetings the caller may see; POST schedules one."""

    serializer_class = s.MeetingSerializer
    filterset_class = MeetingFilter
    community_field = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        return selectors.meeting_list(user=self.request.user)

    @extend_schema(request=s.MeetingScheduleSerializer, responses={201: s.MeetingSerializer}, summary="安排议事会议")
    def post(self, request):
        body = s.MeetingScheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        visible = communities_for(request.user)
        community, street = data.get("community"), None
        if community is not None and not visible.filter(pk=community.pk).exists():
            raise ValidationError({"community": [_("您无权在该村(居)召开会议。")]})
        venue = data.get("venue")
        if venue is not None and not visible.filter(pk=venue.community_id).exists():
            raise ValidationError({"venue": [_("找不到该议事场所。")]})
        if data["kind"] in Meeting.STREET_KINDS:
            street_id = data.get("street") or (community.street_id if community else None)
            street = selectors.managed_streets(request.user).filter(pk=street_id).first() if street_id else None
            if street is None:
                raise ValidationError({"street": [_("请指定您所在的街道。")]})
        meeting = services.meeting_schedule(
            user=request.user,
            kind=data["kind"],
            title=data["title"],
            starts_at=data["starts_at"],
            community=None if street else community,
            street=street,
            held_in=community if street else None,
            venue=venue,
            location=data["location"],
            online_group=data["online_group"],
            participants=data.get("participants") or {},
        )
        return Response(
            s.MeetingSerializer(selectors.meeting_list(user=request.user).get(pk=meeting.pk)).data,
            status=status.HTTP_201_CREATED,
        )


def _steps(meeting: Meeting) -> list[dict]:
    return [
        {
            "id": row["step"].pk,
            "code": row["step"].code,
            "name": row["step"].name,
            "completed_at": row["done"].completed_at if row["done"] else None,
            "completed_by": str(row["done"].completed_by) if row["done"] else "",
        }
        for row in selectors.meeting_steps(meeting=meeting)
    ]


def _meeting_payload(request, pk: int) -> dict:
    try:
        meeting = selectors.meeting_list(user=request.user).prefetch_related("participations").get(pk=pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc
    return s.MeetingDetailSerializer(meeting, context={"steps": _steps(meeting)}).data


class MeetingDetailView(APIView):
    @extend_schema(responses=s.MeetingDetailSerializer, summary="会议详情(参会、规程步骤、纪要)")
    def get(self, request, pk: int):
        return Response(_meeting_payload(request, pk))


class StepCompleteView(APIView):
    @extend_schema(request=s.StepCompleteSerializer, responses=s.MeetingDetailSerializer, summary="完成一个规程步骤")
    def post(self, request, pk: int, step: str):
        meeting = selectors.meeting_get(user=request.user, pk=pk)
        procedure_step = ProcedureStep.objects.filter(code=step).first()
        if procedure_step is None:
            raise Http404
        body = s.StepCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.step_complete(
            meeting=meeting, user=request.user, step=procedure_step, note=body.validated_data["note"]
        )
        return Response(_meeting_payload(request, pk))


class MeetingAgendaView(generics.ListAPIView):
    """A meeting's agenda (the items whose case the caller may see); POST puts a case on it."""

    serializer_class = s.AgendaItemSerializer
    community_field = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AgendaItem.objects.none()
        meeting = selectors.meeting_get(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.agenda_items(meeting=meeting, user=self.request.user)

    @extend_schema(request=s.AgendaAddSerializer, responses={201: s.AgendaItemSerializer}, summary="列入议程")
    def post(self, request, pk: int):
        meeting = selectors.meeting_get(user=request.user, pk=pk)
        body = s.AgendaAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = Case.objects.filter(
            number=body.validated_data["case_number"].strip(), community__in=communities_for(request.user)
        ).first()
        if case is None:
            raise ValidationError({"case_number": [_("找不到该诉求。")]})
        item = services.agenda_add(meeting=meeting, user=request.user, case=case)
        return Response(s.AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)


class RaiseCaseView(APIView):
    @extend_schema(
        request=s.RaiseCaseSerializer, responses={201: s.AgendaItemSerializer}, summary="会上登记诉求并列入议程"
    )
    def post(self, request, pk: int):
        meeting = selectors.meeting_get(user=request.user, pk=pk)
        body = s.RaiseCaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        community = data.pop("community", None)
        if community is not None and not communities_for(request.user).filter(pk=community.pk).exists():
            raise ValidationError({"community": [_("您无权在该村(居)登记诉求。")]})
        item = services.agenda_raise_case(meeting=meeting, user=request.user, community=community, **data)
        return Response(s.AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ProposedAgendaView(generics.ListAPIView):
    """A joint meeting's proposed agenda: the street's open 上级帮办 cases no joint meeting has decided yet."""

    serializer_class = s.ProposedCaseSerializer
    community_field = None

    def _meeting(self) -> Meeting:
        meeting = selectors.meeting_get(user=self.request.user, pk=self.kwargs["pk"])
        if meeting.kind != Meeting.Kind.JOINT:
            raise Http404
        return meeting

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return selectors.joint_agenda_proposals(meeting=self._meeting())

    @extend_schema(
        request=s.ProposeSerializer, responses={201: s.AgendaItemSerializer(many=True)}, summary="列入建议议题"
    )
    def post(self, request, pk: int):
        meeting = self._meeting()
        body = s.ProposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        numbers = body.validated_data.get("case_numbers")
        cases = None
        if numbers:
            cases = list(Case.objects.filter(number__in=numbers, street_id=meeting.street_id))
            if len(cases) != len(set(numbers)):
                raise ValidationError({"case_numbers": [_("有诉求编号不存在。")]})
        items = services.joint_meeting_propose_agenda(meeting=meeting, user=request.user, cases=cases)
        return Response(s.AgendaItemSerializer(items, many=True).data, status=status.HTTP_201_CREATED)


class AgendaItemFilter(filters.FilterSet):
    decision = filters.ChoiceFilter(
        choices=[("none", "未决定"), *Decision.choices], method="filter_decision", label="决定"
    )

    class Meta:
        model = AgendaItem
        fields = ["meeting"]

    def filter_decision(self, queryset, name, value):
        return queryset.filter(decision="" if value == "none" else value)


class AgendaItemListView(generics.ListAPIView):
    """Every agenda item the caller may see (its meeting and its case both visible)."""

    serializer_class = s.AgendaItemSerializer
    filterset_class = AgendaItemFilter
    community_field = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AgendaItem.objects.none()
        return selectors.agenda_item_list(user=self.request.user).prefetch_related("tasks__owner")


class AgendaItemDetailView(APIView):
    @extend_schema(responses=s.AgendaItemSerializer, summary="议题详情")
    def get(self, request, pk: int):
        return Response(s.AgendaItemSerializer(selectors.agenda_item_get(user=request.user, pk=pk)).data)


class AgendaItemDecideView(APIView):
    @extend_schema(request=s.DecideSerializer, responses=s.DecisionResultSerializer, summary="记录议定事项(写回诉求)")
    def post(self, request, pk: int):
        item = selectors.agenda_item_get(user=request.user, pk=pk)
        body = s.DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        decided = services.agenda_decide(
            item=item,
            user=request.user,
            decision=data["decision"],
            summary=data["summary"],
            result=data["result"],
            public_reply=data["public_reply"],
            case_list=data["case_list"],
            tasks=[TaskSpec(t["title"], t["owner"], t["due_on"]) for t in data.get("tasks", [])],
            special_tier=data["special_tier"],
            department=data["department"],
            handler=data.get("handler"),
            due_on=data.get("due_on"),
        )
        fresh = selectors.agenda_item_get(user=request.user, pk=pk)
        fresh.warning = decided.warning
        return Response(s.DecisionResultSerializer(fresh).data)


class FiguresView(APIView):
    @extend_schema(
        responses=s.FiguresSerializer,
        summary="议事成效(召开会议、协商解决、自行协商解决率、联席会)",
        parameters=[
            OpenApiParameter("start", date, description="起始日期(含),默认近12个月"),
            OpenApiParameter("end", date, description="截止日期(不含)"),
        ],
    )
    def get(self, request):
        today = timezone.localdate()
        try:
            start = date.fromisoformat(
                request.query_params.get("start") or figures_module.months_back(today, 12).isoformat()
            )
            end = date.fromisoformat(
                request.query_params.get("end")
                or date(today.year + (today.month == 12), today.month % 12 + 1, 1).isoformat()
            )
        except ValueError as exc:
            raise ValidationError({"start": [_("日期格式应为 YYYY-MM-DD。")]}) from exc
        if end <= start:
            raise ValidationError({"end": [_("截止日期须晚于起始日期。")]})
        f = figures_module.figures(user=request.user, start=start, end=end)

        def row(r) -> dict:
            return {"meetings": r.meetings, "on_agenda": r.on_agenda, "settled": r.settled, "rate": r.rate}

        data = {
            "start": f.start,
            "end": f.end,
            "total": row(f.total),
            "by_month": [{"month": m.strftime("%Y-%m"), **row(f.by_month[m])} for m in f.months],
            "by_community": [{"id": c["id"], "name": c["name"], **row(c["total"])} for c in f.communities],
            "joint": {k: f.joint[k] for k in ("count", "communities", "items", "solved")},
            "definitions": {k: str(v) for k, v in f.definitions.items()},
        }
        return Response(s.FiguresSerializer(data).data)


# ------------------------------------------------------------------------------------------- contest ballots


def _contest(request, pk: int) -> Meeting:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if meeting.kind != Meeting.Kind.CONTEST:
        raise Http404
    require_permission(permissions.can_manage(request.user, meeting), _("您不能管理该会议。"))
    return meeting


def _ballot_row(request, ballot) -> dict:
    url = ""
    if ballot.state == "unused":
        url = absolute_url(reverse("ballot:form", kwargs={"token": ballot.token}), request)
    return {
        "id": ballot.pk,
        "state": ballot.state,
        "issued_at": ballot.issued_at,
        "used_at": ballot.used_at,
        "voided_at": ballot.voided_at,
        "void_reason": ballot.void_reason,
        "url": url,
    }


class ContestBallotsView(APIView):
    """A contest's resident ballots (its organisers only); POST issues more."""

    @extend_schema(responses=s.BallotListSerializer, summary="擂台比武群众评议选票")
    def get(self, request, pk: int):
        meeting = _contest(request, pk)
        ballots = selectors.contest_ballots(meeting=meeting)[:5000]
        return Response(
            s.BallotListSerializer(
                {
                    "counts": selectors.contest_ballot_counts(meeting=meeting),
                    "resident_weight": meeting.resident_weight,
                    "ballots": [_ballot_row(request, b) for b in ballots],
                }
            ).data
        )

    @extend_schema(
        request=s.BallotIssueSerializer, responses={201: s.BallotSerializer(many=True)}, summary="发放群众评议选票"
    )
    def post(self, request, pk: int):
        meeting = _contest(request, pk)
        body = s.BallotIssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ballots = services.contest_ballots_issue(meeting=meeting, user=request.user, count=body.validated_data["count"])
        return Response(
            s.BallotSerializer([_ballot_row(request, b) for b in ballots], many=True).data,
            status=status.HTTP_201_CREATED,
        )


class ContestBallotsVoidView(APIView):
    @extend_schema(request=s.BallotVoidSerializer, responses=s.BallotVoidResultSerializer, summary="作废未使用的选票")
    def post(self, request, pk: int):
        meeting = _contest(request, pk)
        body = s.BallotVoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        voided = services.contest_ballots_void(
            meeting=meeting,
            user=request.user,
            reason=body.validated_data["reason"],
            ballot_ids=body.validated_data.get("ids"),
        )
        counts = selectors.contest_ballot_counts(meeting=meeting)
        return Response(s.BallotVoidResultSerializer({"voided": voided, "counts": counts}).data)


class ContestWeightView(APIView):
    @extend_schema(request=s.BallotWeightSerializer, responses=s.BallotWeightSerializer, summary="设置群众评分权重")
    def post(self, request, pk: int):
        meeting = _contest(request, pk)
        body = s.BallotWeightSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        meeting = services.contest_weight_set(
            meeting=meeting, user=request.user, resident_weight=body.validated_data["resident_weight"]
        )
        return Response(s.BallotWeightSerializer({"resident_weight": meeting.resident_weight}).data)


BALLOT_GONE = {
    404: OpenApiResponse(ApiErrorSerializer, "找不到这张选票"),
    410: OpenApiResponse(ApiErrorSerializer, "选票已使用、已作废或擂台比武已取消"),
    429: OpenApiResponse(ApiErrorSerializer, "提交太频繁,请过十分钟再试"),
}


class PublicBallotView(PublicAPIView):
    """A resident's ballot, by the token its QR code holds: no login, nothing identifying kept."""

    def _ballot(self, request, token: str):
        if ballot_limit_exceeded(request, "unknown", count=False):
            raise Throttled(detail=_("提交太频繁了,请过十分钟再试。"))
        ballot = selectors.contest_ballot_by_token(token)
        if ballot is None:
            ballot_limit_exceeded(request, "unknown")
            raise NotFound(_("找不到这张选票,请核对二维码。"))
        return ballot

    @extend_schema(
        responses={200: s.PublicBallotSerializer, **BALLOT_GONE}, summary="选票(按二维码令牌)", tags=["ballot-public"]
    )
    def get(self, request, token: str):
        ballot = self._ballot(request, token)
        meeting = ballot.meeting
        data = {
            "title": meeting.title,
            "street": meeting.street.name,
            "state": ballot.state,
            "communities": [{"id": c.pk, "name": c.name} for c in selectors.contest_communities(meeting=meeting)],
            "criteria": [
                {"id": c.pk, "name": c.display_name, "max_score": c.max_score}
                for c in ContestCriterion.objects.active()
            ],
        }
        return Response(s.PublicBallotSerializer(data).data)

    @extend_schema(
        request=s.BallotSubmitSerializer,
        responses={201: s.BallotReceiptSerializer, **BALLOT_GONE},
        summary="提交群众评分(每张选票一次)",
        tags=["ballot-public"],
    )
    def post(self, request, token: str):
        ballot = self._ballot(request, token)
        if ballot.used_at or ballot.voided_at or ballot.meeting.cancelled_at:
            return Response(
                {"detail": _("这张选票已经用过或已作废,不能再提交。"), "code": "ballot_closed"},
                status=status.HTTP_410_GONE,
            )
        body = s.BallotSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if ballot_limit_exceeded(request, "submit"):
            raise Throttled(detail=_("提交太频繁了,请过十分钟再试。"))
        communities = {c.pk: c for c in selectors.contest_communities(meeting=ballot.meeting)}
        criteria = {c.pk: c for c in ContestCriterion.objects.active()}
        scores = {}
        for row in body.validated_data["scores"]:
            community, criterion = communities.get(row["community"]), criteria.get(row["criterion"])
            if community is None or criterion is None:
                raise ValidationError({"scores": [_("村(居)或评分项不在本期擂台比武中。")]})
            scores[(community, criterion)] = row["score"]
        services.contest_ballot_submit(token=token, scores=scores)
        return Response(
            s.BallotReceiptSerializer({"communities": len({c.pk for c, _c in scores})}).data,
            status=status.HTTP_201_CREATED,
        )
