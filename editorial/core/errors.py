"""Domain errors. Services raise them; one handler maps them for pages and for the API."""


class DomainError(Exception):
    status = 400
    code = "bad_request"
    # True where the refusal itself was audited and that record must be committed.
    keeps_audit_record = False

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationError(DomainError):
    status = 422
    code = "invalid"


class ReviewerWanted(ValidationError):
    """A submission refused because no reviewer is assigned; the editors were told, and that
    message is committed with the refusal."""
    keeps_audit_record = True


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class ReauthenticationFailed(DomainError):
    status = 403
    code = "reauthentication_failed"
    keeps_audit_record = True


class NotFound(DomainError):
    status = 404
    code = "not_found"


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"


class StaleVersion(DomainError):
    status = 409
    code = "stale_version"

    def __init__(self, message: str, current_version: int):
        super().__init__(message)
        self.current_version = current_version


class AuthenticationFailed(DomainError):
    status = 401
    code = "unauthorized"


class SourceUnavailable(DomainError):
    """Crossref or PubMed could not be asked (offline, a timeout) or answered nothing readable."""
    status = 502
    code = "source_unavailable"


class Unavailable(DomainError):
    """A live page that cannot be shown as what its experts approved (public_page.Withheld)."""
    status = 503
    code = "unavailable"
