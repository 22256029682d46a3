import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases import selectors, services
from cases.models import Tier
from lucun.errors import DomainError
from tests.cases.factories import open_case, tier
from tests.factories import UserFactory
from tests.htmlforms import forms_in

pytestmark = pytest.mark.django_db


def checked_tier(html: str) -> list[str]:
    """The label of the tier the page's form preselects."""
    return [c.label for form in forms_in(html) for c in form.radios.get("tier", []) if c.checked]


def test_the_assigned_tier_is_the_default_after_migrating():
    assert selectors.tier_default() == tier("assigned")


def test_the_database_allows_only_one_default_tier():
    with pytest.raises(IntegrityError), transaction.atomic():
        Tier.objects.filter(code="immediate").update(is_default=True)


def test_making_a_tier_the_default_moves_the_flag_and_new_cases_get_it(community, cadre):
    services.tier_make_default(tier=tier("immediate"))
    assert list(Tier.objects.filter(is_default=True)) == [tier("immediate")]
    case = services.case_open(community=community, title="路灯不亮", created_by=cadre, source="walk_in")
    assert case.tier == tier("immediate")


def test_without_a_default_a_case_must_name_its_tier(community, cadre):
    Tier.objects.update(is_default=False)
    with pytest.raises(DomainError, match="默认办理层级"):
        services.case_open(community=community, title="路灯不亮", created_by=cadre, source="walk_in")
    assert open_case(community=community, by=cadre, tier_code="escalated").tier == tier("escalated")


def test_the_case_form_preselects_the_default_tier(client, cadre):
    client.force_login(cadre)
    assert checked_tier(client.get(reverse("cases:case_create")).content.decode()) == ["承办"]
    services.tier_make_default(tier=tier("escalated"))
    assert checked_tier(client.get(reverse("cases:case_create")).content.decode()) == ["特办"]


def test_an_administrator_makes_a_tier_the_default_in_the_admin(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    changelist = reverse("admin:cases_tier_changelist")
    assert "默认层级" in client.get(changelist).content.decode()
    response = client.post(changelist, {"action": "make_default", "_selected_action": [tier("immediate").pk]})
    assert response.status_code == 302
    assert selectors.tier_default() == tier("immediate")
    assert Tier.objects.filter(is_default=True).count() == 1
