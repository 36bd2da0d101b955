"""Vetted: the medical-content review desk."""
import os
import secrets
from pathlib import Path

from flask import Flask

from editorial.core.instance_keys import instance_key

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None) -> Flask:
    """Build the app. config: a class or object with settings, or a dict of overrides."""
    from config import Config

    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=os.environ.get("EDITORIAL_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    from editorial.core.bounds import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "editorial.sqlite")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_key(app.instance_path, "secret_key", lambda: secrets.token_hex(32))

    from editorial.core import db_faults
    from editorial.core.extensions import cache, csrf, db, login_manager, migrate

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = db_faults.engine_options(app.config["SQLALCHEMY_DATABASE_URI"], app.config)

    if app.config.get("REDIS_URL"):
        app.config.setdefault("CACHE_TYPE", "RedisCache")
        app.config.setdefault("CACHE_REDIS_URL", app.config["REDIS_URL"])
    app.config.setdefault("CACHE_TYPE", "SimpleCache")
    app.config.setdefault("CACHE_KEY_PREFIX", "vetted:")
    cache.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    from editorial.articles.word_import import allow_word_uploads

    app.before_request(allow_word_uploads)  # before CSRFProtect's hook, which reads the request body
    csrf.init_app(app)
    login_manager.init_app(app)

    from editorial.accounts import sign_in as auth_loader, passwords
    from editorial.web import cli, security, templating
    from editorial.core import errorhandlers, unit_of_work
    from editorial.web.api import register_api
    from editorial.web.pages import register_views

    security.init_app(app)
    passwords.init_app(app)
    auth_loader.init_app(app)
    templating.init_app(app)
    errorhandlers.init_app(app)
    db_faults.init_app(app)
    register_views(app)
    register_api(app)
    cli.init_app(app)
    unit_of_work.init_app(app)  # last: every route's request and every command is one unit of work
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a proxy every request comes from the proxy: take the reader's address (for the
        # sign-in throttling and the feedback cap) and scheme from the headers the proxy adds.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app
