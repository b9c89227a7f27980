"""GET /health: the database answers and its schema is the code's."""

from litestar.di import NamedDependency
from litestar import MediaType, Response, get
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cbl.database import Database, head_revision


@get("/health", media_type=MediaType.JSON, sync_to_thread=True, include_in_schema=False)
def health(db: NamedDependency[Database]) -> Response:
    try:
        with db.reading() as session:
            schema = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if schema != head_revision():
        return Response({"status": "unavailable", "database": "schema out of date"}, status_code=503)
    return Response({"status": "ok", "database": db.dialect, "schema": schema}, status_code=200)
