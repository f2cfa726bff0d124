#include "store/sqlite/sqlite_store.h"

#include "store/sqlite/access_store.h"
#include "store/sqlite/billing_store.h"
#include "store/sqlite/conversation_row.h"
#include "store/sqlite/cursor.h"
#include "store/sqlite/knowledge_store.h"

#include <boost/asio/post.hpp>

#include "core/crypto.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/time.h"
#include "store/migration.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace parley::store::sqlite {
namespace {

// Keys of ToJsonDetails() that have their own columns (or live in contacts/channels): the rest is `details`.
constexpr std::string_view kColumnKeys[] = {"platform",   "account_id",   "platform_message_id",
                                            "contact_id", "contact_name", "timestamp_ms",
                                            "type",       "text",         "error"};

// Statements, named and kept at namespace scope because the statement cache is keyed by their address.
constexpr char kBegin[] = "BEGIN IMMEDIATE";
constexpr char kCommit[] = "COMMIT";
constexpr char kRollback[] = "ROLLBACK";
constexpr char kSavepoint[] = "SAVEPOINT job";
constexpr char kRelease[] = "RELEASE job";
constexpr char kRollbackTo[] = "ROLLBACK TO job";

constexpr char kCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";
constexpr char kMigrationApplied[] = "SELECT 1 FROM schema_migrations WHERE version = ?1";
constexpr char kRecordMigration[] = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)";
constexpr char kForeignKeysOff[] = "PRAGMA foreign_keys = OFF";
constexpr char kForeignKeyCheck[] = "PRAGMA foreign_key_check";

constexpr char kInsertTenant[] = "INSERT INTO tenants (name, created_at) VALUES (?1, ?2) RETURNING id";
constexpr char kInsertApiKey[] =
    "INSERT INTO api_keys (tenant_id, key_hash, prefix, created_at, name, role) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
// Only live channels receive: a removed channel's account is unknown.
constexpr char kResolveChannel[] =
    "SELECT id, tenant_id, enabled FROM channels WHERE platform = ?1 AND account_id = ?2 AND removed_at IS NULL";

constexpr char kSelectContact[] = "SELECT id, name FROM contacts WHERE channel_id = ?1 AND platform_id = ?2";
constexpr char kInsertContact[] =
    "INSERT INTO contacts (tenant_id, channel_id, platform_id, name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr char kRenameContact[] = "UPDATE contacts SET name = ?2 WHERE id = ?1";
constexpr char kSelectOpenConversation[] =
    "SELECT id FROM conversations WHERE channel_id = ?1 AND contact_id = ?2 AND status = 'open'";
constexpr char kInsertConversation[] =
    "INSERT INTO conversations (tenant_id, channel_id, contact_id, created_at, last_message_at)"
    " VALUES (?1, ?2, ?3, ?4, ?4)";
constexpr char kMessageExists[] =
    "SELECT 1 FROM messages WHERE channel_id = ?1 AND platform_message_id = ?2 AND platform_message_id <> ''";
constexpr char kInsertInbound[] =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, error_code, error_title, error_detail, platform_timestamp, created_at, answerable, details)"
    " VALUES (?1, ?2, ?3, 'in', ?4, ?5, ?6, 'received', ?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT DO NOTHING";
// ?3 is 1 for an answerable message, 0 otherwise.
// In human mode (until human_until passes) a customer message is left to the person: it does not make the
// conversation pending, and counts as handled so the bot does not answer it later. Every SET expression reads
// the row as it was before the update.
constexpr char kTouchConversation[] =
    "UPDATE conversations SET last_message_at = MAX(last_message_at, ?2),"
    " pending_since = CASE WHEN ?3 AND (mode = 'bot' OR human_until <= ?2) THEN COALESCE(pending_since, ?2)"
    "   ELSE pending_since END,"
    " answered_through_id = CASE WHEN ?3 AND mode = 'human' AND (human_until IS NULL OR human_until > ?2)"
    "   THEN MAX(answered_through_id, ?4) ELSE answered_through_id END,"
    " mode = CASE WHEN mode = 'human' AND human_until <= ?2 THEN 'bot' ELSE mode END,"
    " handoff_reason = CASE WHEN mode = 'human' AND human_until <= ?2 THEN NULL ELSE handoff_reason END,"
    " human_until = CASE WHEN mode = 'human' AND human_until <= ?2 THEN NULL ELSE human_until END,"
    " last_inbound_at = CASE WHEN ?3 THEN ?2 ELSE last_inbound_at END,"
    " inbound_seq = inbound_seq + ?3"
    " WHERE id = ?1 AND status = 'open'";
// Read after kTouchConversation rather than through RETURNING (see Database::LastInsertRowid).
constexpr char kPendingState[] = "SELECT pending_since, last_inbound_at FROM conversations WHERE id = ?1";
constexpr char kOwnUnrecordedReply[] =
    "SELECT id FROM messages WHERE conversation_id = ?1 AND direction = 'out' AND platform_message_id = ''"
    " AND status = 'queued' AND text IS ?2 ORDER BY id LIMIT 1";
constexpr char kFillPlatformId[] = "UPDATE messages SET platform_message_id = ?2 WHERE id = ?1";
constexpr char kInsertEcho[] =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, platform_timestamp, created_at, answerable, details)"
    " VALUES (?1, ?2, ?3, 'out', 'text', ?4, ?5, 'sent', ?6, ?7, 0, '{\"sent_by\":\"person\"}')";
// A person's reply hands the conversation to people: whatever was pending is theirs, and a live claim can no
// longer commit (CommitReply checks the mode).
constexpr char kTakeOver[] =
    "UPDATE conversations SET mode = 'human', handoff_reason = ?3, human_until = ?4,"
    " answered_through_id = (SELECT COALESCE(MAX(id), 0) FROM messages WHERE conversation_id = ?1),"
    " answered_seq = inbound_seq, pending_since = NULL, last_message_at = MAX(last_message_at, ?2)"
    " WHERE id = ?1";

constexpr char kFindMessageByPlatformId[] =
    "SELECT id, conversation_id, direction, status FROM messages"
    " WHERE channel_id = ?1 AND platform_message_id = ?2 AND platform_message_id <> ''";
constexpr char kSetOutboundStatus[] =
    "UPDATE messages SET status = ?2,"
    " error_code = CASE WHEN ?2 = 'failed' THEN ?3 ELSE error_code END,"
    " error_title = CASE WHEN ?2 = 'failed' THEN ?4 ELSE error_title END,"
    " error_detail = CASE WHEN ?2 = 'failed' THEN ?5 ELSE error_detail END"
    " WHERE id = ?1";
constexpr char kReadThrough[] =
    "UPDATE messages SET status = 'read' WHERE conversation_id = ?1 AND id <= ?2 AND direction = 'out'"
    " AND status IN ('sent', 'delivered')";
constexpr char kDeleteInbound[] =
    "UPDATE messages SET status = 'deleted' WHERE channel_id = ?1 AND platform_message_id = ?2"
    " AND platform_message_id <> '' AND direction = 'in'";

constexpr char kListPending[] =
    "SELECT c.id, c.tenant_id, ch.platform, c.pending_since, c.last_inbound_at FROM conversations c"
    " JOIN channels ch ON ch.id = c.channel_id WHERE c.pending_since IS NOT NULL ORDER BY c.pending_since, c.id";
// Takes the claim and records the newest answerable message it covers.
constexpr char kTakeClaim[] =
    "UPDATE conversations SET claim_token = ?2, claim_expires_at = ?3 + ?4,"
    " claim_through_id = (SELECT MAX(m.id) FROM messages m WHERE m.conversation_id = conversations.id"
    "   AND m.id > conversations.answered_through_id AND m.direction = 'in' AND m.answerable = 1)"
    " WHERE id = ?1 AND pending_since IS NOT NULL AND (claim_token IS NULL OR claim_expires_at <= ?3)"
    " RETURNING inbound_seq, answered_through_id, claim_through_id";
constexpr char kClaimHolder[] =
    "SELECT claim_expires_at FROM conversations WHERE id = ?1 AND pending_since IS NOT NULL"
    " AND claim_token IS NOT NULL AND claim_expires_at > ?2";
constexpr char kClaimedMessages[] =
    "SELECT id, conversation_id, direction, type, text, platform_message_id, status, error_code, error_title,"
    " error_detail, platform_timestamp, created_at, details FROM messages"
    " WHERE conversation_id = ?1 AND id > ?2 AND id <= ?3 AND direction = 'in' AND answerable = 1"
    " AND status <> 'deleted' ORDER BY id";
constexpr char kRecentMessages[] =
    "SELECT id, conversation_id, direction, type, text, platform_message_id, status, error_code, error_title,"
    " error_detail, platform_timestamp, created_at, details FROM messages"
    " WHERE conversation_id = ?1 AND id < ?2 AND status <> 'deleted' ORDER BY id DESC LIMIT ?3";
// Marks everything the claim covered answered, clears pending state and the claim. ?2: a reply's time, or 0.
constexpr char kMarkAnswered[] =
    "UPDATE conversations SET answered_through_id = MAX(answered_through_id, COALESCE(claim_through_id, 0)),"
    " answered_seq = inbound_seq, pending_since = NULL, last_message_at = MAX(last_message_at, ?2),"
    " claim_token = NULL, claim_expires_at = NULL, claim_through_id = NULL WHERE id = ?1";
constexpr char kReleaseClaim[] =
    "UPDATE conversations SET claim_token = NULL, claim_expires_at = NULL, claim_through_id = NULL"
    " WHERE id = ?1 AND claim_token = ?2";
constexpr char kConversationClaimState[] =
    "SELECT claim_token, inbound_seq, tenant_id, channel_id, mode FROM conversations WHERE id = ?1";
constexpr char kInsertReplyTrace[] =
    "INSERT INTO reply_traces (tenant_id, conversation_id, message_id, decision, reason, trace, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kReplyTraces[] =
    "SELECT id, conversation_id, message_id, decision, reason, trace, created_at FROM reply_traces"
    " WHERE conversation_id = ?1 ORDER BY id";
// Escalation by the agent: the claimed messages are answered (by the hand-off message); later ones wait for people.
constexpr char kHandOff[] =
    "UPDATE conversations SET mode = 'human', handoff_reason = ?2, human_until = ?3 WHERE id = ?1";
// A conversation already waiting for a person keeps its one open item.
constexpr char kOpenSupportItem[] =
    "INSERT INTO support_items (tenant_id, conversation_id, reason, created_at)"
    " SELECT tenant_id, id, ?2, ?3 FROM conversations WHERE id = ?1 ON CONFLICT DO NOTHING";
constexpr char kSelectConversation[] = PARLEY_SELECT_CONVERSATION " WHERE c.id = ?1";
constexpr char kInsertOutbound[] =
    "INSERT INTO messages (tenant_id, conversation_id, channel_id, direction, type, text, platform_message_id,"
    " status, created_at, answerable, details)"
    " VALUES (?1, ?2, ?3, 'out', ?4, ?5, '', 'queued', ?6, 0, ?7)";

constexpr char kQueuedOutbound[] =
    "SELECT m.id, m.conversation_id, m.tenant_id, m.channel_id, ct.platform_id, m.type, COALESCE(m.text, ''),"
    " COALESCE(json_extract(m.details, '$.reply_to'), ''), COALESCE(json_extract(m.details, '$.human_agent'), 0)"
    " FROM messages m"
    " JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id"
    " WHERE m.status = 'queued' AND m.direction = 'out' ORDER BY m.id";
constexpr char kOutboundById[] =
    "SELECT m.id, m.conversation_id, m.tenant_id, m.channel_id, ct.platform_id, m.type, COALESCE(m.text, ''),"
    " COALESCE(json_extract(m.details, '$.reply_to'), ''), COALESCE(json_extract(m.details, '$.human_agent'), 0)"
    " FROM messages m"
    " JOIN conversations c ON c.id = m.conversation_id JOIN contacts ct ON ct.id = c.contact_id"
    " WHERE m.id = ?1 AND m.direction = 'out'";
// Only a queued message takes the send result: a webhook may already have moved it further.
constexpr char kKeepEarlyStatus[] =
    "INSERT OR IGNORE INTO early_statuses"
    " (channel_id, platform_message_id, status, error_code, error_title, error_detail, received_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kEarlyStatusesFor[] =
    "SELECT e.status, e.error_code, e.error_title, e.error_detail, m.status, m.channel_id FROM messages m"
    " JOIN early_statuses e ON e.channel_id = m.channel_id AND e.platform_message_id = m.platform_message_id"
    " WHERE m.id = ?1";
constexpr char kForgetEarlyStatuses[] =
    "DELETE FROM early_statuses WHERE (channel_id = ?1 AND platform_message_id = ?2) OR received_at < ?3";

constexpr char kRecordSend[] =
    "UPDATE messages SET"
    " platform_message_id = CASE WHEN platform_message_id = '' THEN ?2 ELSE platform_message_id END,"
    " error_code = CASE WHEN status = 'queued' AND ?3 = 'failed' THEN ?4 ELSE error_code END,"
    " error_title = CASE WHEN status = 'queued' AND ?3 = 'failed' THEN ?5 ELSE error_title END,"
    " error_detail = CASE WHEN status = 'queued' AND ?3 = 'failed' THEN ?6 ELSE error_detail END,"
    " status = CASE WHEN status = 'queued' THEN ?3 ELSE status END"
    " WHERE id = ?1 AND direction = 'out'";

// ?3/?4 the cursor (NULL: first page); ?5.. the filter, each NULL when not set (?8 = 0: unassigned ones).
constexpr char kConversationsPage[] = PARLEY_SELECT_CONVERSATION
    " WHERE c.tenant_id = ?1 AND (?3 IS NULL OR (c.last_message_at, c.id) < (?3, ?4))"
    " AND (?5 IS NULL OR c.channel_id = ?5) AND (?6 IS NULL OR c.status = ?6) AND (?7 IS NULL OR c.mode = ?7)"
    " AND (?8 IS NULL OR (?8 = 0 AND c.assignee_user_id IS NULL) OR c.assignee_user_id = ?8)"
    " AND (?9 IS NULL OR c.last_message_at >= ?9) AND (?10 IS NULL OR c.last_message_at < ?10)"
    " AND (?11 IS NULL OR ct.name LIKE ?11 ESCAPE '\\' OR ct.platform_id LIKE ?11 ESCAPE '\\'"
    "   OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.text LIKE ?11 ESCAPE '\\'))"
    " ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?2";
constexpr char kConversationOfTenant[] = "SELECT 1 FROM conversations WHERE id = ?1 AND tenant_id = ?2";
constexpr char kMessagesPage[] =
    "SELECT id, conversation_id, direction, type, text, platform_message_id, status, error_code, error_title,"
    " error_detail, platform_timestamp, created_at, details FROM messages"
    " WHERE conversation_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3";

Error ClosedError() { return Error::Unavailable("store is closed"); }

// Order in which an outbound message's status may move; -1 for statuses a webhook cannot set.
// `failed` sits above `delivered` (a failure report wins over earlier progress) but below `read`.
int OutboundRank(MessageStatus status) {
  switch (status) {
    case MessageStatus::kQueued:
      return 0;
    case MessageStatus::kSent:
      return 1;
    case MessageStatus::kDelivered:
      return 2;
    case MessageStatus::kFailed:
      return 3;
    case MessageStatus::kRead:
      return 4;
    default:
      return -1;
  }
}

// `details` column text: the type-specific part of the message, or empty when there is none.
std::string DetailsJson(const UnifiedMessage& m) {
  boost::json::object details = ToJsonDetails(m);
  for (std::string_view key : kColumnKeys) details.erase(key);
  if (details.empty()) return {};
  return boost::json::serialize(details);
}

// Columns as selected by kClaimedMessages and kMessagesPage.
StoredMessage ReadMessage(const Statement& row) {
  StoredMessage m;
  m.id = row.Int(0);
  m.conversation_id = row.Int(1);
  m.direction = row.Text(2) == "out" ? Direction::kOut : Direction::kIn;
  m.type = ParseMessageType(row.Text(3)).value_or(MessageType::kUnsupported);
  m.text = row.OptionalString(4);
  m.platform_message_id = row.String(5);
  m.status = ParseMessageStatus(row.Text(6)).value_or(MessageStatus::kReceived);
  if (!row.IsNull(7)) m.error = MessageError{static_cast<int>(row.Int(7)), row.String(8), row.String(9)};
  m.platform_timestamp_ms = row.Int(10);
  m.created_at_ms = row.Int(11);
  if (!row.IsNull(12)) {
    boost::system::error_code ec;
    boost::json::value details = boost::json::parse(row.Text(12), ec);
    if (!ec && details.is_object()) m.details = std::move(details.as_object());
  }
  return m;
}

bool ParseInt(std::string_view s, int64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Cursors are opaque to clients: base64url of "<kind>:<fields>", so a cursor of one listing is refused by another.
std::string ConversationCursor(int64_t last_message_at, int64_t id) {
  return crypto::Base64UrlEncode("c:" + std::to_string(last_message_at) + ":" + std::to_string(id));
}

Result<std::pair<int64_t, int64_t>> ParseConversationCursor(const std::string& cursor) {
  auto raw = crypto::Base64UrlDecode(cursor);
  Error garbled = Error::InvalidArgument("invalid cursor");
  if (!raw || !raw->starts_with("c:")) return garbled;
  std::string_view rest = std::string_view(*raw).substr(2);
  size_t colon = rest.find(':');
  int64_t at = 0;
  int64_t id = 0;
  if (colon == std::string_view::npos || !ParseInt(rest.substr(0, colon), &at) ||
      !ParseInt(rest.substr(colon + 1), &id)) {
    return garbled;
  }
  return std::pair{at, id};
}

// Runs `fn` in a BEGIN IMMEDIATE transaction on `db`, rolling back on failure.
template <class Fn>
Result<void> InTransaction(Database& db, Fn&& fn) {
  if (auto begin = db.Run(kBegin); !begin) return begin.error();
  Result<void> result = fn();
  if (result) result = db.Run(kCommit);
  if (!result && db.InTransaction()) (void)db.Run(kRollback);
  return result;
}

}  // namespace

Conversation ReadConversation(const Statement& row) {
  Conversation c;
  c.id = row.Int(0);
  c.tenant_id = row.Int(1);
  c.channel_id = row.Int(2);
  c.platform = ParsePlatform(row.Text(3)).value_or(Platform::kWhatsApp);
  c.contact.platform_id = row.String(4);
  c.contact.name = row.String(5);
  c.status = row.String(6);
  c.mode = row.String(7);
  c.created_at_ms = row.Int(8);
  c.last_message_at_ms = row.Int(9);
  c.handoff_reason = row.String(10);
  c.human_until_ms = row.OptionalInt(11);
  c.assignee_user_id = row.OptionalInt(12);
  c.last_inbound_at_ms = row.OptionalInt(13);
  return c;
}

// The writer thread's state: the only write connection, and caches of channel routes and of each contact's ids,
// which spare the hot path two look-ups per message. Used by that thread only.
class SqliteStore::Writer {
 public:
  explicit Writer(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Database& db() { return *db_; }

  // Drops the caches, after a rollback that may have undone the rows they point to.
  void ForgetRoutes() {
    for (RouteMap& routes : routes_) routes.clear();
    contacts_.clear();
  }

  // Applies one webhook payload inside the caller's transaction. Fails with kInvalidArgument for a message without
  // a sender, or with the SQLite error; `outcome` is then meaningless.
  Result<void> Ingest(const IngestRequest& request, IngestOutcome& outcome);

 private:
  struct ChannelRoute {
    int64_t id = 0;
    int64_t tenant_id = 0;
    bool enabled = true;  //!< Messages to a disabled channel are stored, not answered.
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using RouteMap = std::unordered_map<std::string, ChannelRoute, StringHash, std::equal_to<>>;

  // The live channel for (platform, account_id), or nullopt. A cache miss re-queries, so channels another process
  // added are found; removing, enabling or disabling a channel goes through WriteForgettingRoutes, so hits stay
  // valid.
  Result<std::optional<ChannelRoute>> Resolve(Platform platform, const std::string& account_id);
  Result<void> ApplyEcho(const ChannelRoute& channel, const BusinessEcho& echo, int64_t received_at_ms,
                         int64_t human_idle_ms, IngestOutcome& outcome);
  Result<void> IngestMessage(const ChannelRoute& channel, const InboundItem& item, int64_t received_at_ms,
                             Platform platform, IngestOutcome& outcome);
  Result<void> ApplyStatus(const ChannelRoute& channel, const StatusUpdate& status, IngestOutcome& outcome);
  Result<int64_t> UpsertContact(const ChannelRoute& channel, const UnifiedMessage& m, int64_t now_ms);

  // A contact's row, name and open conversation. If that conversation was closed behind the cache's back (by
  // another process), touching it fails the request, whose rollback empties the caches; the platform's retry
  // then finds the new state.
  struct ContactIds {
    int64_t contact_id = 0;
    std::string name;
    int64_t conversation_id = 0;
  };
  static constexpr size_t kMaxCachedContacts = 100'000;

  std::unique_ptr<Database> db_;
  std::array<RouteMap, 2> routes_;                                                     //!< Indexed by Platform.
  std::unordered_map<std::string, ContactIds, StringHash, std::equal_to<>> contacts_;  //!< "channel_id:platform_id"
};

Result<std::optional<SqliteStore::Writer::ChannelRoute>> SqliteStore::Writer::Resolve(Platform platform,
                                                                                      const std::string& account_id) {
  RouteMap& routes = routes_[static_cast<size_t>(platform)];
  if (auto it = routes.find(std::string_view(account_id)); it != routes.end()) return it->second;
  STORE_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(kResolveChannel));
  stmt.Bind(1, ToString(platform)).Bind(2, account_id);
  STORE_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<ChannelRoute>();
  ChannelRoute route{stmt.Int(0), stmt.Int(1), stmt.Int(2) != 0};
  routes.emplace(account_id, route);
  return route;
}

Result<int64_t> SqliteStore::Writer::UpsertContact(const ChannelRoute& channel, const UnifiedMessage& m,
                                                   int64_t now_ms) {
  {
    STORE_ASSIGN_OR_RETURN(auto select, db_->Prepare(kSelectContact));
    select.Bind(1, channel.id).Bind(2, m.contact_id);
    STORE_ASSIGN_OR_RETURN(bool found, select.Step());
    if (found) {
      int64_t id = select.Int(0);
      if (m.contact_name.empty() || select.Text(1) == m.contact_name) return id;
      STORE_ASSIGN_OR_RETURN(auto rename, db_->Prepare(kRenameContact));
      STORE_TRY(rename.Bind(1, id).Bind(2, m.contact_name).Run());
      return id;
    }
  }
  STORE_ASSIGN_OR_RETURN(auto insert, db_->Prepare(kInsertContact));
  insert.Bind(1, channel.tenant_id).Bind(2, channel.id).Bind(3, m.contact_id).Bind(4, m.contact_name).Bind(5, now_ms);
  STORE_TRY(insert.Run());
  return db_->LastInsertRowid();
}

Result<void> SqliteStore::Writer::IngestMessage(const ChannelRoute& channel, const InboundItem& item,
                                                int64_t received_at_ms, Platform platform, IngestOutcome& outcome) {
  const UnifiedMessage& m = item.message;
  const bool answerable = item.answerable && channel.enabled;
  std::string cache_key = std::to_string(channel.id) + ':' + m.contact_id;
  int64_t contact_id = 0;
  int64_t conversation_id = 0;
  if (auto cached = contacts_.find(std::string_view(cache_key)); cached != contacts_.end()) {
    contact_id = cached->second.contact_id;
    conversation_id = cached->second.conversation_id;
    if (!m.contact_name.empty() && m.contact_name != cached->second.name) {
      STORE_ASSIGN_OR_RETURN(auto rename, db_->Prepare(kRenameContact));
      STORE_TRY(rename.Bind(1, contact_id).Bind(2, m.contact_name).Run());
      cached->second.name = m.contact_name;
    }
  } else {
    STORE_ASSIGN_OR_RETURN(contact_id, UpsertContact(channel, m, received_at_ms));
    STORE_ASSIGN_OR_RETURN(auto select, db_->Prepare(kSelectOpenConversation));
    select.Bind(1, channel.id).Bind(2, contact_id);
    STORE_ASSIGN_OR_RETURN(bool found, select.Step());
    if (found) conversation_id = select.Int(0);
  }
  if (conversation_id == 0) {
    // A retry of a message whose conversation has been closed since must not open an empty conversation.
    if (!m.platform_message_id.empty()) {
      STORE_ASSIGN_OR_RETURN(auto exists, db_->Prepare(kMessageExists));
      exists.Bind(1, channel.id).Bind(2, m.platform_message_id);
      STORE_ASSIGN_OR_RETURN(bool duplicate, exists.Step());
      if (duplicate) {
        ++outcome.duplicates;
        return Ok();
      }
    }
    STORE_ASSIGN_OR_RETURN(auto insert, db_->Prepare(kInsertConversation));
    insert.Bind(1, channel.tenant_id).Bind(2, channel.id).Bind(3, contact_id).Bind(4, received_at_ms);
    STORE_TRY(insert.Run());
    conversation_id = db_->LastInsertRowid();
  }
  if (contacts_.size() >= kMaxCachedContacts) contacts_.clear();
  contacts_.insert_or_assign(std::move(cache_key), ContactIds{contact_id, m.contact_name, conversation_id});

  int64_t message_id = 0;
  {
    std::string details = DetailsJson(m);
    STORE_ASSIGN_OR_RETURN(auto insert, db_->Prepare(kInsertInbound));
    insert.Bind(1, channel.tenant_id).Bind(2, conversation_id).Bind(3, channel.id).Bind(4, ToString(m.type));
    insert.Bind(5, m.text).Bind(6, m.platform_message_id);
    if (m.error) {
      insert.Bind(7, m.error->code).Bind(8, m.error->title).Bind(9, m.error->detail);
    }
    insert.Bind(10, m.timestamp_ms).Bind(11, received_at_ms).Bind(12, answerable ? 1 : 0);
    if (!details.empty()) insert.Bind(13, details);
    STORE_TRY(insert.Run());
    if (db_->Changes() == 0) {
      ++outcome.duplicates;  // Leaves pending state alone: the first copy already counted.
      return Ok();
    }
    message_id = db_->LastInsertRowid();
  }
  ++outcome.stored;

  {
    STORE_ASSIGN_OR_RETURN(auto touch, db_->Prepare(kTouchConversation));
    STORE_TRY(
        touch.Bind(1, conversation_id).Bind(2, received_at_ms).Bind(3, answerable ? 1 : 0).Bind(4, message_id).Run());
    if (db_->Changes() == 0) return Error::Unavailable("conversation closed meanwhile", "stale contact cache; retry");
  }
  if (!answerable) return Ok();
  STORE_ASSIGN_OR_RETURN(auto state, db_->Prepare(kPendingState));
  state.Bind(1, conversation_id);
  STORE_ASSIGN_OR_RETURN(bool found, state.Step());
  if (!found || state.IsNull(0)) return Ok();  // A person answers here.
  PendingConversation pending{conversation_id, channel.tenant_id, platform, state.Int(0), state.Int(1)};
  auto it = std::find_if(outcome.pending.begin(), outcome.pending.end(),
                         [&](const PendingConversation& p) { return p.conversation_id == conversation_id; });
  if (it == outcome.pending.end()) {
    outcome.pending.push_back(pending);
  } else {
    *it = pending;
  }
  return Ok();
}

Result<void> SqliteStore::Writer::ApplyStatus(const ChannelRoute& channel, const StatusUpdate& status,
                                              IngestOutcome& outcome) {
  STORE_ASSIGN_OR_RETURN(auto find, db_->Prepare(kFindMessageByPlatformId));
  find.Bind(1, channel.id).Bind(2, status.platform_message_id);
  STORE_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) {
    ++outcome.statuses_unmatched;
    if (!status.watermark) {
      // Possibly a reply whose send result is not recorded yet: RecordSendResult applies it then.
      STORE_ASSIGN_OR_RETURN(auto keep, db_->Prepare(kKeepEarlyStatus));
      keep.Bind(1, channel.id).Bind(2, status.platform_message_id).Bind(3, ToString(status.status)).Bind(7, NowMs());
      if (status.error) keep.Bind(4, status.error->code).Bind(5, status.error->title).Bind(6, status.error->detail);
      STORE_TRY(keep.Run());
    }
    return Ok();
  }
  int64_t message_id = find.Int(0);
  int64_t conversation_id = find.Int(1);
  bool outbound = find.Text(2) == "out";
  std::optional<MessageStatus> current = ParseMessageStatus(find.Text(3));

  if (status.watermark) {
    // Instagram names the newest message read (either side's); everything the business sent up to it is read.
    STORE_ASSIGN_OR_RETURN(auto read, db_->Prepare(kReadThrough));
    STORE_TRY(read.Bind(1, conversation_id).Bind(2, message_id).Run());
    if (db_->Changes() > 0) ++outcome.statuses_applied;
    return Ok();
  }
  if (!outbound) {
    ++outcome.statuses_unmatched;
    return Ok();
  }
  int next_rank = OutboundRank(status.status);
  if (!current || next_rank < 0 || next_rank <= OutboundRank(*current)) return Ok();

  STORE_ASSIGN_OR_RETURN(auto update, db_->Prepare(kSetOutboundStatus));
  update.Bind(1, message_id).Bind(2, ToString(status.status));
  if (status.error) update.Bind(3, status.error->code).Bind(4, status.error->title).Bind(5, status.error->detail);
  STORE_TRY(update.Run());
  ++outcome.statuses_applied;
  return Ok();
}

Result<void> SqliteStore::Writer::Ingest(const IngestRequest& request, IngestOutcome& outcome) {
  auto touch_tenant = [&](int64_t tenant_id) {
    if (std::find(outcome.tenant_ids.begin(), outcome.tenant_ids.end(), tenant_id) == outcome.tenant_ids.end()) {
      outcome.tenant_ids.push_back(tenant_id);
    }
  };
  // The webhook route names the platform; items are routed by it rather than by their own field.
  for (const InboundItem& item : request.messages) {
    if (item.message.contact_id.empty()) return Error::InvalidArgument("message without a sender");
    STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, item.message.account_id));
    if (!channel) {
      ++outcome.unknown_account;
      continue;
    }
    touch_tenant(channel->tenant_id);
    STORE_TRY(IngestMessage(*channel, item, request.received_at_ms, request.platform, outcome));
  }
  for (const StatusUpdate& status : request.statuses) {
    STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, status.account_id));
    if (!channel) {
      ++outcome.unknown_account;
      continue;
    }
    touch_tenant(channel->tenant_id);
    STORE_TRY(ApplyStatus(*channel, status, outcome));
  }
  for (const Deletion& deletion : request.deletions) {
    STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, deletion.account_id));
    if (!channel) {
      ++outcome.unknown_account;
      continue;
    }
    touch_tenant(channel->tenant_id);
    STORE_ASSIGN_OR_RETURN(auto erase, db_->Prepare(kDeleteInbound));
    STORE_TRY(erase.Bind(1, channel->id).Bind(2, deletion.platform_message_id).Run());
  }
  for (const BusinessEcho& echo : request.echoes) {
    STORE_ASSIGN_OR_RETURN(auto channel, Resolve(request.platform, echo.account_id));
    if (!channel) {
      ++outcome.unknown_account;
      continue;
    }
    touch_tenant(channel->tenant_id);
    STORE_TRY(ApplyEcho(*channel, echo, request.received_at_ms, request.human_idle_ms, outcome));
  }
  return Ok();
}

Result<void> SqliteStore::Writer::ApplyEcho(const ChannelRoute& channel, const BusinessEcho& echo,
                                            int64_t received_at_ms, int64_t human_idle_ms, IngestOutcome& outcome) {
  {
    STORE_ASSIGN_OR_RETURN(auto exists, db_->Prepare(kMessageExists));
    STORE_ASSIGN_OR_RETURN(bool known, exists.Bind(1, channel.id).Bind(2, echo.platform_message_id).Step());
    if (known) return Ok();  // Parley's own reply (its send result already recorded), or a retried echo.
  }
  UnifiedMessage contact;
  contact.contact_id = echo.contact_id;
  STORE_ASSIGN_OR_RETURN(int64_t contact_id, UpsertContact(channel, contact, received_at_ms));
  int64_t conversation_id = 0;
  {
    STORE_ASSIGN_OR_RETURN(auto select, db_->Prepare(kSelectOpenConversation));
    STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, channel.id).Bind(2, contact_id).Step());
    if (found) conversation_id = select.Int(0);
  }
  if (conversation_id == 0) {
    STORE_ASSIGN_OR_RETURN(auto insert, db_->Prepare(kInsertConversation));
    STORE_TRY(insert.Bind(1, channel.tenant_id).Bind(2, channel.id).Bind(3, contact_id).Bind(4, received_at_ms).Run());
    conversation_id = db_->LastInsertRowid();
  } else {
    // The echo of a reply Parley sent may overtake the send's answer: same text, still queued, means it is ours.
    STORE_ASSIGN_OR_RETURN(auto own, db_->Prepare(kOwnUnrecordedReply));
    STORE_ASSIGN_OR_RETURN(bool ours, own.Bind(1, conversation_id).Bind(2, echo.text).Step());
    if (ours) {
      int64_t message_id = own.Int(0);
      STORE_ASSIGN_OR_RETURN(auto fill, db_->Prepare(kFillPlatformId));
      return fill.Bind(1, message_id).Bind(2, echo.platform_message_id).Run();
    }
  }
  STORE_ASSIGN_OR_RETURN(auto insert, db_->Prepare(kInsertEcho));
  insert.Bind(1, channel.tenant_id).Bind(2, conversation_id).Bind(3, channel.id).Bind(4, echo.text);
  STORE_TRY(insert.Bind(5, echo.platform_message_id).Bind(6, echo.timestamp_ms).Bind(7, received_at_ms).Run());
  STORE_ASSIGN_OR_RETURN(auto take_over, db_->Prepare(kTakeOver));
  take_over.Bind(1, conversation_id).Bind(2, received_at_ms).Bind(3, "takeover");
  if (human_idle_ms > 0) take_over.Bind(4, received_at_ms + human_idle_ms);
  STORE_TRY(take_over.Run());
  ++outcome.takeovers;
  return Ok();
}

// A pooled read-only connection, returned to the pool on destruction.
class SqliteStore::ReaderLease {
 public:
  ReaderLease(SqliteStore* store, std::unique_ptr<Database> db) : store_(store), db_(std::move(db)) {}
  ReaderLease(ReaderLease&& other) noexcept = default;
  ~ReaderLease() {
    if (!db_) return;
    std::lock_guard lock(store_->readers_mutex_);
    store_->idle_readers_.push_back(std::move(db_));
    --store_->readers_out_;
    store_->readers_cv_.notify_all();
  }
  Database& operator*() { return *db_; }

 private:
  SqliteStore* store_;
  std::unique_ptr<Database> db_;
};

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options, const crypto::SecretBox& box) {
  if (options.readers < 1) return Error::InvalidArgument("the sqlite store needs at least one reader");
  // The writer opens first: it switches the file to WAL mode, which the readers then share. With full
  // durability the writer commits at NORMAL and the syncer thread adds the fsync (see SyncerLoop).
  const bool deferred_sync = options.synchronous == "full" || options.synchronous == "extra";
  ConnectionOptions write_options{deferred_sync ? std::string("normal") : options.synchronous, options.busy_timeout_ms,
                                  false};
  STORE_ASSIGN_OR_RETURN(auto write_db, Database::Open(options.path, write_options));
  STORE_ASSIGN_OR_RETURN(auto checkpoint_db, Database::Open(options.path, write_options));
  std::vector<std::unique_ptr<Database>> readers;
  ConnectionOptions read_options{options.synchronous, options.busy_timeout_ms, true};
  for (int i = 0; i < options.readers; ++i) {
    STORE_ASSIGN_OR_RETURN(auto reader, Database::Open(options.path, read_options));
    readers.push_back(std::move(reader));
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(options, box, std::make_unique<Writer>(std::move(write_db)),
                                                      std::move(checkpoint_db), std::move(readers)));
}

SqliteStore::SqliteStore(const SqliteOptions& options, const crypto::SecretBox& box, std::unique_ptr<Writer> writer,
                         std::unique_ptr<Database> checkpoint_db, std::vector<std::unique_ptr<Database>> readers)
    : options_(options),
      box_(box),
      idle_readers_(std::move(readers)),
      deferred_sync_(options.synchronous == "full" || options.synchronous == "extra"),
      checkpoint_db_(std::move(checkpoint_db)),
      writer_(std::move(writer)),
      knowledge_(MakeSqliteKnowledgeStore(*this)),
      billing_(MakeSqliteBillingStore(*this)),
      access_(MakeSqliteAccessStore(*this)),
      checkpointer_thread_([this] { CheckpointerLoop(); }),
      syncer_thread_([this] { SyncerLoop(); }),
      writer_thread_([this] { WriterLoop(); }) {}

SqliteStore::~SqliteStore() { Close(); }

void SqliteStore::Close() {
  std::lock_guard close_lock(close_mutex_);
  {
    std::lock_guard lock(queue_mutex_);
    closed_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();  // Drains the queue first.
  {
    std::lock_guard lock(sync_mutex_);
    sync_closed_ = true;
  }
  sync_cv_.notify_all();
  if (syncer_thread_.joinable()) syncer_thread_.join();  // Acknowledges what the writer committed last.
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_closed_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpointer_thread_.joinable()) checkpointer_thread_.join();
  checkpoint_db_.reset();
  if (wal_fd_ >= 0) ::close(wal_fd_);
  wal_fd_ = -1;
  writer_.reset();
  std::unique_lock lock(readers_mutex_);
  readers_closed_ = true;
  readers_cv_.wait(lock, [&] { return readers_out_ == 0; });
  idle_readers_.clear();
}

bool SqliteStore::Enqueue(Job& job) {
  {
    std::lock_guard lock(queue_mutex_);
    if (closed_) return false;
    queue_.push_back(std::move(job));
  }
  queue_cv_.notify_one();
  return true;
}

void SqliteStore::WriterLoop() {
  writer_->db().OnWalCommit([this](int frames) { AfterCommit(frames); });
  std::vector<Job> group;  // Swapped with queue_, so both keep their capacity and steady state allocates nothing.
  while (true) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || closed_; });
      if (queue_.empty()) return;  // Closed and drained.
      group.swap(queue_);
      in_flight_.store(static_cast<int64_t>(group.size()));
    }
    RunGroup(group);
    group.clear();
    if (wal_too_long_) {
      wal_too_long_ = false;
      std::lock_guard running(checkpoint_run_mutex_);
      if (auto done = writer_->db().Checkpoint(); !done) {
        log::Warn("sqlite_checkpoint_failed", {{"detail", done.error().detail}});
      }
    }
  }
}

namespace {

// The writer's figures: groups per second and jobs per group say how well commits are shared.
struct WriterMetrics {
  metrics::Counter& groups = metrics::Global().GetCounter(
      "parley_store_write_groups_total", "Write transactions committed by the store's writer (group commits).",
      {{"backend", "sqlite"}});
  metrics::Counter& jobs = metrics::Global().GetCounter(
      "parley_store_write_jobs_total", "Writes (webhook payloads and other updates) in those transactions.",
      {{"backend", "sqlite"}});
  metrics::Histogram& group_seconds =
      metrics::Global().GetHistogram("parley_store_write_group_seconds",
                                     "Time from BEGIN to the end of COMMIT of one group.", {{"backend", "sqlite"}});
  metrics::Histogram& commit_seconds = metrics::Global().GetHistogram(
      "parley_store_commit_seconds", "Time spent in COMMIT (writing the WAL).", {{"backend", "sqlite"}});
  metrics::Histogram& sync_seconds = metrics::Global().GetHistogram(
      "parley_store_sync_seconds", "Time spent in fdatasync of the WAL before acknowledging (synchronous=full).",
      {{"backend", "sqlite"}});
  metrics::Histogram& checkpoint_seconds = metrics::Global().GetHistogram(
      "parley_store_checkpoint_seconds", "Time one WAL checkpoint took, on the checkpointer's own thread.",
      {{"backend", "sqlite"}});
};

WriterMetrics& Figures() {
  static WriterMetrics figures;
  return figures;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void SqliteStore::RunGroup(std::vector<Job>& group) {
  Database& db = writer_->db();
  const auto group_start = std::chrono::steady_clock::now();
  // One result slot per job; ingest outcomes live in their own vector so TaskJobs cost nothing there.
  Completion completion;
  completion.results.assign(group.size(), Ok());
  completion.outcomes.resize(group.size());
  std::vector<Result<void>>& results = completion.results;
  std::vector<IngestOutcome>& outcomes = completion.outcomes;

  auto run_job = [&](size_t i) -> Result<void> {
    outcomes[i] = IngestOutcome();  // A retried job starts from scratch.
    try {
      if (auto* ingest = std::get_if<IngestJob>(&group[i])) return writer_->Ingest(ingest->request, outcomes[i]);
      return std::get<TaskJob>(group[i]).apply(*writer_);
    } catch (const std::exception& e) {
      return Error::Internal(std::string("write threw: ") + e.what());
    }
  };
  // SQLite rolled the whole transaction back on its own (I/O error, disk full): every job in the group is lost.
  auto transaction_lost = [&](const Result<void>& job_result) -> Result<void> {
    if (!job_result) return job_result;
    return Error::Unavailable("storage unavailable", "transaction rolled back");
  };

  // Fast path: every job straight in the transaction. A savepoint per job copies each page it touches, which
  // costs about a third of the ingest rate; failures are rare, so they pay instead, with the slow path below.
  bool any_failed = false;
  Result<void> group_result = db.Run(kBegin);
  for (size_t i = 0; group_result && !any_failed && i < group.size(); ++i) {
    results[i] = run_job(i);
    if (!db.InTransaction()) {
      group_result = transaction_lost(results[i]);
    } else {
      any_failed = !results[i];
    }
  }
  if (group_result && any_failed) {
    // Slow path: undo everything and replay each job in its own savepoint, so that a failing job rolls back
    // alone. Replaying is sound because every job is a function of the database state, which is restored.
    (void)db.Run(kRollback);
    writer_->ForgetRoutes();  // A route cached from a rolled-back AddChannel would be stale.
    std::fill(results.begin(), results.end(), Ok());
    group_result = db.Run(kBegin);
    for (size_t i = 0; group_result && i < group.size(); ++i) {
      group_result = db.Run(kSavepoint);
      if (!group_result) break;
      results[i] = run_job(i);
      if (!db.InTransaction()) {
        group_result = transaction_lost(results[i]);
        break;
      }
      if (!results[i]) {
        if (auto r = db.Run(kRollbackTo); !r) group_result = r;
      }
      if (auto r = db.Run(kRelease); !r && group_result) group_result = r;
    }
  }
  const auto commit_start = std::chrono::steady_clock::now();
  if (group_result) group_result = db.Run(kCommit);
  Figures().commit_seconds.Observe(SecondsSince(commit_start));
  Figures().group_seconds.Observe(SecondsSince(group_start));
  Figures().groups.Inc();
  Figures().jobs.Inc(group.size());
  if (!group_result && db.InTransaction()) {
    (void)db.Run(kRollback);
    writer_->ForgetRoutes();
  }

  last_group_size_.store(static_cast<int64_t>(group.size()));
  in_flight_.store(0);  // Before completing: a caller that saw its write finish sees it counted out.
  completion.group_result = std::move(group_result);
  // Claim leases need no sync: losing one to a power cut only makes its conversation pending again.
  completion.needs_sync = completion.group_result && std::any_of(group.begin(), group.end(), [](const Job& job) {
                            const auto* task = std::get_if<TaskJob>(&job);
                            return task == nullptr || task->durable;
                          });
  completion.jobs = std::move(group);
  if (!deferred_sync_) {
    std::vector<Completion> batch;
    batch.push_back(std::move(completion));
    Acknowledge(batch, Ok());
    return;
  }
  {
    std::lock_guard lock(sync_mutex_);
    to_sync_.push_back(std::move(completion));
  }
  sync_cv_.notify_one();
}

void SqliteStore::Acknowledge(std::vector<Completion>& batch, const Result<void>& sync) {
  // Completion only after the commit (and its sync): a caller learns of success once it is durable.
  std::vector<std::pair<IngestCallback, Result<IngestOutcome>>> callbacks;
  for (Completion& completion : batch) {
    for (size_t i = 0; i < completion.jobs.size(); ++i) {
      Result<void> result = !completion.results[i]     ? completion.results[i]
                            : !completion.group_result ? completion.group_result
                                                       : sync;
      if (auto* ingest = std::get_if<IngestJob>(&completion.jobs[i])) {
        callbacks.emplace_back(std::move(ingest->done), result
                                                            ? Result<IngestOutcome>(std::move(completion.outcomes[i]))
                                                            : Result<IngestOutcome>(result.error()));
      } else {
        std::get<TaskJob>(completion.jobs[i]).committed->set_value(std::move(result));
      }
    }
  }
  auto run = [](std::vector<std::pair<IngestCallback, Result<IngestOutcome>>>& all) {
    for (auto& [done, outcome] : all) {
      try {
        done(std::move(outcome));
      } catch (const std::exception&) {
        // The callback contract forbids throwing; the other callbacks must still run.
      }
    }
  };
  if (callbacks.empty()) return;
  if (!options_.callback_executor) {
    run(callbacks);
    return;
  }
  boost::asio::post(options_.callback_executor, [run, callbacks = std::move(callbacks)]() mutable { run(callbacks); });
}

void SqliteStore::SyncerLoop() {
  std::vector<Completion> batch;
  while (true) {
    {
      std::unique_lock lock(sync_mutex_);
      sync_cv_.wait(lock, [&] { return !to_sync_.empty() || sync_closed_; });
      if (to_sync_.empty()) return;  // Closed and drained.
      batch.swap(to_sync_);
    }
    // One fdatasync covers every group committed so far: later groups share the earlier ones' wait.
    const bool needs_sync = std::any_of(batch.begin(), batch.end(), [](const Completion& c) { return c.needs_sync; });
    Result<void> synced = needs_sync ? SyncWal() : Ok();
    Acknowledge(batch, synced);
    batch.clear();
  }
}

void SqliteStore::AfterCommit(int wal_frames) {
  if (wal_frames < wal_frames_at_request_) wal_frames_at_request_ = 0;  // The WAL restarted.
  if (wal_frames >= options_.wal_restart_frames) wal_too_long_ = true;
  if (wal_frames - wal_frames_at_request_ < options_.checkpoint_frames) return;
  wal_frames_at_request_ = wal_frames;
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_wanted_ = true;
  }
  checkpoint_cv_.notify_one();
}

void SqliteStore::CheckpointerLoop() {
  while (true) {
    {
      std::unique_lock lock(checkpoint_mutex_);
      checkpoint_cv_.wait(lock, [&] { return checkpoint_wanted_ || checkpoint_closed_; });
      if (checkpoint_closed_) return;  // Closing the last connection checkpoints what is left.
      checkpoint_wanted_ = false;
    }
    const auto start = std::chrono::steady_clock::now();
    std::lock_guard running(checkpoint_run_mutex_);
    if (auto done = checkpoint_db_->Checkpoint(); !done) {
      log::Warn("sqlite_checkpoint_failed", {{"detail", done.error().detail}});
      continue;
    }
    Figures().checkpoint_seconds.Observe(SecondsSince(start));
  }
}

Result<void> SqliteStore::SyncWal() {
  const auto start = std::chrono::steady_clock::now();
  const std::string wal_path = options_.path + "-wal";
  // The WAL is reused in place after checkpoints; reopen only if the file itself was replaced.
  struct stat on_disk {};
  struct stat open_file {};
  if (wal_fd_ >= 0 && (::stat(wal_path.c_str(), &on_disk) != 0 || ::fstat(wal_fd_, &open_file) != 0 ||
                       on_disk.st_ino != open_file.st_ino || on_disk.st_dev != open_file.st_dev)) {
    ::close(wal_fd_);
    wal_fd_ = -1;
  }
  if (wal_fd_ < 0) wal_fd_ = ::open(wal_path.c_str(), O_RDWR | O_CLOEXEC);
  if (wal_fd_ < 0 || ::fdatasync(wal_fd_) != 0) {
    return Error::Unavailable("storage unavailable", std::string("syncing the WAL failed: ") + std::strerror(errno));
  }
  Figures().sync_seconds.Observe(SecondsSince(start));
  return Ok();
}

template <class T, class Fn>
Result<T> SqliteStore::WriteSync(Fn&& fn, bool durable) {
  std::optional<Result<T>> result;
  std::promise<Result<void>> committed;
  std::future<Result<void>> future = committed.get_future();
  // The closure refers to this frame, which lives until the writer has set `committed`.
  Job job = TaskJob{[&](Writer& writer) -> Result<void> {
                      result.emplace(fn(writer));
                      if (*result) return Ok();
                      return result->error();
                    },
                    &committed, durable};
  if (!Enqueue(job)) return ClosedError();
  Result<void> commit = future.get();
  if (!commit) return commit.error();
  return std::move(*result);
}

Result<void> SqliteStore::Write(const std::function<Result<void>(Database&)>& fn, bool durable) {
  auto written = WriteSync<std::monostate>(
      [&](Writer& writer) -> Result<std::monostate> {
        auto result = fn(writer.db());
        if (!result) return result.error();
        return std::monostate{};
      },
      durable);
  if (!written) return written.error();
  return Ok();
}

Result<void> SqliteStore::WriteForgettingRoutes(const std::function<Result<void>(Database&)>& fn) {
  auto written = WriteSync<std::monostate>([&](Writer& writer) -> Result<std::monostate> {
    auto result = fn(writer.db());
    writer.ForgetRoutes();
    if (!result) return result.error();
    return std::monostate{};
  });
  if (!written) return written.error();
  return Ok();
}

Result<void> SqliteStore::Read(const std::function<Result<void>(Database&)>& fn) {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  return fn(*reader);
}

KnowledgeStore& SqliteStore::knowledge() { return *knowledge_; }
AccessStore& SqliteStore::access() { return *access_; }

BillingStore& SqliteStore::billing() { return *billing_; }

Result<SqliteStore::ReaderLease> SqliteStore::AcquireReader() {
  std::unique_lock lock(readers_mutex_);
  readers_cv_.wait(lock, [&] { return !idle_readers_.empty() || readers_closed_; });
  if (readers_closed_) return ClosedError();
  std::unique_ptr<Database> db = std::move(idle_readers_.back());
  idle_readers_.pop_back();
  ++readers_out_;
  return ReaderLease(this, std::move(db));
}

Result<void> SqliteStore::Migrate() {
  {
    std::lock_guard lock(queue_mutex_);
    if (closed_) return ClosedError();
  }
  ConnectionOptions connection_options{options_.synchronous, options_.busy_timeout_ms, false};
  STORE_ASSIGN_OR_RETURN(auto db, Database::Open(options_.path, connection_options));
  // A migration that rebuilds a table (create the new one, copy, drop the old, rename) must not have the DROP
  // cascade into the rows that reference it: foreign keys are enforced on this connection only at the end of each
  // migration, by foreign_key_check, before it commits.
  STORE_TRY(db->Exec(kForeignKeysOff));
  STORE_TRY(db->Exec(kCreateMigrationsTable));
  for (const Migration& migration : Migrations()) {
    auto applied = InTransaction(*db, [&]() -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto check, db->Prepare(kMigrationApplied));
      check.Bind(1, migration.version);
      STORE_ASSIGN_OR_RETURN(bool done, check.Step());
      if (done) return Ok();  // Another process applied it first.
      std::string sql(migration.sql);
      STORE_TRY(db->Exec(sql.c_str()));
      STORE_ASSIGN_OR_RETURN(auto keys, db->Prepare(kForeignKeyCheck));
      STORE_ASSIGN_OR_RETURN(bool violated, keys.Step());
      if (violated) return Error::Internal("foreign key violated in table " + keys.String(0));
      STORE_ASSIGN_OR_RETURN(auto record, db->Prepare(kRecordMigration));
      return record.Bind(1, migration.version).Bind(2, migration.name).Bind(3, NowMs()).Run();
    });
    if (!applied) {
      Error error = applied.error();
      error.detail = "migration " + std::string(migration.name) + ": " + error.detail;
      return error;
    }
  }
  return Ok();
}

Result<Tenant> SqliteStore::CreateTenant(const std::string& name, const NewApiKey& first_key) {
  if (first_key.key_hash.empty()) return Error::InvalidArgument("an API key hash is required");
  Tenant tenant{0, name, NowMs()};
  return WriteSync<Tenant>([&](Writer& w) -> Result<Tenant> {
    STORE_ASSIGN_OR_RETURN(auto insert, w.db().Prepare(kInsertTenant));
    STORE_TRY(insert.Bind(1, tenant.name).Bind(2, tenant.created_at_ms).Step());
    tenant.id = insert.Int(0);
    STORE_ASSIGN_OR_RETURN(auto key, w.db().Prepare(kInsertApiKey));
    key.Bind(1, tenant.id).Bind(2, first_key.key_hash).Bind(3, first_key.prefix).Bind(4, tenant.created_at_ms);
    auto stored = key.Bind(5, first_key.name).Bind(6, first_key.role).Run();
    if (!stored && stored.error().code == ErrorCode::kConflict) return Error::Conflict("API key already in use");
    if (!stored) return stored.error();
    return tenant;
  });
}

void SqliteStore::Ingest(IngestRequest request, IngestCallback done) {
  Job job = IngestJob{std::move(request), std::move(done)};
  if (!Enqueue(job)) std::get<IngestJob>(job).done(ClosedError());
}

Result<std::vector<PendingConversation>> SqliteStore::ListPendingConversations() {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  STORE_ASSIGN_OR_RETURN(auto select, (*reader).Prepare(kListPending));
  std::vector<PendingConversation> pending;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    pending.push_back({select.Int(0), select.Int(1), ParsePlatform(select.Text(2)).value_or(Platform::kWhatsApp),
                       select.Int(3), select.OptionalInt(4).value_or(select.Int(3))});
  }
  return pending;
}

Result<Store::ClaimAttempt> SqliteStore::ClaimConversation(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) {
  std::string token = crypto::RandomToken(16);
  return WriteSync<ClaimAttempt>(
      [&](Writer& w) -> Result<ClaimAttempt> {
        Database& db = w.db();
        ClaimAttempt attempt;
        Claim claim;
        claim.conversation_id = conversation_id;
        claim.token = token;
        int64_t answered_through = 0;
        std::optional<int64_t> through;
        {
          STORE_ASSIGN_OR_RETURN(auto take, db.Prepare(kTakeClaim));
          take.Bind(1, conversation_id).Bind(2, token).Bind(3, now_ms).Bind(4, lease_ms);
          STORE_ASSIGN_OR_RETURN(bool taken, take.Step());
          if (!taken) {
            // Held by a live claim, nothing pending, or no such conversation: only the first has a holder.
            STORE_ASSIGN_OR_RETURN(auto state, db.Prepare(kClaimHolder));
            STORE_ASSIGN_OR_RETURN(bool held, state.Bind(1, conversation_id).Bind(2, now_ms).Step());
            if (held) attempt.held_until_ms = state.Int(0);
            return attempt;
          }
          claim.inbound_seq = take.Int(0);
          answered_through = take.Int(1);
          through = take.OptionalInt(2);
        }
        if (through) {
          STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kClaimedMessages));
          select.Bind(1, conversation_id).Bind(2, answered_through).Bind(3, *through);
          while (true) {
            STORE_ASSIGN_OR_RETURN(bool row, select.Step());
            if (!row) break;
            claim.messages.push_back(ReadMessage(select));
          }
        }
        if (claim.messages.empty()) {
          // Everything pending was unsent by the customer: nothing to answer, so the conversation stops pending.
          STORE_ASSIGN_OR_RETURN(auto answered, db.Prepare(kMarkAnswered));
          STORE_TRY(answered.Bind(1, conversation_id).Bind(2, 0).Run());
          return attempt;
        }
        {
          STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectConversation));
          STORE_ASSIGN_OR_RETURN(bool found, select.Bind(1, conversation_id).Step());
          if (!found) return Error::Internal("claimed conversation vanished");
          claim.conversation = ReadConversation(select);
        }
        STORE_ASSIGN_OR_RETURN(claim.channel, LoadChannel(db, claim.conversation.channel_id));
        attempt.claim = std::move(claim);
        return attempt;
      },
      /*durable=*/false);
}

Result<CommitResult> SqliteStore::CommitReply(const Claim& claim, const Reply& reply, int64_t now_ms,
                                              std::vector<int64_t>* outbound_ids) {
  std::vector<std::string> details;
  for (const OutboundDraft& draft : reply.messages) {
    details.push_back(draft.reply_to.empty()
                          ? std::string()
                          : boost::json::serialize(boost::json::object{{"reply_to", draft.reply_to}}));
  }
  auto committed = WriteSync<std::pair<CommitResult, std::vector<int64_t>>>(
      [&](Writer& w) -> Result<std::pair<CommitResult, std::vector<int64_t>>> {
        Database& db = w.db();
        int64_t tenant_id = 0;
        int64_t channel_id = 0;
        {
          STORE_ASSIGN_OR_RETURN(auto state, db.Prepare(kConversationClaimState));
          STORE_ASSIGN_OR_RETURN(bool found, state.Bind(1, claim.conversation_id).Step());
          if (!found) return Error::NotFound("no such conversation");
          // A matching token means nobody took the conversation over, even if the lease ran out meanwhile.
          tenant_id = state.Int(2);
          // A reply that is not committed costs nothing: its reservation goes back to the quota.
          if (state.IsNull(0) || state.Text(0) != claim.token) {
            STORE_TRY(SettleReplyUsage(db, tenant_id, reply, false));
            return std::pair{CommitResult::kLost, std::vector<int64_t>{}};
          }
          // A newer customer message, or a person who took over, makes this reply stale.
          if (state.Int(1) != claim.inbound_seq || state.Text(4) == "human") {
            STORE_ASSIGN_OR_RETURN(auto release, db.Prepare(kReleaseClaim));
            STORE_TRY(release.Bind(1, claim.conversation_id).Bind(2, claim.token).Run());
            STORE_TRY(SettleReplyUsage(db, tenant_id, reply, false));
            return std::pair{CommitResult::kSuperseded, std::vector<int64_t>{}};
          }
          channel_id = state.Int(3);
        }
        std::vector<int64_t> ids;
        for (size_t i = 0; i < reply.messages.size(); ++i) {
          const OutboundDraft& draft = reply.messages[i];
          STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertOutbound));
          insert.Bind(1, tenant_id).Bind(2, claim.conversation_id).Bind(3, channel_id).Bind(4, ToString(draft.type));
          insert.Bind(5, draft.text).Bind(6, now_ms);
          if (!details[i].empty()) insert.Bind(7, details[i]);
          STORE_TRY(insert.Run());
          ids.push_back(db.LastInsertRowid());
        }
        if (!reply.decision.empty()) {
          STORE_ASSIGN_OR_RETURN(auto trace, db.Prepare(kInsertReplyTrace));
          trace.Bind(1, tenant_id).Bind(2, claim.conversation_id);
          if (!ids.empty()) trace.Bind(3, ids.front());
          trace.Bind(4, reply.decision).Bind(5, reply.reason).Bind(6, reply.trace).Bind(7, now_ms);
          STORE_TRY(trace.Run());
        }
        STORE_ASSIGN_OR_RETURN(auto answered, db.Prepare(kMarkAnswered));
        STORE_TRY(answered.Bind(1, claim.conversation_id).Bind(2, ids.empty() ? 0 : now_ms).Run());
        if (reply.hand_off) {
          STORE_ASSIGN_OR_RETURN(auto hand_off, db.Prepare(kHandOff));
          hand_off.Bind(1, claim.conversation_id).Bind(2, reply.reason);
          if (reply.human_idle_ms > 0) hand_off.Bind(3, now_ms + reply.human_idle_ms);
          STORE_TRY(hand_off.Run());
          STORE_ASSIGN_OR_RETURN(auto support, db.Prepare(kOpenSupportItem));
          STORE_TRY(support.Bind(1, claim.conversation_id).Bind(2, reply.reason).Bind(3, now_ms).Run());
        }
        STORE_TRY(SettleReplyUsage(db, tenant_id, reply, true));
        return std::pair{CommitResult::kCommitted, std::move(ids)};
      });
  if (!committed) return committed.error();
  if (outbound_ids != nullptr) *outbound_ids = std::move(committed->second);
  return committed->first;
}

Result<std::vector<StoredMessage>> SqliteStore::RecentMessages(int64_t conversation_id, int64_t before_id, int limit) {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  STORE_ASSIGN_OR_RETURN(auto select, (*reader).Prepare(kRecentMessages));
  select.Bind(1, conversation_id).Bind(2, before_id).Bind(3, std::clamp(limit, 0, kMaxPageSize));
  std::vector<StoredMessage> messages;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    messages.push_back(ReadMessage(select));
  }
  std::reverse(messages.begin(), messages.end());
  return messages;
}

Result<Conversation> SqliteStore::SetConversationMode(int64_t tenant_id, int64_t conversation_id,
                                                      const std::string& mode, const std::string& reason,
                                                      int64_t human_idle_ms, int64_t now_ms) {
  if (mode != "bot" && mode != "human") return Error::InvalidArgument("mode must be bot or human");
  auto updated = WriteSync<Conversation>([&](Writer& w) -> Result<Conversation> {
    Database& db = w.db();
    STORE_ASSIGN_OR_RETURN(auto owned, db.Prepare(kConversationOfTenant));
    STORE_ASSIGN_OR_RETURN(bool found, owned.Bind(1, conversation_id).Bind(2, tenant_id).Step());
    if (!found) return Error::NotFound("no such conversation");
    if (mode == "human") {
      STORE_ASSIGN_OR_RETURN(auto take_over, db.Prepare(kTakeOver));
      take_over.Bind(1, conversation_id).Bind(2, now_ms).Bind(3, reason.empty() ? std::string_view("manual") : reason);
      if (human_idle_ms > 0) take_over.Bind(4, now_ms + human_idle_ms);
      STORE_TRY(take_over.Run());
    } else {
      STORE_ASSIGN_OR_RETURN(auto hand_back, db.Prepare(kHandBack));
      STORE_TRY(hand_back.Bind(1, conversation_id).Run());
      STORE_ASSIGN_OR_RETURN(auto resolve, db.Prepare(kResolveSupportItems));
      STORE_TRY(resolve.Bind(1, conversation_id).Bind(2, "hand_back").Bind(3, now_ms).Run());
    }
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectConversation));
    STORE_ASSIGN_OR_RETURN(bool row, select.Bind(1, conversation_id).Step());
    if (!row) return Error::Internal("conversation vanished");
    return ReadConversation(select);
  });
  return updated;
}

Result<std::vector<ReplyTrace>> SqliteStore::ListReplyTraces(int64_t tenant_id, int64_t conversation_id) {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  {
    STORE_ASSIGN_OR_RETURN(auto owned, (*reader).Prepare(kConversationOfTenant));
    STORE_ASSIGN_OR_RETURN(bool found, owned.Bind(1, conversation_id).Bind(2, tenant_id).Step());
    if (!found) return Error::NotFound("no such conversation");
  }
  STORE_ASSIGN_OR_RETURN(auto select, (*reader).Prepare(kReplyTraces));
  select.Bind(1, conversation_id);
  std::vector<ReplyTrace> traces;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    traces.push_back({select.Int(0), select.Int(1), select.OptionalInt(2), select.String(3), select.String(4),
                      select.String(5), select.Int(6)});
  }
  return traces;
}

Result<void> SqliteStore::ReleaseClaim(int64_t conversation_id, const std::string& token) {
  return WriteSync<void>(
      [&](Writer& w) -> Result<void> {
        STORE_ASSIGN_OR_RETURN(auto release, w.db().Prepare(kReleaseClaim));
        return release.Bind(1, conversation_id).Bind(2, token).Run();
      },
      /*durable=*/false);
}

Result<std::vector<OutboundMessage>> SqliteStore::LoadOutbound(Database& db, std::optional<int64_t> message_id) {
  std::vector<OutboundMessage> messages;
  std::vector<int64_t> channel_ids;
  {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(message_id ? kOutboundById : kQueuedOutbound));
    if (message_id) select.Bind(1, *message_id);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      OutboundMessage m;
      m.id = select.Int(0);
      m.conversation_id = select.Int(1);
      m.tenant_id = select.Int(2);
      channel_ids.push_back(select.Int(3));
      m.recipient_id = select.String(4);
      m.draft.type = ParseMessageType(select.Text(5)).value_or(MessageType::kText);
      m.draft.text = select.String(6);
      m.draft.reply_to = select.String(7);
      m.draft.human_agent = select.Int(8) != 0;
      messages.push_back(std::move(m));
    }
  }
  std::map<int64_t, Channel> channels;  // Few channels, many messages: unseal each token once.
  for (size_t i = 0; i < messages.size(); ++i) {
    auto it = channels.find(channel_ids[i]);
    if (it == channels.end()) {
      STORE_ASSIGN_OR_RETURN(Channel channel, LoadChannel(db, channel_ids[i]));
      it = channels.emplace(channel_ids[i], std::move(channel)).first;
    }
    messages[i].channel = it->second;
  }
  return messages;
}

Result<std::vector<OutboundMessage>> SqliteStore::ListQueuedOutbound() {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  return LoadOutbound(*reader, std::nullopt);
}

Result<OutboundMessage> SqliteStore::GetOutbound(int64_t message_id) {
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  STORE_ASSIGN_OR_RETURN(auto messages, LoadOutbound(*reader, message_id));
  if (messages.empty()) return Error::NotFound("no such outbound message");
  return std::move(messages.front());
}

Result<void> SqliteStore::RecordSendResult(int64_t message_id, const std::string& platform_message_id,
                                           MessageStatus status, const std::optional<MessageError>& error) {
  if (status != MessageStatus::kSent && status != MessageStatus::kFailed) {
    return Error::InvalidArgument("a send result is sent or failed");
  }
  if (status == MessageStatus::kSent && platform_message_id.empty()) {
    return Error::InvalidArgument("a sent message has a platform id");
  }
  return WriteSync<void>([&](Writer& w) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto update, w.db().Prepare(kRecordSend));
    update.Bind(1, message_id).Bind(2, platform_message_id).Bind(3, ToString(status));
    if (error) update.Bind(4, error->code).Bind(5, error->title).Bind(6, error->detail);
    STORE_TRY(update.Run());
    if (w.db().Changes() == 0) return Error::NotFound("no such outbound message");
    if (status != MessageStatus::kSent) return Ok();
    // Statuses that came in before this record: apply the most advanced one.
    STORE_ASSIGN_OR_RETURN(auto early, w.db().Prepare(kEarlyStatusesFor));
    early.Bind(1, message_id);
    std::optional<StatusUpdate> best;
    int best_rank = -1;
    int64_t channel_id = 0;
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, early.Step());
      if (!row) break;
      auto candidate = ParseMessageStatus(early.Text(0));
      auto current = ParseMessageStatus(early.Text(4));
      channel_id = early.Int(5);
      if (!candidate || !current) continue;
      int rank = OutboundRank(*candidate);
      if (rank <= OutboundRank(*current) || rank <= best_rank) continue;
      best_rank = rank;
      best.emplace();
      best->status = *candidate;
      if (!early.IsNull(1))
        best->error =
            MessageError{static_cast<int>(early.Int(1)), std::string(early.Text(2)), std::string(early.Text(3))};
    }
    if (channel_id == 0) return Ok();
    if (best) {
      STORE_ASSIGN_OR_RETURN(auto apply, w.db().Prepare(kSetOutboundStatus));
      apply.Bind(1, message_id).Bind(2, ToString(best->status));
      if (best->error) apply.Bind(3, best->error->code).Bind(4, best->error->title).Bind(5, best->error->detail);
      STORE_TRY(apply.Run());
    }
    constexpr int64_t kEarlyStatusLifetimeMs = int64_t{24} * 3600 * 1000;
    STORE_ASSIGN_OR_RETURN(auto forget, w.db().Prepare(kForgetEarlyStatuses));
    STORE_TRY(forget.Bind(1, channel_id).Bind(2, platform_message_id).Bind(3, NowMs() - kEarlyStatusLifetimeMs).Run());
    return Ok();
  });
}

Result<Page<Conversation>> SqliteStore::ListConversations(int64_t tenant_id, const ConversationFilter& filter,
                                                          const std::optional<std::string>& cursor, int limit) {
  limit = ClampPageSize(limit);
  std::optional<std::pair<int64_t, int64_t>> after;
  if (cursor) {
    STORE_ASSIGN_OR_RETURN(after, ParseConversationCursor(*cursor));
  }
  std::optional<std::string> pattern;
  if (filter.text && !filter.text->empty()) {
    std::string escaped;
    for (char ch : *filter.text) {
      if (ch == '%' || ch == '_' || ch == '\\') escaped += '\\';
      escaped += ch;
    }
    pattern = "%" + escaped + "%";
  }
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  STORE_ASSIGN_OR_RETURN(auto select, (*reader).Prepare(kConversationsPage));
  select.Bind(1, tenant_id).Bind(2, limit + 1);  // One extra row tells whether another page follows.
  if (after) select.Bind(3, after->first).Bind(4, after->second);
  select.Bind(5, filter.channel_id).Bind(6, filter.status).Bind(7, filter.mode).Bind(8, filter.assignee_user_id);
  select.Bind(9, filter.active_since_ms).Bind(10, filter.active_before_ms).Bind(11, pattern);
  Page<Conversation> page;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    if (static_cast<int>(page.data.size()) == limit) {
      const Conversation& last = page.data.back();
      page.next_cursor = ConversationCursor(last.last_message_at_ms, last.id);
      break;
    }
    page.data.push_back(ReadConversation(select));
  }
  return page;
}

Result<Page<StoredMessage>> SqliteStore::ListMessages(int64_t tenant_id, int64_t conversation_id,
                                                      const std::optional<std::string>& cursor, int limit) {
  limit = ClampPageSize(limit);
  int64_t after_id = 0;
  if (cursor) {
    STORE_ASSIGN_OR_RETURN(after_id, ParseIdCursor('m', *cursor));
  }
  STORE_ASSIGN_OR_RETURN(auto reader, AcquireReader());
  {
    STORE_ASSIGN_OR_RETURN(auto owner, (*reader).Prepare(kConversationOfTenant));
    STORE_ASSIGN_OR_RETURN(bool owned, owner.Bind(1, conversation_id).Bind(2, tenant_id).Step());
    if (!owned) return Error::NotFound("no such conversation");
  }
  STORE_ASSIGN_OR_RETURN(auto select, (*reader).Prepare(kMessagesPage));
  select.Bind(1, conversation_id).Bind(2, after_id).Bind(3, limit + 1);
  return ReadIdPage<StoredMessage>(select, 'm', limit, ReadMessage);
}

StoreHealth SqliteStore::Health() {
  StoreHealth health;
  health.backend = "sqlite";
  std::lock_guard lock(queue_mutex_);
  health.ok = !closed_;
  health.detail = closed_ ? "closed" : "wal, synchronous=" + options_.synchronous;
  health.pending_writes = static_cast<int64_t>(queue_.size()) + in_flight_.load();
  return health;
}

void SqliteStore::HoldWriterForTesting(std::shared_future<void> release) {
  // Not WriteSync: the caller waits only until the writer is blocked, not for a hold it has yet to release.
  auto committed = std::make_shared<std::promise<Result<void>>>();
  auto started = std::make_shared<std::promise<void>>();
  std::future<void> blocked = started->get_future();
  auto once = std::make_shared<std::once_flag>();  // A replayed group runs the hold again.
  Job job = TaskJob{[release, committed, started, once](Writer&) -> Result<void> {
                      std::call_once(*once, [&] { started->set_value(); });
                      release.wait();
                      return Ok();
                    },
                    committed.get()};
  if (Enqueue(job)) blocked.wait();
}

}  // namespace parley::store::sqlite
