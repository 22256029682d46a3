"""Query parameters as the OpenAPI schema documents them, checked before any view code runs."""

import re
from urllib.parse import parse_qsl

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.settings import api_settings

INTEGER = re.compile(r"[+-]?[0-9]+")
BIGINT = 2**63 - 1  # the largest id any database here stores
BOOLEAN = {"true", "false", "1", "0"}  # what django-filter's BooleanWidget understands


class DocumentedQueryParameters(BasePermission):
    """Refuse query parameters the operation does not document, and values its schema rules out (400).

    A misspelt filter (``?stat=new``), a choice that does not exist (``?state=garbage``), a repeated single value
    (``?page_size=1&page_size=2``) or a page number that is not one would otherwise be ignored silently and the
    caller would take an unfiltered list for a filtered one. The OpenAPI schema is the list of what is accepted,
    so the documentation and the behaviour cannot drift apart. Values the schema cannot judge (dates, ids that
    may not exist) are left to the filters, which refuse them with a 400 as well.

    It is a permission because DRF checks permissions on every operation before the view's own code (a view may
    read a parameter in ``get_queryset``, before the filter backends run); it comes after IsAuthenticated, so an
    anonymous caller learns nothing about the parameters.
    """

    def has_permission(self, request, view):
        from .schema import documented_query_parameters  # it imports DRF's views, whose defaults import this

        method = "GET" if request.method == "HEAD" else request.method
        documented = documented_query_parameters(type(view), method)
        if documented is None:  # an operation outside the schema keeps DRF's behaviour
            return True
        errors = _undecodable(request)
        for name, values in request.query_params.lists():
            if name in errors or name == api_settings.URL_FORMAT_OVERRIDE:
                continue
            problem = _problem(name, values, documented)
            if problem:
                errors[name] = [problem]
        if errors:
            raise ValidationError(errors)
        return True


def _undecodable(request) -> dict:
    """Name the query parameters whose bytes are not UTF-8 (Django would have replaced them with U+FFFD)."""
    errors = {}
    raw = request.META.get("QUERY_STRING", "")  # WSGI hands the bytes over as Latin-1
    for key, value in parse_qsl(raw, keep_blank_values=True, encoding="latin-1"):
        try:
            key.encode("latin-1").decode("utf-8")
            value.encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            name = key.encode("latin-1").decode("utf-8", errors="replace")
            errors[name] = [_("查询参数 %(name)s 不是有效的 UTF-8 文本。") % {"name": name}]
    return errors


def _problem(name: str, values: list[str], documented: dict) -> str:
    schema = documented.get(name)
    if schema is None:
        known = "、".join(sorted(documented)) or _("无")
        return _("不支持查询参数 %(name)s。此接口可用的查询参数:%(known)s。") % {"name": name, "known": known}
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    elif len(values) > 1:
        return _("查询参数 %(name)s 只能给一个值。") % {"name": name}
    for value in values:
        if value == "":  # an empty field of a form: no filter, as django-filter reads it
            continue
        problem = _value_problem(name, value, schema)
        if problem:
            return problem
    return ""


def _value_problem(name: str, value: str, schema: dict) -> str:
    kind = schema.get("type")
    if "enum" in schema:
        allowed = [str(choice) for choice in schema["enum"] if choice not in (None, "")]
        if value not in allowed:
            return _("查询参数 %(name)s 只能是:%(allowed)s。") % {"name": name, "allowed": "、".join(allowed)}
    elif kind == "integer":
        if not INTEGER.fullmatch(value):
            return _("查询参数 %(name)s 应为整数。") % {"name": name}
        if abs(int(value)) > BIGINT:
            return _("查询参数 %(name)s 的数值太大。") % {"name": name}
        if "minimum" in schema and int(value) < schema["minimum"]:
            return _("查询参数 %(name)s 不能小于 %(minimum)s。") % {"name": name, "minimum": schema["minimum"]}
        if "maximum" in schema and int(value) > schema["maximum"]:
            return _("查询参数 %(name)s 不能大于 %(maximum)s。") % {"name": name, "maximum": schema["maximum"]}
    elif kind == "boolean" and value.lower() not in BOOLEAN:
        return _("查询参数 %(name)s 应为 true 或 false。") % {"name": name}
    return ""
