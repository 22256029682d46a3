"""Factories for 直面问."""

import uuid

import factory
from django.utils import timezone

from tests.factories import CommunityFactory, StreetFactory, UserFactory
from visits import rules
from visits.models import (
    AttentionTag,
    Household,
    HouseholdMember,
    VisitLog,
    VisitRequest,
    VisitTeam,
    VisitTeamMember,
)


class VisitTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitTeam

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"第{n}走访队")
    sort_order = factory.Sequence(lambda n: n)


class VisitTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitTeamMember

    team = factory.SubFactory(VisitTeamFactory)
    user = factory.SubFactory(UserFactory)
    kind = VisitTeamMember.Kind.STREET_STAFF
    is_newcomer = False


class AttentionTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttentionTag
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"tag{n}")
    name = factory.Sequence(lambda n: f"标签{n}")
    sensitive = True


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    head_name = factory.Sequence(lambda n: f"王{n}")
    group = "一组"
    door_number = factory.Sequence(lambda n: f"{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    address = factory.LazyAttribute(
        lambda o: rules.household_address(group=o.group, door_number=o.door_number, estate="", building="")
    )
    search_key = factory.LazyAttribute(lambda o: rules.household_search_key(head_name=o.head_name, address=o.address))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
    relation = "子女"
    birth_year = 1980


class VisitLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitLog
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    community = factory.SelfAttribute("household.community")
    visited_at = factory.LazyFunction(timezone.now)
    idempotency_key = factory.LazyFunction(uuid.uuid4)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def touch_household(self, create, extracted, **kwargs):
        if create:
            h = self.household
            if h.last_visited_at is None or h.last_visited_at < self.visited_at:
                Household.objects.filter(pk=h.pk).update(last_visited_at=self.visited_at)
                h.last_visited_at = self.visited_at


class VisitRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitRequest

    log = factory.SubFactory(VisitLogFactory)
    household = factory.SelfAttribute("log.household")
    community = factory.SelfAttribute("log.community")
    text = "路灯坏了"


def card_batch(*, community, team=None, actor=None, quantity=25, **kwargs):
    """Register a batch through the service (it needs a feedback channel of its own)."""
    from visits import services

    team = team or VisitTeamFactory(street=community.street)
    data = {"contact_name": "张建国", "contact_phone": "13812345678", "contact_wechat": "zhang_jg88"} | kwargs
    return services.card_batch_create(actor=actor, community=community, team=team, quantity=quantity, **data)


def feedback_point(*, community, actor=None, name="文化广场", place="square"):
    from visits import services

    return services.feedback_point_create(actor=actor, community=community, name=name, place=place)
