"""Page blueprints. Views check access, parse input and call one service; the request commits once (unit_of_work)."""
from flask import redirect, url_for
from flask_login import current_user


def register_views(app):
    from editorial.accounts import admin_views as admin, views as auth, two_factor_views as two_factor
    from editorial.articles import views as articles, currency_views as currency
    from editorial.audit import views as audit
    from editorial.citations import views as citations
    from editorial.desk import views as dashboard
    from editorial.notifications import views as notifications
    from editorial.public import views as public

    app.register_blueprint(auth.bp)
    app.register_blueprint(two_factor.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(articles.bp)
    app.register_blueprint(citations.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(currency.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(public.bp)

    @app.get("/")
    def index():
        # Readers get the public index; signed-in staff land on their desk (the public
        # index stays one click away at /health-topics).
        if current_user.is_authenticated:
            return redirect(url_for("dashboard.home"))
        return public.index()
