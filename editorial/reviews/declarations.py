"""Conflict-of-interest declarations: when a statement says there is nothing to declare.

One rule for the reviewer's answer, the signing form and the public page, so that "None.",
"n/a" and "No conflicts" all mean the same everywhere.
"""
NONE = "none"

_NOTHING_DECLARED = {
    "", "none", "n/a", "na", "nil", "no", "nothing", "nothing to declare", "nothing to disclose",
    "none declared", "no conflicts", "no conflict", "no conflict of interest", "no conflicts of interest",
    "no competing interests", "none to declare", "none to disclose",
    "i have no conflict of interest", "i have no conflicts of interest", "i have no conflict of interest with this article",
}


def says_nothing_to_declare(text: str | None) -> bool:
    return (text or "").strip().casefold().rstrip(".").strip() in _NOTHING_DECLARED
