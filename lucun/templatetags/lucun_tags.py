import copy

from django import template

from ..text import counted as _counted
from ..text import listed as _listed
from ..text import mask_phone as _mask_phone

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs) -> str:
    """Return the current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def listed(items) -> str:
    """``names|listed``: the items joined as the reader's language lists them (lucun.text.listed)."""
    return _listed(items)


@register.filter
def counted(n, unit) -> str:
    """``{{ n|counted:unit }}``: "3 件" in Chinese, "1 item" / "3 items" in English (``lucun.text.counted``)."""
    return _counted(int(n), unit)


@register.filter
def mask_phone(value: str | None) -> str:
    return _mask_phone(value)


@register.filter
def own_ids(form, key=""):
    """The same form, with element ids of its own. A page that shows one form many times (a "stop" form on each row
    of a list) or two forms with a field of the same name would otherwise repeat ``id_reason``, and every label
    after the first would name the first field: give each copy ``own_ids:row.pk``."""
    own = copy.copy(form)
    name = form.__class__.__name__.lower()
    own.auto_id = f"{name}-{key}-%s" if key != "" else f"{name}-%s"
    own._bound_fields_cache = {}  # bound fields carry their id: make them anew for this copy
    return own
