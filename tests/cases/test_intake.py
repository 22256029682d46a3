import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case, CaseEvent, Feedback
from lucun.images import image_clean
from lucun.models import AuditEvent, Role
from tests.cases.factories import category, channel, jpeg_bytes, open_case, submit, tier, upload
from tests.factories import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def poster(community):
    return channel(community=community)


@pytest.fixture
def feedback(poster):
    return submit(channel=poster, text="张三家门口13812345678的路灯坏了")


def triage_url(feedback, action: str) -> str:
    return reverse("cases:feedback_triage", kwargs={"pk": feedback.pk, "action": action})


def test_queue_shows_the_communitys_waiting_messages_to_the_hour(client, cadre, feedback, other_community):
    foreign = submit(channel=channel(community=other_community, label="稻香村广场"), text="稻香村的事")
    client.force_login(cadre)
    response = client.get(reverse("cases:feedback_queue"))
    html = response.content.decode()
    assert [f.pk for f in response.context["page_obj"]] == [feedback.pk]
    assert "稻香村的事" not in html and foreign.lookup_code not in html and feedback.lookup_code not in html
    assert feedback.received_at.strftime(":00") in html


def test_another_communitys_message_is_404_on_every_page(client, other_cadre, feedback):
    client.force_login(other_cadre)
    assert client.get(feedback.get_absolute_url()).status_code == 404
    response = client.post(triage_url(feedback, "reject"), {"reject-state": "spam", "reject-reason": "x"})
    assert response.status_code == 404
    assert Feedback.objects.get().state == "new"


def test_the_message_page_shows_its_photos_through_the_private_file_view(client, cadre, poster, community):
    feedback = submit(channel=poster, photos=[image_clean(upload(jpeg_bytes()))])
    client.force_login(cadre)
    html = client.get(feedback.get_absolute_url()).content.decode()
    sources = re.findall(r'<img src="([^"]+)" alt="反馈照片"', html)
    assert sources == [f"/files/feedback-photo/{feedback.photos.get().pk}/thumbnail/"] and "/media/" not in html
    response = client.get(sources[0])  # DEBUG is off in the tests, as in production
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.force_login(official(Role.GRID_WORKER, community=community))  # may not open the message: nor its photos
    assert client.get(sources[0]).status_code == 404


def test_a_grid_worker_cannot_open_the_queue(client, community):
    client.force_login(official(Role.GRID_WORKER, community=community))
    assert client.get(reverse("cases:feedback_queue")).status_code == 403


def test_queue_query_count_does_not_grow_with_rows(client, cadre, poster, django_assert_max_num_queries):
    for _ in range(3):
        submit(channel=poster)
    client.force_login(cadre)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("cases:feedback_queue"))
    for _ in range(20):
        submit(channel=poster)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("cases:feedback_queue"))
    assert len(response.context["page_obj"]) == 23


def test_create_a_case_from_the_page(client, cadre, feedback):
    client.force_login(cadre)
    page = client.get(feedback.get_absolute_url()).content.decode()
    assert "13812345678" in page  # the original stays visible to the handling office
    assert "138****5678" in page  # the redaction tool starts from a suggestion
    response = client.post(
        triage_url(feedback, "create-case"),
        {
            "create-case-title": "路灯不亮",
            "create-case-category": category("infrastructure").pk,
            "create-case-tier": tier("immediate").pk,
            "create-case-case_list": "community",
        },
    )
    assert response.status_code == 302 and response.url == reverse("cases:feedback_queue")
    case = Case.objects.get()
    assert case.tier.code == "immediate" and case.source_object == Feedback.objects.get()
    assert "匿名反馈" in client.get(case.get_absolute_url()).content.decode()


def test_merge_from_the_page_and_an_unknown_number_is_a_message(client, cadre, feedback, community):
    case = open_case(community=community, by=cadre)
    client.force_login(cadre)
    response = client.post(triage_url(feedback, "merge"), {"merge-case_number": "LH-2026-999999"})
    assert response.status_code == 400 and "找不到这个编号" in response.content.decode()
    response = client.post(triage_url(feedback, "merge"), {"merge-case_number": case.number, "merge-note": "重复"})
    assert response.status_code == 302
    assert Feedback.objects.get().case == case and case.events.filter(kind=CaseEvent.Kind.MERGED).exists()


def test_merge_into_a_case_of_another_community_is_refused(client, cadre, feedback, other_community, other_cadre):
    foreign_case = open_case(community=other_community, by=other_cadre)
    client.force_login(cadre)
    response = client.post(triage_url(feedback, "merge"), {"merge-case_number": foreign_case.number})
    assert response.status_code == 400 and Feedback.objects.get().state == "new"


def test_mark_spam_from_the_page_keeps_the_message(client, cadre, feedback):
    client.force_login(cadre)
    response = client.post(triage_url(feedback, "reject"), {"reject-state": "spam", "reject-reason": ""})
    assert response.status_code == 400
    response = client.post(triage_url(feedback, "reject"), {"reject-state": "spam", "reject-reason": "广告"})
    assert response.status_code == 302
    assert Feedback.objects.get().state == "spam"
    html = client.get(reverse("cases:feedback_queue"), {"state": "spam"}).content.decode()
    assert "张三家门口" in html


def test_redact_from_the_page(client, cadre, feedback):
    client.force_login(cadre)
    response = client.post(triage_url(feedback, "redact"), {"redact-redacted_text": "***家门口的路灯坏了"})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.redacted_text == "***家门口的路灯坏了"
    html = client.get(reverse("cases:feedback_queue")).content.decode()
    assert "***家门口" in html and "13812345678" not in html  # lists show the shareable copy
    assert AuditEvent.objects.filter(action="cases.feedback_redact", actor=cadre).exists()


def test_channel_figures_are_counted_from_the_data(client, street_leader, community, other_community):
    poster = channel(community=community, label="芦湖村文化广场")
    cards = channel(community=other_community, kind="card_batch", label="稻香村 联系卡第1批")
    with time_machine.travel(datetime(2026, 3, 10, 2, tzinfo=UTC)):
        submit(channel=poster)
        submit(channel=cards)
    with time_machine.travel(datetime(2026, 4, 10, 2, tzinfo=UTC)):
        submit(channel=poster)
    with time_machine.travel(datetime(2026, 4, 20, 2, tzinfo=UTC), tick=False):
        client.force_login(street_leader)
        response = client.get(reverse("cases:feedback_channels"))
    figures = response.context["figures"]
    assert figures.total == 3
    rows = {r["channel"].label: r for r in figures.channels}
    assert rows["芦湖村文化广场"]["total"] == 2 and rows["芦湖村文化广场"]["months"][-2:] == [1, 1]
    assert rows["稻香村 联系卡第1批"]["months"][-2:] == [1, 0]
    kinds = {r["kind"]: r["total"] for r in figures.by_kind}
    assert kinds == {"poster": 2, "card_batch": 1}
    assert {r["name"]: r["total"] for r in figures.by_community} == {"芦湖村": 2, "稻香村": 1}
    assert f"/f/{poster.token}/" in response.content.decode()


def test_a_cadre_sees_only_the_figures_of_their_community(client, cadre, community, other_community):
    submit(channel=channel(community=community))
    submit(channel=channel(community=other_community, label="稻香村广场"))
    client.force_login(cadre)
    figures = client.get(reverse("cases:feedback_channels")).context["figures"]
    assert figures.total == 1 and [r["channel"].community for r in figures.channels] == [community]


def test_create_and_stop_a_channel_from_the_page(client, cadre, community):
    client.force_login(cadre)
    response = client.post(
        reverse("cases:feedback_channels"), {"kind": "meeting", "community": community.pk, "label": "第3期议事公示"}
    )
    assert response.status_code == 302
    created = community.feedback_channels.get(label="第3期议事公示")
    svg = client.get(reverse("cases:feedback_channel_qr", kwargs={"pk": created.pk}))
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    client.post(reverse("cases:feedback_channel_deactivate", kwargs={"pk": created.pk}), {"reason": "议事已结束"})
    created.refresh_from_db()
    assert not created.is_active and created.deactivated_reason == "议事已结束"


def test_the_nav_offers_the_queue_to_dispatchers_only(client, cadre, community):
    client.force_login(cadre)
    assert reverse("cases:feedback_queue") in client.get(reverse("cases:my_work")).content.decode()
    client.force_login(official(Role.PARTY_REP, community=community))
    assert reverse("cases:feedback_queue") not in client.get(reverse("cases:my_work")).content.decode()


def test_the_admin_shows_messages_read_only_without_their_lookup_code(client, feedback):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    html = client.get(reverse("admin:cases_feedback_change", args=[feedback.pk])).content.decode()
    assert feedback.text in html and feedback.lookup_code not in html
    assert client.get(reverse("admin:cases_feedbackchannel_changelist")).status_code == 200
    assert client.post(reverse("admin:cases_feedback_delete", args=[feedback.pk]), {"post": "yes"}).status_code == 403
    assert Feedback.objects.filter(pk=feedback.pk).exists()
