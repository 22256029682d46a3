import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cases.models import CaseEvent, CaseList, CaseState, Category, Tier
from deliberation import services
from deliberation.models import AgendaItem, ContestCriterion, Decision, Meeting, ProcedureStep
from lucun.models import Role
from tests.cases.factories import open_case
from tests.deliberation.factories import family_forum, joint_meeting, venue
from tests.factories import GridFactory, official

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(street):
    return official(Role.STREET_STAFF, street=street)


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_done_when_through_the_pages(client, cadre, community, street, street_leader, staff):
    first = open_case(community=community, by=cadre, title="小区绿化带无人维护")
    second = open_case(community=community, by=cadre, title="村道拓宽占地协调")
    client.force_login(cadre)
    response = client.post(
        reverse("deliberation:meeting_create"),
        {
            "kind": "family_forum",
            "title": "三月大家小家座谈会",
            "community": community.pk,
            "starts_at": _local(timezone.now() - timedelta(minutes=5)),
            "location": "村委会广场",
            "invited_resident_reps": "15",
            "invited_property": "2",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert meeting.participations.count() == 2

    for case in (first, second):
        response = client.post(
            reverse("deliberation:meeting_action", args=[meeting.pk, "agenda"]), {"number": case.number}
        )
        assert response.status_code == 302
    first_item, second_item = AgendaItem.objects.order_by("position")

    response = client.post(
        reverse("deliberation:item_decide", args=[first_item.pk]),
        {
            f"item-{first_item.pk}-decision": "settled",
            f"item-{first_item.pk}-summary": "居民轮流认养绿化带",
            f"item-{first_item.pk}-result": "成立护绿志愿队,每周维护一次",
            f"item-{first_item.pk}-case_list": "community",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("deliberation:item_decide", args=[second_item.pk]),
        {
            f"item-{second_item.pk}-decision": "beyond",
            f"item-{second_item.pk}-summary": "涉及土地调整,超出村级权限",
            f"item-{second_item.pk}-special_tier": "on",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == CaseState.RESOLVED and first.case_list == CaseList.COMMUNITY
    assert first.events.filter(kind=CaseEvent.Kind.RESOLVED).exists()
    assert second.case_list == CaseList.STREET and second.is_open

    client.force_login(street_leader)
    response = client.post(
        reverse("deliberation:meeting_create"),
        {
            "kind": "joint",
            "title": "党政联席会(芦湖村现场)",
            "community": community.pk,
            "starts_at": _local(timezone.now() - timedelta(minutes=1)),
            "location": "芦湖村村委会",
        },
    )
    joint = Meeting.objects.get(kind="joint")
    assert joint.street == street and joint.held_in == community
    html = client.get(joint.get_absolute_url()).content.decode()
    assert second.number in html and first.number not in html.split('data-testid="proposals"')[1].split("</ul>")[0]
    response = client.post(reverse("deliberation:meeting_action", args=[joint.pk, "propose"]), {})
    assert response.status_code == 302
    item = joint.agenda_items.get()
    assert item.case == second
    due = timezone.localdate() + timedelta(days=14)
    response = client.post(
        reverse("deliberation:item_decide", args=[item.pk]),
        {
            f"item-{item.pk}-decision": "assigned",
            f"item-{item.pk}-summary": "自然资源所和村委会共同研究",
            f"item-{item.pk}-result": "按规划调整用地后拓宽",
            f"item-{item.pk}-department": "自然资源所",
            f"item-{item.pk}-handler": str(staff.pk),
            f"item-{item.pk}-due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    second.refresh_from_db()
    assert second.handler_office == "自然资源所" and second.handler == staff
    case_page = client.get(second.get_absolute_url()).content.decode()
    assert "自然资源所" in case_page and due.strftime("%Y-%m-%d") in case_page


def test_bad_decision_keeps_the_input_and_writes_nothing(client, cadre, community):
    meeting = family_forum(community=community, by=cadre)
    item = services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    client.force_login(cadre)
    response = client.post(
        reverse("deliberation:item_decide", args=[item.pk]),
        {f"item-{item.pk}-decision": "settled", f"item-{item.pk}-summary": "讨论了半天没有结果"},
    )
    assert response.status_code == 400
    assert "讨论了半天没有结果" in response.content.decode()
    assert "请填写议定结果" in response.content.decode()
    item.refresh_from_db()
    assert item.decision == ""


def test_steps_through_the_page_keep_their_order(client, cadre, community):
    meeting = family_forum(community=community, by=cadre)
    client.force_login(cadre)
    url = reverse("deliberation:meeting_action", args=[meeting.pk, "step"])
    second = ProcedureStep.objects.get(code="agenda")
    response = client.post(url, {"step": second.pk})
    assert response.status_code == 400
    assert "请先完成" in response.content.decode()
    response = client.post(url, {"step": ProcedureStep.objects.get(code="notice").pk})
    assert response.status_code == 302


def test_another_communitys_meeting_is_404(client, cadre, community, other_cadre):
    meeting = family_forum(community=community, by=cadre)
    item = services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    client.force_login(other_cadre)
    assert client.get(meeting.get_absolute_url()).status_code == 404
    assert client.get(reverse("deliberation:meeting_notice", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("deliberation:meeting_action", args=[meeting.pk, "minutes"]), {}).status_code == 404
    assert client.post(reverse("deliberation:item_decide", args=[item.pk]), {}).status_code == 404
    assert meeting.get_absolute_url() not in client.get(reverse("deliberation:meeting_list")).content.decode()


def test_host_community_sees_the_joint_meeting_but_not_other_communities_items(
    client, cadre, community, other_community, other_cadre, street, street_leader
):
    own = open_case(community=community, by=cadre, case_list=CaseList.STREET, title="本村难题")
    foreign = open_case(community=other_community, by=other_cadre, case_list=CaseList.STREET, title="外村难题")
    joint = joint_meeting(street=street, by=street_leader, held_in=community)
    services.joint_meeting_propose_agenda(meeting=joint, user=street_leader)
    client.force_login(cadre)
    html = client.get(joint.get_absolute_url()).content.decode()
    assert own.title in html and foreign.title not in html
    client.force_login(other_cadre)  # a cadre of a community that did not host it does not see it at all
    assert client.get(joint.get_absolute_url()).status_code == 404


def test_meeting_page_shows_steps_agenda_and_a_form_per_undecided_item(client, cadre, community):
    meeting = family_forum(community=community, by=cadre)
    for i in range(2):
        services.agenda_add(
            meeting=meeting, user=cadre, case=open_case(community=community, by=cadre, title=f"问题{i}")
        )
    client.force_login(cadre)
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert html.count('class="decide-form"') == 2
    assert "发布会议通知" in html and "跟进回访" in html


def test_minutes_cannot_inject_html(client, cadre, community):
    meeting = family_forum(community=community, by=cadre)
    client.force_login(cadre)
    client.post(
        reverse("deliberation:meeting_action", args=[meeting.pk, "minutes"]),
        {"minutes": "# 议定\n- **物业**负责\n<script>alert(1)</script>"},
    )
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "<h3>议定</h3>" in html and "<strong>物业</strong>" in html


def test_notice_has_results_and_a_place_for_the_feedback_qr(client, cadre, community):
    meeting = family_forum(community=community, by=cadre)
    item = services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    services.agenda_decide(item=item, user=cadre, decision=Decision.SETTLED, summary="x", result="修好路灯")
    client.force_login(cadre)
    html = client.get(reverse("deliberation:meeting_notice", args=[meeting.pk])).content.decode()
    assert "议事结果公示" in html and "修好路灯" in html
    assert 'data-testid="feedback-qr-slot"' in html


def test_calendar_lists_meetings_of_the_week(client, cadre, community):
    family_forum(community=community, by=cadre, title="本周座谈会", starts_at=timezone.now() + timedelta(hours=1))
    client.force_login(cadre)
    html = client.get(reverse("deliberation:calendar") + "?view=week").content.decode()
    assert "本周座谈会" in html


def _calendar_and_list_queries(client, cadre, community, many: bool):
    for i in range(12 if many else 2):
        meeting = family_forum(
            community=community,
            by=cadre,
            title=f"会{i}",
            starts_at=timezone.now() + timedelta(hours=i + 1),
            participants={"resident_reps": 5},
        )
        services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))


def test_list_pages_have_a_fixed_number_of_queries(client, cadre, community, django_assert_max_num_queries):
    _calendar_and_list_queries(client, cadre, community, many=False)
    place = venue(community=community, grids=[GridFactory(community=community)])
    place.staff.add(cadre)
    client.force_login(cadre)
    urls = [
        reverse("deliberation:calendar"),
        reverse("deliberation:calendar") + "?view=week",
        reverse("deliberation:meeting_list"),
        reverse("deliberation:venue_list"),
        reverse("deliberation:coverage"),
        reverse("deliberation:figures"),
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(20) as few:
            assert client.get(url).status_code == 200
        counts[url] = len(few.captured_queries)
    _calendar_and_list_queries(client, cadre, community, many=True)
    for i in range(6):
        venue(community=community, name=f"说事点{i}", kind="talk_point", grids=[GridFactory(community=community)])
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_meeting_page_queries_do_not_grow_with_the_agenda(client, cadre, community, django_assert_max_num_queries):
    meeting = family_forum(community=community, by=cadre, participants={"resident_reps": 5, "committees": 3})
    services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    client.force_login(cadre)
    with django_assert_max_num_queries(40) as few:
        client.get(meeting.get_absolute_url())
    for _ in range(8):
        services.agenda_add(meeting=meeting, user=cadre, case=open_case(community=community, by=cadre))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(meeting.get_absolute_url())


def test_meeting_page_actions_record_attendance_minutes_photo_and_cancel(client, cadre, community):
    meeting = family_forum(community=community, by=cadre)
    client.force_login(cadre)
    url = lambda action: reverse("deliberation:meeting_action", args=[meeting.pk, action])  # noqa: E731
    response = client.post(url("attendance"), {"att-invited_resident_reps": "12", "att-attended_resident_reps": "10"})
    assert response.status_code == 302
    assert meeting.participations.get().attended == 10
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, format="PNG")
    response = client.post(url("photo"), {"image": SimpleUploadedFile("a.png", buffer.getvalue()), "caption": "现场"})
    assert response.status_code == 302 and meeting.photos.count() == 1
    response = client.post(url("cancel"), {"reason": ""})
    assert response.status_code == 400
    later = family_forum(community=community, by=cadre, starts_at=timezone.now() + timedelta(days=1))
    response = client.post(reverse("deliberation:meeting_action", args=[later.pk, "cancel"]), {"reason": "下雨改期"})
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.cancelled_at is not None and later.cancel_reason == "下雨改期"


def test_the_meeting_page_shows_its_photos_through_the_private_file_view(client, cadre, other_cadre, community):
    meeting = family_forum(community=community, by=cadre)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, format="JPEG")
    photo = services.meeting_photo_add(
        meeting=meeting, user=cadre, upload=SimpleUploadedFile("a.jpg", buffer.getvalue())
    )
    assert f"meeting-{meeting.pk}" not in photo.image.name  # the name says nothing of the meeting
    client.force_login(cadre)
    html = client.get(meeting.get_absolute_url()).content.decode()
    sources = re.findall(r'<img src="([^"]+)" alt="会议照片"', html)
    assert sources == [f"/files/meeting-photo/{photo.pk}/thumbnail/"] and "/media/" not in html
    response = client.get(sources[0])  # DEBUG is off in the tests, as in production
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.force_login(other_cadre)
    assert client.get(sources[0]).status_code == 404
    client.logout()
    assert client.get(sources[0]).status_code == 404


def test_a_problem_raised_at_a_joint_meeting_is_registered_in_the_chosen_community(
    client, street, street_leader, community
):
    joint = joint_meeting(street=street, by=street_leader)
    client.force_login(street_leader)
    response = client.post(
        reverse("deliberation:meeting_action", args=[joint.pk, "raise"]),
        {
            "raise-title": "跨村道路断头路",
            "raise-category": Category.objects.first().pk,
            "raise-tier": Tier.objects.get(code="escalated").pk,
            "raise-case_list": "street",
            "raise-community": community.pk,
        },
    )
    assert response.status_code == 302
    item = joint.agenda_items.get()
    assert item.case.community == community and item.case.source_object == joint


def test_contest_scores_through_the_page_rank_the_communities(client, street, street_leader, community):
    contest = services.meeting_schedule(
        user=street_leader,
        kind=Meeting.Kind.CONTEST,
        title="第一期擂台比武",
        street=street,
        location="礼堂",
        starts_at=timezone.now() - timedelta(hours=1),
    )
    client.force_login(street_leader)
    data = {"score-community": community.pk, "score-judge": "1"}
    for criterion in ContestCriterion.objects.all():
        data[f"score-score_{criterion.pk}"] = str(criterion.max_score - 1)
    response = client.post(reverse("deliberation:meeting_action", args=[contest.pk, "score"]), data)
    assert response.status_code == 302
    html = client.get(contest.get_absolute_url()).content.decode()
    assert "ranking__first" in html and community.name in html


def test_every_official_of_the_street_sees_the_contest_but_only_organisers_score(client, street, street_leader, cadre):
    contest = services.meeting_schedule(
        user=street_leader,
        kind=Meeting.Kind.CONTEST,
        title="第二期擂台比武",
        street=street,
        location="礼堂",
        starts_at=timezone.now() - timedelta(hours=1),
    )
    client.force_login(cadre)
    html = client.get(contest.get_absolute_url()).content.decode()
    assert "擂台比武评分与排名" in html and "录入评委评分" not in html


def test_coverage_lists_the_grids_no_active_venue_serves(client, cadre, community):
    served, unserved, closed = (GridFactory(community=community, name=n) for n in ("东区", "西区", "北区"))
    venue(community=community, grids=[served])
    venue(community=community, name="停用驿站", grids=[closed], is_active=False)
    client.force_login(cadre)
    response = client.get(reverse("deliberation:coverage"))
    names = [g.name for g in response.context["c"]["uncovered"]]
    assert sorted(names) == ["北区", "西区"]
    assert unserved.name in response.content.decode()


def test_the_notice_lists_who_took_part_as_the_readers_language_lists(client, cadre, community):
    from deliberation.models import ParticipantRole
    from deliberation.services.meetings import ParticipationSpec, participations_record

    meeting = family_forum(community=community, by=cadre)
    participations_record(
        meeting=meeting,
        user=cadre,
        rows=[
            ParticipationSpec(role=ParticipantRole.RESIDENT_REPS, invited=12, attended=10),
            ParticipationSpec(role=ParticipantRole.COMMITTEES, invited=3, attended=3),
        ],
    )
    client.force_login(cadre)
    url = reverse("deliberation:meeting_notice", args=[meeting.pk])
    chinese = client.get(url, headers={"accept-language": "zh-hans"}).content.decode()
    english = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "<dd>村(居)“两委” 3 人、群众代表 10 人(实到共 13 人)</dd>" in chinese
    assert (
        "<dd>Community committees 3 people, Resident representatives 10 people (13 attended in total)</dd>" in english
    )


def test_the_meeting_list_says_where_a_joint_meeting_was_held_in_the_readers_language(
    client, community, street, street_leader
):
    joint_meeting(street=street, by=street_leader, held_in=community)
    client.force_login(street_leader)
    url = reverse("deliberation:meeting_list")
    chinese = client.get(url).content.decode()
    english = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert f"(下沉{community.name})" in chinese
    assert f" (held on site in {community.name})" in english
