"""The admin site's routes, behind the staff guard."""

from litestar import Router

from . import (
    agreements, applications, auth, backdating, compliance, core_return, dashboard, home, identity_provider, letters,
    offer_checks, offers, online_applications, outbox, provider, providers, register, register_review, reviews,
    second_factor, shortlists, staff, stock, viewings,
)
from .guards import staff_guard

admin_router = Router(
    path="/admin",
    guards=[staff_guard],
    include_in_schema=False,
    route_handlers=[
        auth.sign_in_page, auth.sign_in_submit, auth.sign_out, auth.set_password_page, auth.set_password_submit,
        auth.forgotten_page, auth.forgotten_submit, home.admin_home,
        second_factor.code_page, second_factor.code_submit, second_factor.set_up_page, second_factor.set_up_submit,
        second_factor.own_page, second_factor.new_recovery_codes,
        identity_provider.leave_for_provider, identity_provider.back_from_provider,
        register.applicant_search, register.applicant_search_submit, register.applicant_case,
        register.send_sign_in_link, register.band,
        register.verification, register.suspension, register.eligibility, register.reinstatement, register.notes,
        register.assessments, register.checks, register.bid_on_behalf, register.subject_access,
        shortlists.adverts, shortlists.shortlist, shortlists.shortlist_print, shortlists.verify, shortlists.skip,
        shortlists.offer, shortlists.judge, shortlists.tenancy, shortlists.viewing, shortlists.block_viewing,
        shortlists.answer, shortlists.withdraw_an_offer, offer_checks.checks_page, offer_checks.record_a_check,
        viewings.viewing_page, viewings.attendance, viewings.offer_from_viewing, viewings.cancel,
        shortlists.withdraw, shortlists.readvertise_advert,
        stock.stock, stock.home_page, stock.log_void_submit, stock.ready, stock.advert_form, stock.advert_submit,
        stock.new_home, stock.new_home_submit,
        applications.new_application, applications.new_application_submit, applications.details,
        applications.member_added, applications.member_changed, applications.member_removed,
        applications.preferences, applications.review_answer, applications.reopening,
        backdating.backdating_requests, backdating.backdating_decision,
        register_review.register_review, register_review.review_letters,
        offers.offer_view, offers.direct_offer_request, offers.direct_offers, offers.direct_offer_decision,
        letters.letter_page, letters.letter_as_pdf, outbox.outbox, outbox.message_send_again,
        shortlists.nominate, provider.portal, provider.provider_home, provider.notify_void, provider.void_ready,
        provider.provider_nomination, provider.nomination_viewing, provider.nomination_viewing_outcome,
        provider.nomination_tenancy, provider.nomination_decline,
        agreements.new_agreement, agreements.new_agreement_submit, agreements.edit_agreement,
        agreements.edit_agreement_submit, compliance.agreements, compliance.agreement_compliance_page,
        compliance.agreement_compliance_csv, providers.provider_page, providers.provider_submit,
        reviews.review_list, reviews.new_review, reviews.new_review_submit, reviews.review_page, reviews.late,
        reviews.allocation, reviews.extension, reviews.pending_accommodation, reviews.draft, reviews.minded_to,
        reviews.representations, reviews.decision, reviews.withdrawal, reviews.report, reviews.report_download,
        dashboard.dashboard_page, dashboard.dashboard_table_csv, stock.works,
        core_return.core_page, core_return.core_download, core_return.let_questions, core_return.let_answers,
        reviews.enquiry_list, reviews.enquiry_log, reviews.enquiry_answer, reviews.enquiry_escalation,
        reviews.enquiry_stage_two_answer, reviews.enquiry_acknowledgement,
        staff.staff_list, staff.invite_page, staff.invite_submit, staff.member_page, staff.role_and_grade,
        staff.disable, staff.enable, staff.invite_again, staff.reset_second_factor,
        online_applications.online_queue, online_applications.online_application,
        online_applications.evidence_request, online_applications.refusal, online_applications.acceptance,
        online_applications.evidence_file,
    ],
)
