"""Small field checks shared by the services; each raises ValidationError with field errors."""
from datetime import date

from email_validator import EmailNotValidError, validate_email

from editorial.core.errors import ValidationError


class FieldErrors:
    """Collects field errors so one request reports all of them at once."""

    def __init__(self):
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_if_any(self, message: str = "Some fields need attention.") -> None:
        if self.errors:
            raise ValidationError(message, fields=self.errors)


def clean_text(errors: FieldErrors, field: str, value, *, max_length: int, required: bool = False, label: str | None = None):
    """Strip surrounding space; None for an empty optional value."""
    label = label or field.replace("_", " ").capitalize()
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, f"{label} must be text.")
        return None
    if "\x00" in value:
        errors.add(field, f"{label} cannot contain a null character.")
        return None
    value = value.strip()
    if not value:
        if required:
            errors.add(field, f"{label} is required.")
        return None
    if len(value) > max_length:
        errors.add(field, f"{label} must be at most {max_length} characters.")
        return None
    return value


def clean_email(errors: FieldErrors, field: str, value) -> str | None:
    if not isinstance(value, str) or not value.strip():
        errors.add(field, "E-mail is required.")
        return None
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        errors.add(field, f"Not a valid e-mail address: {exc}")
        return None
    return result.normalized.lower()


def clean_date(errors: FieldErrors, field: str, value, label: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.add(field, f"{label} must be a date (YYYY-MM-DD).")
        return None
