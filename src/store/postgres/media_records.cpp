// Customers' media records on PostgreSQL, by the SQLite backend's rules (sqlite/media_records.cpp). Workers in
// several processes share them: a record is leased by a conditional UPDATE, so one of them fetches it.

#include "store/media_records.h"
#include "store/event_data.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "store/postgres/sub_stores.h"

namespace parley::store::postgres {
namespace {

#define MEDIA_COLUMNS                                                                                        \
  "id, tenant_id, message_id, channel_id, public_id, platform_media_id, type, status, COALESCE(error, ''), " \
  "COALESCE(mime_type, ''), bytes, COALESCE(file_key, ''), COALESCE(thumbnail_key, ''), "                    \
  "COALESCE(agent_key, ''), attempts, created_at, transcript, ocr_text, "                                    \
  "(SELECT conversation_id FROM messages WHERE messages.id = media.message_id)"
// FOR UPDATE SKIP LOCKED: two workers leasing at once take different records instead of waiting on each other.
constexpr char kLeaseDue[] =
    "UPDATE media SET lease_until = $2 WHERE id IN (SELECT id FROM media WHERE status = 'pending'"
    " AND next_attempt_at <= $1 AND lease_until <= $1 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)"
    " RETURNING " MEDIA_COLUMNS;
constexpr char kForMessages[] =
    "SELECT " MEDIA_COLUMNS " FROM media WHERE tenant_id = $1 AND message_id = ANY($2::bigint[])";
constexpr char kByPublicId[] = "SELECT " MEDIA_COLUMNS " FROM media WHERE tenant_id = $1 AND public_id = $2";
#undef MEDIA_COLUMNS
constexpr char kNextDue[] = "SELECT MIN(GREATEST(next_attempt_at, lease_until)) FROM media WHERE status = 'pending'";
constexpr char kFinish[] =
    "UPDATE media SET status = $3, error = $4, mime_type = $5, bytes = $6, file_key = $7, thumbnail_key = $8,"
    " agent_key = $9, attempts = attempts + 1, next_attempt_at = $10, lease_until = 0, updated_at = $11,"
    " transcript = $12, ocr_text = $13"
    " WHERE id = $1 AND lease_until = $2 AND status = 'pending'"
    " RETURNING tenant_id, (SELECT conversation_id FROM messages WHERE id = media.message_id), message_id,"
    " (SELECT status FROM messages WHERE id = media.message_id)";
// A pending upload (PlatformTraits::MediaSource::kUploaded: a web chat visitor's file) is kept under the key its
// platform media id names until the fetcher has made it ready; another platform's media id is never a file's key.
constexpr char kFileKeys[] =
    "SELECT file_key FROM media WHERE tenant_id = $1 AND file_key IS NOT NULL UNION "
    "SELECT thumbnail_key FROM media WHERE tenant_id = $1 AND thumbnail_key IS NOT NULL UNION "
    "SELECT agent_key FROM media WHERE tenant_id = $1 AND agent_key IS NOT NULL UNION "
    "SELECT platform_media_id FROM media WHERE tenant_id = $1 AND status = 'pending'";
constexpr char kUsage[] =
    "SELECT COALESCE(SUM(bytes), 0)::bigint FROM media WHERE tenant_id = $1 AND status = 'ready'"
    " AND COALESCE(file_key, '') <> ''";
constexpr char kExpire[] =
    "UPDATE media SET status = 'failed', error = 'deleted after the retention period', file_key = NULL,"
    " thumbnail_key = NULL, agent_key = NULL, transcript = NULL, ocr_text = NULL, updated_at = $2"
    " WHERE id IN (SELECT id FROM media WHERE status = 'ready' AND created_at < $1 AND"
    " (COALESCE(file_key, '') <> '' OR transcript IS NOT NULL OR ocr_text IS NOT NULL) LIMIT $3 FOR UPDATE SKIP "
    "LOCKED)";

MediaRecord ReadRecord(const Rows& rows, int i) {
  MediaRecord r;
  r.id = rows.Int(i, 0);
  r.tenant_id = rows.Int(i, 1);
  r.message_id = rows.Int(i, 2);
  r.channel_id = rows.Int(i, 3);
  r.public_id = rows.String(i, 4);
  r.platform_media_id = rows.String(i, 5);
  r.type = ParseMessageType(rows.Text(i, 6)).value_or(MessageType::kDocument);
  r.status = ParseMediaStatus(rows.Text(i, 7)).value_or(MediaStatus::kFailed);
  r.error = rows.String(i, 8);
  r.mime_type = rows.String(i, 9);
  r.bytes = rows.Int(i, 10);
  r.file_key = rows.String(i, 11);
  r.thumbnail_key = rows.String(i, 12);
  r.agent_key = rows.String(i, 13);
  r.attempts = static_cast<int>(rows.Int(i, 14));
  r.created_at_ms = rows.Int(i, 15);
  r.transcript = rows.OptionalString(i, 16);
  r.ocr_text = rows.OptionalString(i, 17);
  r.conversation_id = rows.Int(i, 18);
  return r;
}

std::optional<std::string> Nullable(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

class PostgresMediaRecords final : public MediaRecords {
 public:
  explicit PostgresMediaRecords(PostgresStore& store) : store_(store) {}

  Result<std::vector<MediaRecord>> LeaseDue(int64_t now_ms, int64_t lease_until_ms, int limit) override {
    return store_.Write<std::vector<MediaRecord>>([&](Connection& db, EventNotes&) -> Result<std::vector<MediaRecord>> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kLeaseDue, Params(now_ms, lease_until_ms, limit)));
      std::vector<MediaRecord> leased;
      for (int i = 0; i < rows.size(); ++i) leased.push_back(ReadRecord(rows, i));
      return leased;
    });
  }

  Result<std::optional<int64_t>> NextDue() override {
    return store_.Read<std::optional<int64_t>>([&](Connection& db) -> Result<std::optional<int64_t>> {
      STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kNextDue));
      return rows.OptionalInt(0, 0);
    });
  }

  Result<void> Finish(int64_t media_id, int64_t lease_until_ms, const MediaOutcome& outcome, int64_t now_ms) override {
    Params params(media_id, lease_until_ms, ToString(outcome.status), Nullable(outcome.error),
                  Nullable(outcome.mime_type), outcome.bytes, Nullable(outcome.file_key),
                  Nullable(outcome.thumbnail_key), Nullable(outcome.agent_key),
                  outcome.status == MediaStatus::kPending ? outcome.retry_at_ms : now_ms, now_ms, outcome.transcript,
                  outcome.ocr_text);
    return store_.Write<void>([&](Connection& db, EventNotes& notes) -> Result<void> {
      STORE_ASSIGN_OR_RETURN(auto finished, db.Query(kFinish, params));
      if (finished.empty() || outcome.status == MediaStatus::kPending || finished.IsNull(0, 1)) return Ok();
      const MessageStatus message_status = ParseMessageStatus(finished.Text(0, 3)).value_or(MessageStatus::kReceived);
      AppendEvent(
          notes, finished.Int(0, 0), EventType::kMessageUpdated,
          MessageMediaEventData(finished.Int(0, 1), finished.Int(0, 2), message_status, ToString(outcome.status)),
          now_ms);
      return Ok();
    });
  }

  Result<std::vector<MediaRecord>> ForMessages(int64_t tenant_id, const std::vector<int64_t>& message_ids) override {
    if (message_ids.empty()) return std::vector<MediaRecord>{};
    return store_.ReadAll<MediaRecord>(kForMessages, Params(tenant_id, IdArray(message_ids)), ReadRecord);
  }

  Result<MediaRecord> GetByPublicId(int64_t tenant_id, std::string_view public_id) override {
    return store_.ReadOne<MediaRecord>(kByPublicId, Params(tenant_id, public_id), "no such media", ReadRecord);
  }

  Result<std::set<std::string>> FileKeys(int64_t tenant_id) override {
    auto keys = store_.ReadAll<std::string>(kFileKeys, Params(tenant_id),
                                            [](const Rows& rows, int i) { return rows.String(i, 0); });
    if (!keys) return keys.error();
    return std::set<std::string>(keys->begin(), keys->end());
  }

  Result<int64_t> UsageBytes(int64_t tenant_id) override {
    return store_.ReadOne<int64_t>(kUsage, Params(tenant_id), "no usage",
                                   [](const Rows& rows, int i) { return rows.Int(i, 0); });
  }

  Result<int64_t> ExpireBefore(int64_t cutoff_ms, int64_t now_ms, int batch) override {
    int64_t total = 0;
    while (true) {
      auto changed = store_.Write<int64_t>([&](Connection& db, EventNotes&) -> Result<int64_t> {
        STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kExpire, Params(cutoff_ms, now_ms, batch)));
        return rows.affected();
      });
      if (!changed) return changed.error();
      total += *changed;
      if (*changed < batch) return total;
    }
  }

 private:
  PostgresStore& store_;
};

}  // namespace

std::unique_ptr<MediaRecords> MakePostgresMediaRecords(PostgresStore& store) {
  return std::make_unique<PostgresMediaRecords>(store);
}

}  // namespace parley::store::postgres
