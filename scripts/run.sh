#!/usr/bin/env bash
# `make run`: serves Parley on the embedded defaults (SQLite in ./data, in-process batching, the AI agent offline:
# built-in embeddings and extractive answers). On first run it creates a demo tenant with a WhatsApp and an
# Instagram channel and a small knowledge base, so `parley ask` and `parley simulate` show the loop at once.
set -euo pipefail
cd "$(dirname "$0")/.."
parley=${PARLEY_BINARY:-build/parley}
export PARLEY_DATA_DIR=${PARLEY_DATA_DIR:-./data}
export PARLEY_LISTEN=${PARLEY_LISTEN:-127.0.0.1:8080}
# Development-only secrets, so signed test webhooks work out of the box; set your Meta app's values in production.
export WHATSAPP_APP_SECRET=${WHATSAPP_APP_SECRET:-dev-whatsapp-app-secret}
export WHATSAPP_VERIFY_TOKEN=${WHATSAPP_VERIFY_TOKEN:-dev-whatsapp-verify-token}
export INSTAGRAM_APP_SECRET=${INSTAGRAM_APP_SECRET:-dev-instagram-app-secret}
export INSTAGRAM_VERIFY_TOKEN=${INSTAGRAM_VERIFY_TOKEN:-dev-instagram-verify-token}

demo="$PARLEY_DATA_DIR/demo-tenant.json"
mkdir -p "$PARLEY_DATA_DIR"
if [[ ! -s $demo ]]; then
  "$parley" tenant create --name "Demo business" > "$demo.tmp"
  tenant_id=$(sed -E 's/.*"tenant_id":([0-9]+).*/\1/' "$demo.tmp")
  "$parley" channel add whatsapp --tenant "$tenant_id" --phone-number-id demo-phone-number-id --access-token demo-token > /dev/null
  "$parley" channel add instagram --tenant "$tenant_id" --account-id demo-instagram-account --access-token demo-token > /dev/null
  "$parley" kb add --tenant "$tenant_id" scripts/demo/demo-business.md > /dev/null
  mv "$demo.tmp" "$demo"
  chmod 600 "$demo"
fi
api_key=$(sed -E 's/.*"api_key":"([^"]+)".*/\1/' "$demo")
tenant_id=$(sed -E 's/.*"tenant_id":([0-9]+).*/\1/' "$demo")
# The person who signs in to the dashboard, with a generated password kept beside the data (also for data
# directories made before there was a dashboard).
if [[ ! -s $PARLEY_DATA_DIR/demo-owner.json ]]; then
  (umask 077 && "$parley" user create --tenant "$tenant_id" --email owner@demo.local --name "Demo owner" --role owner \
    > "$PARLEY_DATA_DIR/demo-owner.json") || rm -f "$PARLEY_DATA_DIR/demo-owner.json"
fi
owner_password=$(sed -E 's/.*"password":"([^"]+)".*/\1/' "$PARLEY_DATA_DIR/demo-owner.json" 2>/dev/null ||
  echo "unknown (parley user reset-password --email owner@demo.local)")

cat <<MSG

Parley is starting on http://$PARLEY_LISTEN (data in $PARLEY_DATA_DIR).

  Dashboard: http://$PARLEY_LISTEN/   sign in as owner@demo.local, password $owner_password
  (more people: $parley user create --tenant $tenant_id --email you@example.com --role admin)

A demo tenant is ready, with a small knowledge base (scripts/demo/demo-business.md). In another terminal:

  $parley ask --tenant $tenant_id "Do you deliver on Sunday?"
  WHATSAPP_APP_SECRET=$WHATSAPP_APP_SECRET $parley simulate whatsapp --text "Hello, are you open on Sunday?" \\
      --url http://$PARLEY_LISTEN/api/whatsapp/webhook
  curl -s -H "Authorization: Bearer $api_key" http://$PARLEY_LISTEN/api/conversations
  curl -s -H "Authorization: Bearer $api_key" http://$PARLEY_LISTEN/api/conversations/1/messages
  curl -s -H 'Content-Type: application/json' -d '{"email":"owner@demo.local","password":"$owner_password"}' http://$PARLEY_LISTEN/api/auth/login
  curl -s http://$PARLEY_LISTEN/api/openapi.json          # every route, with the roles that may call it

The reply is sent to Meta's Graph API (${PARLEY_GRAPH_API_BASE_URL:-https://graph.facebook.com/v23.0}). With the demo
token Meta refuses it and the refusal is recorded on the outbound message; without a network the reply stays queued
and is retried with growing delays. Stop with Ctrl-C.

MSG
exec "$parley" serve
