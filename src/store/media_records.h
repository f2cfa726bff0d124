#pragma once
// The records of customers' media (migration 0026 on SQLite, 0005 on PostgreSQL): one per inbound message that
// carries a platform media id, or only a link to the file (0031, 0010: Instagram, Messenger), created `pending` in the
// transaction that stores the message (store/store.h Ingest), so a webhook's 200 always means the media will be
// fetched. Workers lease the due ones, fetch them and record the outcome: `ready` with the stored files' keys
// (media/media_store.h) and what was read from it (a voice note's transcript, the text in a photo), `refused` (too
// large, a type the message cannot carry) or, after the last attempt, `failed`; never dropped silently. A record goes
// with its message (conversation deletion, erasure, retention), by the foreign key. Reached through Store::media();
// blocking and thread-safe like Store. Calls that take a tenant are scoped by it.

#include "core/error.h"
#include "core/message.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

enum class MediaStatus { kPending, kReady, kFailed, kRefused };
std::string_view ToString(MediaStatus status);
std::optional<MediaStatus> ParseMediaStatus(std::string_view text);

struct MediaRecord {
  int64_t id = 0;
  int64_t tenant_id = 0;
  int64_t message_id = 0;
  int64_t channel_id = 0;
  int64_t conversation_id = 0;    //!< Its message's.
  std::string public_id;          //!< Random; what signed links name.
  std::string platform_media_id;  //!< The platform's media id, or the link where that is all it gives.
  MessageType type = MessageType::kImage;
  MediaStatus status = MediaStatus::kPending;
  std::string error;          //!< Why it was refused or failed; empty otherwise.
  std::string mime_type;      //!< Sniffed from the bytes once fetched; empty before.
  int64_t bytes = 0;          //!< Of the original file; 0 before it is fetched.
  std::string file_key;       //!< The original's key in the media store; empty unless ready.
  std::string thumbnail_key;  //!< Images: the dashboard's thumbnail.
  std::string agent_key;      //!< Images: the copy resized for the agent.
  //! Voice and audio: what was said (empty: nothing was). nullopt while not known: not fetched yet, no transcriber
  //! configured, or transcription failed.
  std::optional<std::string> transcript;
  //! Images: the text read in the picture (empty: none). nullopt while not known, or when it could not be read.
  std::optional<std::string> ocr_text;
  int attempts = 0;  //!< Fetches tried so far.
  int64_t created_at_ms = 0;
};

// What one fetch came to. `status` kPending means "try again at retry_at_ms" (the attempt is counted).
struct MediaOutcome {
  MediaStatus status = MediaStatus::kReady;
  std::string error;
  std::string mime_type;
  int64_t bytes = 0;
  std::string file_key;
  std::string thumbnail_key;
  std::string agent_key;
  std::optional<std::string> transcript;
  std::optional<std::string> ocr_text;
  int64_t retry_at_ms = 0;
};

class MediaRecords {
 public:
  virtual ~MediaRecords() = default;

  // Leases up to `limit` pending records due at `now_ms` (next attempt reached, no live lease), oldest due first,
  // until `lease_until_ms`: a worker that dies holding one loses it then, and another takes it. Each record is
  // leased by one caller among all processes.
  virtual Result<std::vector<MediaRecord>> LeaseDue(int64_t now_ms, int64_t lease_until_ms, int limit) = 0;

  // When the earliest pending record falls due (its next attempt or the end of its lease); nullopt when none is
  // pending.
  virtual Result<std::optional<int64_t>> NextDue() = 0;

  // Records the outcome of a leased fetch. A no-op (Ok) when the lease (`lease_until_ms` as LeaseDue set it) no
  // longer holds: another worker took the record over, or its message was deleted meanwhile.
  virtual Result<void> Finish(int64_t media_id, int64_t lease_until_ms, const MediaOutcome& outcome,
                              int64_t now_ms) = 0;

  // The tenant's records of these messages (in any order); messages without one are left out.
  virtual Result<std::vector<MediaRecord>> ForMessages(int64_t tenant_id, const std::vector<int64_t>& message_ids) = 0;

  // kNotFound when the tenant has no such record.
  virtual Result<MediaRecord> GetByPublicId(int64_t tenant_id, std::string_view public_id) = 0;

  // Every file key the tenant's records name (originals, thumbnails, agent copies, and the uploads still pending,
  // which their platform media id names): what its files must keep.
  virtual Result<std::set<std::string>> FileKeys(int64_t tenant_id) = 0;

  // The bytes of the tenant's ready media that Parley keeps (originals).
  virtual Result<int64_t> UsageBytes(int64_t tenant_id) = 0;

  // Media retention: ready records created before `cutoff_ms` (every tenant's) that hold something of the file (a
  // kept file, or what was read from it) lose it: status `failed`, error "deleted after the retention period", keys
  // and read text cleared (the files go at the next unreferenced-file sweep). A record of a platform's link from
  // which nothing was read (Instagram, Messenger: kept nowhere) holds nothing to delete and stays `ready`. Returns
  // how many, in writes of at most `batch`.
  virtual Result<int64_t> ExpireBefore(int64_t cutoff_ms, int64_t now_ms, int batch = 500) = 0;
};

}  // namespace parley::store
