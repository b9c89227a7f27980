"""Alembic builds the schema from empty on each database, it matches the models, and the app refuses an old schema."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import cbl.models
from cbl.database import (
    Database, SchemaOutOfDate, check_schema, create_engine, current_revision, head_revision, upgrade,
)


def test_upgrade_from_empty_creates_every_table_and_matches_the_models(database_url):
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
        assert set(cbl.models.metadata.tables) <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                  "include_object": _not_search_index})
            assert compare_metadata(context, cbl.models.metadata) == []
    finally:
        engine.dispose()


def _not_search_index(item: object, name: str | None, kind: str, reflected: bool, compared_to: object) -> bool:
    # The register search's trigram indexes exist on PostgreSQL only (migration 0011), not in the models.
    return not (kind == "index" and name and name.endswith("_trigrams"))


def test_the_app_refuses_an_unmigrated_database_and_says_what_to_run(database_url, scheme):
    from cbl.app import create_app
    from cbl.settings import load_settings

    db = Database(database_url)
    try:
        with pytest.raises(SchemaOutOfDate, match="cbl db upgrade"):
            check_schema(db)
        with pytest.raises(SchemaOutOfDate, match="empty"):
            create_app(load_settings({"CBL_DATABASE_URL": database_url, "CBL_SECRET_KEY": "x"}), db=db, scheme=scheme)
    finally:
        db.dispose()


def test_upgrade_is_safe_to_run_twice(database_url):
    upgrade(database_url)
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
