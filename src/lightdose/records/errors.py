"""What the records answer when a request cannot be done: not found (also for another clinic's rows, so that their
existence does not leak), not allowed for the role, a stale version, a login refused."""

from __future__ import annotations


class RecordsError(Exception):
    """A records request that cannot be done; `status` is the HTTP status the web app answers with."""

    status = 400
    slug = "bad-request"

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class NotFound(RecordsError):
    status = 404
    slug = "not-found"


class Forbidden(RecordsError):
    status = 403
    slug = "forbidden"


class Unauthenticated(RecordsError):
    status = 401
    slug = "unauthenticated"


class Conflict(RecordsError):
    """Someone else saved the record since it was read (optimistic version check), or a unique value is taken."""

    status = 409
    slug = "conflict"


class TooManyAttempts(RecordsError):
    status = 429
    slug = "too-many-attempts"

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


__all__ = ["Conflict", "Forbidden", "NotFound", "RecordsError", "TooManyAttempts", "Unauthenticated"]
