"""Who may do what with callbacks, surveys, red lines, goals and the talent reserve: one place for the rules."""

from lucun.models import Community, Role
from lucun.scoping import has_role
from visits.permissions import can_see_sensitive

# Officials who call residents back: the visit teams (street leaders, staff, community cadres) and grid workers.
CALLBACK_ROLES = frozenset(
    {Role.STREET_LEADER, Role.STREET_STAFF, Role.SUPERVISOR, Role.COMMUNITY_CADRE, Role.GRID_WORKER}
)
# Who gives a callback to a person of the pool (回访人员库): the supervisor and the street leaders.
CALLBACK_ASSIGN_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_LEADER})
# Who makes by hand the callback the periodic job did not (a case resolved before its window): the same people,
# since a new callback goes to a person of the pool as an assignment does.
CALLBACK_CREATE_ROLES = CALLBACK_ASSIGN_ROLES
# Officials who ask sampled households in a survey round (the visit teams and the grassroots members).
SURVEY_RECORD_ROLES = frozenset(Role.values)
# The supervisor and the street leaders start survey rounds, record red lines and adjustments, reconcile goals.
SUPERVISE_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_LEADER})
# Who reads the cadres' records: the street, and a community's own cadres.
CADRE_VIEW_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_LEADER, Role.STREET_STAFF, Role.COMMUNITY_CADRE})
# Community cadres record their own goals' quarterly progress.
GOAL_PROGRESS_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_LEADER, Role.COMMUNITY_CADRE})
# Who keeps the talent reserve.
TALENT_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_LEADER, Role.STREET_STAFF, Role.COMMUNITY_CADRE})
# Who enters the figures that come from outside the system.
EXTERNAL_FIGURE_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_LEADER, Role.STREET_STAFF})


def can_record_callback(user, community: Community) -> bool:
    return has_role(user, CALLBACK_ROLES, community)


def can_assign_callback(user, community: Community) -> bool:
    return has_role(user, CALLBACK_ASSIGN_ROLES, community)


def can_create_callback(user, community: Community | None = None) -> bool:
    return has_role(user, CALLBACK_CREATE_ROLES, community)


def can_record_survey(user, community: Community) -> bool:
    return has_role(user, SURVEY_RECORD_ROLES, community)


def survey_team_ids(user) -> set[int]:
    """Return the visit teams the user belongs to or leads (loaded once per request, kept on the user)."""
    cached = getattr(user, "_outcomes_survey_teams", None)
    if cached is None:
        from django.db.models import Q

        from visits.models import VisitTeam

        if not getattr(user, "is_authenticated", False):
            return set()
        cached = set(
            VisitTeam.objects.filter(Q(members__user=user) | Q(leader=user)).values_list("pk", flat=True).distinct()
        )
        user._outcomes_survey_teams = cached
    return cached


def can_answer_sample(user, sample) -> bool:
    """A sampled household is asked by the visit team it was assigned to, within the communities its members
    may act in; the supervisor and the street leaders may record any sample; a sample without a team is
    recorded by any official of its community."""
    if can_supervise(user, sample.community):
        return True
    if not can_record_survey(user, sample.community):
        return False
    return sample.team_id is None or sample.team_id in survey_team_ids(user)


def can_supervise(user, community: Community | None = None) -> bool:
    return has_role(user, SUPERVISE_ROLES, community)


def can_view_cadres(user, community: Community | None = None) -> bool:
    return has_role(user, CADRE_VIEW_ROLES, community)


def can_record_progress(user, community: Community) -> bool:
    return has_role(user, GOAL_PROGRESS_ROLES, community)


def can_keep_talent(user, community: Community | None = None) -> bool:
    return has_role(user, TALENT_ROLES, community)


def can_see_talent_phone(user, community: Community) -> bool:
    """A talent record's phone follows the household rule (visits.permissions): masked for most."""
    return can_see_sensitive(user, community)


def can_enter_external(user, community: Community | None = None) -> bool:
    return has_role(user, EXTERNAL_FIGURE_ROLES, community)
