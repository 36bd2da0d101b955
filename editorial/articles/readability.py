"""How readable an article body is for patients, computed fully offline.

Rules:
- Scores are computed on `rendering.plain_text` of the Markdown: markup, URLs,
  citations and code blocks are not prose. Every block (paragraph, heading, list
  item, table cell) and every hard line break ends a sentence: a block without final
  punctuation gets a full stop, so a heading never runs into the next paragraph.
- A full stop ends a sentence only when followed by the end of the text or by white
  space and a word that is not lower-case, and not after Dr/Mr/Mrs/Ms/Prof/St. Other
  dots ("2.5 mg", "e.g. rest", "nhs.uk") are kept inside the sentence.
- Words, sentences and both grades come from textstat; like textstat, sentences of
  two words or fewer are not counted as sentences (their words still count).
- reading_minutes is words / 200 rounded up, at least 1 for any text with words.
- smog_grade is None, with smog_note set, below 30 sentences: SMOG is only
  calibrated for samples of 30 sentences.
- hard_sentences lists each sentence whose own Flesch-Kincaid grade exceeds
  target_grade + 4 (HARD_SENTENCE_MARGIN): a band wide enough that ordinary variation
  around the target is not flagged, and what is flagged is worth rewriting.
- Empty text: zero counts, no grades.

Offline: textstat 0.7.x counts English syllables with NLTK's CMU dictionary, which it
downloads on first use, whenever the language's root (the part before "_") is "en".
This module uses its own textstat instance set to "en-US": the root is then "en-US",
so textstat skips the CMU dictionary and counts syllables with pyphen's bundled
en_US hyphenation dictionary (pyphen maps "en-US" to en_US). Do not "fix" it to
"en_US"; tests/unit/test_readability.py fails if any network access is attempted.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from editorial.articles.rendering import cached_for_text, plain_text

WORDS_PER_MINUTE = 200
SMOG_MIN_SENTENCES = 30
HARD_SENTENCE_MARGIN = 4.0
SMOG_TOO_SHORT = "too short for SMOG (needs at least 30 sentences)"
TEXTSTAT_LANG = "en-US"  # see the module docstring: keeps syllable counting offline


@cache
def _stats():
    """textstat, imported on first use: it pulls in NLTK, which would add 0.4 s to every start of
    the app (each worker, each command line call) for pages that never score a text."""
    from textstat.textstat import textstatistics

    stats = textstatistics()
    stats.set_lang(TEXTSTAT_LANG)
    return stats


# textstat's own sentence pattern, so hard_sentences matches sentence_count.
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE)
_INNER_DOT = "\u2024"  # ONE DOT LEADER: looks like ".", but neither ends a sentence nor is a word
_NOT_A_FULL_STOP = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Prof|St)\.(?=\s)"  # titles before a name
    r"|\.(?=\w)"                           # 2.5, e.g, nhs.uk
    r"|\.(?=\s+[a-z])"                     # e.g. rest, a.m. daily
)
_ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*$")


class HardSentence(NamedTuple):
    sentence: str
    grade: float


@dataclass(frozen=True)
class Readability:
    word_count: int
    sentence_count: int
    reading_minutes: int
    flesch_kincaid_grade: float | None
    smog_grade: float | None
    smog_note: str | None
    target_grade: float
    hard_sentences: list[HardSentence] = field(default_factory=list)

    @property
    def meets_target(self) -> bool | None:
        if self.flesch_kincaid_grade is None:
            return None
        return self.flesch_kincaid_grade <= self.target_grade


def assess(markdown_text: str, target_grade: float = 8.0) -> Readability:
    """Readability of a Markdown body against a target US school grade (cached: a revision's text
    never changes, and scoring 200,000 characters costs more than the rest of the page)."""
    return cached_for_text("readability", markdown_text, lambda: _assess(markdown_text, target_grade),
                           variant=repr(target_grade))


def _assess(markdown_text: str, target_grade: float) -> Readability:
    text = prose_for_scoring(plain_text(markdown_text))
    words = _stats().lexicon_count(text) if text else 0
    if not words:
        return Readability(0, 0, 0, None, None, SMOG_TOO_SHORT, target_grade, [])

    sentences = _stats().sentence_count(text)
    if sentences >= SMOG_MIN_SENTENCES:
        smog, smog_note = round(_stats().smog_index(text), 1), None
    else:
        smog, smog_note = None, SMOG_TOO_SHORT
    return Readability(
        word_count=words,
        sentence_count=sentences,
        reading_minutes=max(1, math.ceil(words / WORDS_PER_MINUTE)),
        flesch_kincaid_grade=round(_stats().flesch_kincaid_grade(text), 1),
        smog_grade=smog,
        smog_note=smog_note,
        target_grade=target_grade,
        hard_sentences=_hard_sentences(text, target_grade + HARD_SENTENCE_MARGIN),
    )


def prose_for_scoring(text: str) -> str:
    """Plain text rewritten so textstat's sentence splitting matches the rules above."""
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        line = _NOT_A_FULL_STOP.sub(lambda m: m.group(0)[:-1] + _INNER_DOT, line)
        lines.append(line if _ENDS_SENTENCE.search(line) else line + ".")
    return " ".join(lines)


def _hard_sentences(text: str, threshold: float) -> list[HardSentence]:
    found = []
    for sentence in _SENTENCE.findall(text):
        if _stats().lexicon_count(sentence) <= 2:
            continue  # textstat does not count these as sentences either
        grade = round(_stats().flesch_kincaid_grade(sentence), 1)
        if grade > threshold:
            found.append(HardSentence(sentence.strip().replace(_INNER_DOT, "."), grade))
    return found
