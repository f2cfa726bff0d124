#include "api/openapi_schema_shapes.h"

namespace parley::api {

// The shapes of running a tenant: knowledge, people and access, channels, plans and billing, webhooks, operations.
extern const std::string_view kAdminSchemaShapes = R"json({
  "KnowledgeBase": {
    "type": "object",
    "required": ["id", "name", "created_at"],
    "properties": {
      "id": {"type": "integer"},
      "name": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time"}
    }
  },
  "KnowledgeBaseList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/KnowledgeBase"}}}
  },
  "Document": {
    "type": "object",
    "required": ["id", "knowledge_base_id", "name", "content_type", "source_url", "size_bytes", "status", "progress",
                 "error", "chunks", "qa_pairs", "version", "attempts", "created_at", "updated_at"],
    "properties": {
      "id": {"type": "integer"},
      "knowledge_base_id": {"type": "integer"},
      "name": {"type": "string", "description": "The file name, or the page's URL."},
      "content_type": {"type": ["string", "null"]},
      "source_url": {"type": ["string", "null"]},
      "size_bytes": {"type": "integer"},
      "status": {"$ref": "#/components/schemas/DocumentStatus"},
      "progress": {"type": "number", "minimum": 0, "maximum": 1},
      "error": {"type": ["string", "null"], "description": "Why ingestion failed."},
      "chunks": {"type": "integer"},
      "qa_pairs": {"type": "integer"},
      "version": {"type": "integer", "minimum": 1, "description": "Goes up each time a file of the same name replaces it."},
      "attempts": {"type": "integer"},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"}
    }
  },
  "DocumentPage": {
    "type": "object",
    "required": ["data", "next_cursor"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}},
      "next_cursor": {"$ref": "#/components/schemas/NextCursor"}
    }
  },
  "DocumentUpload": {
    "type": "object",
    "required": ["file"],
    "properties": {
      "file": {"type": "string", "contentMediaType": "application/octet-stream", "description": "The file, with its file name: text, Markdown, HTML, PDF (scanned pages read by OCR), DOCX, an image whose text is read by OCR (PNG, JPEG, WebP, TIFF) or a CSV of Q&A pairs."},
      "knowledge_base": {"type": "string", "minLength": 1, "maxLength": 200, "default": "default", "description": "Created if missing."}
    }
  },
  "DocumentUrlRequest": {
    "type": "object",
    "required": ["url"],
    "properties": {
      "url": {"type": "string", "format": "uri", "description": "An http:// or https:// page at a public address."},
      "knowledge_base": {"type": "string", "minLength": 1, "maxLength": 200, "default": "default"}
    }
  },
  "Faq": {
    "type": "object",
    "required": ["id", "questions", "answer", "document_id", "created_at", "updated_at"],
    "properties": {
      "id": {"type": "integer"},
      "questions": {"type": "array", "items": {"type": "string"}},
      "answer": {"type": "string"},
      "document_id": {"type": ["integer", "null"], "description": "The CSV it came from; null when added through the API."},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"}
    }
  },
  "FaqPage": {
    "type": "object",
    "required": ["data", "next_cursor"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/Faq"}},
      "next_cursor": {"$ref": "#/components/schemas/NextCursor"}
    }
  },
  "FaqRequest": {
    "type": "object",
    "description": "At least one non-empty question, in questions or question.",
    "required": ["answer"],
    "additionalProperties": false,
    "properties": {
      "questions": {"type": "array", "items": {"type": "string"}},
      "question": {"type": "string"},
      "answer": {"type": "string", "minLength": 1, "maxLength": 4096}
    }
  },

  "User": {
    "type": "object",
    "required": ["id", "email", "name", "role", "created_at", "last_login_at", "notify_by_email", "language"],
    "properties": {
      "id": {"type": "integer"},
      "email": {"type": "string", "format": "email"},
      "name": {"type": "string"},
      "role": {"$ref": "#/components/schemas/Role"},
      "created_at": {"type": "string", "format": "date-time"},
      "last_login_at": {"type": ["string", "null"], "format": "date-time"},
      "notify_by_email": {"type": "boolean", "description": "Wants an e-mail when a conversation is escalated."},
      "language": {"type": "string", "description": "Of the e-mails the user receives (en, fr, …)."}
    }
  },
  "UserList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}
  },
  "UserCreateRequest": {
    "type": "object",
    "required": ["email", "password"],
    "additionalProperties": false,
    "properties": {
      "email": {"type": "string", "format": "email", "maxLength": 254},
      "name": {"type": ["string", "null"], "maxLength": 200},
      "role": {"$ref": "#/components/schemas/Role", "default": "agent"},
      "password": {"type": "string", "minLength": 8}
    }
  },
  "UserUpdateRequest": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "name": {"type": ["string", "null"], "maxLength": 200},
      "role": {"$ref": "#/components/schemas/Role"},
      "password": {"type": ["string", "null"], "minLength": 8},
      "notify_by_email": {"type": ["boolean", "null"], "description": "E-mail me escalations."},
      "language": {"type": ["string", "null"], "pattern": "^[a-z]{2}$", "description": "Language of my e-mails."}
    }
  },
  "LoginRequest": {
    "type": "object",
    "required": ["email", "password"],
    "properties": {"email": {"type": "string"}, "password": {"type": "string"}}
  },
  "LoginResponse": {
    "type": "object",
    "description": "The session token; the answer also sets it in the parley_session cookie (HttpOnly) for browsers.",
    "required": ["token", "token_type", "expires_at", "csrf_token", "user"],
    "properties": {
      "token": {"type": "string"},
      "token_type": {"type": "string", "const": "Bearer"},
      "expires_at": {"type": "string", "format": "date-time"},
      "csrf_token": {"type": "string", "description": "Send as X-CSRF-Token on state-changing requests authenticated by the cookie."},
      "user": {"$ref": "#/components/schemas/User"}
    }
  },
  "PasswordResetRequest": {
    "type": "object",
    "required": ["token", "password"],
    "additionalProperties": false,
    "properties": {"token": {"type": "string", "minLength": 1}, "password": {"type": "string", "minLength": 8}}
  },
  "Me": {
    "type": "object",
    "required": ["tenant_id", "role", "user", "api_key"],
    "properties": {
      "tenant_id": {"type": "integer"},
      "role": {"$ref": "#/components/schemas/Role"},
      "user": {"oneOf": [{"$ref": "#/components/schemas/User"}, {"type": "null"}]},
      "api_key": {
        "oneOf": [
          {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
          {"type": "null"}
        ]
      },
      "csrf_token": {"type": "string", "description": "Present when the caller used the session cookie."}
    }
  },
  "ApiKey": {
    "type": "object",
    "required": ["id", "name", "prefix", "role", "created_at", "last_used_at"],
    "properties": {
      "id": {"type": "integer"},
      "name": {"type": "string"},
      "prefix": {"type": "string", "description": "The key's first characters, to recognise it."},
      "role": {"$ref": "#/components/schemas/Role"},
      "created_at": {"type": "string", "format": "date-time"},
      "last_used_at": {"type": ["string", "null"], "format": "date-time"}
    }
  },
  "ApiKeyList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/ApiKey"}}}
  },
  "ApiKeyCreateRequest": {
    "type": "object",
    "required": ["name"],
    "additionalProperties": false,
    "properties": {
      "name": {"type": "string", "minLength": 1, "maxLength": 100},
      "role": {"$ref": "#/components/schemas/Role", "default": "admin", "description": "At most the creator's role."}
    }
  },
  "AuditEntry": {
    "type": "object",
    "required": ["id", "actor", "action", "target_type", "target_id", "details", "created_at"],
    "properties": {
      "id": {"type": "integer"},
      "actor": {"type": "string", "description": "\"user:12\", \"api_key:3\", \"cli\" or \"stripe\"."},
      "action": {"type": "string", "description": "user.create, conversation.assign, document.delete, …"},
      "target_type": {"type": "string"},
      "target_id": {"type": "string"},
      "details": {
        "type": "object",
        "description": "What the action changed; its fields depend on the action (never secrets).",
        "additionalProperties": true
      },
      "created_at": {"type": "string", "format": "date-time"}
    }
  },
  "AuditPage": {
    "type": "object",
    "required": ["data", "next_cursor"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}},
      "next_cursor": {"$ref": "#/components/schemas/NextCursor"}
    }
  },

  "PlatformField": {
    "type": "object",
    "description": "One setting a channel of the platform is added with: a field of POST /api/social-accounts.",
    "required": ["key", "flag", "label", "help", "required", "secret", "multiple"],
    "properties": {
      "key": {"type": "string", "description": "The request's field: account_id, access_token or waba_id."},
      "flag": {"type": "string", "description": "The flag of `parley channel add <platform>`, without the dashes."},
      "label": {"type": "string"},
      "help": {"type": "string"},
      "required": {"type": "boolean"},
      "secret": {"type": "boolean", "description": "Never shown back (tokens)."},
      "multiple": {"type": "boolean", "description": "A list of values: a JSON array of strings, one per line in a form, a repeated flag."}
    }
  },
  "PlatformDescription": {
    "type": "object",
    "description": "A platform Parley serves: what its channels are added with, and what it supports.",
    "required": ["name", "display_name", "webhook_path", "fields", "connect_with_meta", "traits"],
    "properties": {
      "name": {"$ref": "#/components/schemas/Platform"},
      "display_name": {"type": "string"},
      "webhook_path": {"type": "string", "description": "Empty for a platform without webhooks (the web chat)."},
      "fields": {"type": "array", "items": {"$ref": "#/components/schemas/PlatformField"}},
      "connect_with_meta": {"type": "boolean", "description": "GET /api/social-accounts/connect/{platform} works."},
      "traits": {
        "type": "object",
        "required": ["max_message_length", "markup", "free_form_window_hours", "human_agent_window_days", "templates",
                     "read_receipts", "typing_indicator", "media", "media_replies"],
        "properties": {
          "max_message_length": {"type": "integer", "description": "Characters (Unicode code points) per message."},
          "markup": {"type": "string", "enum": ["plain", "chat_markers"],
                     "description": "chat_markers: *bold*, _italic_, ~strike~ and ```mono``` are shown as formatting."},
          "free_form_window_hours": {"type": ["integer", "null"], "description": "null: no window."},
          "human_agent_window_days": {"type": ["integer", "null"], "description": "null: no HUMAN_AGENT tag."},
          "templates": {"type": "boolean", "description": "Message templates past the window."},
          "read_receipts": {"type": "boolean"},
          "typing_indicator": {"type": "boolean"},
          "media": {"type": "boolean", "description": "Inbound media is parsed."},
          "media_replies": {"type": "string", "enum": ["none", "upload", "link", "served"],
                            "description": "How a person's file reaches customers: not at all, uploaded by Parley, fetched by the platform through a signed link (which needs PARLEY_PUBLIC_URL), or served by Parley to the customer's own client with links signed at each read (the web chat's widget)."}
        }
      }
    }
  },
  "PlatformList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/PlatformDescription"}}}
  },
  "Channel": {
    "type": "object",
    "description": "A WhatsApp number or Instagram account. The token is never shown, only its last characters.",
    "required": ["id", "public_id", "platform", "account_id", "display_name", "enabled", "access_token_hint", "created_at", "updated_at"],
    "properties": {
      "id": {"type": "integer"},
      "public_id": {"type": "string", "description": "A handle that may be shown outside (webhook URLs, widget tags)."},
      "platform": {"$ref": "#/components/schemas/Platform"},
      "account_id": {"type": "string", "description": "phone_number_id (WhatsApp) or the Instagram account id."},
      "display_name": {"type": ["string", "null"]},
      "enabled": {"type": "boolean"},
      "access_token_hint": {"type": "string", "description": "\"…\" and the token's last 4 characters."},
      "display_phone_number": {"type": ["string", "null"], "description": "WhatsApp only."},
      "verified_name": {"type": ["string", "null"], "description": "WhatsApp only."},
      "waba_id": {"type": ["string", "null"], "description": "WhatsApp only: the WhatsApp Business Account, where templates are."},
      "username": {"type": ["string", "null"], "description": "Instagram's username; Messenger's Page name."},
      "allowed_origins": {"type": "array", "items": {"type": "string"}, "description": "Web chat only: the sites (scheme://host[:port]) whose pages may embed the widget."},
      "script": {"type": "string", "description": "Web chat only: the tag to paste into the site."},
      "webchat_color": {"type": ["string", "null"], "description": "Web chat only: the widget's colour, #rrggbb."},
      "webchat_texts": {"type": "object", "description": "Web chat only: the business's texts by language, over the built-in ones ({\"fr\": {\"greeting\": …}}).", "additionalProperties": {"type": "object", "description": "One language's texts by key (launcher, title, message_label, send, greeting, name_label, email_label, start).", "additionalProperties": {"type": "string"}}},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"}
    }
  },
  "ChannelList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Channel"}}}
  },
  "ChannelCreateRequest": {
    "type": "object",
    "description": "The fields GET /api/platforms lists for the platform: account_id where it has one (a platform without it, such as Telegram, names the account from the token); access_token where it has one (the web chat has none, but a display_name and allowed_origins).",
    "required": ["platform"],
    "additionalProperties": false,
    "properties": {
      "platform": {"$ref": "#/components/schemas/Platform"},
      "account_id": {"type": "string", "pattern": "^[0-9]{1,64}$"},
      "access_token": {"type": "string", "minLength": 1, "maxLength": 4096},
      "display_name": {"type": ["string", "null"], "maxLength": 100},
      "waba_id": {"type": ["string", "null"], "pattern": "^[0-9]{0,64}$", "description": "WhatsApp only."},
      "allowed_origins": {"type": "array", "items": {"type": "string"}, "minItems": 1, "description": "Web chat only: scheme://host[:port], exactly."},
      "webchat_color": {"type": ["string", "null"], "pattern": "^#[0-9a-fA-F]{6}$", "description": "Web chat only."},
      "webchat_texts": {"type": ["object", "null"], "description": "Web chat only: texts by language over the built-in ones.", "additionalProperties": {"type": "object", "description": "One language's texts by key (launcher, title, message_label, send, greeting, name_label, email_label, start).", "additionalProperties": {"type": "string"}}}
    }
  },
  "ChannelUpdateRequest": {
    "type": "object",
    "description": "At least one field.",
    "additionalProperties": false,
    "properties": {
      "access_token": {"type": ["string", "null"], "minLength": 1, "maxLength": 4096},
      "display_name": {"type": ["string", "null"], "maxLength": 100},
      "enabled": {"type": ["boolean", "null"]},
      "waba_id": {"type": ["string", "null"], "pattern": "^[0-9]{0,64}$", "description": "WhatsApp only; empty clears it."},
      "allowed_origins": {"type": "array", "items": {"type": "string"}, "minItems": 1, "description": "Web chat only: replaces the list."},
      "webchat_color": {"type": ["string", "null"], "pattern": "^#[0-9a-fA-F]{6}$", "description": "Web chat only; null restores the default."},
      "webchat_texts": {"type": ["object", "null"], "description": "Web chat only: replaces the overrides; null removes them.", "additionalProperties": {"type": "object", "description": "One language's texts by key (launcher, title, message_label, send, greeting, name_label, email_label, start).", "additionalProperties": {"type": "string"}}}
    }
  },
  "ConnectStart": {
    "type": "object",
    "required": ["platform", "authorization_url", "redirect_uri", "expires_at"],
    "properties": {
      "platform": {"$ref": "#/components/schemas/Platform"},
      "authorization_url": {"type": "string", "format": "uri", "description": "Send the browser here."},
      "redirect_uri": {"type": "string", "format": "uri"},
      "expires_at": {"type": "string", "format": "date-time"}
    }
  },
  "ConnectResult": {
    "type": "object",
    "required": ["platform", "data", "skipped"],
    "properties": {
      "platform": {"$ref": "#/components/schemas/Platform"},
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/Channel"}, "description": "The channels saved."},
      "skipped": {
        "type": "array",
        "items": {
          "type": "object",
          "required": ["account_id", "error"],
          "properties": {"account_id": {"type": "string"}, "error": {"type": "string"}}
        }
      }
    }
  },

  "Plan": {
    "type": "object",
    "required": ["name", "display_name", "monthly_price_cents", "features", "quotas"],
    "properties": {
      "name": {"type": "string"},
      "display_name": {"type": "string"},
      "monthly_price_cents": {"type": "integer"},
      "features": {
        "type": "object",
        "description": "Limits are null when unlimited.",
        "required": ["images", "audio", "max_channels", "max_knowledge_bytes", "max_knowledge_documents"],
        "properties": {
          "images": {"type": "boolean"},
          "audio": {"type": "boolean"},
          "max_channels": {"type": ["integer", "null"]},
          "max_knowledge_bytes": {"type": ["integer", "null"]},
          "max_knowledge_documents": {"type": ["integer", "null"]}
        }
      },
      "quotas": {
        "type": "object",
        "required": ["monthly_ai_replies", "monthly_credits"],
        "properties": {
          "monthly_ai_replies": {"type": ["integer", "null"]},
          "monthly_credits": {"type": ["integer", "null"]}
        }
      }
    }
  },
  "PlanCatalog": {
    "type": "object",
    "required": ["data", "current_plan", "billing_enabled", "checkout_plans"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/Plan"}},
      "current_plan": {"type": "string"},
      "billing_enabled": {"type": "boolean", "description": "Whether tenants pay through Stripe."},
      "checkout_plans": {"type": "array", "items": {"type": "string"}, "description": "Plans POST /api/billing/checkout sells (empty when billing is off or PARLEY_PUBLIC_URL is unset)."}
    }
  },
  "UsageCounts": {
    "type": "object",
    "required": ["ai_replies", "credits", "prompt_tokens", "completion_tokens", "messages_in", "messages_out"],
    "properties": {
      "day": {"type": "string", "format": "date", "description": "The UTC day, on per-day figures."},
      "ai_replies": {"type": "integer"},
      "credits": {"type": "integer"},
      "prompt_tokens": {"type": "integer"},
      "completion_tokens": {"type": "integer"},
      "messages_in": {"type": "integer"},
      "messages_out": {"type": "integer"}
    }
  },
  "DayRange": {
    "type": "object",
    "required": ["from", "to"],
    "properties": {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}
  },
  "MonthlyFigures": {
    "type": "object",
    "description": "null where the plan sets no limit.",
    "required": ["ai_replies", "credits"],
    "properties": {"ai_replies": {"type": ["integer", "null"]}, "credits": {"type": ["integer", "null"]}}
  },
  "Usage": {
    "type": "object",
    "required": ["plan", "range", "days", "month", "quotas", "remaining", "storage"],
    "properties": {
      "plan": {"type": "string"},
      "range": {"$ref": "#/components/schemas/DayRange"},
      "days": {"type": "array", "items": {"$ref": "#/components/schemas/UsageCounts"}, "description": "Days with any use, in the range."},
      "month": {
        "type": "object",
        "required": ["from", "to", "totals"],
        "properties": {
          "from": {"type": "string", "format": "date"},
          "to": {"type": "string", "format": "date"},
          "totals": {"$ref": "#/components/schemas/UsageCounts"}
        }
      },
      "quotas": {"$ref": "#/components/schemas/MonthlyFigures"},
      "remaining": {"$ref": "#/components/schemas/MonthlyFigures"},
      "storage": {
        "type": "object",
        "required": ["media_bytes"],
        "properties": {
          "media_bytes": {"type": "integer", "description": "The customers' media files kept now (originals, as received)."}
        }
      }
    }
  },
  "Subscription": {
    "type": "object",
    "required": ["plan", "status", "current_period_end", "stripe_customer_id", "stripe_subscription_id", "price_id"],
    "properties": {
      "plan": {"type": "string"},
      "status": {"type": "string", "description": "Stripe's subscription status (active, past_due, canceled, …), or none."},
      "current_period_end": {"type": ["string", "null"], "format": "date-time"},
      "stripe_customer_id": {"type": ["string", "null"]},
      "stripe_subscription_id": {"type": ["string", "null"]},
      "price_id": {"type": ["string", "null"]}
    }
  },
  "StripeEvent": {
    "type": "object",
    "description": "An event as Stripe sends it (https://docs.stripe.com/api/events/object); Parley reads the subscription and checkout events and acknowledges the others.",
    "required": ["id", "type"],
    "properties": {"id": {"type": "string"}, "type": {"type": "string"}, "data": {"type": "object", "additionalProperties": true, "description": "Stripe's object for the event."}},
    "additionalProperties": true
  },
  "StripeAck": {
    "type": "object",
    "required": ["received", "handled"],
    "properties": {
      "received": {"type": "boolean"},
      "handled": {"type": "boolean", "description": "false for events Parley does not act on."},
      "outcome": {"type": "string", "description": "What the event did, when handled."}
    }
  },

  "MetaWebhook": {
    "type": "object",
    "description": "A webhook as Meta sends it (WhatsApp Cloud API or Instagram Messaging), signed in X-Hub-Signature-256; its entries' shapes are Meta's.",
    "required": ["object", "entry"],
    "properties": {
      "object": {"type": "string"},
      "entry": {"type": "array", "items": {"type": "object", "additionalProperties": true, "description": "Meta's entry object."}}
    },
    "additionalProperties": true
  },
  "TelegramUpdate": {
    "type": "object",
    "description": "An Update as the Telegram Bot API posts it to a channel's webhook, with the channel's secret in X-Telegram-Bot-Api-Secret-Token; its fields are Telegram's.",
    "required": ["update_id"],
    "properties": {
      "update_id": {"type": "integer"}
    },
    "additionalProperties": true
  },
  "WebhookAck": {
    "type": "object",
    "required": ["stored", "duplicates", "unknown_account"],
    "properties": {
      "stored": {"type": "integer", "description": "Messages stored."},
      "duplicates": {"type": "integer", "description": "Messages already stored (Meta delivers at least once)."},
      "unknown_account": {"type": "integer", "description": "Events for accounts no channel has."},
      "method": {"type": "string", "description": "Telegram: a Bot API method Telegram runs with this answer's other fields as its parameters (answerCallbackQuery with callback_query_id, for a button pressed)."}
    },
    "additionalProperties": true
  },
  "Liveness": {
    "type": "object",
    "required": ["status"],
    "properties": {"status": {"type": "string", "const": "ok"}}
  },
  "Readiness": {
    "type": "object",
    "required": ["status", "role", "uptime_s", "store", "batcher", "http", "pipeline"],
    "properties": {
      "status": {"type": "string", "enum": ["ok", "degraded"], "description": "degraded answers 503."},
      "role": {"type": "string", "enum": ["all", "gateway", "worker"], "description": "PARLEY_ROLE."},
      "uptime_s": {"type": "integer"},
      "store": {
        "type": "object",
        "required": ["ok", "backend", "detail", "pending_writes"],
        "properties": {
          "ok": {"type": "boolean"},
          "backend": {"type": "string"},
          "detail": {"type": "string"},
          "pending_writes": {"type": "integer"}
        }
      },
      "batcher": {
        "type": "object",
        "required": ["waiting_conversations"],
        "properties": {"waiting_conversations": {"type": "integer"}}
      },
      "http": {
        "type": "object",
        "required": ["active_connections"],
        "properties": {"active_connections": {"type": "integer"}}
      },
      "pipeline": {
        "type": "object",
        "description": "Counters since the process started.",
        "required": ["webhooks_received", "webhooks_rejected", "messages_stored", "messages_duplicate",
                     "conversations_processed", "conversations_failed", "conversations_timed_out",
                     "responses_generated", "sends", "replies_in_flight"],
        "properties": {
          "webhooks_received": {"type": "integer"},
          "webhooks_rejected": {"type": "integer"},
          "messages_stored": {"type": "integer"},
          "messages_duplicate": {"type": "integer"},
          "conversations_processed": {"type": "integer"},
          "conversations_failed": {"type": "integer"},
          "conversations_timed_out": {"type": "integer"},
          "responses_generated": {"type": "integer"},
          "sends": {"type": "integer"},
          "replies_in_flight": {"type": "integer"}
        }
      }
    }
  },
  "OpenApiDocument": {
    "type": "object",
    "description": "This document (OpenAPI 3.1); its schema is OpenAPI's own (https://spec.openapis.org/oas/3.1/schema).",
    "required": ["openapi", "info", "paths"],
    "properties": {
      "openapi": {"type": "string"},
      "info": {"type": "object", "additionalProperties": true, "description": "OpenAPI's Info Object."},
      "paths": {"type": "object", "additionalProperties": true, "description": "OpenAPI's Paths Object."}
    },
    "additionalProperties": true
  }
})json";

}  // namespace parley::api
