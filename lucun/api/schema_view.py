"""The OpenAPI schema behind /api/schema/ and /api/docs/, generated once per language and API version.

Generating it walks every endpoint and takes seconds, while it changes only with the code: a process keeps
what it generated for its whole life, and a new version of the code runs in new processes. A changed
setting (in tests) empties the store.
"""

import threading

from django.core.signals import setting_changed
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

_schemas: dict[tuple, dict] = {}
_lock = threading.Lock()


def schema_cache_clear(**kwargs) -> None:
    _schemas.clear()


setting_changed.connect(schema_cache_clear, dispatch_uid="lucun.api.schema_view.clear")


class CachedSpectacularAPIView(SpectacularAPIView):
    """SpectacularAPIView that generates the schema once per language and version, then serves it as kept."""

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version, repr(self.urlconf), repr(self.patterns), self.serve_public)
        schema = _schemas.get(key)
        if schema is None:
            with _lock:  # a second request waits for the first one's schema instead of building its own
                schema = _schemas.get(key)
                if schema is None:
                    generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                    schema = _schemas[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )
