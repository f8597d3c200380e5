#!/usr/bin/env bash
# Try single sign-on on one machine: start the same local OpenID Connect
# (oidc-provider) and SAML 2.0 (samlify) identity providers the tests use, and
# point the demo organization at them. Run `make run` in another terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
PY=.venv/bin/python
OIDC_PORT="${CAIRN_SSO_DEMO_OIDC_PORT:-9100}"
SAML_PORT="${CAIRN_SSO_DEMO_SAML_PORT:-9101}"
ORG="${CAIRN_SSO_DEMO_ORG:-northfield}"

config=$(mktemp)
node_pid=""
cleanup() { [ -z "$node_pid" ] || kill "$node_pid" 2>/dev/null || true; rm -f "$config"; }
trap cleanup EXIT INT TERM
cat >"$config" <<JSON
{"oidcPort": $OIDC_PORT, "samlPort": $SAML_PORT, "users": {
  "maya": {"email": "maya@oidc.example.edu", "email_verified": true, "given_name": "Maya",
          "family_name": "Okafor", "groups": ["faculty-staff"]},
  "alan": {"email": "alan@oidc.example.edu", "email_verified": true, "given_name": "Alan",
           "family_name": "Turing", "groups": ["curriculum", "faculty-staff"]},
  "grace": {"email": "grace@saml.example.edu", "email_verified": true, "given_name": "Grace",
            "family_name": "Hopper", "groups": ["student"]},
  "edsger": {"email": "edsger@saml.example.edu", "email_verified": true, "given_name": "Edsger",
             "family_name": "Dijkstra", "groups": ["faculty-staff"]}
}}
JSON

"$PY" scripts/ensure_database.py
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py seed_demo >/dev/null
node tests/idp/server.mjs "$config" >/dev/null 2>&1 &
node_pid=$!
sleep 2

CAIRN_SSO_DEMO_SECRET=cairn-test-secret "$PY" manage.py identity_provider set "$ORG" demo-oidc \
  --protocol oidc --name "Local OpenID Connect (demo)" \
  --discovery-url "http://127.0.0.1:$OIDC_PORT" --client-id cairn \
  --client-secret-env CAIRN_SSO_DEMO_SECRET --domain oidc.example.edu \
  --rule "groups, faculty-staff, faculty" --rule "groups, curriculum, designer" \
  --default-role learner --active
"$PY" manage.py identity_provider set "$ORG" demo-saml \
  --protocol saml --name "Local SAML 2.0 (demo)" \
  --metadata-url "http://127.0.0.1:$SAML_PORT/metadata" \
  --entity-id "http://127.0.0.1:$SAML_PORT/metadata" --domain saml.example.edu \
  --rule "groups, faculty-staff, faculty" --default-role learner --active

cat <<TEXT

Local identity providers are running (Ctrl-C stops them):
  OpenID Connect  http://127.0.0.1:$OIDC_PORT/.well-known/openid-configuration (client "cairn")
  SAML 2.0        http://127.0.0.1:$SAML_PORT/metadata

The demo organization "$ORG" signs in people at oidc.example.edu and
saml.example.edu through them. With \`make run\` serving Cairn, open
http://127.0.0.1:8000/accounts/login/, enter under "Continue with your organization":
  maya@oidc.example.edu   (sign in as "maya", any password) -> faculty
  alan@oidc.example.edu   (sign in as "alan")               -> designer and faculty
  grace@saml.example.edu  (sign in as "grace")              -> learner
  edsger@saml.example.edu (sign in as "edsger")             -> faculty
The demo admin (ada) sees and changes both at
http://127.0.0.1:8000/organizations/$ORG/sign-in/.
TEXT
wait "$node_pid"
