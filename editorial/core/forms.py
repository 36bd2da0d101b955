"""WTForms forms (through Flask-WTF for CSRF). Domain rules live in the services."""
from editorial.core.errors import DomainError


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


def apply_form(form, work):
    """Run one service call for a submitted form: (True, its result), or on a refusal (False, None)
    with the refusal put beside the form's fields, so that the page is shown again with its errors
    (and the request's changes are rolled back: unit_of_work.refused)."""
    from editorial.core.unit_of_work import refused

    try:
        result = work()
    except DomainError as exc:
        refused(exc)
        show_domain_errors(form, exc)
        return False, None
    return True, result
