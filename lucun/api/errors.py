"""The API's one exception handler: a refused rule 400, a refused person 403, an object out of scope 404.

Domain errors answer ``{"detail": "<one Chinese text>", "code": "<rule>"}``, the shape the schema documents
(``lucun.api.serializers.ApiErrorSerializer``); everything else — malformed bodies, refused fields, 404,
throttling — keeps REST framework's answer.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as rest_framework_handler
from rest_framework.views import set_rollback

from ..errors import DomainError, NotAllowed, error_message


def exception_handler(exc, context):
    """Answer a service's refusal; leave the rest to REST framework's handler."""
    if isinstance(exc, NotAllowed):
        answer = status.HTTP_403_FORBIDDEN
    elif isinstance(exc, PermissionDenied):
        answer, exc = status.HTTP_403_FORBIDDEN, NotAllowed(error_message(exc))
    elif isinstance(exc, ValidationError):  # a DomainError, or a validator a service called
        answer = status.HTTP_400_BAD_REQUEST
    else:
        return rest_framework_handler(exc, context)
    code = exc.code if isinstance(exc, DomainError) else (getattr(exc, "code", None) or DomainError.code)
    set_rollback()
    return Response({"detail": error_message(exc), "code": code}, status=answer)
