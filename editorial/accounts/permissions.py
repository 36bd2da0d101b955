"""Who may do what: the only place access rules live.

Views, API endpoints, CLI commands and templates ask `can(user, permission, obj)`;
services call `require(...)`, which raises PermissionDenied.
"""
from typing import Callable

from editorial.core.errors import PermissionDenied
from editorial.accounts.passwords import password_change_reason
from editorial.accounts.roles import Role

_RULES: dict[str, Callable] = {}


def rule(name: str):
    def register(func):
        _RULES[name] = func
        return func

    return register


def can(user, permission: str, obj=None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if password_change_reason(user):  # a password an administrator knows, or an aged one, allows nothing
        return False
    return bool(_RULES[permission](user, obj))


PASSWORD_CHANGE_FIRST = "Please change your password first: {reason}"


def require(user, permission: str, obj=None, message: str | None = None) -> None:
    if not can(user, permission, obj):
        reason = password_change_reason(user) if user is not None else None
        if reason:
            raise PermissionDenied(PASSWORD_CHANGE_FIRST.format(reason=reason))
        raise PermissionDenied(message or "You are not allowed to do that.")


@rule("manage_users")
def _manage_users(user, _obj):
    """Admins create users, change roles and profiles, and deactivate accounts."""
    return user.has_role(Role.ADMIN)


@rule("list_users")
def _list_users(user, _obj):
    """Editors pick reviewers, auditors reconstruct who did what, admins manage."""
    return user.has_role(Role.EDITOR, Role.ADMIN, Role.AUDITOR)


@rule("view_audit")
def _view_audit(user, _obj):
    """Auditors and admins read the audit trail."""
    return user.has_role(Role.AUDITOR, Role.ADMIN)


@rule("view_dashboard")
def _view_dashboard(user, role):
    """Each role's dashboard is for the holders of that role."""
    return role in user.roles


# --- Articles -------------------------------------------------------------------------
# Rules about an article receive an ArticleAccess (access.py): the article, its
# assignments and who wrote its revisions, loaded once by the caller.

_EDITORIAL_READERS = (Role.EDITOR, Role.AUDITOR, Role.ADMIN)


@rule("create_article")
def _create_article(user, _obj):
    """Writers and editors start articles."""
    return user.has_role(Role.WRITER, Role.EDITOR)


@rule("view_article")
def _view_article(user, access):
    """The working article (its current draft, revisions, diffs, review thread and declared
    conflicts) is for those who need to know: editors, auditors and admins, its author and anyone
    who wrote a revision, and its assigned reviewers. Everyone else reads a live article's public
    page, as readers do (queries.visible_articles is this rule in SQL)."""
    return (
        user.has_role(*_EDITORIAL_READERS)
        or access.article.author_id == user.id
        or user.id in access.revision_author_ids
        or access.assignment_of(user) is not None
    )


@rule("edit_article")
def _edit_article(user, access):
    """The author and editors change the text and its citations."""
    return access.article.author_id == user.id or user.has_role(Role.EDITOR)


@rule("submit")
def _submit(user, access):
    """The author or an editor sends the article to medical review."""
    return _edit_article(user, access)


@rule("withdraw")
def _withdraw(user, access):
    """The author or an editor takes the article back out of review."""
    return _edit_article(user, access)


@rule("approve")
def _approve(user, access):
    """An assigned reviewer who has not declined and never wrote any revision (the maker
    never checks their own work)."""
    assignment = access.assignment_of(user)
    return (
        assignment is not None
        and assignment.declined_at is None
        and user.has_role(Role.REVIEWER)
        and user.id not in access.revision_author_ids
        and user.id != access.article.author_id
    )


@rule("request_changes")
def _request_changes(user, access):
    """An assigned reviewer who has not declined sends the article back."""
    assignment = access.assignment_of(user)
    return assignment is not None and assignment.declined_at is None and user.has_role(Role.REVIEWER)


@rule("respond_to_assignment")
def _respond(user, access):
    """The assigned reviewer accepts or declines."""
    return access.assignment_of(user) is not None and user.has_role(Role.REVIEWER)


@rule("publish")
def _publish(user, access):
    """Senior editors publish, but never alone what they signed themselves: a second person checks
    the signer's work (the writer may publish after independent approval)."""
    return user.has_role(Role.EDITOR) and user.id not in access.current_signer_ids


@rule("unpublish")
def _unpublish(user, _access):
    """Senior editors take pages down."""
    return user.has_role(Role.EDITOR)


@rule("start_rereview")
def _start_rereview(user, _access):
    """Senior editors reopen a live article for its periodic medical review."""
    return user.has_role(Role.EDITOR)


@rule("manage_currency")
def _manage_currency(user, _obj):
    """Senior editors set review intervals, schedule publication and score understandability."""
    return user.has_role(Role.EDITOR)


@rule("assign_reviewers")
def _assign(user, _access):
    """Senior editors assign, remove and waive conflicts of reviewers."""
    return user.has_role(Role.EDITOR)


@rule("assign_reviewer")
def _assign_reviewer(user, choice):
    """An editor assigns someone other than themselves: (access, reviewer). The one who chooses
    the checker is never the checker."""
    access, reviewer = choice
    return _assign(user, access) and reviewer.id != user.id


@rule("waive_conflict")
def _waive_conflict(user, choice):
    """An editor other than the reviewer waives a declared conflict: (access, assignment)."""
    access, assignment = choice
    return _assign(user, access) and assignment.reviewer_id != user.id


@rule("comment")
def _comment(user, access):
    """People working on the article write in its review thread."""
    return (
        access.article.author_id == user.id
        or user.has_role(Role.EDITOR)
        or user.id in access.revision_author_ids
        or access.assignment_of(user) is not None
    )


@rule("view_as_of")
def _view_as_of(user, _access):
    """Editors, auditors and admins reconstruct what was live at a time."""
    return user.has_role(Role.EDITOR, Role.AUDITOR, Role.ADMIN)


# --- Citations -------------------------------------------------------------------------

@rule("manage_citations")
def _manage_citations(user, _obj):
    """Writers and editors add to and import into the shared citation library."""
    return user.has_role(Role.WRITER, Role.EDITOR)


@rule("retract_citation")
def _retract_citation(user, _obj):
    """Senior editors mark sources as retracted."""
    return user.has_role(Role.EDITOR)


# --- Notifications ---------------------------------------------------------------------

@rule("view_notifications")
def _view_notifications(user, _obj):
    """Everyone signed in reads their own notifications."""
    return True


@rule("view_outbox")
def _view_outbox(user, _obj):
    """Administrators see every outgoing message, its delivery status and errors."""
    return user.has_role(Role.ADMIN)


@rule("requeue_notification")
def _requeue_notification(user, _obj):
    """Administrators send a failed or stuck message again."""
    return user.has_role(Role.ADMIN)
