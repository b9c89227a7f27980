"""The household's API tokens (made with POST /api/v1/tokens): when each was made and last used, its label,
and a button that revokes it. The tokens themselves are never shown again."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.services import sign_in
from cbl.web.auth import Viewer, applicant_actor, now, signed_in_applicant


@get("/account/tokens", sync_to_thread=True)
def tokens_page(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                revoked: FromQuery[str | None] = None) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    with db.reading() as session:
        tokens = sign_in.api_tokens(session, applicant_actor(applicant), applicant.id, now())
    return Template("public/account/tokens.html", context={"tokens": tokens, "viewer": viewer,
                                                           "revoked": revoked == "1"})


@post("/account/tokens/{token_id:int}/revoke", sync_to_thread=True)
def revoke(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
           token_id: FromPath[int]) -> Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    db.run(sign_in.revoke_api_token, applicant_actor(applicant), applicant.id, token_id, now())
    return Redirect("/account/tokens?revoked=1", status_code=303)


ROUTES = [tokens_page, revoke]
