"""The medical-review workflow: one declarative table of states, actions and guards.

Every page, API endpoint and CLI command goes through articles.transitions.transition(),
which asks this module whether an action is allowed and where it leads.
"""
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Callable

from editorial.core.errors import InvalidTransition, ValidationError


class State(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    PUBLISHED = "published"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# States of an article still being worked towards approval: where a reviewer's part is not done.
OPEN_STATES = frozenset({State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED})


class Decision(StrEnum):
    """A reviewer's decision on a revision (Assignment.decision)."""

    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


class Action(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"
    # Beyond API.md's table: a scheduled re-review of a live article (see articles.transitions).
    START_REREVIEW = "start_rereview"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.SUBMIT: "Submit for medical review",
    Action.WITHDRAW: "Withdraw from review",
    Action.APPROVE: "Approve and sign",
    Action.REQUEST_CHANGES: "Request changes",
    Action.PUBLISH: "Publish",
    Action.UNPUBLISH: "Unpublish",
    Action.START_REREVIEW: "Start a scheduled re-review",
}


@dataclass(frozen=True)
class Facts:
    """What the guards need to know about an article, gathered by the service."""

    active_reviewers: int = 0
    citations: int = 0
    unresolved_inline_keys: tuple[str, ...] = ()
    retracted_citations: tuple[str, ...] = ()
    incomplete_citations: tuple[str, ...] = ()  # imported records that still lack parts (Citation.missing)
    all_reviewers_approved_current: bool = False
    # Signers of the current revision whose accounts were deactivated since: still evidence, but
    # an editor must remove them (choosing to go on without them) or assign a replacement.
    deactivated_signers: tuple[str, ...] = ()
    comment: str | None = None


Guard = Callable[[Facts], str | None]


def needs_reviewer(facts: Facts) -> str | None:
    return None if facts.active_reviewers else "No physician reviewer is assigned yet: ask a senior editor to assign one."


def needs_citation(facts: Facts) -> str | None:
    return None if facts.citations else "Attach at least one citation first."


def inline_citations_resolve(facts: Facts) -> str | None:
    if not facts.unresolved_inline_keys:
        return None
    keys = ", ".join(f"[@{k}]" for k in facts.unresolved_inline_keys)
    return f"These inline citations are not attached: {keys}."


def no_retracted_sources(facts: Facts) -> str | None:
    if not facts.retracted_citations:
        return None
    return f"These sources are retracted: {', '.join(facts.retracted_citations)}. Replace them first."


def no_incomplete_sources(facts: Facts) -> str | None:
    # A reference missing its year or journal is not one a reader can follow; completing the record
    # later would change what readers see without a review, so it is completed before review.
    if not facts.incomplete_citations:
        return None
    return (f"These sources are incomplete: {', '.join(facts.incomplete_citations)}. "
            "Complete them in the citation library first.")


def needs_comment(facts: Facts) -> str | None:
    return None if facts.comment and facts.comment.strip() else "Say what needs to change (a comment is required)."


def all_approvals_present(facts: Facts) -> str | None:
    if facts.all_reviewers_approved_current:
        return None
    if facts.deactivated_signers:
        names = ", ".join(facts.deactivated_signers)
        return (f"{names} signed but no longer has an active account: remove them from the reviewers to publish "
                "without their signature, or assign a replacement.")
    return "Every assigned reviewer must approve the current revision before it is published."


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[State]
    # None: the operation decides (approve stays in review until the last approval).
    target: State | None
    # The permission rule (permissions.py) the actor must pass.
    permission: str
    guards: tuple[Guard, ...] = field(default=())


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in [
        Transition(
            Action.SUBMIT, frozenset({State.DRAFT, State.CHANGES_REQUESTED}), State.IN_REVIEW, "submit",
            (needs_reviewer, needs_citation, inline_citations_resolve, no_retracted_sources, no_incomplete_sources),
        ),
        Transition(Action.WITHDRAW, frozenset({State.IN_REVIEW}), State.DRAFT, "withdraw"),
        Transition(Action.APPROVE, frozenset({State.IN_REVIEW}), None, "approve"),
        Transition(Action.REQUEST_CHANGES, frozenset({State.IN_REVIEW}), State.CHANGES_REQUESTED, "request_changes", (needs_comment,)),
        Transition(Action.PUBLISH, frozenset({State.APPROVED}), State.PUBLISHED, "publish", (all_approvals_present, no_retracted_sources, no_incomplete_sources)),
        Transition(Action.UNPUBLISH, frozenset({State.PUBLISHED}), State.ARCHIVED, "unpublish"),
        Transition(Action.START_REREVIEW, frozenset({State.PUBLISHED}), State.IN_REVIEW, "start_rereview",
                   (needs_reviewer, no_retracted_sources)),
    ]
}

# States in which the text may be edited. In review the text is frozen for the reviewers.
EDITABLE_STATES = frozenset({State.DRAFT, State.CHANGES_REQUESTED, State.APPROVED, State.PUBLISHED, State.ARCHIVED})


def parse_action(value) -> Action:
    try:
        return Action(value)
    except ValueError:
        raise ValidationError(
            "Unknown action.", fields={"action": f"One of: {', '.join(a.value for a in Action)}."}
        ) from None


def check_state(action: Action, state: State) -> Transition:
    """The transition for this action, or InvalidTransition when the state does not allow it."""
    transition = TRANSITIONS[action]
    if state not in transition.sources:
        allowed = " or ".join(s.label for s in sorted(transition.sources))
        raise InvalidTransition(f"Cannot {action.value.replace('_', ' ')} an article that is {state.label} (only when {allowed}).")
    return transition


def check_guards(transition: Transition, facts: Facts) -> None:
    """Raise ValidationError listing every unmet condition."""
    reasons = [reason for guard in transition.guards if (reason := guard(facts))]
    if reasons:
        raise ValidationError(" ".join(reasons), fields={"reasons": " ".join(reasons)})


def available_actions(state: State) -> list[Action]:
    return [action for action, t in TRANSITIONS.items() if state in t.sources]


def state_after_signatures_change(state: State, all_signed: bool) -> State | None:
    """Where the article goes when the set of signatures it needs changed without a new one being
    made (a pending reviewer removed or declining, a signature voided by a late conflict): in review
    with every remaining signature present, it is approved; approved with one missing, back in review."""
    if state == State.IN_REVIEW and all_signed:
        return State.APPROVED
    if state == State.APPROVED and not all_signed:
        return State.IN_REVIEW
    return None


def edit_leads_to(state: State) -> State:
    """Where an edit takes the article: approvals and publication need a new review."""
    if state == State.IN_REVIEW:
        raise InvalidTransition("The article is in medical review; withdraw it before editing.")
    if state in (State.APPROVED, State.PUBLISHED, State.ARCHIVED):
        return State.DRAFT
    return state
