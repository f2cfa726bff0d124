// PostgresStore's channels: connecting accounts, the administration API's reads and changes, and soft removal. The
// same rules as the SQLite backend's (sqlite/channel_store.cpp).

#include "core/json.h"
#include "core/time.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"

#include <algorithm>

namespace parley::store::postgres {
namespace {

// FOR UPDATE: two processes connecting the same account wait for each other here rather than both passing the
// check (the partial unique index would stop the second anyway).
constexpr char kLiveOwner[] =
    "SELECT tenant_id, id FROM channels WHERE platform = $1 AND account_id = $2 AND removed_at IS NULL FOR UPDATE";
constexpr char kRemovedByTenant[] =
    "SELECT id FROM channels WHERE tenant_id = $1 AND platform = $2 AND account_id = $3 AND removed_at IS NOT NULL"
    " ORDER BY removed_at DESC, id DESC LIMIT 1";
constexpr char kInsertChannel[] =
    "INSERT INTO channels (tenant_id, platform, account_id, access_token_sealed, created_at, display_name,"
    " display_phone_number, verified_name, username, updated_at, waba_id, public_id, settings)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $5, $10, $11, $12) RETURNING " PG_CHANNEL_COLUMNS;
constexpr char kReviveChannel[] =
    "UPDATE channels SET access_token_sealed = $2, display_name = $3, display_phone_number = $4, verified_name = $5,"
    " username = $6, enabled = TRUE, updated_at = $7, removed_at = NULL, waba_id = COALESCE(NULLIF($8, ''), waba_id),"
    " settings = $9 WHERE id = $1 RETURNING " PG_CHANNEL_COLUMNS;
constexpr char kSelectChannel[] = "SELECT " PG_CHANNEL_COLUMNS " FROM channels WHERE id = $1";
constexpr char kSelectPublicChannel[] =
    "SELECT " PG_CHANNEL_COLUMNS " FROM channels WHERE public_id = $1 AND removed_at IS NULL";
constexpr char kSelectTenantChannel[] =
    "SELECT " PG_CHANNEL_COLUMNS " FROM channels WHERE id = $1 AND tenant_id = $2 AND removed_at IS NULL";
constexpr char kListTenantChannels[] =
    "SELECT " PG_CHANNEL_COLUMNS " FROM channels WHERE tenant_id = $1 AND removed_at IS NULL ORDER BY id";
constexpr char kUpdateChannel[] =
    "UPDATE channels SET access_token_sealed = COALESCE($3, access_token_sealed),"
    " display_phone_number = COALESCE($4, display_phone_number), verified_name = COALESCE($5, verified_name),"
    " username = COALESCE($6, username), display_name = COALESCE($7, display_name),"
    " enabled = COALESCE($8::boolean, enabled), waba_id = COALESCE($10, waba_id),"
    " settings = COALESCE($11, settings), updated_at = $9"
    " WHERE id = $1 AND tenant_id = $2 AND removed_at IS NULL RETURNING " PG_CHANNEL_COLUMNS;
constexpr char kRemoveChannel[] =
    "UPDATE channels SET removed_at = $3, updated_at = $3 WHERE id = $1 AND tenant_id = $2 AND removed_at IS NULL"
    " RETURNING " PG_CHANNEL_COLUMNS;
// Nothing waiting on the channel is answered any more: what customers wrote counts as answered, pending state and
// live claims are cleared (a reply being produced then finds its claim lost and commits nothing).
constexpr char kStopAnswering[] =
    "UPDATE conversations c SET answered_through_id = GREATEST(c.answered_through_id, COALESCE((SELECT MAX(m.id)"
    " FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in'), 0)),"
    " answered_seq = c.inbound_seq, pending_since = NULL, claim_token = NULL, claim_expires_at = NULL,"
    " claim_through_id = NULL WHERE c.channel_id = $1 AND (c.pending_since IS NOT NULL OR c.claim_token IS NOT NULL)";
constexpr char kFailQueued[] =
    "UPDATE messages SET status = 'failed', error_code = 0, error_title = 'channel removed', error_detail = ''"
    " WHERE channel_id = $1 AND status = 'queued' AND direction = 'out'";

// The contact's messages across its conversations with the channel (ListContactThread), newest first.
constexpr char kContactThread[] =
    "SELECT " PG_MESSAGE_COLUMNS
    " FROM messages WHERE channel_id = $1 AND id > $3 AND conversation_id IN"
    " (SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id"
    "  WHERE ct.channel_id = $1 AND ct.platform_id = $2)"
    " AND type <> 'note' AND status NOT IN ('failed', 'deleted') ORDER BY id DESC LIMIT $4";
constexpr char kMessageByPlatformId[] =
    "SELECT " PG_MESSAGE_COLUMNS " FROM messages WHERE channel_id = $1 AND platform_message_id = $2";
// Empty values keep the stored ones; the contact's tenant is the channel's.
constexpr char kSaveContactProfile[] =
    "INSERT INTO contacts (tenant_id, channel_id, platform_id, name, email, created_at)"
    " SELECT tenant_id, id, $2, $3, $4, $5 FROM channels WHERE id = $1"
    " ON CONFLICT (channel_id, platform_id) DO UPDATE SET"
    " name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE contacts.name END,"
    " email = CASE WHEN excluded.email <> '' THEN excluded.email ELSE contacts.email END RETURNING id";
// The most messages ListContactThread returns.
constexpr int kMaxThreadMessages = 100;

// The one channel `rows` holds; kNotFound when it holds none.
Result<Channel> OneChannel(const Rows& rows, const crypto::SecretBox& box) {
  if (rows.empty()) return Error::NotFound("no such channel");
  return ReadChannel(rows, 0, box);
}

}  // namespace

Result<Channel> PostgresStore::AddChannel(const NewChannel& channel) {
  if (channel.account_id.empty()) return Error::InvalidArgument("account_id is required");
  const std::string sealed = box_.Seal(channel.access_token);
  const std::string settings = SerializeJson(channel.settings);
  const std::string_view platform = ToString(channel.platform);
  const int64_t now_ms = NowMs();
  const AccountProfile& p = channel.profile;
  auto added = Write<Channel>([&](Connection& db, EventNotes&) -> Result<Channel> {
    STORE_ASSIGN_OR_RETURN(auto tenant, db.Query(kTenantExists, Params(channel.tenant_id)));
    if (tenant.empty()) return Error::NotFound("no such tenant");
    STORE_ASSIGN_OR_RETURN(auto owner, db.Query(kLiveOwner, Params(platform, channel.account_id)));
    if (!owner.empty() && owner.Int(0, 0) == channel.tenant_id) {
      return Error::Conflict("this account is already connected (channel " + std::to_string(owner.Int(0, 1)) + ")");
    }
    if (!owner.empty()) return Error::Conflict("this account is connected to another tenant");
    STORE_ASSIGN_OR_RETURN(auto removed,
                           db.Query(kRemovedByTenant, Params(channel.tenant_id, platform, channel.account_id)));
    if (!removed.empty()) {
      STORE_ASSIGN_OR_RETURN(
          auto revived,
          db.Query(kReviveChannel, Params(removed.Int(0, 0), sealed, channel.display_name, p.display_phone_number,
                                          p.verified_name, p.username, now_ms, channel.waba_id, settings)));
      return OneChannel(revived, box_);
    }
    auto inserted = db.Query(kInsertChannel, Params(channel.tenant_id, platform, channel.account_id, sealed, now_ms,
                                                    channel.display_name, p.display_phone_number, p.verified_name,
                                                    p.username, channel.waba_id, NewPublicId(), settings));
    // Another process connected the account between the check and the insert.
    if (!inserted && inserted.error().code == ErrorCode::kConflict) {
      return Error::Conflict("this account is already connected");
    }
    if (!inserted) return inserted.error();
    return OneChannel(*inserted, box_);
  });
  return added;
}

Result<Channel> PostgresStore::GetChannel(int64_t channel_id) {
  return Read<Channel>([&](Connection& db) -> Result<Channel> {
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kSelectChannel, Params(channel_id)));
    return OneChannel(rows, box_);
  });
}

Result<Channel> PostgresStore::GetChannelByPublicId(std::string_view public_id) {
  return Read<Channel>([&](Connection& db) -> Result<Channel> {
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kSelectPublicChannel, Params(public_id)));
    return OneChannel(rows, box_);
  });
}

Result<std::vector<StoredMessage>> PostgresStore::ListContactThread(int64_t channel_id,
                                                                    std::string_view contact_platform_id,
                                                                    int64_t after_id, int limit) {
  return Read<std::vector<StoredMessage>>([&](Connection& db) -> Result<std::vector<StoredMessage>> {
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kContactThread, Params(channel_id, contact_platform_id, after_id,
                                                                      std::clamp(limit, 0, kMaxThreadMessages))));
    std::vector<StoredMessage> messages;
    for (int i = rows.size() - 1; i >= 0; --i) messages.push_back(ReadMessage(rows, i));
    return messages;
  });
}

Result<StoredMessage> PostgresStore::GetMessageByPlatformId(int64_t channel_id, std::string_view platform_message_id) {
  return Read<StoredMessage>([&](Connection& db) -> Result<StoredMessage> {
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kMessageByPlatformId, Params(channel_id, platform_message_id)));
    if (rows.empty()) return Error::NotFound("no such message");
    return ReadMessage(rows, 0);
  });
}

Result<void> PostgresStore::SaveContactProfile(int64_t channel_id, std::string_view platform_id, std::string_view name,
                                               std::string_view email) {
  const int64_t now_ms = NowMs();
  return Write<void>([&](Connection& db, EventNotes&) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto rows,
                           db.Query(kSaveContactProfile, Params(channel_id, platform_id, name, email, now_ms)));
    if (rows.empty()) return Error::NotFound("no such channel");
    return Ok();
  });
}

Result<std::vector<Channel>> PostgresStore::ListChannels(int64_t tenant_id) {
  return Read<std::vector<Channel>>([&](Connection& db) -> Result<std::vector<Channel>> {
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kListTenantChannels, Params(tenant_id)));
    std::vector<Channel> channels;
    for (int i = 0; i < rows.size(); ++i) {
      STORE_ASSIGN_OR_RETURN(auto channel, ReadChannel(rows, i, box_));
      channels.push_back(std::move(channel));
    }
    return channels;
  });
}

Result<Channel> PostgresStore::GetChannel(int64_t tenant_id, int64_t channel_id) {
  return Read<Channel>([&](Connection& db) -> Result<Channel> {
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kSelectTenantChannel, Params(channel_id, tenant_id)));
    return OneChannel(rows, box_);
  });
}

Result<Channel> PostgresStore::UpdateChannel(int64_t tenant_id, int64_t channel_id, const ChannelUpdate& update) {
  std::optional<std::string> sealed;
  if (update.access_token) sealed = box_.Seal(*update.access_token);
  std::optional<std::string> phone, verified_name, username;
  if (update.profile) {
    phone = update.profile->display_phone_number;
    verified_name = update.profile->verified_name;
    username = update.profile->username;
  }
  std::optional<std::string> settings;
  if (update.settings) settings = SerializeJson(*update.settings);
  const int64_t now_ms = NowMs();
  return Write<Channel>([&](Connection& db, EventNotes&) -> Result<Channel> {
    STORE_ASSIGN_OR_RETURN(
        auto rows,
        db.Query(kUpdateChannel, Params(channel_id, tenant_id, sealed, phone, verified_name, username,
                                        update.display_name, update.enabled, now_ms, update.waba_id, settings)));
    STORE_ASSIGN_OR_RETURN(auto updated, OneChannel(rows, box_));
    if (!updated.enabled) STORE_TRY(db.Query(kStopAnswering, Params(channel_id)));
    return updated;
  });
}

Result<Channel> PostgresStore::RemoveChannel(int64_t tenant_id, int64_t channel_id) {
  const int64_t now_ms = NowMs();
  return Write<Channel>([&](Connection& db, EventNotes&) -> Result<Channel> {
    STORE_ASSIGN_OR_RETURN(auto rows, db.Query(kRemoveChannel, Params(channel_id, tenant_id, now_ms)));
    STORE_ASSIGN_OR_RETURN(auto removed, OneChannel(rows, box_));
    STORE_TRY(db.Query(kStopAnswering, Params(channel_id)));
    STORE_TRY(db.Query(kFailQueued, Params(channel_id)));
    return removed;
  });
}

}  // namespace parley::store::postgres
