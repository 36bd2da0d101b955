"""WTForms forms (through Flask-WTF for CSRF). Domain rules live in the services."""
from editorial.errors import DomainError


def show_domain_errors(form, error: DomainError) -> None:
    """Put a service's field errors beside the matching fields of a form."""
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            form.form_errors.append(message)
    if not error.fields:
        form.form_errors.append(error.message)
