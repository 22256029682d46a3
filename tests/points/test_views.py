import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from lucun.models import Role
from points import services
from points.models import LedgerEntry, Redemption, Reward, ServiceClaim, Volunteer
from tests.factories import official
from tests.points.factories import RewardFactory, ServiceTypeFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def test_pages_need_a_login(client, volunteer):
    for url in [reverse("points:volunteer_list"), reverse("points:claim_list"), reverse("points:figures")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_volunteer_list_masks_phones_and_shows_balance(client, cadre, community):
    VolunteerFactory(community=community, name="赵春生", phone="13912345678", balance=42)
    client.force_login(cadre)
    html = client.get(reverse("points:volunteer_list")).content.decode()
    assert "赵春生" in html and "139****5678" in html and "13912345678" not in html
    assert ">42<" in html


def test_volunteer_list_query_count_does_not_grow_with_rows(client, cadre, community, django_assert_max_num_queries):
    client.force_login(cadre)
    VolunteerFactory.create_batch(3, community=community)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("points:volunteer_list"))
    VolunteerFactory.create_batch(25, community=community)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("points:volunteer_list"))


def test_claim_queue_query_count_does_not_grow_with_rows(
    client, cadre, community, policy_type, django_assert_max_num_queries
):
    client.force_login(cadre)
    volunteer = VolunteerFactory(community=community)
    services.claim_submit(
        actor=cadre, volunteer=volunteer, service_type=policy_type, service_date=timezone.localdate(), quantity=1
    )
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("points:claim_list"))
    for v in VolunteerFactory.create_batch(20, community=community):
        services.claim_submit(
            actor=cadre, volunteer=v, service_type=policy_type, service_date=timezone.localdate(), quantity=1
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("points:claim_list"))
    assert response.content.decode().count('name="claim"') == 21


def test_another_communitys_volunteer_is_404(client, cadre, other_volunteer):
    client.force_login(cadre)
    for name in ["volunteer_detail", "volunteer_edit", "claim_create", "volunteer_card"]:
        assert client.get(reverse(f"points:{name}", args=[other_volunteer.pk])).status_code == 404
    assert client.get(reverse("points:redeem", args=[other_volunteer.token])).status_code == 404
    html = client.get(reverse("points:volunteer_list")).content.decode()
    assert other_volunteer.name not in html


def test_another_communitys_claim_is_404(client, cadre, other_cadre, other_volunteer, policy_type):
    claim = services.claim_submit(
        actor=other_cadre,
        volunteer=other_volunteer,
        service_type=policy_type,
        service_date=timezone.localdate(),
        quantity=1,
    )
    client.force_login(cadre)
    assert client.get(reverse("points:claim_detail", args=[claim.pk])).status_code == 404
    client.post(reverse("points:claims_approve_selected"), {"claim": [claim.pk]})
    claim.refresh_from_db()
    assert claim.status == ServiceClaim.Status.PENDING


def test_cadre_registers_a_volunteer(client, cadre, community):
    client.force_login(cadre)
    response = client.post(
        reverse("points:volunteer_create"),
        {
            "community": community.pk,
            "name": "孙玉兰",
            "phone": "13700001111",
            "joined_on": "2026-01-05",
            "active": "on",
        },
    )
    volunteer = Volunteer.objects.get(name="孙玉兰")
    assert response.status_code == 302 and response.url == volunteer.get_absolute_url()
    assert volunteer.account.balance == 0 and volunteer.token


def test_claim_entry_then_approval_credits_points(client, cadre, volunteer, policy_type):
    client.force_login(cadre)
    response = client.post(
        reverse("points:claim_create", args=[volunteer.pk]),
        {"service_type": policy_type.pk, "service_date": timezone.localdate().isoformat(), "quantity": 2},
    )
    assert response.status_code == 302
    claim = ServiceClaim.objects.get()
    response = client.post(reverse("points:claim_detail", args=[claim.pk]), {"action": "approve"})
    assert response.status_code == 302
    volunteer.account.refresh_from_db()
    assert volunteer.account.balance == 10


def test_rejecting_without_a_reason_keeps_the_claim_pending(client, cadre, volunteer, policy_type):
    claim = services.claim_submit(
        actor=cadre, volunteer=volunteer, service_type=policy_type, service_date=timezone.localdate(), quantity=1
    )
    client.force_login(cadre)
    response = client.post(reverse("points:claim_detail", args=[claim.pk]), {"action": "reject", "reject-reason": ""})
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == ServiceClaim.Status.PENDING
    client.post(reverse("points:claim_detail", args=[claim.pk]), {"action": "reject", "reject-reason": "照片不清楚"})
    claim.refresh_from_db()
    assert claim.status == ServiceClaim.Status.REJECTED and claim.reject_reason == "照片不清楚"


def test_grid_worker_may_enter_claims_but_not_approve(client, community, volunteer, policy_type):
    worker = official(Role.GRID_WORKER, community=community)
    claim = services.claim_submit(
        actor=worker, volunteer=volunteer, service_type=policy_type, service_date=timezone.localdate(), quantity=1
    )
    client.force_login(worker)
    assert client.post(reverse("points:claim_detail", args=[claim.pk]), {"action": "approve"}).status_code == 403


def test_bulk_claims_page_creates_and_approves_all(client, cadre, community, policy_type):
    attendees = VolunteerFactory.create_batch(4, community=community)
    client.force_login(cadre)
    response = client.post(
        reverse("points:batch_create"),
        {
            "community": community.pk,
            "title": "春季清洁家园",
            "service_type": policy_type.pk,
            "service_date": timezone.localdate().isoformat(),
            "quantity": 1,
            "volunteers": [v.pk for v in attendees],
        },
    )
    assert response.status_code == 302
    batch_url = response.url
    ids = list(ServiceClaim.objects.values_list("pk", flat=True))
    client.post(reverse("points:claims_approve_selected"), {"claim": ids, "next": batch_url})
    assert ServiceClaim.objects.filter(status="approved").count() == 4
    assert "已入账" in client.get(batch_url).content.decode()


def test_reverse_button_undoes_an_entry(client, cadre, volunteer, policy_type):
    claim = services.claim_submit(
        actor=cadre, volunteer=volunteer, service_type=policy_type, service_date=timezone.localdate(), quantity=1
    )
    services.claim_approve(actor=cadre, claim=claim)
    entry = LedgerEntry.objects.get()
    client.force_login(cadre)
    client.post(reverse("points:entry_reverse", args=[entry.pk]), {"reason": "录错人"})
    volunteer.account.refresh_from_db()
    assert volunteer.account.balance == 0
    assert LedgerEntry.objects.filter(kind="reverse", reverses=entry).exists()


def test_volunteer_detail_shows_ledger(client, cadre, community):
    volunteer = VolunteerFactory(community=community, balance=15)
    client.force_login(cadre)
    html = client.get(volunteer.get_absolute_url()).content.decode()
    assert "期初积分" in html and "+15" in html


def test_volunteer_detail_shows_what_was_done_in_words_not_codes(client, cadre, community):
    volunteer = services.volunteer_create(actor=cadre, community=community, name="赵大爷")
    client.force_login(cadre)
    html = client.get(volunteer.get_absolute_url()).content.decode()
    assert "登记志愿者" in html and "points.volunteer_create" not in html


def test_reward_catalogue_admin_creates_an_item(client, cadre, community):
    client.force_login(cadre)
    response = client.post(
        reverse("points:reward_create"),
        {
            "community": community.pk,
            "shop_name": "电力爱心超市",
            "name": "大米 5 斤",
            "kind": "goods",
            "price_points": 50,
            "stock": 20,
            "is_active": "on",
            "sort_order": 0,
        },
    )
    assert response.status_code == 302
    assert Reward.objects.get().name == "大米 5 斤"
    assert "大米 5 斤" in client.get(reverse("points:reward_list")).content.decode()


def test_reward_with_negative_stock_is_refused(client, cadre, community):
    client.force_login(cadre)
    response = client.post(
        reverse("points:reward_create"),
        {
            "community": community.pk,
            "shop_name": "超市",
            "name": "香皂",
            "kind": "goods",
            "price_points": 5,
            "stock": -1,
            "is_active": "on",
            "sort_order": 0,
        },
    )
    assert response.status_code == 200 and not Reward.objects.exists()


def test_counter_finds_a_volunteer_by_a_typed_or_scanned_code(client, counter_staff, volunteer):
    client.force_login(counter_staff)
    typed = "-".join(re.findall("....", volunteer.token)).lower()
    response = client.get(reverse("points:redeem_start"), {"code": typed})
    assert response.status_code == 302 and response.url == reverse("points:redeem", args=[volunteer.token])
    scanned = "http://example.org" + reverse("points:public", args=[volunteer.token])
    assert client.get(reverse("points:redeem_start"), {"code": scanned}).status_code == 302
    response = client.get(reverse("points:redeem_start"), {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert "没有找到这张一码通" in response.content.decode()


def test_counter_redeems_and_prints_a_receipt(client, counter_staff, community, reward, open_window):
    volunteer = VolunteerFactory(community=community, balance=100)
    client.force_login(counter_staff)
    page = client.get(reverse("points:redeem", args=[volunteer.token]))
    key = page.context["form"].initial["idempotency_key"]
    data = {"idempotency_key": key, f"qty_{reward.pk}": 2}
    response = client.post(reverse("points:redeem", args=[volunteer.token]), data)
    assert response.status_code == 302
    again = client.post(reverse("points:redeem", args=[volunteer.token]), data)  # double submit
    assert again.url == response.url
    assert Redemption.objects.count() == 1
    receipt = client.get(response.url).content.decode()
    assert "积分兑换凭证" in receipt and "60" in receipt and reward.name in receipt
    volunteer.account.refresh_from_db()
    assert volunteer.account.balance == 40


def test_counter_outside_the_window_shows_the_reason(client, counter_staff, community, reward):
    import time_machine

    volunteer = VolunteerFactory(community=community, balance=100)
    client.force_login(counter_staff)
    with time_machine.travel("2026-04-15 10:00 +0800", tick=False):
        response = client.post(
            reverse("points:redeem", args=[volunteer.token]), {"idempotency_key": "k", f"qty_{reward.pk}": 1}
        )
    assert response.status_code == 200
    assert "现在不是积分兑换时间" in response.content.decode()
    assert not Redemption.objects.exists()


# --- the public 一码通 page -----------------------------------------------------------------------------


def test_public_page_opens_by_token_without_login(client, community):
    volunteer = VolunteerFactory(community=community, name="刘淑珍", balance=35)
    RewardFactory(community=community, name="挂面", price_points=20)
    html = client.get(reverse("points:public", args=[volunteer.token])).content.decode()
    assert "刘淑珍" in html and ">35<" in html and "挂面" in html and "期初积分" in html
    assert 'class="points-public"' in html
    assert "为该志愿者兑换" not in html


def test_public_page_uses_radio_buttons_not_a_dropdown(client, volunteer, policy_type):
    html = client.get(reverse("points:public", args=[volunteer.token])).content.decode()
    assert 'type="radio"' in html and "<select" not in html


def test_public_page_for_a_revoked_token_is_404(client, cadre, volunteer):
    old = volunteer.token
    services.volunteer_token_issue(actor=cadre, volunteer=volunteer)
    response = client.get(reverse("points:public", args=[old]))
    assert response.status_code == 404
    assert "不能使用" in response.content.decode()


def test_volunteer_files_a_claim_with_a_photo_from_the_public_page(client, volunteer, policy_type):
    response = client.post(
        reverse("points:public", args=[volunteer.token]),
        {
            "service_type": policy_type.pk,
            "service_date": timezone.localdate().isoformat(),
            "quantity": 1,
            "photo": _jpeg(),
            "note": "村口宣讲",
        },
    )
    assert response.status_code == 302
    claim = ServiceClaim.objects.get()
    assert claim.via == ServiceClaim.Via.SELF and claim.submitted_by is None and claim.photo
    assert "待审核" in client.get(response.url).content.decode()


def test_the_claim_page_shows_its_photo_through_the_private_file_view(client, cadre, other_cadre, volunteer):
    claim = services.claim_submit(
        actor=cadre,
        volunteer=volunteer,
        service_type=ServiceTypeFactory(),
        service_date=timezone.localdate(),
        quantity=1,
        photo=_jpeg(),
    )
    client.force_login(cadre)
    html = client.get(reverse("points:claim_detail", args=[claim.pk])).content.decode()
    sources = re.findall(r'<img class="points-photo" src="([^"]+)"', html)
    assert sources == [f"/files/claim-photo/{claim.pk}/"] and "/media/" not in html
    response = client.get(sources[0])  # DEBUG is off in the tests, as in production
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    client.force_login(other_cadre)
    assert client.get(sources[0]).status_code == 404


def test_public_claim_with_bad_input_writes_nothing(client, volunteer, policy_type):
    response = client.post(
        reverse("points:public", args=[volunteer.token]),
        {"service_type": policy_type.pk, "service_date": "2999-01-01", "quantity": 1},
    )
    assert response.status_code == 200
    assert "不能晚于今天" in response.content.decode()
    assert not ServiceClaim.objects.exists()


def test_every_answer_under_the_public_page_is_not_cached_and_passes_on_no_address(client, volunteer, policy_type):
    url = reverse("points:public", args=[volunteer.token])
    claim = {"service_type": policy_type.pk, "service_date": timezone.localdate().isoformat(), "quantity": 1}
    answers = [
        client.get(url),
        client.post(url, claim),  # sent: back to the page
        client.post(url, {**claim, "service_date": "2999-01-01"}),  # refused, shown again
        client.get(reverse("points:public", args=["ZZZZZZZZZZZZ0000"])),  # unknown card
    ]
    for n in range(25):  # guessing cards is held back
        limited = client.get(reverse("points:public", args=[f"ZZZZZZZZZZZZ{n:04d}"]))
    answers.append(limited)
    assert [a.status_code for a in answers] == [200, 302, 200, 404, 429]
    for answer in answers:
        # strict-origin: a referrer is the site's origin alone; no-referrer would make the browser post the claim
        # form with "Origin: null", which the CSRF check refuses.
        assert "no-store" in answer["Cache-Control"] and answer["Referrer-Policy"] == "strict-origin"


def test_logged_in_counter_staff_see_the_redeem_action(client, counter_staff, volunteer, other_cadre):
    client.force_login(counter_staff)
    html = client.get(reverse("points:public", args=[volunteer.token])).content.decode()
    assert "为该志愿者兑换" in html
    client.force_login(other_cadre)
    html = client.get(reverse("points:public", args=[volunteer.token])).content.decode()
    assert "为该志愿者兑换" not in html


def test_card_pdf_embeds_a_chinese_font(client, cadre, volunteer):
    client.force_login(cadre)
    response = client.get(reverse("points:volunteer_card", args=[volunteer.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"FontFile2" in response.content  # the TrueType font program is inside the file


def test_figures_are_computed_from_the_ledger(client, cadre, community, other_community, reward, open_window):
    hours = ServiceTypeFactory(code="fig-hours", name="巡逻(统计)", unit="hour", points_per_unit=2)
    volunteer = VolunteerFactory(community=community)
    claim = services.claim_submit(
        actor=cadre, volunteer=volunteer, service_type=hours, service_date=timezone.localdate(), quantity=20
    )
    services.claim_approve(actor=cadre, claim=claim)  # 40 points, 20 hours
    services.redemption_create(actor=cadre, volunteer=volunteer, items={reward.pk: 1}, idempotency_key="f")
    other = VolunteerFactory(community=other_community)
    foreign = official(Role.COMMUNITY_CADRE, community=other_community)
    services.claim_approve(
        actor=foreign,
        claim=services.claim_submit(
            actor=foreign, volunteer=other, service_type=hours, service_date=timezone.localdate(), quantity=5
        ),
    )
    client.force_login(cadre)
    response = client.get(reverse("points:figures"))
    figures = response.context["figures"]
    assert figures.volunteers_registered == 1
    assert sum(q["issued"] for q in figures.quarters) == 40
    assert sum(q["redeemed"] for q in figures.quarters) == 30
    assert figures.hours == 20
    assert figures.estimated_value == 400  # 20 hours × ¥20
    assert [v.name for v in figures.top] == [volunteer.name]


def test_ledger_pages_query_count_does_not_grow_with_entries(
    client, cadre, community, policy_type, django_assert_max_num_queries
):
    volunteer = VolunteerFactory(community=community, balance=5)

    def earn(n):
        for _ in range(n):
            claim = services.claim_submit(
                actor=cadre,
                volunteer=volunteer,
                service_type=policy_type,
                service_date=timezone.localdate(),
                quantity=1,
            )
            services.claim_approve(actor=cadre, claim=claim)

    client.force_login(cadre)
    earn(1)
    with django_assert_max_num_queries(30) as detail:
        client.get(volunteer.get_absolute_url())
    with django_assert_max_num_queries(30) as public:
        client.get(reverse("points:public", args=[volunteer.token]))
    earn(15)
    with django_assert_max_num_queries(len(detail.captured_queries)):
        client.get(volunteer.get_absolute_url())
    with django_assert_max_num_queries(len(public.captured_queries)):
        client.get(reverse("points:public", args=[volunteer.token]))


# --- the household link -----------------------------------------------------------------------------------


def _edit_data(volunteer, **extra):
    return {
        "name": volunteer.name,
        "phone": volunteer.phone,
        "joined_on": volunteer.joined_on.isoformat(),
        "active": "on",
        **extra,
    }


def test_cadre_links_a_volunteer_to_a_member_of_a_household(client, cadre, volunteer, member, other_member):
    client.force_login(cadre)
    page = client.get(reverse("points:volunteer_edit", args=[volunteer.pk])).content.decode()
    assert 'label="王建华 · ' in page and "王秀英(配偶、1962年生)" in page  # grouped by household
    assert other_member.name not in page and "外村户主" not in page
    response = client.post(
        reverse("points:volunteer_edit", args=[volunteer.pk]), _edit_data(volunteer, member=member.pk)
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.member == member
    detail = client.get(volunteer.get_absolute_url()).content.decode()
    assert f'href="{member.household.get_absolute_url()}"' in detail and "王建华" in detail


def test_a_member_of_another_community_cannot_be_posted_into_the_form(client, cadre, volunteer, other_member):
    client.force_login(cadre)
    response = client.post(
        reverse("points:volunteer_edit", args=[volunteer.pk]), _edit_data(volunteer, member=other_member.pk)
    )
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.member is None


def test_members_linked_to_another_volunteer_are_not_offered(client, cadre, community, volunteer, member):
    VolunteerFactory(community=community, name="王秀英(另一人)", member=member)
    client.force_login(cadre)
    page = client.get(reverse("points:volunteer_edit", args=[volunteer.pk])).content.decode()
    assert f'<option value="{member.pk}"' not in page


def test_staff_who_cannot_see_members_edit_without_the_picker_and_keep_the_link(
    client, cadre, street_staff, volunteer, member
):
    services.volunteer_update(
        actor=cadre,
        volunteer=volunteer,
        name=volunteer.name,
        phone=volunteer.phone,
        corps=[],
        joined_on=volunteer.joined_on,
        active=True,
        member=member,
    )
    client.force_login(street_staff)
    page = client.get(reverse("points:volunteer_edit", args=[volunteer.pk])).content.decode()
    assert 'name="member"' not in page and 'data-testid="member-readonly"' in page
    response = client.post(
        reverse("points:volunteer_edit", args=[volunteer.pk]), _edit_data(volunteer, phone="13811112222")
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.member == member and volunteer.phone == "13811112222"


def test_registering_with_a_member_needs_the_community_chosen_first(
    client, street_leader, community, other_community, member
):
    client.force_login(street_leader)
    page = client.get(reverse("points:volunteer_create")).content.decode()
    assert 'name="member"' not in page
    assert f'href="?community={community.pk}"' in page
    url = reverse("points:volunteer_create") + f"?community={community.pk}"
    assert f'<option value="{member.pk}"' in client.get(url).content.decode()
    response = client.post(
        url,
        {"community": community.pk, "name": "王秀英", "joined_on": "2026-01-05", "active": "on", "member": member.pk},
    )
    assert response.status_code == 302
    assert Volunteer.objects.get(name="王秀英").member == member


def test_a_second_registration_of_the_same_person_shows_the_reason(client, cadre, community, volunteer):
    client.force_login(cadre)
    response = client.post(
        reverse("points:volunteer_create"),
        {"community": community.pk, "name": volunteer.name, "phone": volunteer.phone, "joined_on": "2026-01-05"},
    )
    assert response.status_code == 400
    assert "请勿重复登记" in response.content.decode()
    assert Volunteer.objects.filter(name=volunteer.name).count() == 1


def test_the_household_page_marks_the_member_who_is_a_volunteer(
    client, cadre, community, member, django_assert_max_num_queries
):
    from tests.visits.factories import HouseholdMemberFactory

    volunteer = VolunteerFactory(community=community, name="王秀英", member=member)
    client.force_login(cadre)
    url = member.household.get_absolute_url()
    with django_assert_max_num_queries(40) as few:
        html = client.get(url).content.decode()
    assert f'href="{volunteer.get_absolute_url()}" data-testid="member-volunteer"' in html
    for n in range(4):
        linked = HouseholdMemberFactory(household=member.household, name=f"家人{n}")
        VolunteerFactory(community=community, member=linked)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count('data-testid="member-volunteer"') == 5


def test_grid_workers_see_no_members_on_the_household_page_so_no_volunteer_mark(client, community, grid, member):
    VolunteerFactory(community=community, member=member)
    worker = official(Role.GRID_WORKER, grid=grid)
    client.force_login(worker)
    html = client.get(member.household.get_absolute_url()).content.decode()
    assert member.name not in html and "member-volunteer" not in html


def test_the_household_page_badges_only_the_member_who_is_a_volunteer(client, cadre, volunteer, member):
    from tests.visits.factories import HouseholdMemberFactory

    HouseholdMemberFactory(household=member.household, name="王建华", relation="户主")
    volunteer.member = member
    volunteer.save(update_fields=["member"])
    client.force_login(cadre)
    page = client.get(member.household.get_absolute_url()).content.decode()
    assert "王建华" in page and page.count('data-testid="member-volunteer"') == 1  # the head is no volunteer
    assert f'href="{volunteer.get_absolute_url()}" data-testid="member-volunteer"' in page


def test_the_claim_page_states_its_service_standard_as_a_sentence_in_each_language(client, cadre, volunteer):
    mediation = ServiceTypeFactory(
        code="t-mediation", name="纠纷调解", name_en="Dispute mediation", points_per_unit=10, monthly_cap=50
    )
    tutoring = ServiceTypeFactory(code="t-tutor", name="课业辅导", name_en="Tutoring", unit="hour", points_per_unit=3)
    client.force_login(cadre)
    pages = {}
    for service_type in (mediation, tutoring):
        claim = services.claim_submit(
            actor=cadre, volunteer=volunteer, service_type=service_type, service_date=timezone.localdate(), quantity=1
        )
        url = reverse("points:claim_detail", args=[claim.pk])
        pages[service_type.code] = {
            language: client.get(url, headers={"accept-language": language}).content.decode()
            for language in ("zh-hans", "en")
        }
    assert "<dd>纠纷调解(每次 10 分,每月上限 50 分)</dd>" in pages["t-mediation"]["zh-hans"]
    assert "<dd>Dispute mediation (10 points a time, at most 50 points a month)</dd>" in pages["t-mediation"]["en"]
    assert "<dd>课业辅导(每小时 3 分)</dd>" in pages["t-tutor"]["zh-hans"]
    assert "<dd>Tutoring (3 points an hour)</dd>" in pages["t-tutor"]["en"]
