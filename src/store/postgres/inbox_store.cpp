// The inbox's read markers, notes and canned replies on PostgreSQL. The rules are the SQLite backend's
// (sqlite/inbox_store.cpp). Search indexing is synchronous (search.h), so FlushSearchIndex has nothing to do.

#include "store/inbox_store.h"
#include "core/json.h"
#include "store/event_data.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "store/postgres/sub_stores.h"

namespace parley::store::postgres {
namespace {

// $1 tenant, $2 the conversation ids (an array, in the order asked). The preview is the newest message that is not a
// note, a reaction or unsent; unread are the customer's messages after the read marker.
constexpr char kSummaries[] =
    "SELECT c.id,"
    " (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.id > c.read_through_id"
    "  AND m.direction = 'in' AND m.type <> 'reaction' AND m.status <> 'deleted'),"
    " l.id, l.direction, l.type, substr(COALESCE(l.text, ''), 1, 120), l.created_at"
    " FROM unnest($2::bigint[]) WITH ORDINALITY AS j(id, position)"
    " JOIN conversations c ON c.id = j.id AND c.tenant_id = $1"
    " LEFT JOIN messages l ON l.id = (SELECT m.id FROM messages m WHERE m.conversation_id = c.id"
    "  AND m.type <> 'note' AND m.type <> 'reaction' AND m.status <> 'deleted' ORDER BY m.id DESC LIMIT 1)"
    " ORDER BY j.position";
constexpr char kMarkRead[] =
    "UPDATE conversations SET read_at = $3, read_through_id = GREATEST(read_through_id,"
    " (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = $1)) WHERE id = $1 AND tenant_id = $2";
constexpr char kChannelOfConversation[] = "SELECT channel_id FROM conversations WHERE id = $1 AND tenant_id = $2";
constexpr char kInsertNote[] =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, created_at, answerable, details) VALUES ($1, $2, $3, 'out', 'note', $4, '', 'sent', $5, FALSE,"
    " $6::jsonb) RETURNING id";
// $1 message, $2 conversation, $3 tenant; $4 hidden.
constexpr char kSetCommentHidden[] =
    "UPDATE messages SET details = jsonb_set(COALESCE(details, '{}'::jsonb), '{comment,hidden}', to_jsonb($4::boolean))"
    " WHERE id = $1 AND conversation_id = $2 AND tenant_id = $3 AND type = 'comment' AND direction = 'in'";
constexpr char kDeleteComment[] =
    "UPDATE messages SET status = 'deleted'"
    " WHERE id = $1 AND conversation_id = $2 AND tenant_id = $3 AND type = 'comment' AND direction = 'in'";
constexpr char kMessageOfTenant[] =
    "SELECT m.id, m.conversation_id, m.direction, m.type, m.text, m.platform_message_id, m.status, m.error_code,"
    " m.error_title, m.error_detail, m.platform_timestamp, m.created_at, m.details::text"
    " FROM messages m JOIN conversations c ON c.id = m.conversation_id"
    " WHERE m.id = $1 AND m.conversation_id = $2 AND c.tenant_id = $3";

#define CANNED_COLUMNS "id, tenant_id, shortcut, text, created_at, updated_at"
constexpr char kCannedReplies[] = "SELECT " CANNED_COLUMNS
                                  " FROM canned_replies WHERE tenant_id = $1 AND starts_with(shortcut, $2)"
                                  " ORDER BY shortcut COLLATE \"C\"";
// Locked: two creations racing past the cap would otherwise both see room for one more.
constexpr char kLockTenant[] = "SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE";
constexpr char kCountCannedReplies[] = "SELECT COUNT(*) FROM canned_replies WHERE tenant_id = $1";
constexpr char kShortcutTaken[] = "SELECT 1 FROM canned_replies WHERE tenant_id = $1 AND shortcut = $2 AND id <> $3";
constexpr char kInsertCannedReply[] =
    "INSERT INTO canned_replies (tenant_id, shortcut, text, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)"
    " RETURNING " CANNED_COLUMNS;
constexpr char kUpdateCannedReply[] =
    "UPDATE canned_replies SET shortcut = $3, text = $4, updated_at = $5"
    " WHERE id = $1 AND tenant_id = $2 RETURNING " CANNED_COLUMNS;
#undef CANNED_COLUMNS
constexpr char kDeleteCannedReply[] = "DELETE FROM canned_replies WHERE id = $1 AND tenant_id = $2";

ConversationSummary ReadSummary(const Rows& rows, int i) {
  ConversationSummary summary;
  summary.conversation_id = rows.Int(i, 0);
  summary.unread_count = rows.Int(i, 1);
  if (!rows.IsNull(i, 2)) {
    MessagePreview preview;
    preview.id = rows.Int(i, 2);
    preview.direction = rows.Text(i, 3) == "out" ? Direction::kOut : Direction::kIn;
    preview.type = ParseMessageType(rows.Text(i, 4)).value_or(MessageType::kUnsupported);
    preview.text = rows.String(i, 5);
    preview.created_at_ms = rows.Int(i, 6);
    summary.last_message = std::move(preview);
  }
  return summary;
}

CannedReply ReadCannedReply(const Rows& rows, int i) {
  return {rows.Int(i, 0), rows.Int(i, 1), rows.String(i, 2), rows.String(i, 3), rows.Int(i, 4), rows.Int(i, 5)};
}

Result<std::vector<ConversationSummary>> LoadSummaries(Connection& db, int64_t tenant_id,
                                                       const std::vector<int64_t>& conversation_ids) {
  std::vector<ConversationSummary> summaries;
  if (conversation_ids.empty()) return summaries;
  STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kSummaries, Params(tenant_id, IdArray(conversation_ids))));
  for (int i = 0; i < rows.size(); ++i) summaries.push_back(ReadSummary(rows, i));
  return summaries;
}

Result<void> CheckShortcutFree(Connection& db, int64_t tenant_id, const std::string& shortcut, int64_t id) {
  STORE_ASSIGN_OR_RETURN(auto taken, db.Query(kShortcutTaken, Params(tenant_id, shortcut, id)));
  if (!taken.empty()) return Error::Conflict("a canned reply already has the shortcut " + shortcut);
  return Ok();
}

class PostgresInboxStore final : public InboxStore {
 public:
  explicit PostgresInboxStore(PostgresStore& store) : store_(store) {}

  // Nothing waits: the search indexes are written in the transaction that writes a message (search.h).
  Result<void> FlushSearchIndex() override { return Ok(); }

  Result<std::vector<ConversationSummary>> Summaries(int64_t tenant_id,
                                                     const std::vector<int64_t>& conversation_ids) override {
    return store_.Read<std::vector<ConversationSummary>>(
        [&](Connection& db) { return LoadSummaries(db, tenant_id, conversation_ids); });
  }

  Result<ConversationSummary> MarkRead(int64_t tenant_id, int64_t conversation_id, int64_t now_ms) override {
    return store_.Write<ConversationSummary>([&](Connection& db, EventNotes& notes) -> Result<ConversationSummary> {
      STORE_ASSIGN_OR_RETURN(auto marked, db.Query(kMarkRead, Params(conversation_id, tenant_id, now_ms)));
      if (marked.affected() == 0) return Error::NotFound("no such conversation");
      AppendEvent(notes, tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id), now_ms);
      STORE_ASSIGN_OR_RETURN(auto summaries, LoadSummaries(db, tenant_id, {conversation_id}));
      if (summaries.empty()) return Error::Internal("conversation vanished");
      return summaries.front();
    });
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
    auto note_id = store_.Write<int64_t>([&](Connection& db, EventNotes& notes) -> Result<int64_t> {
      STORE_ASSIGN_OR_RETURN(auto channel, db.Query(kChannelOfConversation, Params(conversation_id, tenant_id)));
      if (channel.empty()) return Error::NotFound("no such conversation");
      STORE_ASSIGN_OR_RETURN(auto inserted, db.Query(kInsertNote, Params(tenant_id, conversation_id, channel.Int(0, 0),
                                                                         text, now_ms, details)));
      const int64_t id = inserted.Int(0, 0);
      AppendEvent(notes, tenant_id, EventType::kMessageCreated, MessageEventData(conversation_id, id), now_ms);
      STORE_TRY(db.Query(kMarkRead, Params(conversation_id, tenant_id, now_ms)));
      return id;
    });
    if (!note_id) return note_id.error();
    return GetMessage(tenant_id, conversation_id, *note_id);
  }

  Result<StoredMessage> GetMessage(int64_t tenant_id, int64_t conversation_id, int64_t message_id) override {
    return store_.ReadOne<StoredMessage>(kMessageOfTenant, Params(message_id, conversation_id, tenant_id),
                                         "no such message", ReadMessage);
  }

  Result<StoredMessage> RecordCommentChange(int64_t tenant_id, int64_t conversation_id, int64_t message_id,
                                            CommentChange change, int64_t now_ms) override {
    const bool deleted = change == CommentChange::kDeleted;
    auto written = store_.Write<bool>([&](Connection& db, EventNotes& notes) -> Result<bool> {
      Params params(message_id, conversation_id, tenant_id);
      if (!deleted) params.Add(change == CommentChange::kHidden);
      STORE_ASSIGN_OR_RETURN(auto updated, db.Query(deleted ? kDeleteComment : kSetCommentHidden, params));
      if (updated.affected() == 0) return Error::NotFound("no such comment");
      const std::optional<bool> hidden = deleted ? std::nullopt : std::optional<bool>(change == CommentChange::kHidden);
      AppendEvent(notes, tenant_id, EventType::kMessageUpdated,
                  CommentChangeEventData(conversation_id, message_id, hidden), now_ms);
      return true;
    });
    if (!written) return written.error();
    return GetMessage(tenant_id, conversation_id, message_id);
  }

  Result<std::vector<CannedReply>> ListCannedReplies(int64_t tenant_id, const std::string& prefix) override {
    return store_.ReadAll<CannedReply>(kCannedReplies, Params(tenant_id, prefix), ReadCannedReply);
  }

  Result<CannedReply> CreateCannedReply(int64_t tenant_id, const std::string& shortcut, const std::string& text,
                                        int64_t now_ms) override {
    STORE_TRY(ValidateCannedReply(shortcut, text));
    return store_.Write<CannedReply>([&](Connection& db, EventNotes&) -> Result<CannedReply> {
      STORE_ASSIGN_OR_RETURN(auto tenant, db.Query(kLockTenant, Params(tenant_id)));
      if (tenant.empty()) return Error::NotFound("no such tenant");
      STORE_ASSIGN_OR_RETURN(auto count, db.Query(kCountCannedReplies, Params(tenant_id)));
      if (count.Int(0, 0) >= kMaxCannedReplies) {
        return Error::Conflict("a tenant keeps at most " + std::to_string(kMaxCannedReplies) + " canned replies");
      }
      STORE_TRY(CheckShortcutFree(db, tenant_id, shortcut, 0));
      STORE_ASSIGN_OR_RETURN(auto inserted, db.Query(kInsertCannedReply, Params(tenant_id, shortcut, text, now_ms)));
      return ReadCannedReply(inserted, 0);
    });
  }

  Result<CannedReply> UpdateCannedReply(int64_t tenant_id, int64_t id, const std::string& shortcut,
                                        const std::string& text, int64_t now_ms) override {
    STORE_TRY(ValidateCannedReply(shortcut, text));
    return store_.Write<CannedReply>([&](Connection& db, EventNotes&) -> Result<CannedReply> {
      STORE_TRY(CheckShortcutFree(db, tenant_id, shortcut, id));
      STORE_ASSIGN_OR_RETURN(auto updated, db.Query(kUpdateCannedReply, Params(id, tenant_id, shortcut, text, now_ms)));
      if (updated.empty()) return Error::NotFound("no such canned reply");
      return ReadCannedReply(updated, 0);
    });
  }

  Result<void> DeleteCannedReply(int64_t tenant_id, int64_t id) override {
    return store_.Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto removed, db.Query(kDeleteCannedReply, Params(id, tenant_id)));
      if (removed.affected() == 0) return Error::NotFound("no such canned reply");
      return Ok();
    });
  }

 private:
  PostgresStore& store_;
};

}  // namespace

std::unique_ptr<InboxStore> MakePostgresInboxStore(PostgresStore& store) {
  return std::make_unique<PostgresInboxStore>(store);
}

}  // namespace parley::store::postgres
