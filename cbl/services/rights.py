"""The rights staff and providers hold: each names an action, so a check reads as the rule.

Routes declare one (`opt={"right": Right.X}`), services require one, and the navigation shows
only the links whose right the viewer holds.
"""

from enum import StrEnum


class Right(StrEnum):
    ADVERT_WRITE = "advert.write"
    AGREEMENTS_MANAGE = "agreements.manage"
    AUDIT_READ = "audit.read"  # the whole audit trail, filtered and as CSV
    AUDIT_VERIFY = "audit.verify"
    BAND_SET = "band.set"
    BID_ON_BEHALF = "bid.on_behalf"
    CASE_ALLOCATE = "case.allocate"  # give cases to officers, or take them off them (a manager)
    CASE_TAKE = "case.take"  # take a case no officer holds (an officer)
    CYCLE_MANAGE = "cycle.manage"
    CYCLE_OVERRIDE = "cycle.override"  # close a cycle before its time, or reopen one just closed, with a reason
    CYCLE_REPORT_READ = "cycle.report_read"  # cycles' close reports: what the engine proposed
    DATA_SUBJECT_ACCESS = "data.subject_access"
    ELIGIBILITY_DECIDE = "eligibility.decide"
    # Equality monitoring: typing in a paper form's answers (never reading them back), and the managers' report
    # of counts (cbl/services/equality.py).
    # Mutual exchanges: running the matcher over the listings, and deciding the council's tenants' applications for
    # consent (Housing Act 1985 s92) and recording an exchange's completion (cbl/services/exchange_consent.py).
    EXCHANGE_CONSENT = "exchange.consent"
    EXCHANGE_MATCH = "exchange.match"
    EQUALITY_RECORD = "equality.record"
    EQUALITY_REPORT = "equality.report"
    LETTERS_ISSUE = "letters.issue"
    # Downsizing and decants: mark households, run regeneration schemes, ask for and record payments (an officer);
    # approve or refuse a payment someone else asked for (a manager).
    MOVES_MANAGE = "moves.manage"
    NOMINATION_SEND = "nomination.send"
    OFFER_APPROVE_DIRECT = "offer.approve_direct"
    OFFER_FINAL_ASSESS = "offer.final_assess"
    OFFER_MAKE = "offer.make"
    OFFER_RECORD = "offer.record"
    PAYMENT_APPROVE = "payment.approve"
    PANEL_DECIDE = "panel.decide"  # record a panel's decision, which is applied to the case
    PANEL_REFER = "panel.refer"  # refer a case to a panel with its evidence, and arrange the panel
    PROVIDER_EXCHANGES = "provider.exchanges"  # a provider decides its own tenants' applications for consent
    PROVIDER_NOMINATIONS = "provider.nominations"
    PROVIDER_PORTAL = "provider.portal"
    PROVIDER_VOIDS = "provider.voids"
    REGISTER_IMPORT = "register.import"  # households, members and homes from another system, in bulk
    REGISTER_READ = "register.read"
    REGISTER_WRITE = "register.write"
    REGISTRATION_BACKDATE = "registration.backdate"  # a registration date before the application was received
    REPORTS_EXPORT = "reports.export"
    REPORTS_READ = "reports.read"
    REVIEW_DECIDE = "review.decide"
    REVIEW_LOG = "review.log"
    REVIEW_READ_ALL = "review.read_all"
    REVIEW_WORK = "review.work"
    SCHEME_MANAGE = "scheme.manage"
    SHORTLIST_WORK = "shortlist.work"
    STAFF_MANAGE = "staff.manage"
    STOCK_READ = "stock.read"
    STOCK_WRITE = "stock.write"
