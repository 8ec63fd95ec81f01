"""Whom single sign-on's audit entries are about. A link is about its person; both kinds stay out of
the organisations' logs that programme leads read: sign-in settings and refusals are the
administrators' to look into."""

from preceptorship import audit
from preceptorship.identity.models import IdentityLink, IdentityProvider

audit.register_scope(IdentityLink, audit.scope_by_path(None, "user_id"), in_organisation_log=False)
audit.register_scope(IdentityProvider, audit.scope_by_path(None, None), in_organisation_log=False)
