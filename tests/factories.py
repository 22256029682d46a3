"""Factories for the core domain; each app's tests keep theirs in tests/<app>/factories.py."""

import factory
from django.contrib.auth import get_user_model

from lucun.models import Community, County, Grid, Position, Role, Street


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"干部{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    password = factory.django.Password("secret-pass-123")


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County

    name = factory.Sequence(lambda n: f"县{n}")
    code = factory.Sequence(lambda n: f"county{n}")


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"街道{n}")
    code = factory.Sequence(lambda n: "S" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))
    hotline = "0533-6960000"


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"村{n}")
    kind = Community.Kind.VILLAGE


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"网格{n}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    user = factory.SubFactory(UserFactory)
    role = Role.COMMUNITY_CADRE
    community = factory.SubFactory(CommunityFactory)


def official(role: str = Role.COMMUNITY_CADRE, **node):
    """Return a user holding one position at the given node (street=, community=, grid= or county=)."""
    if not node:
        node = {"community": CommunityFactory()}
    node.setdefault("community", None)
    return PositionFactory(role=role, **node).user


# Where each position is held when a test walks every role, in this order: the street's leaders, staff and
# supervisors, the community's cadres and party representatives, the grid's workers and unit heads. The
# ``user_of`` fixture (tests/conftest.py) gives an official of each.
ROLE_LEVELS = {
    Role.STREET_LEADER: "street",
    Role.STREET_STAFF: "street",
    Role.SUPERVISOR: "street",
    Role.COMMUNITY_CADRE: "community",
    Role.PARTY_REP: "community",
    Role.GRID_WORKER: "grid",
    Role.UNIT_HEAD: "grid",
}
