"""The admin site's routes, behind the staff guard."""

from litestar import Router

from . import auth, home, register, shortlists, stock
from .guards import staff_guard

admin_router = Router(
    path="/admin",
    guards=[staff_guard],
    include_in_schema=False,
    route_handlers=[
        auth.sign_in_page, auth.sign_in_submit, auth.sign_out, home.admin_home,
        register.applicant_search, register.applicant_case, register.send_sign_in_link, register.band,
        register.verification, register.suspension, register.reinstatement, register.notes, register.assessments,
        register.checks, register.bid_on_behalf,
        shortlists.adverts, shortlists.shortlist, shortlists.shortlist_print, shortlists.verify, shortlists.skip,
        shortlists.offer, shortlists.judge, shortlists.tenancy, shortlists.viewing, shortlists.attendance,
        shortlists.withdraw,
        stock.stock, stock.home_page, stock.log_void_submit, stock.ready, stock.advert_form, stock.advert_submit,
    ],
)
