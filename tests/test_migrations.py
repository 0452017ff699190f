"""Every table comes from a migration: an empty database upgraded to head matches the models."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from flask_migrate import upgrade

from drafting import create_app
from drafting.extensions import db
from tests.conftest import database_for
from tests.conftest import test_config


@pytest.fixture
def empty_app(app, tmp_path):
    """An app on a brand-new, empty database of the same kind as the suite's."""
    with database_for(app.config["DB_BACKEND"], tmp_path) as uri:
        fresh = create_app(test_config(uri))
        yield fresh
        with fresh.app_context():
            db.engine.dispose()


def schema_differences(app):
    """What autogenerate would still want to change after upgrading to head."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


@pytest.mark.committed
def test_upgrade_to_head_matches_the_models(empty_app):
    """No table, column, index or constraint exists only in the models."""
    with empty_app.app_context():
        upgrade()
    assert schema_differences(empty_app) == []


@pytest.mark.committed
def test_downgrade_to_base_and_up_again(empty_app):
    """Migrations can be walked back and forward (deploys sometimes need to)."""
    with empty_app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = sa.inspect(db.engine).get_table_names()
        assert set(tables) <= {"alembic_version"}
        upgrade()
    assert schema_differences(empty_app) == []
