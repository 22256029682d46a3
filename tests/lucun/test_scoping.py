import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from lucun.models import Community, Role
from lucun.scoping import (
    communities_for,
    communities_with_role,
    community_ids_for,
    get_scoped_or_404,
    has_role,
    is_street_level,
    roles_for,
    streets_for,
)
from tests.factories import (
    CommunityFactory,
    CountyFactory,
    GridFactory,
    PositionFactory,
    StreetFactory,
    UserFactory,
    official,
)

pytestmark = pytest.mark.django_db


def test_street_position_sees_every_community_of_its_street_only(street, community, other_community):
    foreign = CommunityFactory()
    leader = official(Role.STREET_LEADER, street=street)
    assert set(communities_for(leader)) == {community, other_community}
    assert foreign not in communities_for(leader)


def test_county_position_sees_every_street_below_it():
    county = CountyFactory()
    a = CommunityFactory(street=StreetFactory(county=county))
    b = CommunityFactory(street=StreetFactory(county=county))
    elsewhere = CommunityFactory()
    user = official(Role.SUPERVISOR, county=county)
    assert set(communities_for(user)) == {a, b}
    assert elsewhere not in communities_for(user)
    assert set(streets_for(user)) == {a.street, b.street}


def test_community_position_sees_its_own_community_only(cadre, community, other_community):
    assert list(communities_for(cadre)) == [community]


def test_grid_position_sees_the_community_of_its_grid(grid, other_community):
    worker = official(Role.GRID_WORKER, grid=grid)
    assert list(communities_for(worker)) == [grid.community]


def test_user_without_positions_sees_nothing(community):
    assert not communities_for(UserFactory()).exists()


def test_anonymous_user_sees_nothing(community):
    from django.contrib.auth.models import AnonymousUser

    assert not communities_for(AnonymousUser()).exists()


def test_ended_position_no_longer_grants_access(community):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    position = PositionFactory(
        community=community, started_on=yesterday - datetime.timedelta(days=30), ended_on=yesterday
    )
    assert not communities_for(position.user).exists()


def test_inactive_user_sees_nothing(cadre):
    cadre.is_active = False
    cadre.save(update_fields=["is_active"])
    assert not communities_for(cadre).exists()


def test_superuser_sees_everything(community, other_community):
    admin = UserFactory(is_superuser=True)
    assert set(communities_for(admin)) == set(Community.objects.all())


def test_several_positions_add_up(community, other_community):
    user = official(Role.COMMUNITY_CADRE, community=community)
    PositionFactory(user=user, role=Role.PARTY_REP, community=None, grid=GridFactory(community=other_community))
    assert set(communities_for(user)) == {community, other_community}


def test_foreign_object_is_not_found(cadre, community, other_community):
    queryset = Community.objects.all()
    assert get_scoped_or_404(queryset, cadre, "pk", pk=community.pk) == community
    with pytest.raises(Http404):
        get_scoped_or_404(queryset, cadre, "pk", pk=other_community.pk)


def test_scoping_is_one_query(cadre, community, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(communities_for(cadre))


def test_roles_for_a_community_count_only_positions_covering_it(street, community, other_community):
    user = official(Role.COMMUNITY_CADRE, community=community)
    PositionFactory(user=user, role=Role.SUPERVISOR, community=None, street=street)
    assert roles_for(user, community) == {Role.COMMUNITY_CADRE, Role.SUPERVISOR}
    assert roles_for(user, other_community) == {Role.SUPERVISOR}
    assert has_role(user, [Role.SUPERVISOR], other_community)
    assert not has_role(user, [Role.COMMUNITY_CADRE], other_community)


def test_street_level_is_told_apart_from_community_level(street_leader, cadre):
    assert is_street_level(street_leader)
    assert not is_street_level(cadre)


def test_community_ids_name_the_same_communities_as_the_scoping_query(street, community, other_community, grid):
    from django.contrib.auth.models import AnonymousUser

    county = CountyFactory()
    CommunityFactory(street=StreetFactory(county=county))
    CommunityFactory()
    mixed = official(Role.COMMUNITY_CADRE, community=community)
    PositionFactory(user=mixed, role=Role.PARTY_REP, community=None, grid=GridFactory(community=other_community))
    inactive = official(Role.COMMUNITY_CADRE, community=community)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    users = [
        official(Role.STREET_LEADER, street=street),
        official(Role.SUPERVISOR, county=county),
        official(Role.COMMUNITY_CADRE, community=community),
        official(Role.GRID_WORKER, grid=grid),
        mixed,
        inactive,
        UserFactory(),
        UserFactory(is_superuser=True),
        AnonymousUser(),
    ]
    for user in users:
        expected = sorted(communities_for(user).values_list("pk", flat=True))
        assert community_ids_for(user) == expected
        for roles in ([Role.PARTY_REP], [Role.COMMUNITY_CADRE, Role.STREET_LEADER], []):
            expected = sorted(communities_with_role(user, roles).values_list("pk", flat=True))
            assert community_ids_for(user, roles) == expected, (user, roles)


def test_community_ids_are_read_once_per_user_object(street, community, cadre, django_assert_num_queries):
    leader = official(Role.STREET_LEADER, street=street)
    with django_assert_num_queries(2):  # the positions, then the communities of the street
        assert community_ids_for(leader) == [community.pk]
        assert community_ids_for(leader) == [community.pk]
        assert community_ids_for(leader, [Role.STREET_LEADER]) == [community.pk]
    with django_assert_num_queries(1):  # a community position names its community itself
        assert community_ids_for(cadre) == [community.pk]


def test_community_ids_are_read_once_per_request_user(street, community, admin_user, django_assert_num_queries):
    from django.utils.functional import SimpleLazyObject

    leader = official(Role.STREET_LEADER, street=street)
    lazy = SimpleLazyObject(lambda: leader)  # as a request's user arrives
    with django_assert_num_queries(2):  # the positions, then the communities of the street
        assert community_ids_for(lazy) == [community.pk]
        assert community_ids_for(lazy, [Role.STREET_LEADER]) == [community.pk]
    lazy_admin = SimpleLazyObject(lambda: admin_user)
    with django_assert_num_queries(1):
        assert community_ids_for(lazy_admin) == community_ids_for(lazy_admin) == [community.pk]
