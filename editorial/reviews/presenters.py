"""Small read-only descriptions shown on several pages."""
from editorial.core.wording import and_list
from editorial.articles.workflow import State


def waiting_on(article, assignments) -> str:
    """Whose move it is, in words."""
    state = State(article.state)
    active = [a for a in assignments if a.is_active]
    if state == State.DRAFT:
        return "Author: finish and submit" if active else "Editor: assign reviewers; author: finish the draft"
    if state == State.IN_REVIEW:
        pending = _pending_reviewers(article, active)
        return "Reviewers: " + ", ".join(pending) if pending else "Nobody"
    if state == State.CHANGES_REQUESTED:
        return "Author: revise and resubmit"
    if state == State.APPROVED:
        return "Editor: publish"
    return "—"


def _pending_reviewers(article, assignments) -> list[str]:
    """The active reviewers who have not signed the current revision, by name."""
    return [a.reviewer.name for a in assignments if a.is_active and a.status_for(article.version) != "approved"]


def after_signing(article, assignments) -> str:
    """What a signature leaves to do, said to the physician who just gave it."""
    pending = _pending_reviewers(article, assignments)
    if pending:
        return "Waiting on " + and_list(pending) + "."
    if State(article.state) == State.APPROVED:
        return "Every reviewer has signed: waiting on a senior editor to publish."
    return "Waiting on " + waiting_on(article, assignments) + "."


def outcome(action, article, assignments) -> str:
    """The flash message after a workflow action, in the words of the people taking it."""
    from editorial.articles.workflow import Action

    action = Action(action)
    if action == Action.APPROVE:
        return "Signed. " + after_signing(article, assignments)
    if action == Action.SUBMIT:
        asked = [a.reviewer.name for a in assignments if a.is_active]
        return "Submitted for medical review: " + and_list(asked) + (" has" if len(asked) == 1 else " have") + " been asked to review it."
    if action == Action.REQUEST_CHANGES:
        return "Sent back to the writer with what needs to change."
    if action == Action.PUBLISH:
        return f"Published: readers now see revision {article.version}."
    return f"Done: {action.label.lower()}. The article is now {State(article.state).label}."


