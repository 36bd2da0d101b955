"""Small read-only descriptions shown on several pages."""
from editorial.workflow import State


def waiting_on(article, assignments) -> str:
    """Whose move it is, in words."""
    state = State(article.state)
    active = [a for a in assignments if a.is_active]
    if state == State.DRAFT:
        return "Author: finish and submit" if active else "Editor: assign reviewers; author: finish the draft"
    if state == State.IN_REVIEW:
        pending = [a.reviewer.name for a in active if a.status_for(article.version) != "approved"]
        return "Reviewers: " + ", ".join(pending) if pending else "Nobody"
    if state == State.CHANGES_REQUESTED:
        return "Author: revise and resubmit"
    if state == State.APPROVED:
        return "Editor: publish"
    return "—"


def count_of(count: int, singular: str, plural: str | None = None) -> str:
    """A count in words: "1 revision", "2 revisions" (plural defaults to singular + "s")."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
