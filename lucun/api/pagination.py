from django.utils.translation import gettext as _
from rest_framework import pagination


def _parameters(paginator) -> list[dict]:
    """The page parameters as the schema documents them (and ``QueryParameterCheck`` enforces them)."""
    return [
        {
            "name": paginator.page_query_param,
            "required": False,
            "in": "query",
            "description": "页码,从 1 开始",
            "schema": {"type": "integer", "minimum": 1},
        },
        {
            "name": paginator.page_size_query_param,
            "required": False,
            "in": "query",
            "description": f"每页条数,默认 {paginator.page_size},最多 {paginator.max_page_size}",
            "schema": {"type": "integer", "minimum": 1},
        },
    ]


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view):
        return _parameters(self)


class UncountedPagination(pagination.BasePagination):
    """Page numbers without a total, for lists that can hold millions of rows.

    Counting every row a county can see costs more than the page itself; one extra row tells
    whether a next page exists.
    """

    page_size = 50
    max_page_size = 200
    page_query_param = "page"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        from rest_framework.exceptions import NotFound

        self.request = request
        try:
            self.page = int(request.query_params.get(self.page_query_param, 1))
            size = int(request.query_params.get(self.page_size_query_param, self.page_size))
        except (TypeError, ValueError) as exc:
            raise NotFound(_("页码无效。")) from exc
        if self.page < 1 or size < 1:
            raise NotFound(_("页码无效。"))
        self.size = min(size, self.max_page_size)
        start = (self.page - 1) * self.size
        rows = list(queryset[start : start + self.size + 1])
        self.has_next = len(rows) > self.size
        if not rows and self.page > 1:
            raise NotFound(_("没有这一页。"))
        return rows[: self.size]

    def _link(self, page: int | None) -> str | None:
        from rest_framework.utils.urls import remove_query_param, replace_query_param

        if page is None:
            return None
        url = self.request.build_absolute_uri()
        if page == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, page)

    def get_paginated_response(self, data):
        from rest_framework.response import Response

        return Response(
            {
                "next": self._link(self.page + 1 if self.has_next else None),
                "previous": self._link(self.page - 1 if self.page > 1 else None),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return _parameters(self)
