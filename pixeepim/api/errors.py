"""The error statuses of contract §4 that REST framework has no class for.

Services raise these (or REST framework's own ``NotFound``, ``PermissionDenied``, ``ValidationError``);
the exception handler renders every one of them as ``{"detail": …}``.
"""

from rest_framework import status
from rest_framework.exceptions import APIException


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class RuleRefused(APIException):
    """A well-formed request that a business rule refuses (e.g. the workflow's completeness gate)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request was refused by a business rule."
    default_code = "rule_refused"


class Locked(APIException):
    status_code = status.HTTP_423_LOCKED
    default_detail = "The resource is locked."
    default_code = "locked"

    def __init__(self, detail=None, retry_after=None):
        super().__init__(detail)
        # Rendered as the Retry-After header, like REST framework's Throttled.wait.
        self.wait = retry_after


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This endpoint has been removed."
    default_code = "gone"
