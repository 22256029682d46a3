from django import template

from .. import files

register = template.Library()


@register.filter
def private_url(file) -> str:
    """Return the address of an uploaded file: the scoped file view (there is no public media address)."""
    return files.url_for(file)


@register.filter
def private_thumbnail_url(file) -> str:
    """Return the address of an uploaded photo's thumbnail, for galleries: the same scoped view."""
    return files.url_for(file, thumbnail=True)
