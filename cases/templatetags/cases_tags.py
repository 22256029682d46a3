from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def _span(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)d天%(h)d小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d小时%(m)d分") % {"h": hours, "m": minutes}
    return _("%(m)d分钟") % {"m": minutes}


@register.filter
def time_left(case) -> str:
    """'剩余 5小时20分' or '超期 2天3小时' (a paused case's clock is stopped)."""
    delta = case.time_left(timezone.now())
    return (_("剩余 %(span)s") if delta.total_seconds() >= 0 else _("超期 %(span)s")) % {"span": _span(delta)}


@register.filter
def duration(delta: timedelta | None) -> str:
    if delta is None:
        return "—"
    return _("%(days).1f 天") % {"days": delta.total_seconds() / 86400}


@register.filter
def limit(delta: timedelta) -> str:
    """A time limit as people say it: '24小时', '7天', '30天'."""
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    if days >= 2 and not rest:
        return _("%(d)d天") % {"d": days}
    if not seconds % 3600:
        return _("%(h)d小时") % {"h": seconds // 3600}
    return _span(delta)


@register.filter
def colour_label(colour: str) -> str:
    from ..models import Colour

    return Colour(colour).label if colour in Colour.values else colour


@register.simple_tag
def colour_badge(colour: str) -> str:
    """The colour's badge (cases/_colour.html): a tag, not an include, as lists show one on every row."""
    return format_html('<span class="badge badge--{}" data-colour="{}">{}</span>', colour, colour, colour_label(colour))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
