"""OpenID for Verifiable Credential Issuance: a learner's award offered to any
wallet (docs/decisions/0019-openid4vci.md)."""
