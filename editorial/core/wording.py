"""Counts and lists in English, for messages and pages alike."""


def count_of(count: int, singular: str, plural: str | None = None) -> str:
    """A count in words: "1 revision", "2 revisions" (plural defaults to singular + "s")."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def and_list(items) -> str:
    """"A", "A and B", "A, B and C"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
