"""Journey 4: a volunteer's 一码通 page shows the balance; a staff member redeems an item; the balance drops."""

import pytest
from playwright.sync_api import expect

from points.models import PointsAccount, Redemption
from tests.points.factories import RewardFactory, VolunteerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_volunteer_sees_the_balance_and_staff_redeem_at_the_counter(phone, desktop, community, settings):
    from datetime import timedelta

    from django.utils import timezone

    from lucun.models import Role
    from points.models import RedemptionWindow
    from tests.factories import official

    today = timezone.localdate()
    RedemptionWindow.objects.create(opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=6))
    volunteer = VolunteerFactory(community=community, name="王秀英", balance=120)
    soap = RewardFactory(community=community, name="洗衣液", price_points=30, stock=5)
    staff = official(Role.GRID_WORKER, community=community)

    # The volunteer scans their own code: no password, elder-friendly page.
    phone.goto(f"/points/m/{volunteer.token}/")
    expect(phone.page.get_by_test_id("balance")).to_contain_text("120")
    expect(phone.page.get_by_test_id("redeem-action")).to_have_count(0)  # not signed in: no staff action
    phone.shot("yimatong")

    # At the counter a signed-in staff member opens the same code and redeems two bottles.
    desktop.login(staff.username)
    desktop.goto(f"/points/m/{volunteer.token}/")
    desktop.page.get_by_test_id("redeem-action").click()
    expect(desktop.page.get_by_test_id("balance")).to_contain_text("120")
    desktop.page.fill(f"input[name=qty_{soap.pk}]", "2")
    desktop.shot("counter")
    desktop.page.get_by_role("button", name="确认兑换").click()
    expect(desktop.page.get_by_test_id("receipt-number")).to_be_visible()
    desktop.shot("receipt")

    # The volunteer's page shows the lower balance.
    phone.page.reload()
    expect(phone.page.get_by_test_id("balance")).to_contain_text("60")
    phone.shot("after")
    assert PointsAccount.objects.get(volunteer=volunteer).balance == 60
    assert Redemption.objects.filter(volunteer=volunteer).count() == 1
    soap.refresh_from_db()
    assert soap.stock == 3


def test_a_cadre_finds_the_volunteers_household_member_and_links_them(desktop, community):
    from lucun.models import Role
    from points.models import Volunteer
    from tests.factories import official
    from tests.visits.factories import HouseholdFactory, HouseholdMemberFactory

    cadre = official(Role.COMMUNITY_CADRE, community=community)
    volunteer = VolunteerFactory(community=community, name="王秀英")
    for n in range(30):
        HouseholdMemberFactory(household=HouseholdFactory(community=community, head_name=f"李{n}"), name=f"李家{n}")
    home = HouseholdFactory(community=community, head_name="王建华", door_number="88")
    member = HouseholdMemberFactory(household=home, name="王秀英", relation="配偶")

    desktop.login(cadre.username)
    desktop.goto(f"/points/volunteers/{volunteer.pk}/edit/")
    # Typing in the filter box leaves the matching household only; the select itself is an ordinary one.
    desktop.page.get_by_placeholder("筛选:输入姓名、户主或地址").fill("王建华")
    expect(desktop.page.locator("#id_member optgroup:not([hidden])")).to_have_count(1)
    desktop.page.select_option("#id_member", str(member.pk))
    desktop.shot("member-picked")
    desktop.page.get_by_role("button", name="保存").click()
    expect(desktop.page.get_by_test_id("household")).to_contain_text("王建华")
    assert Volunteer.objects.get(pk=volunteer.pk).member == member

    desktop.page.get_by_test_id("household").get_by_role("link").click()
    expect(desktop.page.get_by_test_id("member-volunteer")).to_have_attribute(
        "href", f"/points/volunteers/{volunteer.pk}/"
    )
    desktop.shot("household")


def test_a_volunteer_reports_a_service_from_the_own_page_in_a_real_browser(phone, community):
    """The 一码通 page's form passes the CSRF check from Chromium: its referrer policy keeps the origin."""
    from points.models import ServiceClaim, ServiceType

    volunteer = VolunteerFactory(community=community, name="王秀英", balance=0)
    service = ServiceType.objects.active().order_by("sort_order", "pk").first()
    phone.goto(f"/points/m/{volunteer.token}/")
    page = phone.page
    page.get_by_role("button", name="提交申报").click()  # nothing chosen: told what is missing, nothing kept
    expect(page.locator(".error, .form-errors").first).to_be_visible()
    assert not ServiceClaim.objects.exists()

    page.locator("label", has_text=service.name).first.click()
    page.get_by_role("button", name="提交申报").click()
    expect(page.get_by_test_id("balance")).to_be_visible()
    claim = ServiceClaim.objects.get()
    assert claim.volunteer == volunteer and claim.service_type == service
    phone.shot("claim-sent")
