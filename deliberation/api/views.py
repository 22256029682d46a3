from datetime import date

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Case
from lucun.scoping import communities_for

from .. import figures as figures_module
from .. import selectors, services
from ..models import AgendaItem, Decision, Meeting, ProcedureStep, Venue
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
