"""Counts in words: "1 revision", "2 revisions", never "1 revisions"."""
from editorial.core.wording import count_of


def test_one_is_singular_and_every_other_count_plural():
    assert count_of(1, "revision") == "1 revision"
    assert count_of(0, "revision") == "0 revisions"
    assert count_of(2, "open review") == "2 open reviews"
    assert count_of(3, "sentence") == "3 sentences"


def test_irregular_plurals_are_given():
    assert count_of(1, "month", "months") == "1 month"
    assert count_of(1, "person", "people") == "1 person"
    assert count_of(4, "person", "people") == "4 people"


def test_the_template_filter(app):
    with app.app_context():
        render = app.jinja_env.from_string('{{ n|count_of("revision") }}, {{ m|count_of("open review") }}').render
        assert render(n=1, m=1) == "1 revision, 1 open review"
        assert render(n=6, m=0) == "6 revisions, 0 open reviews"
