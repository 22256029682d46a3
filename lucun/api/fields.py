from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import files


@extend_schema_field(OpenApiTypes.URI)
class PrivateFileField(serializers.Field):
    """An uploaded file as the absolute address of the scoped file view; null when there is none."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, allow_null=True)
        super().__init__(**kwargs)

    def to_representation(self, value) -> str | None:
        url = files.url_for(value)
        if not url:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url
