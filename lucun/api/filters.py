from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
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


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, its refusals naming the query parameter in Chinese."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(
                {
                    name: [_("查询参数 %(name)s:%(message)s") % {"name": name, "message": m} for m in messages]
                    for name, messages in filterset.errors.items()
                }
            )
        return filterset.qs
