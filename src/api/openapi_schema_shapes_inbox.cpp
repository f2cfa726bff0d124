#include "api/openapi_schema_shapes.h"

namespace parley::api {

// The inbox's shapes: errors, conversations, messages, templates, notes, canned replies, live events and the agent's
// answers.
extern const std::string_view kInboxSchemaShapes = R"json({
  "Error": {
    "type": "object",
    "description": "Every error answer: a stable code for programs and a message for people.",
    "required": ["error"],
    "properties": {
      "error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
          "code": {"$ref": "#/components/schemas/ErrorCode"},
          "message": {"type": "string"}
        }
      }
    }
  },
  "Deleted": {
    "type": "object",
    "required": ["deleted", "id"],
    "properties": {"deleted": {"type": "boolean", "const": true}, "id": {"type": "integer"}}
  },

  "Contact": {
    "type": "object",
    "required": ["platform_id", "name"],
    "properties": {
      "platform_id": {"type": "string", "description": "The customer's id on the platform (WhatsApp number, Instagram-scoped id)."},
      "name": {"type": ["string", "null"], "description": "The profile name the platform gave, if any."}
    }
  },
  "Conversation": {
    "type": "object",
    "required": ["id", "platform", "channel_id", "contact", "status", "mode", "handoff_reason", "human_until",
                 "assignee_id", "created_at", "last_message_at", "window_closes_at", "comment_on"],
    "properties": {
      "id": {"type": "integer"},
      "platform": {"$ref": "#/components/schemas/Platform"},
      "channel_id": {"type": "integer"},
      "contact": {"$ref": "#/components/schemas/Contact"},
      "status": {"$ref": "#/components/schemas/ConversationStatus"},
      "mode": {"$ref": "#/components/schemas/ConversationMode"},
      "handoff_reason": {"type": ["string", "null"], "description": "Why people hold the conversation: a reason code, or \"manual\"."},
      "human_until": {"type": ["string", "null"], "format": "date-time", "description": "When an idle person hands the conversation back to the bot."},
      "assignee_id": {"type": ["integer", "null"], "description": "The user in charge."},
      "created_at": {"type": "string", "format": "date-time"},
      "last_message_at": {"type": "string", "format": "date-time"},
      "window_closes_at": {
        "type": ["string", "null"],
        "format": "date-time",
        "description": "Until then (24 hours after the customer's last message) free-form replies reach the customer; past it WhatsApp takes only templates, and Instagram a person's reply tagged HUMAN_AGENT for 6 more days. null before the customer has written."
      },
      "comment_on": {
        "type": ["string", "null"],
        "description": "A comment thread: the id of the media (Instagram post, reel, live video) the contact's comments in it were written on; its messages have type comment and are answered under the comment or privately (AI settings' comment_replies). null for a direct conversation."
      }
    }
  },
  "ConversationPage": {
    "type": "object",
    "required": ["data", "next_cursor"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/ConversationSummary"}},
      "next_cursor": {"$ref": "#/components/schemas/NextCursor"}
    }
  },
  "NextCursor": {
    "type": ["string", "null"],
    "description": "Pass as ?cursor= for the next page; null on the last page."
  },
  "MessageError": {
    "type": "object",
    "description": "Why the platform refused or could not show the message.",
    "required": ["code", "title", "detail"],
    "properties": {"code": {"type": "integer"}, "title": {"type": "string"}, "detail": {"type": "string"}}
  },
  "Media": {
    "type": "object",
    "description": "A customer's photo, voice note, video, document or sticker, or a file a person sent (docs/media.md). The thread (GET /api/conversations/{id}/messages), the event stream and tenants' webhooks give every field, with links signed when the thread is read or the event sent; exports give the message as stored (the platform's id, mime_type, sha256, filename).",
    "properties": {
      "mime_type": {"type": ["string", "null"], "description": "Sniffed from the bytes once fetched; null before."},
      "bytes": {"type": ["integer", "null"], "description": "The file's size; null until fetched."},
      "url": {"type": ["string", "null"], "description": "A signed link, valid PARLEY_MEDIA_URL_TTL_HOURS, that serves the file without a session (GET /api/media/{id}); null unless ready. For Instagram and Messenger, whose files Parley reads but never keeps, the platform's own link, from the start and whatever reading it came to."},
      "thumbnail_url": {"type": ["string", "null"], "description": "Images Parley keeps: a signed link to a thumbnail (JPEG, at most 256 px)."},
      "transcript": {"type": ["string", "null"], "description": "Voice notes: what was said; null while not known."},
      "ocr_text": {"type": ["string", "null"], "description": "Images: the text in the picture; PDF documents: their text (the first 20,000 bytes); null while not known."},
      "status": {"type": "string", "enum": ["pending", "ready", "failed", "refused"]},
      "error": {"type": ["string", "null"], "description": "Why it failed or was refused (too large, a type the message cannot carry, …)."},
      "filename": {"type": "string", "description": "Documents: the name the file had."},
      "voice": {"type": "boolean", "description": "WhatsApp: a voice note recorded in the app."}
    }
  },
  "Location": {
    "type": "object",
    "required": ["latitude", "longitude"],
    "properties": {
      "latitude": {"type": "number"},
      "longitude": {"type": "number"},
      "name": {"type": "string"},
      "address": {"type": "string"},
      "url": {"type": "string"}
    }
  },
  "Message": {
    "type": "object",
    "description": "One message of a thread. The type-specific fields (media, location, …) appear only on messages of that type.",
    "required": ["id", "conversation_id", "direction", "type", "text", "platform_message_id", "status", "created_at", "error"],
    "properties": {
      "id": {"type": "integer"},
      "conversation_id": {"type": "integer"},
      "direction": {"type": "string", "enum": ["in", "out"]},
      "type": {"$ref": "#/components/schemas/MessageType"},
      "text": {"type": ["string", "null"]},
      "platform_message_id": {"type": ["string", "null"]},
      "status": {"$ref": "#/components/schemas/MessageStatus"},
      "created_at": {"type": "string", "format": "date-time"},
      "sent_at": {"type": "string", "format": "date-time", "description": "The platform's time of the message."},
      "error": {"oneOf": [{"$ref": "#/components/schemas/MessageError"}, {"type": "null"}]},
      "media": {"$ref": "#/components/schemas/Media"},
      "location": {"$ref": "#/components/schemas/Location"},
      "contacts": {
        "type": "array",
        "description": "Contact cards as the platform sent them (WhatsApp's contacts objects, passed through).",
        "items": {"type": "object", "additionalProperties": true, "description": "A WhatsApp contact card (name, phones, emails, …), as WhatsApp sent it."}
      },
      "interactive": {
        "type": "object",
        "required": ["kind"],
        "properties": {
          "kind": {"type": "string"},
          "id": {"type": "string"},
          "title": {"type": "string"},
          "description": {"type": "string"}
        }
      },
      "reaction": {
        "type": "object",
        "required": ["message_id", "emoji"],
        "properties": {"message_id": {"type": "string"}, "emoji": {"type": "string"}}
      },
      "referral": {
        "type": "object",
        "description": "The ad or post the customer came from.",
        "properties": {
          "source_type": {"type": "string"},
          "source_id": {"type": "string"},
          "source_url": {"type": "string"},
          "headline": {"type": "string"},
          "body": {"type": "string"},
          "ctwa_clid": {"type": "string"},
          "ref": {"type": "string"}
        }
      },
      "reply_to": {"type": "string", "description": "The platform id of the message this one answers; on a comment, the comment it replies to (its parent); on a reply to a comment, the comment answered."},
      "comment": {
        "type": "object",
        "description": "A public comment (type comment; its platform_message_id is the comment's id): what it was written on.",
        "required": ["media_id"],
        "properties": {
          "media_id": {"type": "string", "description": "The post, reel, story, ad or live video commented on."},
          "media_product_type": {"type": "string", "description": "As Instagram names it: FEED, REELS, STORY, AD, LIVE."},
          "ad_id": {"type": "string", "description": "The ad, when commented on a boosted post."},
          "live": {"type": "boolean", "description": "Written during a live broadcast."},
          "hidden": {"type": "boolean", "description": "Hidden from everyone but its author from the inbox."}
        }
      },
      "comment_reply": {"type": "string", "enum": ["public", "private"], "description": "A reply to the comment reply_to: under it for everyone, or in one private message to its author."},
      "story_id": {"type": "string"},
      "story_url": {"type": "string"},
      "forwarded": {"type": "boolean"},
      "platform_notice": {"type": "boolean"},
      "sent_by": {"type": "string", "description": "\"person\" on a reply written by one of the business's people."},
      "author": {"type": "string", "description": "Who wrote a person's reply: \"user:12\" or \"api_key:3\"."},
      "human_agent": {"type": "boolean", "description": "Sent with Instagram's HUMAN_AGENT tag (past 24 hours)."},
      "template": {"$ref": "#/components/schemas/SentTemplate"}
    }
  },
  "MessagePage": {
    "type": "object",
    "required": ["data", "next_cursor"],
    "properties": {
      "data": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
      "next_cursor": {"$ref": "#/components/schemas/NextCursor"}
    }
  },
  "SentTemplate": {
    "type": "object",
    "description": "The WhatsApp template a person's reply was sent as.",
    "required": ["name", "language", "parameters"],
    "properties": {
      "name": {"type": "string"},
      "language": {"type": "string"},
      "parameters": {"type": "array", "items": {"type": "string"}},
      "parameter_names": {"type": "array", "items": {"type": "string"}, "description": "For templates with named parameters."}
    }
  },
  "MessageTemplate": {
    "type": "object",
    "description": "An approved WhatsApp message template of the channel's WhatsApp Business Account.",
    "required": ["id", "name", "language", "status", "category", "parameter_format", "header", "body", "footer",
                 "buttons", "placeholders", "parameter_count", "sendable", "unsupported_reason"],
    "properties": {
      "id": {"type": "string"},
      "name": {"type": "string"},
      "language": {"type": "string", "description": "As WhatsApp names it (en_US)."},
      "status": {"type": "string"},
      "category": {"type": "string", "description": "MARKETING, UTILITY or AUTHENTICATION."},
      "parameter_format": {"type": "string", "enum": ["NAMED", "POSITIONAL"]},
      "header": {
        "oneOf": [
          {
            "type": "object",
            "required": ["format", "text"],
            "properties": {"format": {"type": "string"}, "text": {"type": ["string", "null"]}}
          },
          {"type": "null"}
        ]
      },
      "body": {"type": "string"},
      "footer": {"type": ["string", "null"]},
      "buttons": {
        "type": "array",
        "items": {
          "type": "object",
          "required": ["type", "text"],
          "properties": {"type": {"type": "string"}, "text": {"type": "string"}, "url": {"type": "string"}}
        }
      },
      "placeholders": {"type": "array", "items": {"type": "string"}},
      "parameter_count": {"type": "integer"},
      "sendable": {"type": "boolean", "description": "Whether Parley can send it (text parameters only)."},
      "unsupported_reason": {"type": ["string", "null"]}
    }
  },
  "MessageTemplateList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/MessageTemplate"}}}
  },
  "ReplyRequest": {
    "type": "object",
    "description": "Either text, or (WhatsApp, past the 24-hour window) an approved template with its parameters.",
    "additionalProperties": false,
    "properties": {
      "text": {"type": "string", "minLength": 1, "description": "At most the platform's length (4096 characters on WhatsApp, 1000 on Instagram)."},
      "template": {
        "type": "object",
        "required": ["name", "language"],
        "additionalProperties": false,
        "properties": {
          "name": {"type": "string", "minLength": 1},
          "language": {"type": "string", "minLength": 1, "description": "The template's language code as listed (\"en_US\")."},
          "parameters": {"type": ["array", "null"], "items": {"type": "string"}, "description": "One per placeholder, in order."}
        }
      }
    }
  },
  "ReplyFileUpload": {
    "type": "object",
    "description": "A person's file (docs/media.md, \"Media in replies\"). Its type is sniffed from its bytes, never taken from the upload: a picture (JPEG, PNG, GIF, WebP) is sent as an image, a recording as audio, MP4 or 3GP as video, anything else recognised (PDF, Office, text) as a document. Limits: image 5 MB, audio and video 16 MB, document 100 MB (and PARLEY_MAX_UPLOAD_BYTES); refused with 413 or 415 and the reason, nothing sent. WhatsApp and Telegram receive the file from Parley; Instagram and Messenger fetch it through a signed link, which needs PARLEY_PUBLIC_URL (400 without it); the web chat takes no files (400).",
    "required": ["file"],
    "properties": {
      "file": {"type": "string", "contentMediaType": "application/octet-stream", "description": "The file, with its file name (which a document shows)."},
      "text": {"type": "string", "description": "The caption (optional), at most the platform's text length and 1024 characters. Instagram and Messenger get it as a text message after the file."}
    }
  },
  "QueuedReply": {
    "type": "object",
    "description": "The person's reply, stored and queued for sending; its delivery shows on the thread's message.",
    "required": ["id", "conversation_id", "direction", "type", "text", "status", "sent_by"],
    "properties": {
      "id": {"type": "integer"},
      "conversation_id": {"type": "integer"},
      "direction": {"type": "string", "const": "out"},
      "type": {"type": "string", "enum": ["text", "image", "audio", "video", "document"], "description": "text, or the file's type."},
      "text": {"type": "string", "description": "The text, or the file's caption (may be empty)."},
      "status": {"type": "string", "const": "queued"},
      "sent_by": {"type": "string", "description": "\"user:12\" or \"api_key:3\"."},
      "template": {"$ref": "#/components/schemas/SentTemplate"},
      "media": {"$ref": "#/components/schemas/Media"}
    }
  },
  "AssignRequest": {
    "type": "object",
    "required": ["user_id"],
    "properties": {"user_id": {"type": ["integer", "null"], "description": "The user to put in charge; null unassigns."}}
  },
  "ModeRequest": {
    "type": "object",
    "required": ["mode"],
    "properties": {"mode": {"$ref": "#/components/schemas/ConversationMode"}}
  },
  "Trace": {
    "type": "object",
    "required": ["id", "message_id", "decision", "reason", "detail", "created_at"],
    "properties": {
      "id": {"type": "integer"},
      "message_id": {"type": ["integer", "null"], "description": "The reply sent, if one was."},
      "decision": {"$ref": "#/components/schemas/Decision"},
      "reason": {"$ref": "#/components/schemas/Reason"},
      "detail": {
        "description": "The agent's whole answer, or the stages that stopped the burst before the agent (the plan's gate); null when unreadable.",
        "oneOf": [
          {"$ref": "#/components/schemas/AgentAnswer"},
          {"type": "array", "items": {"$ref": "#/components/schemas/TraceStage"}},
          {"type": "null"}
        ]
      },
      "created_at": {"type": "string", "format": "date-time"}
    }
  },
  "TraceList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Trace"}}}
  },
  "ResolveRequest": {
    "type": "object",
    "description": "The body may also be empty.",
    "properties": {"hand_back": {"type": "boolean", "description": "Also return the conversation to the bot."}}
  },

  "MessagePreview": {
    "type": "object",
    "required": ["id", "text", "type", "direction", "created_at"],
    "properties": {
      "id": {"type": "integer"},
      "text": {"type": "string", "description": "The start of its text (empty for media)."},
      "type": {"$ref": "#/components/schemas/MessageType"},
      "direction": {"type": "string", "enum": ["in", "out"]},
      "created_at": {"type": "string", "format": "date-time"}
    }
  },
  "ReadSummary": {
    "type": "object",
    "required": ["conversation_id", "unread_count", "last_message"],
    "properties": {
      "conversation_id": {"type": "integer"},
      "unread_count": {"type": "integer", "minimum": 0},
      "last_message": {"oneOf": [{"$ref": "#/components/schemas/MessagePreview"}, {"type": "null"}]}
    }
  },
  "NoteRequest": {
    "type": "object",
    "required": ["text"],
    "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 4096}}
  },
  "SaveAsQaRequest": {
    "type": "object",
    "required": ["question"],
    "properties": {"question": {"type": "string", "minLength": 1, "description": "The customer's question the reply answers."}}
  },
  "CannedReply": {
    "type": "object",
    "required": ["id", "shortcut", "text", "created_at", "updated_at"],
    "properties": {
      "id": {"type": "integer"},
      "shortcut": {"type": "string", "description": "Lower case, without the leading /."},
      "text": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string", "format": "date-time"}
    }
  },
  "CannedReplyList": {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/CannedReply"}}}
  },
  "CannedReplyRequest": {
    "type": "object",
    "required": ["shortcut", "text"],
    "properties": {
      "shortcut": {"type": "string", "minLength": 1, "description": "Typed after / in the composer; case and a leading / do not matter."},
      "text": {"type": "string", "minLength": 1}
    }
  },

  "Event": {
    "description": "One event of GET /api/events, the data: line of a server-sent event. Ids increase per tenant; the type says what data holds.",
    "oneOf": [
      {"$ref": "#/components/schemas/MessageCreatedEvent"},
      {"$ref": "#/components/schemas/MessageUpdatedEvent"},
      {"$ref": "#/components/schemas/ConversationEvent"},
      {"$ref": "#/components/schemas/ConversationDeletedEvent"},
      {"$ref": "#/components/schemas/SupportEvent"},
      {"$ref": "#/components/schemas/DocumentProgressEvent"},
      {"$ref": "#/components/schemas/StreamResetEvent"}
    ]
  },
  "MessageCreatedEvent": {
    "type": "object",
    "required": ["id", "type", "created_at", "data"],
    "properties": {
      "id": {"type": "integer"},
      "type": {"type": "string", "const": "message.created"},
      "created_at": {"type": "string", "format": "date-time"},
      "data": {
        "type": "object",
        "required": ["conversation_id", "message"],
        "properties": {"conversation_id": {"type": "integer"}, "message": {"$ref": "#/components/schemas/Message"}}
      }
    }
  },
  "MessageUpdatedEvent": {
    "type": "object",
    "required": ["id", "type", "created_at", "data"],
    "properties": {
      "id": {"type": "integer"},
      "type": {"type": "string", "const": "message.updated"},
      "created_at": {"type": "string", "format": "date-time"},
      "data": {
        "type": "object",
        "description": "A delivery tick: the status the message moved to, and the platform's error when it failed; or, with media_status, the message's media file was kept or given up on, and media is its media object as it now is (thumbnail, transcript, text read); or, with comment_hidden, a person hid a customer's comment or showed it again (its comment.hidden now).",
        "required": ["conversation_id", "message_id", "status", "error"],
        "properties": {
          "conversation_id": {"type": "integer"},
          "message_id": {"type": "integer"},
          "status": {"$ref": "#/components/schemas/MessageStatus"},
          "error": {"oneOf": [{"$ref": "#/components/schemas/MessageError"}, {"type": "null"}]},
          "media_status": {"type": "string", "enum": ["ready", "failed"]},
          "media": {"$ref": "#/components/schemas/Media"},
          "comment_hidden": {"type": "boolean"}
        }
      }
    }
  },
  "ConversationEvent": {
    "type": "object",
    "required": ["id", "type", "created_at", "data"],
    "properties": {
      "id": {"type": "integer"},
      "type": {"type": "string", "enum": ["conversation.created", "conversation.updated"]},
      "created_at": {"type": "string", "format": "date-time"},
      "data": {
        "type": "object",
        "required": ["conversation"],
        "properties": {"conversation": {"$ref": "#/components/schemas/Conversation"}}
      }
    }
  },
  "ConversationDeletedEvent": {
    "type": "object",
    "required": ["id", "type", "created_at", "data"],
    "properties": {
      "id": {"type": "integer"},
      "type": {"type": "string", "const": "conversation.deleted"},
      "created_at": {"type": "string", "format": "date-time"},
      "data": {
        "type": "object",
        "description": "The conversation was erased with its contact (DELETE /api/contacts/{id}): drop it from every view.",
        "required": ["conversation_id"],
        "properties": {"conversation_id": {"type": "integer"}}
      }
    }
  },
  "SupportEvent": {
    "type": "object",
    "required": ["id", "type", "created_at", "data"],
    "properties": {
      "id": {"type": "integer"},
      "type": {"type": "string", "enum": ["support.opened", "support.resolved"]},
      "created_at": {"type": "string", "format": "date-time"},
      "data": {"$ref": "#/components/schemas/SupportItem"}
    }
  },
  "DocumentProgressEvent": {
    "type": "object",
    "required": ["id", "type", "created_at", "data"],
    "properties": {
      "id": {"type": "integer"},
      "type": {"type": "string", "const": "document.progress"},
      "created_at": {"type": "string", "format": "date-time"},
      "data": {
        "type": "object",
        "required": ["document_id", "status", "progress", "error"],
        "properties": {
          "document_id": {"type": "integer"},
          "status": {"$ref": "#/components/schemas/DocumentStatus"},
          "progress": {"type": "number", "minimum": 0, "maximum": 1},
          "chunks": {"type": "integer", "description": "When ready."},
          "error": {"type": ["string", "null"]}
        }
      }
    }
  },
  "StreamResetEvent": {
    "type": "object",
    "description": "The events after the client's Last-Event-ID are no longer kept: refetch everything, then carry on from this id.",
    "required": ["id", "type"],
    "properties": {"id": {"type": "integer"}, "type": {"type": "string", "const": "stream.reset"}}
  },

  "Source": {
    "type": "object",
    "required": ["document_id", "name", "chunk_id", "text", "score"],
    "properties": {
      "document_id": {"type": "integer"},
      "name": {"type": "string"},
      "chunk_id": {"type": "integer"},
      "text": {"type": "string"},
      "score": {"type": "number"}
    }
  },
  "Draft": {
    "type": "object",
    "description": "A reply the agent proposes to a person, to send or edit.",
    "required": ["text", "sources"],
    "properties": {
      "text": {"type": "string"},
      "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}
    }
  },
  "TraceStage": {
    "type": "object",
    "description": "One stage of the agent's pipeline: its name, its time and what it found. The other fields depend on the stage (triage's labels, retrieval's candidates and scores, …) and change as stages improve: read them, do not rely on them.",
    "required": ["stage"],
    "properties": {
      "stage": {"type": "string", "description": "triage, faq, retrieve, generate, validate, billing, …"},
      "us": {"type": "integer", "description": "Microseconds the stage took."}
    },
    "additionalProperties": true
  },
  "AgentAnswer": {
    "type": "object",
    "required": ["decision", "reason", "priority", "language", "answer", "parts", "sources", "usage", "trace", "draft"],
    "properties": {
      "decision": {"$ref": "#/components/schemas/Decision"},
      "reason": {"$ref": "#/components/schemas/Reason"},
      "priority": {"$ref": "#/components/schemas/Priority"},
      "language": {"type": "string", "description": "ISO 639-1 code of the customer's language."},
      "answer": {"type": "string", "description": "What the customer is sent (empty when nothing is)."},
      "parts": {"type": "array", "items": {"type": "string"}, "description": "The answer split into the messages sent."},
      "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}},
      "usage": {
        "type": "object",
        "required": ["prompt_tokens", "completion_tokens"],
        "properties": {"prompt_tokens": {"type": "integer"}, "completion_tokens": {"type": "integer"}}
      },
      "trace": {"type": "array", "items": {"$ref": "#/components/schemas/TraceStage"}},
      "draft": {"oneOf": [{"$ref": "#/components/schemas/Draft"}, {"type": "null"}]}
    }
  },
  "PlaygroundRequest": {
    "type": "object",
    "required": ["question"],
    "properties": {
      "question": {"type": "string", "minLength": 1, "maxLength": 4096},
      "platform": {"$ref": "#/components/schemas/Platform"},
      "history": {
        "type": "array",
        "description": "The conversation so far, oldest first.",
        "items": {
          "type": "object",
          "required": ["role"],
          "properties": {
            "role": {"type": "string", "enum": ["user", "assistant"]},
            "text": {"type": "string"},
            "content": {"type": "string", "description": "Read when text is absent."}
          }
        }
      }
    }
  }
})json";

}  // namespace parley::api
