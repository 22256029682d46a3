from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import files

# The largest id a row can have (a bigint). A larger number names no row; SQLite's driver refuses it outright, so it
# is refused as input like any other bad value.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """A row's id given as input: a whole number from 1 to ``MAX_ID``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


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
