from cases.models import Case, Category, Tier
from cases.services import case_open


def tier(code: str = "assigned") -> Tier:
    return Tier.objects.get(code=code)


def category(code: str = "infrastructure") -> Category:
    return Category.objects.get(code=code)


def open_case(*, community, by, tier_code: str = "assigned", title: str = "村口道路破损", **kwargs) -> Case:
    """Open a case through the service, as every caller does."""
    kwargs.setdefault("source", Case.Source.WALK_IN)
    return case_open(community=community, title=title, created_by=by, tier=tier(tier_code), **kwargs)
