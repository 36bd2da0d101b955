"""What a consequential action will do, said in plain words before it is done.

The services compute one Consequence per kind of action (articles.transitions: publish, unpublish;
articles.references: a change of references; accounts.service: deactivation). A page shows its lines with the real form,
whose `confirmed` field carries the consequence's fingerprint: the action is taken only when the
person confirmed exactly what is true now, so a one-click form, or a confirmation left open while
someone else signed, shows the consequence again instead of acting.
"""
import hashlib
import hmac
from dataclasses import dataclass


@dataclass(frozen=True)
class Consequence:
    question: str  # the page's heading: "Publish “Title”?"
    lines: tuple[str, ...]  # what happens, most important first
    at_stake: bool = True  # False: nothing worth a second look, the action takes one click
    voids: int = 0  # how many signatures it voids, for a button that says so ("Save and void 2 signatures")

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256("\n".join((self.question, *self.lines)).encode("utf-8")).hexdigest()[:20]

    def confirmed_by(self, value) -> bool:
        return isinstance(value, str) and hmac.compare_digest(value.encode("utf-8"), self.fingerprint.encode("utf-8"))

