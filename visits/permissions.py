"""Who may do what in 直面问. The rule for sensitive household data lives here and nowhere else.

Sensitive data is a household's attention tags marked sensitive (低保, 残疾, 独居老人…) and its full
phone number. Only positions that act on it see it:

- community cadres (村居干部) of the household's own community, who arrange help for the family;
- street leaders (班子成员) and the supervisor (纪工委) of the street, who decide and oversee that help.

Street staff, grid workers, party representatives and unit heads see masked phone numbers and no
sensitive tags, even when they visit the household. Every display of sensitive data is audited.
"""

from django.utils.translation import gettext as _

from cases.permissions import DISPATCH_ROLES
from lucun.models import Community, Role
from lucun.scoping import has_role, require_role

SENSITIVE_DATA_ROLES = frozenset({Role.COMMUNITY_CADRE, Role.STREET_LEADER, Role.SUPERVISOR})

# Who edits the rotation plan and reads the coverage figures.
PLAN_EDITOR_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_LEADER})
COVERAGE_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_LEADER, Role.STREET_STAFF})

# Who may import households into a community's ledger.
HOUSEHOLD_EDITOR_ROLES = frozenset({Role.COMMUNITY_CADRE, Role.GRID_WORKER, Role.STREET_LEADER, Role.STREET_STAFF})


def can_see_sensitive(user, community: Community) -> bool:
    """Tell whether the user may see sensitive tags and full phone numbers of this community's households."""
    return has_role(user, SENSITIVE_DATA_ROLES, community)


def can_edit_plan(user, community: Community | None = None) -> bool:
    return has_role(user, PLAN_EDITOR_ROLES, community)


def can_see_coverage(user) -> bool:
    return has_role(user, COVERAGE_ROLES)


def can_edit_households(user, community: Community) -> bool:
    return has_role(user, HOUSEHOLD_EDITOR_ROLES, community)


class SensitiveCache:
    """Answer ``can_see_sensitive`` once per community for one user (lists span few communities)."""

    def __init__(self, user) -> None:
        self.user = user
        self._answers: dict[int, bool] = {}

    def __call__(self, community: Community) -> bool:
        if community.pk not in self._answers:
            self._answers[community.pk] = can_see_sensitive(self.user, community)
        return self._answers[community.pk]


# Who registers contact card batches and posters, prints them and stops them: the officials who manage a
# community's feedback channels in the cases app (the same rule, so a batch never outruns its channel).
CARD_ROLES = DISPATCH_ROLES


def can_manage_cards(user, community: Community | None = None) -> bool:
    return has_role(user, CARD_ROLES, community)


def require_card_manager(user, community: Community) -> None:
    """Refuse (403) a person who may not manage the community's contact cards and QR codes."""
    require_role(user, CARD_ROLES, community, _("您的职务不能管理该村(居)的联系卡和二维码。"))
