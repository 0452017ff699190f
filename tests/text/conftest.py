"""The text algorithms are plain functions: their tests need no app and no database."""

import pytest


@pytest.fixture(autouse=True)
def _transaction():
    """Override the suite's rolled-back transaction, which would start the app for nothing."""
    yield
