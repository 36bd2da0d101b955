"""The JSON API's wiring: every domain's routes on the one blueprint, then the blueprint on the app."""


def register_api(app) -> None:
    from editorial.accounts import api as users_api  # noqa: F401  (importing a routes module adds its routes)
    from editorial.api import api_bp, openapi  # noqa: F401  (openapi: GET /api/v1/openapi.json)
    from editorial.articles import api as articles_api  # noqa: F401
    from editorial.articles import api_references  # noqa: F401
    from editorial.audit import api as audit_api  # noqa: F401
    from editorial.citations import api as citations_api  # noqa: F401
    from editorial.core.extensions import csrf
    from editorial.public import api as public_api  # noqa: F401

    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, not cookies
    app.register_blueprint(api_bp)
