from datetime import timedelta

import pytest
from django.utils import timezone

from lucun.models import Role
from points.models import RedemptionWindow
from tests.factories import official
from tests.points.factories import RewardFactory, ServiceTypeFactory, VolunteerFactory


@pytest.fixture
def open_window():
    today = timezone.localdate()
    return RedemptionWindow.objects.create(opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=1))


@pytest.fixture
def volunteer(community):
    return VolunteerFactory(community=community, name="王秀英", phone="13812345678")


@pytest.fixture
def other_volunteer(other_community):
    return VolunteerFactory(community=other_community, name="李建国")


@pytest.fixture
def cleanup_type():
    return ServiceTypeFactory(code="t-cleanup", name="清洁家园(测试)", unit="hour", points_per_unit=3, monthly_cap=30)


@pytest.fixture
def policy_type():
    return ServiceTypeFactory(code="t-policy", name="入户宣讲(测试)", points_per_unit=5)


@pytest.fixture
def reward(community):
    return RewardFactory(community=community, name="洗衣液", price_points=30, stock=5)


@pytest.fixture
def counter_staff(community):
    return official(Role.GRID_WORKER, community=community)


@pytest.fixture
def member(community):
    """A household member of our community, who registers as a volunteer."""
    from tests.visits.factories import HouseholdFactory, HouseholdMemberFactory

    household = HouseholdFactory(community=community, head_name="王建华")
    return HouseholdMemberFactory(household=household, name="王秀英", relation="配偶", birth_year=1962)


@pytest.fixture
def other_member(other_community):
    from tests.visits.factories import HouseholdFactory, HouseholdMemberFactory

    household = HouseholdFactory(community=other_community, head_name="外村户主")
    return HouseholdMemberFactory(household=household, name="外村成员")


@pytest.fixture
def street_staff(street):
    return official(Role.STREET_STAFF, street=street)
