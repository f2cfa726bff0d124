// Customers' media records on SQLite (migration 0026).

#include "store/sqlite/media_records.h"

#include "core/json.h"
#include "store/event_data.h"
#include "store/sqlite/db.h"
#include "store/sqlite/read_all.h"
#include "store/sqlite/sqlite_store.h"

#include <boost/json/array.hpp>

namespace parley::store::sqlite {
namespace {

#define MEDIA_COLUMNS                                                                                        \
  "id, tenant_id, message_id, channel_id, public_id, platform_media_id, type, status, COALESCE(error, ''), " \
  "COALESCE(mime_type, ''), bytes, COALESCE(file_key, ''), COALESCE(thumbnail_key, ''), "                    \
  "COALESCE(agent_key, ''), attempts, created_at, transcript, ocr_text, "                                    \
  "(SELECT conversation_id FROM messages WHERE messages.id = media.message_id)"
constexpr char kDue[] = "SELECT " MEDIA_COLUMNS
                        " FROM media WHERE status = 'pending' AND next_attempt_at <= ?1 AND lease_until <= ?1"
                        " ORDER BY next_attempt_at, id LIMIT ?2";
constexpr char kLease[] =
    "UPDATE media SET lease_until = ?3 WHERE id = ?1 AND status = 'pending' AND lease_until <= ?2";
constexpr char kNextDue[] = "SELECT MIN(MAX(next_attempt_at, lease_until)) FROM media WHERE status = 'pending'";
constexpr char kFinish[] =
    "UPDATE media SET status = ?3, error = ?4, mime_type = ?5, bytes = ?6, file_key = ?7, thumbnail_key = ?8,"
    " agent_key = ?9, attempts = attempts + 1, next_attempt_at = ?10, lease_until = 0, updated_at = ?11,"
    " transcript = ?12, ocr_text = ?13"
    " WHERE id = ?1 AND lease_until = ?2 AND status = 'pending'";
// The message a record belongs to, for the event that tells readers its media changed.
constexpr char kMediaMessage[] =
    "SELECT m.tenant_id, m.conversation_id, m.id, m.status FROM media JOIN messages m ON m.id = media.message_id"
    " WHERE media.id = ?1";
constexpr char kForMessages[] =
    "SELECT " MEDIA_COLUMNS " FROM media WHERE tenant_id = ?1 AND message_id IN (SELECT value FROM json_each(?2))";
constexpr char kByPublicId[] = "SELECT " MEDIA_COLUMNS " FROM media WHERE tenant_id = ?1 AND public_id = ?2";
#undef MEDIA_COLUMNS
// A pending upload (PlatformTraits::MediaSource::kUploaded: a web chat visitor's file) is kept under the key its
// platform media id names until the fetcher has made it ready; another platform's media id is never a file's key.
constexpr char kFileKeys[] =
    "SELECT file_key FROM media WHERE tenant_id = ?1 AND file_key IS NOT NULL UNION "
    "SELECT thumbnail_key FROM media WHERE tenant_id = ?1 AND thumbnail_key IS NOT NULL UNION "
    "SELECT agent_key FROM media WHERE tenant_id = ?1 AND agent_key IS NOT NULL UNION "
    "SELECT platform_media_id FROM media WHERE tenant_id = ?1 AND status = 'pending'";
constexpr char kUsage[] =
    "SELECT COALESCE(SUM(bytes), 0) FROM media WHERE tenant_id = ?1 AND status = 'ready'"
    " AND COALESCE(file_key, '') <> ''";
constexpr char kExpire[] =
    "UPDATE media SET status = 'failed', error = 'deleted after the retention period', file_key = NULL,"
    " thumbnail_key = NULL, agent_key = NULL, transcript = NULL, ocr_text = NULL, updated_at = ?2"
    " WHERE id IN (SELECT id FROM media WHERE status = 'ready' AND created_at < ?1 AND"
    " (COALESCE(file_key, '') <> '' OR transcript IS NOT NULL OR ocr_text IS NOT NULL) LIMIT ?3)";

MediaRecord ReadRecord(const Statement& row) {
  MediaRecord r;
  r.id = row.Int(0);
  r.tenant_id = row.Int(1);
  r.message_id = row.Int(2);
  r.channel_id = row.Int(3);
  r.public_id = row.String(4);
  r.platform_media_id = row.String(5);
  r.type = ParseMessageType(row.Text(6)).value_or(MessageType::kDocument);
  r.status = ParseMediaStatus(row.Text(7)).value_or(MediaStatus::kFailed);
  r.error = row.String(8);
  r.mime_type = row.String(9);
  r.bytes = row.Int(10);
  r.file_key = row.String(11);
  r.thumbnail_key = row.String(12);
  r.agent_key = row.String(13);
  r.attempts = static_cast<int>(row.Int(14));
  r.created_at_ms = row.Int(15);
  r.transcript = row.OptionalString(16);
  r.ocr_text = row.OptionalString(17);
  r.conversation_id = row.Int(18);
  return r;
}

std::optional<std::string> Nullable(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

class SqliteMediaRecords final : public MediaRecords {
 public:
  explicit SqliteMediaRecords(SqliteStore& store) : store_(store) {}

  Result<std::vector<MediaRecord>> LeaseDue(int64_t now_ms, int64_t lease_until_ms, int limit) override {
    std::vector<MediaRecord> leased;
    STORE_TRY(store_.Write(
        [&](Database& db) -> Result<void> {
          leased.clear();  // A failed group is replayed.
          std::vector<MediaRecord> due;
          {
            STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kDue));
            select.Bind(1, now_ms).Bind(2, limit);
            while (true) {
              STORE_ASSIGN_OR_RETURN(bool row, select.Step());
              if (!row) break;
              due.push_back(ReadRecord(select));
            }
          }
          for (auto& record : due) {
            STORE_ASSIGN_OR_RETURN(auto lease, db.Prepare(kLease));
            STORE_TRY(lease.Bind(1, record.id).Bind(2, now_ms).Bind(3, lease_until_ms).Run());
            if (db.Changes() > 0) leased.push_back(std::move(record));
          }
          return Ok();
        },
        /*durable=*/false));
    return leased;
  }

  Result<std::optional<int64_t>> NextDue() override {
    std::optional<int64_t> next;
    STORE_TRY(store_.Read([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kNextDue));
      STORE_TRY(select.Step());
      next = select.OptionalInt(0);
      return Ok();
    }));
    return next;
  }

  Result<void> Finish(int64_t media_id, int64_t lease_until_ms, const MediaOutcome& outcome, int64_t now_ms) override {
    const std::string status(ToString(outcome.status));
    const auto error = Nullable(outcome.error);
    const auto mime_type = Nullable(outcome.mime_type);
    const auto file_key = Nullable(outcome.file_key);
    const auto thumbnail_key = Nullable(outcome.thumbnail_key);
    const auto agent_key = Nullable(outcome.agent_key);
    return store_.Write([&](Database& db) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto finish, db.Prepare(kFinish));
      finish.Bind(1, media_id).Bind(2, lease_until_ms).Bind(3, status).Bind(4, error).Bind(5, mime_type);
      finish.Bind(6, outcome.bytes).Bind(7, file_key).Bind(8, thumbnail_key).Bind(9, agent_key);
      finish.Bind(10, outcome.status == MediaStatus::kPending ? outcome.retry_at_ms : now_ms).Bind(11, now_ms);
      finish.Bind(12, outcome.transcript).Bind(13, outcome.ocr_text);
      STORE_TRY(finish.Run());
      if (db.Changes() == 0 || outcome.status == MediaStatus::kPending) return Ok();
      STORE_ASSIGN_OR_RETURN(auto message, db.Prepare(kMediaMessage));
      STORE_ASSIGN_OR_RETURN(bool found, message.Bind(1, media_id).Step());
      if (!found) return Ok();
      const MessageStatus message_status = ParseMessageStatus(message.Text(3)).value_or(MessageStatus::kReceived);
      STORE_TRY(store_.AppendEvent(message.Int(0), EventType::kMessageUpdated,
                                   MessageMediaEventData(message.Int(1), message.Int(2), message_status, status),
                                   now_ms));
      return Ok();
    });
  }

  Result<std::vector<MediaRecord>> ForMessages(int64_t tenant_id, const std::vector<int64_t>& message_ids) override {
    if (message_ids.empty()) return std::vector<MediaRecord>{};
    boost::json::array ids(message_ids.begin(), message_ids.end());
    const std::string ids_json = SerializeJson(ids);
    return ReadAll<MediaRecord>(store_, kForMessages, ReadRecord,
                                [&](Statement& s) { s.Bind(1, tenant_id).Bind(2, ids_json); });
  }

  Result<MediaRecord> GetByPublicId(int64_t tenant_id, std::string_view public_id) override {
    auto found = ReadAll<MediaRecord>(store_, kByPublicId, ReadRecord,
                                      [&](Statement& s) { s.Bind(1, tenant_id).Bind(2, public_id); });
    if (!found) return found.error();
    if (found->empty()) return Error::NotFound("no such media");
    return std::move(found->front());
  }

  Result<std::set<std::string>> FileKeys(int64_t tenant_id) override {
    auto keys = ReadAll<std::string>(
        store_, kFileKeys, [](const Statement& row) { return row.String(0); },
        [&](Statement& s) { s.Bind(1, tenant_id); });
    if (!keys) return keys.error();
    return std::set<std::string>(keys->begin(), keys->end());
  }

  Result<int64_t> UsageBytes(int64_t tenant_id) override {
    auto usage = ReadAll<int64_t>(
        store_, kUsage, [](const Statement& row) { return row.Int(0); }, [&](Statement& s) { s.Bind(1, tenant_id); });
    if (!usage) return usage.error();
    return usage->empty() ? 0 : usage->front();
  }

  Result<int64_t> ExpireBefore(int64_t cutoff_ms, int64_t now_ms, int batch) override {
    int64_t total = 0;
    while (true) {
      int64_t changed = 0;
      STORE_TRY(store_.Write([&](Database& db) -> Result<void> {
        STORE_ASSIGN_OR_RETURN(auto expire, db.Prepare(kExpire));
        STORE_TRY(expire.Bind(1, cutoff_ms).Bind(2, now_ms).Bind(3, batch).Run());
        changed = db.Changes();
        return Ok();
      }));
      total += changed;
      if (changed < batch) return total;
    }
  }

 private:
  SqliteStore& store_;
};

}  // namespace

std::unique_ptr<MediaRecords> MakeSqliteMediaRecords(SqliteStore& store) {
  return std::make_unique<SqliteMediaRecords>(store);
}

}  // namespace parley::store::sqlite
