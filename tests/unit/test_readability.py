"""Readability scores: plausible grades, SMOG only from 30 sentences, exact counts,
hard sentences flagged, and no network access ever (textstat's CMU dictionary)."""
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from editorial.articles.readability import HARD_SENTENCE_MARGIN, SMOG_TOO_SHORT, assess, prose_for_scoring

EASY = "The cat sat on the mat. The dog ran to the park. We like to play in the sun. It is a good day."
PATIENT = (
    "High blood pressure often has no symptoms. You can check it at a pharmacy or at your "
    "doctor's surgery. If it is high, your doctor may suggest changes to your diet and more exercise."
)
HARD = (
    "Pharmacological intervention utilising angiotensin-converting enzyme inhibitors demonstrates "
    "considerable efficacy in ameliorating hypertensive cardiovascular complications among "
    "predisposed individuals."
)


def test_grades_fall_in_expected_ranges():
    assert assess(EASY).flesch_kincaid_grade < 2
    assert 3 <= assess(PATIENT).flesch_kincaid_grade <= 7
    assert assess(HARD).flesch_kincaid_grade > 16
    assert assess(PATIENT).meets_target is True
    assert assess(HARD).meets_target is False


def test_word_count_is_exact_on_markdown():
    source = (
        "# Flu\n\nMost people feel *better* within a [week](https://example.org) [@a].\n\n"
        "- Rest\n- Drink fluids\n\n```\nignored code block\n```\n\nIt doesn't hurt; well-being matters."
    )
    result = assess(source)
    # Flu | Most people feel better within a week | Rest | Drink fluids | It doesn't hurt well-being matters
    assert result.word_count == 16
    # Like textstat, "sentences" of two words or fewer are not counted.
    assert result.sentence_count == 2


def test_blocks_end_sentences_and_inner_dots_do_not():
    assert prose_for_scoring("Symptoms\nTake 2.5 mg at 8 a.m. daily, e.g. with food. See Dr. Smith.") == (
        "Symptoms. Take 2\u20245 mg at 8 a\u2024m\u2024 daily, e\u2024g\u2024 with food. See Dr\u2024 Smith."
    )
    assert assess("Take 2.5 mg at 8 a.m. daily, e.g. with food.").sentence_count == 1
    assert assess("## Causes of high blood pressure\n\nEating too much salt raises it.").sentence_count == 2


def test_smog_needs_thirty_sentences():
    sentence = "The cat sat on the mat. "
    short = assess(sentence * 29)
    assert short.sentence_count == 29
    assert short.smog_grade is None
    assert short.smog_note == SMOG_TOO_SHORT

    enough = assess(sentence * 30)
    assert enough.sentence_count == 30
    assert enough.smog_grade == pytest.approx(3.1, abs=0.05)
    assert enough.smog_note is None


def test_hard_sentence_is_flagged_with_its_grade():
    result = assess(f"{EASY} {HARD} {EASY}")
    assert [s.sentence for s in result.hard_sentences] == [HARD]
    sentence, grade = result.hard_sentences[0]
    assert grade > result.target_grade + HARD_SENTENCE_MARGIN
    assert assess(f"{EASY} {HARD}", target_grade=40).hard_sentences == []
    assert assess(PATIENT).hard_sentences == []


def test_reading_minutes():
    assert assess("Rest.").reading_minutes == 1
    assert assess("word " * 200).reading_minutes == 1
    assert assess("word " * 201).reading_minutes == 2


@pytest.mark.parametrize("source", ["", "   \n\n", "```\ncode only\n```", "---", "[@a]"])
def test_text_without_words(source):
    result = assess(source)
    assert (result.word_count, result.sentence_count, result.reading_minutes) == (0, 0, 0)
    assert result.flesch_kincaid_grade is None and result.smog_grade is None
    assert result.meets_target is None
    assert result.hard_sentences == []


def test_no_network_access_in_process(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("readability tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    import nltk
    monkeypatch.setattr(nltk, "download", refuse)
    # Words this session has not scored yet, so textstat's caches cannot answer.
    result = assess("Quixotic zephyrs bewilder ophthalmologists unexpectedly during otorhinolaryngology rounds.")
    assert result.word_count == 8


def test_no_network_access_from_a_fresh_interpreter():
    # An audit hook sees every socket use, from import onwards, before any cache exists.
    code = textwrap.dedent("""
        import sys
        def hook(event, args):
            if event.startswith(("socket.", "urllib.")) or event == "http.client.connect":
                raise RuntimeError("network: " + event)
        sys.addaudithook(hook)
        from editorial.articles.readability import assess
        print(assess("Hypertension rarely causes headaches. Ask your pharmacist for advice.").word_count)
    """)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "9"
