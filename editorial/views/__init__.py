"""Page blueprints. Views check access, parse input, call one service and commit once."""
from flask import redirect, url_for
from flask_login import current_user


def register_views(app):
    from editorial.views import admin, articles, audit, auth, citations, dashboard

    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(articles.bp)
    app.register_blueprint(citations.bp)
    app.register_blueprint(audit.bp)

    @app.get("/")
    def index():
        if current_user.is_authenticated:
            return redirect(url_for("dashboard.home"))
        return redirect(url_for("auth.sign_in"))
