"""Factories for the points app."""

import factory
from django.utils import timezone

from points.models import PointsAccount, Reward, ServiceCorps, ServiceType, Volunteer, new_token
from tests.factories import CommunityFactory


class ServiceCorpsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCorps
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"服务团{n}")


class ServiceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceType
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"type{n}")
    name = factory.Sequence(lambda n: f"服务类别{n}")
    unit = ServiceType.Unit.TIME
    points_per_unit = 5
    monthly_cap = None
    evidence_required = False


class VolunteerFactory(factory.django.DjangoModelFactory):
    """A volunteer with an account; ``balance`` sets an opening balance through a real ledger entry."""

    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"志愿者{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    token = factory.LazyFunction(new_token)
    token_issued_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def balance(self, create, extracted, **kwargs):
        if not create:
            return
        PointsAccount.objects.create(volunteer=self, community=self.community)
        if extracted:
            from points.models import LedgerEntry

            account = self.account
            PointsAccount.objects.filter(pk=account.pk).update(balance=extracted)
            LedgerEntry.objects.create(
                account=account,
                community=self.community,
                kind=LedgerEntry.Kind.ADJUST,
                points=extracted,
                balance_after=extracted,
                idempotency_key=f"opening:{self.pk}",
                note="期初积分",
            )
            account.refresh_from_db()


class RewardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reward

    community = factory.SubFactory(CommunityFactory)
    shop_name = "爱心超市"
    name = factory.Sequence(lambda n: f"商品{n}")
    price_points = 10
    stock = 100
