#pragma once
// The inbound messages of consecutive webhook payloads in the ingest thread's group, written with one statement per
// table (contacts, conversations, messages, events) instead of several round trips per message: the ingest thread
// waits for each statement in turn, so a webhook's cost was mostly its number of round trips. The result is the one
// that applying the messages one by one, by the SQLite backend's rules (sqlite/ingest.cpp), gives. ingest.cpp
// applies the rest of a payload (statuses, deletions, echoes) and calls these inside the group's transaction.

#include "store/postgres/pg.h"
#include "store/postgres/postgres_store.h"
#include "store/store.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::store::postgres {

// A live channel, as the group resolved it.
struct ChannelRoute {
  int64_t id = 0;
  int64_t tenant_id = 0;
  bool enabled = true;  //!< Messages to a disabled channel are stored, not answered.
};

// What one payload of the group has done so far.
struct PayloadProgress {
  IngestOutcome outcome;
  std::vector<int64_t> opened;                       //!< Conversations the payload opened.
  std::vector<std::pair<int64_t, int64_t>> changed;  //!< (tenant, conversation) whose mode it changed.

  // The payload changed the conversation's mode: it gets a conversation.updated unless the payload opened it.
  void NoteChange(int64_t tenant_id, int64_t conversation_id);
  // Appends to `events` one conversation.updated per conversation in `changed`, due once the payload is applied
  // (after the events of its messages).
  void EndEvents(int64_t now_ms, std::vector<NewEvent>& events) const;
};

// A contact to find or add, by (channel, platform id), with the conversation of it looked for.
struct ContactKey {
  ChannelRoute channel;
  std::string_view platform_id;
  std::string_view name;        //!< A new contact's name; an existing one is renamed to it unless it is empty.
  int64_t now_ms = 0;           //!< A new contact's creation.
  std::string_view comment_on;  //!< The conversation: the direct one (empty) or a comment thread's media.
};

struct ContactRow {
  int64_t id = 0;
  std::optional<int64_t> open_conversation;  //!< Its open conversation of the key's comment_on, if any.
};

// The contacts of `keys` (distinct keys; a contact may come with several comment_on), in their order: found, or added
// (with no open conversation), in two statements at most (three when another process adds one of them meanwhile), plus
// one for the renames.
Result<std::vector<ContactRow>> UpsertContacts(Connection& db, const std::vector<ContactKey>& keys);

struct NewConversation {
  ChannelRoute channel;
  int64_t contact_id = 0;
  int64_t now_ms = 0;
  std::string_view comment_on;  //!< Conversation::comment_on.
};

struct OpenedConversation {
  int64_t id = 0;
  bool created = false;  //!< False when another process opened it first.
};

// Opens a conversation for each of `wanted` (distinct (contact, comment_on) that had none at their look-up), in order.
// kUnavailable when one was opened and closed again by another process meanwhile (the payload is retried).
Result<std::vector<OpenedConversation>> OpenConversations(Connection& db, const std::vector<NewConversation>& wanted);

// One inbound message of the batch, with its payload's progress.
struct InboundRow {
  const InboundItem* item = nullptr;
  ChannelRoute channel;
  Platform platform;
  int64_t received_at_ms = 0;
  PayloadProgress* payload = nullptr;
  bool ends_payload = false;  //!< Its payload's last item: the payload's conversation.updated events follow it.
};

// Writes `rows` in order, as applying them one at a time would: a contact added or renamed, a conversation opened
// (with conversation.created) unless the message is a retry of one stored already, the message stored once
// (message.created; a duplicate counted as such), a people's hold run out ended (conversation.updated at the
// payload's end) and the conversation's pending state and counters moved, each payload's outcome filled in. The
// conversations are locked (in id order) from their read to their write. An error leaves the caller's transaction to
// be rolled back: kUnavailable when a conversation was closed meanwhile, the statement's error otherwise.
Result<void> WriteInbound(Connection& db, EventNotes& notes, const std::vector<InboundRow>& rows);

}  // namespace parley::store::postgres
