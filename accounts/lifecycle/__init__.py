"""A person's account from signing up to erasure: preferences, sessions,
self-registration and erasure requests (docs/decisions/0014-account-lifecycle.md).
Password reset, e-mail verification and sign-up are allauth's flows; this
package holds what Cairn adds around them."""
