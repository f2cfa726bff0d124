#pragma once
// What the dashboard's inbox keeps beside the conversations themselves (store/store.h lists and changes those):
// the team's read marker per conversation and the unread counts it gives, the preview of each conversation's last
// message, private notes, and the tenant's canned replies. Reached through Store::inbox(); thread-safe and
// blocking like Store. Every call is scoped by the tenant: another tenant's ids are kNotFound.

#include "core/error.h"
#include "core/message.h"
#include "store/store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

// The last message of a conversation as the inbox list shows it. Notes, reactions and unsent messages are left out:
// the preview is what was said between the business and the customer.
struct MessagePreview {
  int64_t id = 0;
  Direction direction = Direction::kIn;
  MessageType type = MessageType::kText;
  std::string text;  //!< At most kPreviewCodePoints characters; empty for media without a caption.
  int64_t created_at_ms = 0;
};
inline constexpr size_t kPreviewCodePoints = 120;

struct ConversationSummary {
  int64_t conversation_id = 0;
  // Customer messages after the team's read marker (reactions and unsent messages left out).
  int64_t unread_count = 0;
  std::optional<MessagePreview> last_message;
};

// A reply people keep ready, inserted by its shortcut.
struct CannedReply {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string shortcut;  //!< Lower case letters, digits, '-' and '_', 1 to 32; unique per tenant.
  std::string text;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};
inline constexpr int kMaxCannedReplies = 1000;  //!< Per tenant: the picker lists them all.
inline constexpr size_t kMaxCannedReplyBytes = 4096;
inline constexpr size_t kMaxNoteBytes = 4096;

class InboxStore {
 public:
  virtual ~InboxStore() = default;

  // The summaries of the tenant's conversations among `conversation_ids`, in that order; ids that are not the
  // tenant's are left out.
  virtual Result<std::vector<ConversationSummary>> Summaries(int64_t tenant_id,
                                                             const std::vector<int64_t>& conversation_ids) = 0;
  // Moves the team's read marker to the conversation's newest message: its unread count drops to 0.
  virtual Result<ConversationSummary> MarkRead(int64_t tenant_id, int64_t conversation_id, int64_t now_ms) = 0;

  // A private note in the thread by `author` ("user:12", "api_key:3"; `author_user_id` for a person): a message of
  // type kNote, direction out, that is never sent, never in the agent's history (RecentMessages), and does not
  // count as the conversation's activity; its details hold "author" and "author_user_id". It moves the read marker
  // too (whoever writes it has read the thread). kNotFound; kInvalidArgument when `text` is empty or longer than
  // kMaxNoteBytes.
  virtual Result<StoredMessage> AddNote(int64_t tenant_id, int64_t conversation_id, const std::string& text,
                                        const std::string& author, std::optional<int64_t> author_user_id,
                                        int64_t now_ms) = 0;
  // One message of the conversation; kNotFound when either is not the tenant's.
  virtual Result<StoredMessage> GetMessage(int64_t tenant_id, int64_t conversation_id, int64_t message_id) = 0;

  // What a person did on the platform to a customer's public comment (a kComment message): hid it from everyone but
  // its author (its details' comment.hidden true), showed it again (false), or deleted it (status deleted). Returns
  // the message as it now is, told to the dashboard by a message.updated event. kNotFound when the message is not an
  // inbound comment of the tenant's conversation.
  enum class CommentChange { kHidden, kShown, kDeleted };
  virtual Result<StoredMessage> RecordCommentChange(int64_t tenant_id, int64_t conversation_id, int64_t message_id,
                                                    CommentChange change, int64_t now_ms) = 0;

  // Canned replies by shortcut; `prefix` (lower-cased by the caller) narrows them to the shortcuts starting with it.
  virtual Result<std::vector<CannedReply>> ListCannedReplies(int64_t tenant_id, const std::string& prefix) = 0;
  // kConflict when the shortcut is taken or the tenant has kMaxCannedReplies; kInvalidArgument for a shortcut or
  // text out of bounds.
  virtual Result<CannedReply> CreateCannedReply(int64_t tenant_id, const std::string& shortcut, const std::string& text,
                                                int64_t now_ms) = 0;
  virtual Result<CannedReply> UpdateCannedReply(int64_t tenant_id, int64_t id, const std::string& shortcut,
                                                const std::string& text, int64_t now_ms) = 0;
  virtual Result<void> DeleteCannedReply(int64_t tenant_id, int64_t id) = 0;

  // Search (ConversationFilter::text) finds a message once the store has indexed it: SQLite indexes in the
  // background, well under a second after the write; PostgreSQL in the write's own transaction. This indexes every
  // message written so far before returning (at once on PostgreSQL): for tests and benchmarks that search right
  // after writing.
  virtual Result<void> FlushSearchIndex() = 0;
};

// Whether `shortcut` is a valid canned reply shortcut (see CannedReply::shortcut).
inline bool ValidShortcut(std::string_view shortcut) {
  if (shortcut.empty() || shortcut.size() > 32) return false;
  for (char ch : shortcut) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) return false;
  }
  return true;
}

// kInvalidArgument unless `shortcut` is ValidShortcut and `text` 1 to kMaxCannedReplyBytes bytes: what every backend
// checks before storing a canned reply.
inline Result<void> ValidateCannedReply(const std::string& shortcut, const std::string& text) {
  if (!ValidShortcut(shortcut)) {
    return Error::InvalidArgument("shortcut must be 1 to 32 lower-case letters, digits, '-' or '_'");
  }
  if (text.empty() || text.size() > kMaxCannedReplyBytes) {
    return Error::InvalidArgument("text must be 1 to " + std::to_string(kMaxCannedReplyBytes) + " bytes");
  }
  return Ok();
}

}  // namespace parley::store
