// The inbox's read markers, notes and canned replies on SQLite (migration 0017).

#include "store/sqlite/inbox_store.h"

#include "core/json.h"
#include "store/sqlite/db.h"
#include "store/sqlite/event_log.h"
#include "store/sqlite/inbox_search.h"
#include "store/sqlite/message_row.h"
#include "store/sqlite/search_indexer.h"
#include "store/sqlite/sqlite_store.h"

namespace parley::store::sqlite {
namespace {

// ?1 tenant, ?2 a JSON array of conversation ids. The preview is the newest message that is not a note, a reaction
// or unsent; unread are the customer's messages after the read marker.
constexpr char kSummaries[] =
    "SELECT c.id,"
    " (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.id > c.read_through_id"
    "  AND m.direction = 'in' AND m.type <> 'reaction' AND m.status <> 'deleted'),"
    " l.id, l.direction, l.type, substr(COALESCE(l.text, ''), 1, 120), l.created_at"
    " FROM json_each(?2) j JOIN conversations c ON c.id = j.value AND c.tenant_id = ?1"
    " LEFT JOIN messages l ON l.id = (SELECT m.id FROM messages m WHERE m.conversation_id = c.id"
    "  AND m.type <> 'note' AND m.type <> 'reaction' AND m.status <> 'deleted' ORDER BY m.id DESC LIMIT 1)"
    " ORDER BY j.key";
constexpr char kMarkRead[] =
    "UPDATE conversations SET read_at = ?3, read_through_id = MAX(read_through_id,"
    " (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = ?1)) WHERE id = ?1 AND tenant_id = ?2";
constexpr char kChannelOfConversation[] = "SELECT channel_id FROM conversations WHERE id = ?1 AND tenant_id = ?2";
constexpr char kInsertNote[] =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, created_at, answerable, details) VALUES (?1, ?2, ?3, 'out', 'note', ?4, '', 'sent', ?5, 0, ?6)"
    " RETURNING id";
#define MESSAGE_COLUMNS                                                                                  \
  "m.id, m.conversation_id, m.direction, m.type, m.text, m.platform_message_id, m.status, m.error_code," \
  " m.error_title, m.error_detail, m.platform_timestamp, m.created_at, m.details"
// ?1 message, ?2 conversation, ?3 tenant; ?4 'true' or 'false'.
constexpr char kSetCommentHidden[] =
    "UPDATE messages SET details = json_set(COALESCE(details, '{}'), '$.comment.hidden', json(?4))"
    " WHERE id = ?1 AND conversation_id = ?2 AND tenant_id = ?3 AND type = 'comment' AND direction = 'in'";
constexpr char kDeleteComment[] =
    "UPDATE messages SET status = 'deleted'"
    " WHERE id = ?1 AND conversation_id = ?2 AND tenant_id = ?3 AND type = 'comment' AND direction = 'in'";
constexpr char kMessageOfTenant[] = "SELECT " MESSAGE_COLUMNS
                                    " FROM messages m JOIN conversations c ON c.id = m.conversation_id"
                                    " WHERE m.id = ?1 AND m.conversation_id = ?2 AND c.tenant_id = ?3";

#define CANNED_COLUMNS "id, tenant_id, shortcut, text, created_at, updated_at"
constexpr char kCannedReplies[] = "SELECT " CANNED_COLUMNS
                                  " FROM canned_replies WHERE tenant_id = ?1"
                                  " AND substr(shortcut, 1, length(?2)) = ?2 ORDER BY shortcut";
constexpr char kCountCannedReplies[] = "SELECT COUNT(*) FROM canned_replies WHERE tenant_id = ?1";
constexpr char kShortcutTaken[] = "SELECT 1 FROM canned_replies WHERE tenant_id = ?1 AND shortcut = ?2 AND id <> ?3";
constexpr char kInsertCannedReply[] =
    "INSERT INTO canned_replies (tenant_id, shortcut, text, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)"
    " RETURNING " CANNED_COLUMNS;
constexpr char kUpdateCannedReply[] =
    "UPDATE canned_replies SET shortcut = ?3, text = ?4, updated_at = ?5"
    " WHERE id = ?1 AND tenant_id = ?2 RETURNING " CANNED_COLUMNS;
constexpr char kDeleteCannedReply[] = "DELETE FROM canned_replies WHERE id = ?1 AND tenant_id = ?2";

ConversationSummary ReadSummary(const Statement& row) {
  ConversationSummary summary;
  summary.conversation_id = row.Int(0);
  summary.unread_count = row.Int(1);
  if (!row.IsNull(2)) {
    MessagePreview preview;
    preview.id = row.Int(2);
    preview.direction = row.Text(3) == "out" ? Direction::kOut : Direction::kIn;
    preview.type = ParseMessageType(row.Text(4)).value_or(MessageType::kUnsupported);
    preview.text = row.String(5);
    preview.created_at_ms = row.Int(6);
    summary.last_message = std::move(preview);
  }
  return summary;
}

CannedReply ReadCannedReply(const Statement& row) {
  return {row.Int(0), row.Int(1), row.String(2), row.String(3), row.Int(4), row.Int(5)};
}

Result<std::vector<ConversationSummary>> LoadSummaries(Database& db, int64_t tenant_id,
                                                       const std::vector<int64_t>& conversation_ids) {
  std::vector<ConversationSummary> summaries;
  if (conversation_ids.empty()) return summaries;
  const std::string ids = JsonIds(conversation_ids);
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSummaries));
  select.Bind(1, tenant_id).Bind(2, ids);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    summaries.push_back(ReadSummary(select));
  }
  return summaries;
}

Result<void> CheckShortcutFree(Database& db, int64_t tenant_id, const std::string& shortcut, int64_t id) {
  STORE_ASSIGN_OR_RETURN(auto taken, db.Prepare(kShortcutTaken));
  STORE_ASSIGN_OR_RETURN(bool found, taken.Bind(1, tenant_id).Bind(2, shortcut).Bind(3, id).Step());
  if (found) return Error::Conflict("a canned reply already has the shortcut " + shortcut);
  return Ok();
}

class SqliteInboxStore final : public InboxStore {
 public:
  explicit SqliteInboxStore(SqliteStore& store) : store_(store) {}

  // Beside the background indexer: both index through the writer from the mark they read in its transaction.
  Result<void> FlushSearchIndex() override { return SearchIndexer(store_).Flush(); }

  Result<std::vector<ConversationSummary>> Summaries(int64_t tenant_id,
                                                     const std::vector<int64_t>& conversation_ids) override {
    std::vector<ConversationSummary> summaries;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(summaries, LoadSummaries(db, tenant_id, conversation_ids));
      return Ok();
    }));
    return summaries;
  }

  Result<ConversationSummary> MarkRead(int64_t tenant_id, int64_t conversation_id, int64_t now_ms) override {
    ConversationSummary summary;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto mark, db.Prepare(kMarkRead));
      STORE_TRY(mark.Bind(1, conversation_id).Bind(2, tenant_id).Bind(3, now_ms).Run());
      if (db.Changes() == 0) return Error::NotFound("no such conversation");
      STORE_TRY(store_.AppendEvent(tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id),
                                   now_ms));
      STORE_ASSIGN_OR_RETURN(auto summaries, LoadSummaries(db, tenant_id, {conversation_id}));
      summary = summaries.at(0);
      return Ok();
    }));
    return summary;
  }

  Result<StoredMessage> AddNote(int64_t tenant_id, int64_t conversation_id, const std::string& text,
                                const std::string& author, std::optional<int64_t> author_user_id,
                                int64_t now_ms) override {
    if (text.empty() || text.size() > kMaxNoteBytes) {
      return Error::InvalidArgument("text must be 1 to " + std::to_string(kMaxNoteBytes) + " bytes");
    }
    boost::json::object fields{{"author", author}};
    fields["author_user_id"] = author_user_id ? boost::json::value(*author_user_id) : boost::json::value(nullptr);
    const std::string details = SerializeJson(fields);
    int64_t note_id = 0;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto channel, db.Prepare(kChannelOfConversation));
      STORE_ASSIGN_OR_RETURN(bool found, channel.Bind(1, conversation_id).Bind(2, tenant_id).Step());
      if (!found) return Error::NotFound("no such conversation");
      const int64_t channel_id = channel.Int(0);
      STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertNote));
      insert.Bind(1, tenant_id).Bind(2, conversation_id).Bind(3, channel_id).Bind(4, text);
      STORE_TRY(insert.Bind(5, now_ms).Bind(6, details).Step());
      note_id = insert.Int(0);
      STORE_TRY(store_.AppendEvent(tenant_id, EventType::kMessageCreated, MessageEventData(conversation_id, note_id),
                                   now_ms));
      STORE_ASSIGN_OR_RETURN(auto mark, db.Prepare(kMarkRead));
      return mark.Bind(1, conversation_id).Bind(2, tenant_id).Bind(3, now_ms).Run();
    }));
    return GetMessage(tenant_id, conversation_id, note_id);
  }

  Result<StoredMessage> GetMessage(int64_t tenant_id, int64_t conversation_id, int64_t message_id) override {
    StoredMessage message;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kMessageOfTenant));
      STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, message_id).Bind(2, conversation_id).Bind(3, tenant_id).Step());
      if (!found) return Error::NotFound("no such message");
      message = ReadMessage(select);
      return Ok();
    }));
    return message;
  }

  Result<StoredMessage> RecordCommentChange(int64_t tenant_id, int64_t conversation_id, int64_t message_id,
                                            CommentChange change, int64_t now_ms) override {
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      const bool deleted = change == CommentChange::kDeleted;
      STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(deleted ? kDeleteComment : kSetCommentHidden));
      update.Bind(1, message_id).Bind(2, conversation_id).Bind(3, tenant_id);
      if (!deleted) update.Bind(4, change == CommentChange::kHidden ? "true" : "false");
      STORE_TRY(update.Run());
      if (db.Changes() == 0) return Error::NotFound("no such comment");
      const std::optional<bool> hidden = deleted ? std::nullopt : std::optional<bool>(change == CommentChange::kHidden);
      STORE_TRY(store_.AppendEvent(tenant_id, EventType::kMessageUpdated,
                                   CommentChangeEventData(conversation_id, message_id, hidden), now_ms));
      return Ok();
    }));
    return GetMessage(tenant_id, conversation_id, message_id);
  }

  Result<std::vector<CannedReply>> ListCannedReplies(int64_t tenant_id, const std::string& prefix) override {
    std::vector<CannedReply> replies;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kCannedReplies));
      select.Bind(1, tenant_id).Bind(2, prefix);
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, select.Step());
        if (!row) return Ok();
        replies.push_back(ReadCannedReply(select));
      }
    }));
    return replies;
  }

  Result<CannedReply> CreateCannedReply(int64_t tenant_id, const std::string& shortcut, const std::string& text,
                                        int64_t now_ms) override {
    STORE_TRY(ValidateCannedReply(shortcut, text));
    CannedReply created;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto count, db.Prepare(kCountCannedReplies));
      STORE_TRY(count.Bind(1, tenant_id).Step());
      if (count.Int(0) >= kMaxCannedReplies) {
        return Error::Conflict("a tenant keeps at most " + std::to_string(kMaxCannedReplies) + " canned replies");
      }
      STORE_TRY(CheckShortcutFree(db, tenant_id, shortcut, 0));
      STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertCannedReply));
      STORE_TRY(insert.Bind(1, tenant_id).Bind(2, shortcut).Bind(3, text).Bind(4, now_ms).Step());
      created = ReadCannedReply(insert);
      return Ok();
    }));
    return created;
  }

  Result<CannedReply> UpdateCannedReply(int64_t tenant_id, int64_t id, const std::string& shortcut,
                                        const std::string& text, int64_t now_ms) override {
    STORE_TRY(ValidateCannedReply(shortcut, text));
    CannedReply updated;
    STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
      STORE_TRY(CheckShortcutFree(db, tenant_id, shortcut, id));
      STORE_ASSIGN_OR_RETURN(auto update, db.Prepare(kUpdateCannedReply));
      update.Bind(1, id).Bind(2, tenant_id).Bind(3, shortcut).Bind(4, text).Bind(5, now_ms);
      STORE_ASSIGN_OR_RETURN(bool found, update.Step());
      if (!found) return Error::NotFound("no such canned reply");
      updated = ReadCannedReply(update);
      return Ok();
    }));
    return updated;
  }

  Result<void> DeleteCannedReply(int64_t tenant_id, int64_t id) override {
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto remove, db.Prepare(kDeleteCannedReply));
      STORE_TRY(remove.Bind(1, id).Bind(2, tenant_id).Run());
      if (db.Changes() == 0) return Error::NotFound("no such canned reply");
      return Ok();
    });
  }

 private:
  SqliteStore& store_;
};

}  // namespace

std::unique_ptr<InboxStore> MakeSqliteInboxStore(SqliteStore& store) {
  return std::make_unique<SqliteInboxStore>(store);
}

}  // namespace parley::store::sqlite
