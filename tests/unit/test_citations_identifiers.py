"""DOI, PMID and URL rules of editorial.citations.identifiers."""
import pytest

from editorial.citations.identifiers import check_url, doi_url, find_doi, normalise_doi, normalise_pmid


@pytest.mark.parametrize(
    "raw",
    [
        "10.1016/j.brachy.2018.12.005",
        "10.1016/J.BRACHY.2018.12.005",
        "https://doi.org/10.1016/j.brachy.2018.12.005",
        "http://dx.doi.org/10.1016/j.brachy.2018.12.005",
        "doi:10.1016/j.brachy.2018.12.005",
        "DOI: 10.1016/j.brachy.2018.12.005",
        "  doi:10.1016/j.brachy.2018.12.005. ",
        "https://doi.org/10.1016%2Fj.brachy.2018.12.005",
    ],
)
def test_doi_prefixes_and_case_are_normalised(raw):
    assert normalise_doi(raw) == "10.1016/j.brachy.2018.12.005"


def test_old_wiley_doi_with_angle_brackets_is_accepted():
    sici = "10.1002/(SICI)1097-4636(199911)47:2<152::AID-JBM5>3.0.CO;2-8"
    assert normalise_doi(sici) == sici.lower()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "DOI is empty."),
        ("11.1016/x", 'DOI must start with "10."'),
        ("10.12/abc", "DOI is not valid"),  # prefix needs 4-9 digits
        ("10.1016/abc def", "DOI is not valid"),
        ("10.1016/<script>", "DOI is not valid"),
        ("10.1016/" + "a" * 400, "DOI is too long"),
    ],
)
def test_bad_dois_raise_with_a_message(raw, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        normalise_doi(raw)


def test_doi_found_in_free_text():
    assert find_doi("doi: 10.1063/1.1954747") == "10.1063/1.1954747"
    assert find_doi("http://dx.doi.org/10.1371%2Fjournal.pbio.1001687") == "10.1371/journal.pbio.1001687"
    assert find_doi("no identifier here") is None


def test_doi_url_encodes_unsafe_characters():
    assert doi_url("10.1016/j.brachy.2018.12.005") == "https://doi.org/10.1016/j.brachy.2018.12.005"
    assert doi_url("10.1002/a<b>#c") == "https://doi.org/10.1002/a%3Cb%3E%23c"


@pytest.mark.parametrize(("raw", "expected"), [("30396417", "30396417"), (" 1 ", "1"), ("PMID: 25992719", "25992719"), (15368318, "15368318")])
def test_good_pmids(raw, expected):
    assert normalise_pmid(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [("", "empty"), ("0123", "cannot start with 0"), ("123456789", "at most 8 digits"), ("12a4", "digits only"),
     ("١٢٣", "digits only"), (True, "must be a number"), (None, "must be a number")],
)
def test_bad_pmids(raw, message):
    with pytest.raises(ValueError, match=message):
        normalise_pmid(raw)


def test_url_rules():
    assert check_url("https://www.cdc.gov/cancer") is None
    assert check_url("ftp://example.org/x") == "URL must start with http:// or https://."
    assert check_url("javascript:alert(1)") == "URL must start with http:// or https://."
    assert check_url("https://") == "URL must include a host name."
    assert check_url("https://exa mple.org") == "URL cannot contain spaces."
    assert check_url("http://[::1") == "URL is not valid."
