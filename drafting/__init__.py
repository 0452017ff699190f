"""Drafting: a caucus writes its common position together."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from drafting import config
from drafting.ids import MAX_DATABASE_ID


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in routes: ids beyond a database integer are simply not found (never a 500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(url_map, *args, **kwargs)


class JSONProvider(DefaultJSONProvider):
    """JSON whose times are ISO 8601, as API.md promises.

    Flask's default writes datetimes as HTTP dates ("Sat, 28 Nov 2026 01:43:00 GMT"), which
    neither API.md nor the OpenAPI document's `date-time` format allow.
    """

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, date):  # datetimes included
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints. Nothing else."""
    app = Flask(
        __name__,
        instance_path=str(config.INSTANCE_DIR),
        template_folder=str(config.PROJECT_ROOT / "templates"),
        static_folder=str(config.PROJECT_ROOT / "static"),
    )
    app.url_map.converters["int"] = DatabaseIdConverter
    app.json = JSONProvider(app)
    app.config.from_object(config.Defaults)
    app.config.from_mapping(config.from_environment() if test_config is None else {})
    if test_config is not None:
        app.config.from_mapping(test_config)
    trust_proxies(app)
    init_extensions(app)
    register_blueprints(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind a reverse proxy, take the client's address and scheme from X-Forwarded-*.

    Only as many hops as configured are trusted; otherwise anyone could forge an address
    and escape the per-address rate limits.
    """
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def init_extensions(app: Flask) -> None:
    """Bind every extension to this app."""
    from drafting import auth
    from drafting import errors
    from drafting import security
    from drafting import templating
    from drafting.extensions import babel
    from drafting.extensions import csrf
    from drafting.extensions import db
    from drafting.extensions import limiter
    from drafting.extensions import migrate
    from drafting.extensions import select_locale

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(config.PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    auth.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.register_error_handlers(app)


def register_blueprints(app: Flask) -> None:
    """Mount every feature's pages, the API and the CLI commands."""
    from drafting import api
    from drafting.accounts.cli import users_cli
    from drafting.accounts.views import bp as accounts_bp
    from drafting.caucuses.views import bp as caucuses_bp
    from drafting.demo import demo_cli
    from drafting.documents.views import bp as documents_bp
    from drafting.publishing.views import bp as publishing_bp
    from drafting.review.views import bp as review_bp
    from drafting.site import bp as site_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(caucuses_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(publishing_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(site_bp)
    api.init_app(app)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
