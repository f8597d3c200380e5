"""Every change to keys, awards and their status: the one place that makes them.

Split by sub-domain; callers use `from credentials import services` and the
names below.
"""

from credentials.services.appeals import (
    notify_learner_of_reissue,
    reissue_regraded_award,
)
from credentials.services.certificate_templates import (
    choose_template,
    create_template,
    make_default,
    publish_template,
    remove_signatory,
    request_rerender,
    rerender_with_latest_version,
    set_signatory,
    set_template_logo,
    update_draft,
)
from credentials.services.endorsements import endorse_approved_review
from credentials.services.erasure import erase_person
from credentials.services.expiry import (
    mail_expiry_notice,
    renewal_steps,
    send_expiry_notices,
)
from credentials.services.issuing import (
    can_be_renewed,
    issue_module_award,
    issue_pathway_award,
    reissue_award,
    renew_award,
    sweep_unissued,
)
from credentials.services.issuing_batches import (
    issue_waiting_awards,
)
from credentials.services.keys import (
    current_issuer_did,
    get_signing_key,
    issuer_did,
    organization_did,
    organization_did_document,
    rotate_signing_key,
    site_did,
    site_did_document,
    verification_method,
)
from credentials.services.notices import (
    notify_learner_of_award,
    notify_learner_of_status,
)
from credentials.services.personal_data import personal_data_archive
from credentials.services.profiles import (
    rerender_certificates,
    set_issuer_logo,
    set_signing_options,
    update_issuer_details,
)
from credentials.services.records import learner_clr, set_award_visibility
from credentials.services.rendering import (
    certificate_for_download,
    prepare_certificate_layers,
    queue_certificate_layers,
    render_certificate,
    warm_worker,
)
from credentials.services.revocation import (
    mark_key_compromised,
    reinstate_award,
    revoke_award,
    revoke_awards_of_completion,
    suspend_award,
)
from credentials.services.status import assign_status_entry, sign_status_list
from credentials.services.sweeping import sweep
from credentials.services.verification import (
    Check,
    Verification,
    verify_award,
    verify_credential,
    verify_hosted_link,
)

__all__ = [
    "certificate_for_download",
    "choose_template",
    "create_template",
    "make_default",
    "publish_template",
    "remove_signatory",
    "request_rerender",
    "rerender_with_latest_version",
    "set_signatory",
    "set_template_logo",
    "update_draft",
    "erase_person",
    "personal_data_archive",
    "can_be_renewed",
    "mail_expiry_notice",
    "renew_award",
    "renewal_steps",
    "send_expiry_notices",
    "Check",
    "Verification",
    "assign_status_entry",
    "endorse_approved_review",
    "get_signing_key",
    "issue_module_award",
    "issue_pathway_award",
    "issue_waiting_awards",
    "issuer_did",
    "learner_clr",
    "mark_key_compromised",
    "notify_learner_of_reissue",
    "notify_learner_of_award",
    "notify_learner_of_status",
    "current_issuer_did",
    "organization_did",
    "organization_did_document",
    "reinstate_award",
    "reissue_award",
    "reissue_regraded_award",
    "prepare_certificate_layers",
    "queue_certificate_layers",
    "render_certificate",
    "rerender_certificates",
    "warm_worker",
    "revoke_award",
    "revoke_awards_of_completion",
    "rotate_signing_key",
    "sign_status_list",
    "site_did",
    "set_award_visibility",
    "set_issuer_logo",
    "set_signing_options",
    "site_did_document",
    "suspend_award",
    "sweep",
    "sweep_unissued",
    "update_issuer_details",
    "verification_method",
    "verify_award",
    "verify_credential",
    "verify_hosted_link",
]
