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


def apply_form(form, work):
    """Run one service call for a submitted form, as the one transaction of the request: on success
    commit and return (True, its result); on a refusal end the transaction (rolled back, unless the
    refusal was recorded: extensions.end_refused_transaction), put the refusal beside the form's
    fields and return (False, None), so that the page is shown again with its errors."""
    from editorial.extensions import db, end_refused_transaction

    try:
        result = work()
    except DomainError as exc:
        end_refused_transaction(exc)
        show_domain_errors(form, exc)
        return False, None
    db.session.commit()
    return True, result
