"""One small world for the security tests: a street with two communities and one object of each kind per app.

Everything is made through the apps' services (or their test factories), as real use would make it. The
community 芦湖村 is "ours"; 稻香村 is "theirs", with a twin of most objects carrying names that must never
appear to an official who works only in 芦湖村.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.models import ConductKind
from cases.services import (
    BulletinEntry,
    bulletin_create,
    bulletin_publish,
    case_request_extension,
    case_request_return,
    conduct_violation_record,
)
from deliberation.models import Decision, FollowUpTask, ProcedureStep
from deliberation.services import TaskSpec, agenda_add, agenda_decide, contest_ballots_issue
from lucun.models import Role
from lucun.services import notification_send
from points.models import ClaimBatch, LedgerEntry, RedemptionWindow
from points.services import (
    claim_batch_create,
    claim_submit,
    redemption_create,
)
from tests.cases.factories import channel as make_channel
from tests.cases.factories import jpeg_bytes, open_case, submit
from tests.deliberation.factories import contest, family_forum, joint_meeting, venue
from tests.factories import CommunityFactory, GridFactory, StreetFactory, official
from tests.points.factories import RewardFactory, ServiceTypeFactory, VolunteerFactory
from tests.visits.factories import HouseholdFactory, VisitLogFactory, VisitRequestFactory
from visits.models import VisitAssignment, VisitCycle, VisitPhoto, VisitTeam, VisitTeamMember

# The positions of the matrix, in its column order; "foreign" is a community cadre of the other community.
ACTORS = (
    "anonymous",
    "street_leader",
    "street_staff",
    "supervisor",
    "community_cadre",
    "grid_worker",
    "unit_head",
    "party_rep",
    "foreign",
)

# Names only the other community's objects carry: none of them may reach an official of ours.
FOREIGN_MARKS = (
    "稻香村",
    "外村诉求标题",
    "外村户主",
    "外村志愿者",
    "外村座谈会",
    "外村驿站",
    "外村反馈内容",
    "外村商品",
    "外村人才",
    "外村联系人",
)


@dataclass
class World:
    street: object
    community: object
    other: object
    grid: object
    other_grid: object
    users: dict = field(default_factory=dict)
    o: dict = field(default_factory=dict)  # our objects
    f: dict = field(default_factory=dict)  # their objects

    def __getattr__(self, name):
        try:
            return self.__dict__["o"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits count in the cache: every test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


def _people(street, community, grid, other):
    return {
        "street_leader": official(Role.STREET_LEADER, street=street),
        "street_staff": official(Role.STREET_STAFF, street=street),
        "supervisor": official(Role.SUPERVISOR, street=street),
        "community_cadre": official(Role.COMMUNITY_CADRE, community=community),
        "grid_worker": official(Role.GRID_WORKER, grid=grid),
        "unit_head": official(Role.UNIT_HEAD, grid=grid),
        "party_rep": official(Role.PARTY_REP, community=community),
        "foreign": official(Role.COMMUNITY_CADRE, community=other),
    }


def _cases(w: World) -> None:
    cadre, other_cadre = w.users["community_cadre"], w.users["foreign"]
    w.o["case"] = open_case(community=w.community, by=cadre, title="村口道路破损", handler=cadre)
    w.f["case"] = open_case(community=w.other, by=other_cadre, title="外村诉求标题", handler=other_cadre)
    # A second case of ours, handled by the cadre, with a pending extension and return request on it.
    w.o["pending_case"] = open_case(community=w.community, by=cadre, title="排水沟堵塞", handler=cadre)
    w.o["extension"] = case_request_extension(
        case=w.o["pending_case"], user=cadre, extra_time=timedelta(days=2), reason="需等待材料"
    )
    w.o["return_request"] = case_request_return(case=w.o["pending_case"], user=cadre, reason="不属本村办理")
    w.o["violation"] = conduct_violation_record(
        user=w.users["supervisor"],
        official=cadre,
        kind=ConductKind.objects.active().first(),
        community=w.community,
        occurred_on=timezone.localdate(),
        note="推诿扯皮",
        case=w.o["case"],
    )

    # 通报 of the street listing our violation: one published, two drafts (one for the page, one for the API to
    # publish). A 通报 is street-wide: every official of the street reads it, those of 稻香村 too.
    def bulletin(title: str):
        today = timezone.localdate()
        return bulletin_create(
            user=w.users["supervisor"],
            street=w.street,
            title=title,
            period_from=today - timedelta(days=7),
            period_to=today,
            entries=[BulletinEntry(w.o["violation"], "诫勉谈话")],
        )

    w.o["bulletin"] = bulletin_publish(user=w.users["supervisor"], bulletin=bulletin("本周作风问题通报"))
    w.o["bulletin_draft"] = bulletin("通报草稿")
    w.o["bulletin_draft_api"] = bulletin("接口发布的通报草稿")
    w.o["channel"] = make_channel(community=w.community, label="芦湖村文化广场")
    w.f["channel"] = make_channel(community=w.other, label="稻香村文化广场")
    w.o["street_channel"] = make_channel(street=w.street, label="芦湖街道总码")
    w.o["feedback"] = submit(channel=w.o["channel"], text="村口路灯坏了三盏,晚上看不见路。")
    w.f["feedback"] = submit(channel=w.f["channel"], text="外村反馈内容:水塘边没有护栏。")
    notification_send(recipients=[cadre], title="新诉求待签收", url=w.o["case"].get_absolute_url())


def _visits(w: World) -> None:
    cadre = w.users["community_cadre"]
    w.o["household"] = HouseholdFactory(community=w.community, grid=w.grid, head_name="王秀英")
    w.f["household"] = HouseholdFactory(community=w.other, grid=w.other_grid, head_name="外村户主")
    w.o["visit_log"] = VisitLogFactory(household=w.o["household"], created_by=cadre, family_note="老人独居")
    w.o["visit_request"] = VisitRequestFactory(log=w.o["visit_log"], text="院墙开裂")
    photo = VisitPhoto(log=w.o["visit_log"])
    photo.image.save("door.jpg", ContentFile(jpeg_bytes(exif=False)), save=False)
    photo.width, photo.height = 64, 48
    photo.save()
    w.o["visit_photo"] = photo
    other_log = VisitLogFactory(household=w.f["household"], created_by=w.users["foreign"])
    w.f["visit_request"] = VisitRequestFactory(log=other_log, text="外村诉求:路面塌陷")
    team = VisitTeam.objects.create(street=w.street, name="第一走访队", leader=w.users["street_leader"])
    VisitTeamMember.objects.create(team=team, user=w.users["street_leader"], kind=VisitTeamMember.Kind.STREET_LEADER)
    VisitTeamMember.objects.create(team=team, user=cadre, kind=VisitTeamMember.Kind.COMMUNITY_CADRE)
    today = timezone.localdate()
    cycle = VisitCycle.objects.create(street=w.street, number=1, starts_on=today, ends_on=today + timedelta(days=27))
    w.o["team"] = team
    w.o["cycle"] = cycle
    w.o["assignment"] = VisitAssignment.objects.create(
        cycle=cycle, team=team, community=w.community, starts_on=today, ends_on=today + timedelta(days=13)
    )


def _deliberation(w: World) -> None:
    cadre, other_cadre = w.users["community_cadre"], w.users["foreign"]
    w.o["venue"] = venue(community=w.community, name="芦湖驿站")
    w.f["venue"] = venue(community=w.other, name="外村驿站")
    w.o["meeting"] = family_forum(community=w.community, by=cadre, title="芦湖村大家小家座谈会")
    w.f["meeting"] = family_forum(community=w.other, by=other_cadre, title="外村座谈会")
    w.o["joint_meeting"] = joint_meeting(street=w.street, by=w.users["street_leader"], held_in=w.community)
    w.o["contest"] = contest(street=w.street, by=w.users["street_leader"])
    [w.o["ballot"]] = contest_ballots_issue(meeting=w.o["contest"], user=w.users["street_leader"], count=1)
    agenda_case = open_case(community=w.community, by=cadre, title="广场照明不足")
    w.o["agenda_item"] = agenda_add(meeting=w.o["meeting"], user=cadre, case=agenda_case)
    task_case = open_case(community=w.community, by=cadre, title="垃圾清运不及时")
    decided = agenda_add(meeting=w.o["meeting"], user=cadre, case=task_case)
    agenda_decide(
        item=decided,
        user=cadre,
        decision=Decision.FOLLOW_UP,
        summary="议定由保洁队每日清运",
        tasks=[TaskSpec("联系保洁队", cadre, timezone.localdate() + timedelta(days=7))],
    )
    w.o["task"] = FollowUpTask.objects.get(item=decided)
    w.o["step"] = ProcedureStep.objects.active().order_by("sort_order").first()


def _points(w: World) -> None:
    cadre = w.users["community_cadre"]
    w.o["volunteer"] = VolunteerFactory(community=w.community, name="李建华", balance=100)
    w.f["volunteer"] = VolunteerFactory(community=w.other, name="外村志愿者", balance=100)
    service_type = ServiceTypeFactory(code="sec-clean", name="清洁家园", points_per_unit=5)
    w.o["service_type"] = service_type
    w.o["claim"] = claim_submit(
        actor=cadre,
        volunteer=w.o["volunteer"],
        service_type=service_type,
        service_date=timezone.localdate(),
        quantity=1,
    )
    w.f["claim"] = claim_submit(
        actor=w.users["foreign"],
        volunteer=w.f["volunteer"],
        service_type=service_type,
        service_date=timezone.localdate(),
        quantity=1,
    )
    claim_batch_create(
        actor=cadre,
        community=w.community,
        title="三月环境整治",
        service_type=service_type,
        service_date=timezone.localdate(),
        quantity=1,
        volunteers=[w.o["volunteer"]],
    )
    w.o["batch"] = ClaimBatch.objects.get(community=w.community)
    w.o["reward"] = RewardFactory(community=w.community, name="洗衣液", price_points=10, stock=50)
    w.f["reward"] = RewardFactory(community=w.other, name="外村商品", price_points=10, stock=50)
    today = timezone.localdate()
    RedemptionWindow.objects.create(opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=1))
    w.o["redemption"] = redemption_create(
        actor=cadre, volunteer=w.o["volunteer"], items={w.o["reward"].pk: 1}, idempotency_key=str(uuid.uuid4())
    )
    w.o["entry"] = LedgerEntry.objects.filter(account__volunteer=w.o["volunteer"]).order_by("pk").first()


def _cards(w: World) -> None:
    from tests.visits.factories import card_batch, feedback_point
    from visits import services as visit_services

    w.o["card_batch"] = card_batch(community=w.community, team=w.o["team"], contact_name="李书记")
    w.f["card_batch"] = card_batch(community=w.other, contact_name="外村联系人")
    w.o["poster"] = feedback_point(community=w.community, name="芦湖村文化广场海报")
    w.o["print_job"] = visit_services.print_job_create(
        actor=None, batch=w.o["card_batch"], address="https://lucun.example.gov.cn/f/demo/"
    )


def _outcomes(w: World) -> None:
    from datetime import date

    from outcomes.models import SurveySample
    from outcomes.periods import Period
    from outcomes.services import goal_create, report_prepare, survey_start, talent_create
    from tests.outcomes.factories import callback_for, resolved_case

    cadre, leader = w.users["community_cadre"], w.users["street_leader"]
    w.o["callback"] = callback_for(resolved_case(community=w.community, by=cadre, title="路面修补"))
    w.o["survey"] = survey_start(
        user=w.users["supervisor"],
        street=w.street,
        title="季度满意度调查",
        sample_size=1,
        closes_on=date.today() + timedelta(days=7),
    )
    w.o["sample"] = SurveySample.objects.filter(survey=w.o["survey"], household__community=w.community).first()
    w.o["snapshot"] = report_prepare(street=w.street, period=Period.month(date.today().year, date.today().month))
    w.o["goal"] = goal_create(
        user=leader, community=w.community, title="村集体经济增收", term_start=2026, term_end=2030
    )
    w.o["talent"] = talent_create(user=cadre, community=w.community, name="王强", kind="veteran", phone="13812345678")
    w.f["talent"] = talent_create(
        user=w.users["foreign"], community=w.other, name="外村人才", kind="veteran", phone="13812345679"
    )


def _exports(w: World) -> None:
    from lucun import exports
    from lucun.exports import services as export_services

    # A finished export of the case list, asked for by the cadre: only the cadre may follow or download it.
    job = export_services.export_job_create(
        actor=w.users["community_cadre"], exporter=exports.get("cases.case_list"), rows_total=0, query=""
    )
    w.o["export_job"] = export_services.export_job_run(job_id=job.pk)
    # A finished bulk run of the cadre's: only the cadre may follow it.
    from lucun.models import BulkRun

    w.o["bulk_run"] = BulkRun.objects.create(
        kind="cases.case_accept", label="签收", state=BulkRun.State.DONE, created_by=w.users["community_cadre"]
    )


def _handover(w: World) -> None:
    """A hand-over record of ours (the grid worker's to the unit head), made by the street leader; it moved nothing."""
    from lucun.models import Handover

    w.o["person"] = w.users["grid_worker"]
    w.o["person_position"] = w.users["grid_worker"].positions.get()
    w.o["handover"] = Handover.objects.create(
        leaver=w.users["grid_worker"],
        successor=w.users["unit_head"],
        actor=w.users["street_leader"],
        reason="岗位调整",
        street=w.street,
    )


def build_world() -> World:
    street = StreetFactory(name="芦湖街道", code="LH")
    community = CommunityFactory(street=street, name="芦湖村", sort_order=1)
    other = CommunityFactory(street=street, name="稻香村", sort_order=2)
    grid = GridFactory(community=community, name="第一网格")
    other_grid = GridFactory(community=other, name="稻香一网格")
    w = World(street=street, community=community, other=other, grid=grid, other_grid=other_grid)
    w.users = _people(street, community, grid, other)
    _cases(w)
    _visits(w)
    _deliberation(w)
    _points(w)
    _cards(w)
    _outcomes(w)
    _exports(w)
    _handover(w)
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()
