"""AHRQ's Patient Education Materials Assessment Tool for printable materials (PEMAT-P).

Items are answered agree (1 point), disagree (0) or, where the tool allows it, not applicable.
Each score is the points earned over the items that applied, as a percentage. Numbering follows
the tool, which skips items 13 and 14 (they are for audiovisual materials only).
"""

UNDERSTANDABILITY = [
    (1, "The material makes its purpose completely evident.", False),
    (2, "The material does not include information or content that distracts from its purpose.", False),
    (3, "The material uses common, everyday language.", False),
    (4, "Medical terms are used only to familiarize audience with the terms. When used, medical terms are defined.", False),
    (5, "The material uses the active voice.", False),
    (6, "Numbers appearing in the material are clear and easy to understand.", True),
    (7, "The material does not expect the user to perform calculations.", False),
    (8, 'The material breaks or "chunks" information into short sections.', True),
    (9, "The material's sections have informative headers.", True),
    (10, "The material presents information in a logical sequence.", False),
    (11, "The material provides a summary.", True),
    (12, "The material uses visual cues (e.g., arrows, boxes, bullets, bold, larger font, highlighting) to draw attention to key points.", False),
    (15, "The material uses visual aids whenever they could make content more easily understood.", False),
    (16, "The material's visual aids reinforce rather than distract from the content.", True),
    (17, "The material's visual aids have clear titles or captions.", True),
    (18, "The material uses illustrations and photographs that are clear and uncluttered.", True),
    (19, "The material uses simple tables with short and clear row and column headings.", True),
]

ACTIONABILITY = [
    (20, "The material clearly identifies at least one action the user can take.", False),
    (21, "The material addresses the user directly when describing actions.", False),
    (22, "The material breaks down any action into manageable, explicit steps.", False),
    (23, "The material provides a tangible tool (e.g., menu planners, checklists) whenever it could help the user take action.", False),
    (24, "The material provides simple instructions or examples of how to perform calculations.", True),
    (25, "The material explains how to use the charts, graphs, tables, or diagrams to take actions.", True),
    (26, "The material uses visual aids whenever they could make it easier to act on the instructions.", False),
]

ITEMS = {number: (text, allows_na) for number, text, allows_na in UNDERSTANDABILITY + ACTIONABILITY}
ANSWERS = ("agree", "disagree", "na")


def score(answers: dict[int, str], section) -> int | None:
    """Percent of applicable items agreed, rounded; None when no item applied."""
    applicable = [answers[n] for n, _, _ in section if answers.get(n) in ("agree", "disagree")]
    if not applicable:
        return None
    return round(100 * applicable.count("agree") / len(applicable))


def check(answers: dict[int, str]) -> dict[str, str]:
    """Field errors: every item answered, and not applicable only where the tool allows it."""
    errors = {}
    for number, (text, allows_na) in ITEMS.items():
        answer = answers.get(number)
        if answer not in ANSWERS:
            errors[f"item_{number}"] = "Choose agree, disagree or not applicable."
        elif answer == "na" and not allows_na:
            errors[f"item_{number}"] = "This item is always applicable."
    return errors
