"""Drafting: a caucus writes its common position together."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from drafting import config

MAX_DATABASE_ID = 2_147_483_647


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in routes: ids beyond a database integer are simply not found (never a 500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints. Nothing else."""
    app = Flask(
        __name__,
        instance_path=str(config.INSTANCE_DIR),
        template_folder=str(config.PROJECT_ROOT / "templates"),
        static_folder=str(config.PROJECT_ROOT / "static"),
    )
    app.url_map.converters["int"] = DatabaseIdConverter
    app.config.from_object(config.Defaults)
    app.config.from_mapping(config.from_environment() if test_config is None else {})
    if test_config is not None:
        app.config.from_mapping(test_config)
    init_extensions(app)
    register_blueprints(app)
    return app


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
    from drafting.site import bp as site_bp

    app.register_blueprint(accounts_bp)
    app.register_blueprint(caucuses_bp)
    app.register_blueprint(site_bp)
    api.init_app(app)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
