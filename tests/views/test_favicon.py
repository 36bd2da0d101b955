"""Browsers ask for /favicon.ico on every page: it is a real icon, and every page links to it."""


def test_favicon_ico_is_an_icon_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in ("image/x-icon", "image/vnd.microsoft.icon")
    assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO file header


def test_pages_link_the_svg_icon_and_it_is_served(client, login, make_user):
    public = client.get("/health-topics").get_data(as_text=True)
    signin = client.get("/sign-in").get_data(as_text=True)
    for html in (public, signin):
        assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
    svg = client.get("/static/img/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
