from rest_framework.filters import BaseFilterBackend

from ..scoping import scope


class CommunityScopeFilter(BaseFilterBackend):
    """Apply the scoping rule to every list and detail endpoint by default.

    A view names the path to its community with ``community_field`` (default ``community``);
    a view whose queryset is already scoped another way sets ``community_field = None``.
    """

    def filter_queryset(self, request, queryset, view):
        field = getattr(view, "community_field", "community")
        if field is None:
            return queryset
        return scope(queryset, request.user, field)
