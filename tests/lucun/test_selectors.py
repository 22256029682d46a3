"""Reads of the core domain: the communities a user sees, with their names, and the officials among them."""

import pytest

from lucun.models import Role
from lucun.selectors import communities_seen, officials_in_scope
from tests.factories import CommunityFactory, GridFactory, StreetFactory, official

pytestmark = pytest.mark.django_db


def test_the_communities_seen_are_the_users_in_their_order_read_once(street, community, django_assert_num_queries):
    later = CommunityFactory(street=street, name="稻香村", sort_order=community.sort_order + 1)
    CommunityFactory(street=StreetFactory(), name="外街道村")
    leader = official(Role.STREET_LEADER, street=street)
    with django_assert_num_queries(3):  # the positions, the street's communities, their names
        assert [c.pk for c in communities_seen(user=leader)] == [community.pk, later.pk]
        assert [c.name for c in communities_seen(user=leader)] == [community.name, "稻香村"]


def test_the_officials_in_scope_are_the_same_named_by_ids(street, community):
    outside = CommunityFactory(street=StreetFactory(), name="外街道村")
    cadre = official(Role.COMMUNITY_CADRE, community=community)
    gridder = official(Role.GRID_WORKER, grid=GridFactory(community=community))
    staff = official(Role.STREET_STAFF, street=street)
    official(Role.COMMUNITY_CADRE, community=outside)
    supervisor = official(Role.SUPERVISOR, street=street)
    for user in (supervisor, cadre):
        by_subquery = list(officials_in_scope(user=user))
        assert list(officials_in_scope(user=user, seen=communities_seen(user=user))) == by_subquery
        assert set(by_subquery) == {cadre, gridder, staff, supervisor}
