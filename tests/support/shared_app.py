"""One app per test process and build, pointed at each test's database and settings in turn.

Building the app (Litestar registering some 300 routes) took 0.25-0.5 s of CPU, about 40% of a page test's time.
The app keeps nothing between requests but what its database and settings hold (the live places' memos are kept
per database: cbl/services/live_rankings.py), so tests whose settings agree on everything the app reads while
it is built share one app: the database it was given forwards to the test's own, and its settings take the
test's values (the app's dependencies are checked by type, so both are of their real classes).
"""

import dataclasses
from typing import Any

from litestar import Litestar

from cbl.app import create_app
from cbl.database import Database
from cbl.rules.scheme import Scheme
from cbl.settings import Settings


class _CurrentDatabase(Database):
    """A Database (made without its fields) that forwards what it does not have to the test's database."""

    def point_at(self, target: Database) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        if name == "_target":
            raise AttributeError(name)
        return getattr(self._target, name)

    def dispose(self) -> None:  # taken as a bound method when the app is built: it must follow the test
        self._target.dispose()


def _current_database(db: Database) -> _CurrentDatabase:
    current = object.__new__(_CurrentDatabase)
    current.point_at(db)
    return current


def _take_values(shared: Settings, settings: Settings) -> None:
    for field in dataclasses.fields(Settings):  # frozen for the app's code, not for this stand-in's owner
        object.__setattr__(shared, field.name, getattr(settings, field.name))


_built: dict[tuple, tuple[Litestar, _CurrentDatabase, Settings]] = {}


def _build_key(settings: Settings, db: Database, scheme: Scheme) -> tuple:
    """What create_app reads from its settings while it builds the app (secrets, cookies, proxies, the upload
    limit, the time zone, the delivery warning on every page), the kind of database and the scheme."""
    return (db.dialect, id(scheme), settings.secret_key, settings.base_url, settings.trusted_proxies,
            settings.import_max_bytes, settings.time_zone.key, settings.delivery.warning(),
            settings.identity_provider)


def app_for(settings: Settings, db: Database, scheme: Scheme) -> Litestar:
    """The app create_app(settings, db=db, scheme=scheme) would build, shared with the tests before whose build
    was the same."""
    key = _build_key(settings, db, scheme)
    if key not in _built:
        current_db, shared_settings = _current_database(db), dataclasses.replace(settings)
        _built[key] = (create_app(shared_settings, db=current_db, scheme=scheme), current_db, shared_settings)
    app, current_db, shared_settings = _built[key]
    current_db.point_at(db)
    _take_values(shared_settings, settings)
    # Building an app configures logging to the streams of the moment, which pytest captures test by test: done
    # again, so that the app's log lines go to this test's streams, not to a closed one of an earlier test.
    if app.logging_config:
        app.get_logger = app.logging_config.configure()
        app.logger = app.get_logger("litestar")
    return app
