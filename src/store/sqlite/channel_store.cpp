// SqliteStore's channels: connecting accounts, the administration API's reads and changes, soft removal, and the
// reads of a contact's thread that a platform showing it back (the web chat) needs.

#include "core/json.h"
#include "core/time.h"
#include "store/sqlite/db.h"
#include "store/sqlite/message_row.h"
#include "store/sqlite/sqlite_store.h"

#include <algorithm>

namespace parley::store::sqlite {
namespace {

// Statements, named and kept at namespace scope.
#define CHANNEL_COLUMNS                                                                                       \
  "id, tenant_id, platform, account_id, access_token_sealed, created_at, display_name, display_phone_number," \
  " verified_name, username, enabled, updated_at, waba_id, public_id, settings"
constexpr char kTenantExists[] = "SELECT 1 FROM tenants WHERE id = ?1";
constexpr char kLiveOwner[] =
    "SELECT tenant_id, id FROM channels WHERE platform = ?1 AND account_id = ?2 AND removed_at IS NULL";
constexpr char kRemovedByTenant[] =
    "SELECT id FROM channels WHERE tenant_id = ?1 AND platform = ?2 AND account_id = ?3 AND removed_at IS NOT NULL"
    " ORDER BY removed_at DESC, id DESC LIMIT 1";
constexpr char kInsertChannel[] =
    "INSERT INTO channels (tenant_id, platform, account_id, access_token_sealed, created_at, display_name,"
    " display_phone_number, verified_name, username, updated_at, waba_id, public_id, settings)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?5, ?10, ?11, ?12) RETURNING " CHANNEL_COLUMNS;
constexpr char kReviveChannel[] =
    "UPDATE channels SET access_token_sealed = ?2, display_name = ?3, display_phone_number = ?4, verified_name = ?5,"
    " username = ?6, enabled = 1, updated_at = ?7, removed_at = NULL, waba_id = COALESCE(NULLIF(?8, ''), waba_id),"
    " settings = ?9 WHERE id = ?1 RETURNING " CHANNEL_COLUMNS;
constexpr char kSelectChannel[] = "SELECT " CHANNEL_COLUMNS " FROM channels WHERE id = ?1";
constexpr char kSelectPublicChannel[] =
    "SELECT " CHANNEL_COLUMNS " FROM channels WHERE public_id = ?1 AND removed_at IS NULL";
constexpr char kSelectTenantChannel[] =
    "SELECT " CHANNEL_COLUMNS " FROM channels WHERE id = ?1 AND tenant_id = ?2 AND removed_at IS NULL";
constexpr char kListTenantChannels[] =
    "SELECT " CHANNEL_COLUMNS " FROM channels WHERE tenant_id = ?1 AND removed_at IS NULL ORDER BY id";
constexpr char kUpdateChannel[] =
    "UPDATE channels SET access_token_sealed = COALESCE(?3, access_token_sealed),"
    " display_phone_number = COALESCE(?4, display_phone_number), verified_name = COALESCE(?5, verified_name),"
    " username = COALESCE(?6, username), display_name = COALESCE(?7, display_name), enabled = COALESCE(?8, enabled),"
    " waba_id = COALESCE(?10, waba_id), settings = COALESCE(?11, settings), updated_at = ?9"
    " WHERE id = ?1 AND tenant_id = ?2 AND removed_at IS NULL"
    " RETURNING " CHANNEL_COLUMNS;
constexpr char kRemoveChannel[] =
    "UPDATE channels SET removed_at = ?3, updated_at = ?3 WHERE id = ?1 AND tenant_id = ?2 AND removed_at IS NULL"
    " RETURNING " CHANNEL_COLUMNS;
// Nothing waiting on the channel is answered any more: what customers wrote counts as answered, pending state and
// live claims are cleared (a reply being produced then finds its claim lost and commits nothing).
constexpr char kStopAnswering[] =
    "UPDATE conversations SET answered_through_id = MAX(answered_through_id, COALESCE((SELECT MAX(m.id)"
    " FROM messages m WHERE m.conversation_id = conversations.id AND m.direction = 'in'), 0)),"
    " answered_seq = inbound_seq, pending_since = NULL, claim_token = NULL, claim_expires_at = NULL,"
    " claim_through_id = NULL WHERE channel_id = ?1 AND (pending_since IS NOT NULL OR claim_token IS NOT NULL)";
constexpr char kFailQueued[] =
    "UPDATE messages SET status = 'failed', error_code = 0, error_title = 'channel removed', error_detail = ''"
    " WHERE channel_id = ?1 AND status = 'queued' AND direction = 'out'";
// The contact's messages across its conversations with the channel (ListContactThread), newest first.
constexpr char kContactThread[] =
    "SELECT " PARLEY_MESSAGE_COLUMNS
    " FROM messages WHERE channel_id = ?1 AND id > ?3 AND conversation_id IN"
    " (SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id"
    "  WHERE ct.channel_id = ?1 AND ct.platform_id = ?2)"
    " AND type <> 'note' AND status NOT IN ('failed', 'deleted') ORDER BY id DESC LIMIT ?4";
constexpr char kMessageByPlatformId[] =
    "SELECT " PARLEY_MESSAGE_COLUMNS " FROM messages WHERE channel_id = ?1 AND platform_message_id = ?2";
// Empty values keep the stored ones; the contact's tenant is the channel's.
constexpr char kSaveContactProfile[] =
    "INSERT INTO contacts (tenant_id, channel_id, platform_id, name, email, created_at)"
    " SELECT tenant_id, id, ?2, ?3, ?4, ?5 FROM channels WHERE id = ?1"
    " ON CONFLICT (channel_id, platform_id) DO UPDATE SET"
    " name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE contacts.name END,"
    " email = CASE WHEN excluded.email <> '' THEN excluded.email ELSE contacts.email END RETURNING id";
// The most messages ListContactThread returns.
constexpr int kMaxThreadMessages = 100;
#undef CHANNEL_COLUMNS

Result<Channel> ReadChannel(const Statement& row, const crypto::SecretBox& box) {
  Channel channel;
  channel.id = row.Int(0);
  channel.tenant_id = row.Int(1);
  channel.platform = Platform(row.Text(2));
  channel.account_id = row.String(3);
  STORE_ASSIGN_OR_RETURN(channel.access_token, box.Open(row.Text(4)));
  channel.created_at_ms = row.Int(5);
  channel.display_name = row.String(6);
  channel.profile = {row.String(7), row.String(8), row.String(9)};
  channel.enabled = row.Int(10) != 0;
  channel.updated_at_ms = row.Int(11);
  channel.waba_id = row.String(12);
  channel.public_id = row.String(13);
  channel.settings = ChannelSettingsFromText(row.Text(14));
  return channel;
}

// Steps `statement` (a SELECT or an UPDATE … RETURNING) to its one row; kNotFound when there is none.
Result<Channel> OneChannel(Statement& statement, const crypto::SecretBox& box) {
  STORE_ASSIGN_OR_RETURN(bool found, statement.Step());
  if (!found) return Error::NotFound("no such channel");
  return ReadChannel(statement, box);
}

Result<void> StopAnswering(Database& db, int64_t channel_id) {
  STORE_ASSIGN_OR_RETURN(auto stop, db.Prepare(kStopAnswering));
  return stop.Bind(1, channel_id).Run();
}

}  // namespace

Result<Channel> SqliteStore::LoadChannel(Database& db, int64_t channel_id) {
  STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectChannel));
  select.Bind(1, channel_id);
  return OneChannel(select, box_);
}

Result<Channel> SqliteStore::AddChannel(const NewChannel& channel) {
  if (channel.account_id.empty()) return Error::InvalidArgument("account_id is required");
  const std::string sealed = box_.Seal(channel.access_token);
  const std::string settings = SerializeJson(channel.settings);
  const std::string_view platform = ToString(channel.platform);
  const int64_t now_ms = NowMs();
  Channel added;
  STORE_TRY(Write([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto tenant, db.Prepare(kTenantExists));
    STORE_ASSIGN_OR_RETURN(bool exists, tenant.Bind(1, channel.tenant_id).Step());
    if (!exists) return Error::NotFound("no such tenant");
    {
      STORE_ASSIGN_OR_RETURN(auto owner, db.Prepare(kLiveOwner));
      STORE_ASSIGN_OR_RETURN(bool connected, owner.Bind(1, platform).Bind(2, channel.account_id).Step());
      if (connected && owner.Int(0) == channel.tenant_id) {
        return Error::Conflict("this account is already connected (channel " + std::to_string(owner.Int(1)) + ")");
      }
      if (connected) return Error::Conflict("this account is connected to another tenant");
    }
    const AccountProfile& p = channel.profile;
    STORE_ASSIGN_OR_RETURN(auto removed, db.Prepare(kRemovedByTenant));
    removed.Bind(1, channel.tenant_id).Bind(2, platform).Bind(3, channel.account_id);
    STORE_ASSIGN_OR_RETURN(bool comes_back, removed.Step());
    if (comes_back) {
      STORE_ASSIGN_OR_RETURN(auto revive, db.Prepare(kReviveChannel));
      revive.Bind(1, removed.Int(0)).Bind(2, sealed).Bind(3, channel.display_name).Bind(4, p.display_phone_number);
      revive.Bind(5, p.verified_name).Bind(6, p.username).Bind(7, now_ms).Bind(8, channel.waba_id).Bind(9, settings);
      STORE_ASSIGN_OR_RETURN(added, OneChannel(revive, box_));
      return Ok();
    }
    const std::string public_id = NewPublicId();
    STORE_ASSIGN_OR_RETURN(auto insert, db.Prepare(kInsertChannel));
    insert.Bind(1, channel.tenant_id).Bind(2, platform).Bind(3, channel.account_id).Bind(4, sealed).Bind(5, now_ms);
    insert.Bind(6, channel.display_name).Bind(7, p.display_phone_number).Bind(8, p.verified_name).Bind(9, p.username);
    insert.Bind(10, channel.waba_id).Bind(11, public_id).Bind(12, settings);
    auto inserted = OneChannel(insert, box_);
    // Another process connected the account between the check and the insert.
    if (!inserted && inserted.error().code == ErrorCode::kConflict) {
      return Error::Conflict("this account is already connected");
    }
    if (!inserted) return inserted.error();
    added = std::move(*inserted);
    return Ok();
  }));
  return added;
}

Result<Channel> SqliteStore::GetChannel(int64_t channel_id) {
  Channel channel;
  STORE_TRY(Read([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(channel, LoadChannel(db, channel_id));
    return Ok();
  }));
  return channel;
}

Result<Channel> SqliteStore::GetChannelByPublicId(std::string_view public_id) {
  Channel channel;
  STORE_TRY(Read([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectPublicChannel));
    select.Bind(1, public_id);
    STORE_ASSIGN_OR_RETURN(channel, OneChannel(select, box_));
    return Ok();
  }));
  return channel;
}

Result<std::vector<StoredMessage>> SqliteStore::ListContactThread(int64_t channel_id,
                                                                  std::string_view contact_platform_id,
                                                                  int64_t after_id, int limit) {
  std::vector<StoredMessage> messages;
  STORE_TRY(Read([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kContactThread));
    select.Bind(1, channel_id).Bind(2, contact_platform_id).Bind(3, after_id);
    select.Bind(4, std::clamp(limit, 0, kMaxThreadMessages));
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) return Ok();
      messages.push_back(ReadMessage(select));
    }
  }));
  std::reverse(messages.begin(), messages.end());
  return messages;
}

Result<StoredMessage> SqliteStore::GetMessageByPlatformId(int64_t channel_id, std::string_view platform_message_id) {
  StoredMessage message;
  STORE_TRY(Read([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kMessageByPlatformId));
    select.Bind(1, channel_id).Bind(2, platform_message_id);
    STORE_ASSIGN_OR_RETURN(bool found, select.Step());
    if (!found) return Error::NotFound("no such message");
    message = ReadMessage(select);
    return Ok();
  }));
  return message;
}

Result<void> SqliteStore::SaveContactProfile(int64_t channel_id, std::string_view platform_id, std::string_view name,
                                             std::string_view email) {
  const int64_t now_ms = NowMs();
  return Write([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto save, db.Prepare(kSaveContactProfile));
    save.Bind(1, channel_id).Bind(2, platform_id).Bind(3, name).Bind(4, email).Bind(5, now_ms);
    STORE_ASSIGN_OR_RETURN(bool saved, save.Step());
    if (!saved) return Error::NotFound("no such channel");
    return Ok();
  });
}

Result<std::vector<Channel>> SqliteStore::ListChannels(int64_t tenant_id) {
  std::vector<Channel> channels;
  STORE_TRY(Read([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kListTenantChannels));
    select.Bind(1, tenant_id);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) return Ok();
      STORE_ASSIGN_OR_RETURN(auto channel, ReadChannel(select, box_));
      channels.push_back(std::move(channel));
    }
  }));
  return channels;
}

Result<Channel> SqliteStore::GetChannel(int64_t tenant_id, int64_t channel_id) {
  Channel channel;
  STORE_TRY(Read([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto select, db.Prepare(kSelectTenantChannel));
    select.Bind(1, channel_id).Bind(2, tenant_id);
    STORE_ASSIGN_OR_RETURN(channel, OneChannel(select, box_));
    return Ok();
  }));
  return channel;
}

Result<Channel> SqliteStore::UpdateChannel(int64_t tenant_id, int64_t channel_id, const ChannelUpdate& update) {
  std::optional<std::string> sealed;
  if (update.access_token) sealed = box_.Seal(*update.access_token);
  std::optional<std::string> phone, verified_name, username;
  if (update.profile) {
    phone = update.profile->display_phone_number;
    verified_name = update.profile->verified_name;
    username = update.profile->username;
  }
  std::optional<int64_t> enabled;
  if (update.enabled) enabled = *update.enabled ? 1 : 0;
  std::optional<std::string> settings;
  if (update.settings) settings = SerializeJson(*update.settings);
  const int64_t now_ms = NowMs();
  Channel updated;
  STORE_TRY(WriteForgettingRoutes([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto change, db.Prepare(kUpdateChannel));
    change.Bind(1, channel_id).Bind(2, tenant_id).Bind(3, sealed).Bind(4, phone).Bind(5, verified_name);
    change.Bind(6, username).Bind(7, update.display_name).Bind(8, enabled).Bind(9, now_ms).Bind(10, update.waba_id);
    change.Bind(11, settings);
    STORE_ASSIGN_OR_RETURN(updated, OneChannel(change, box_));
    if (!updated.enabled) STORE_TRY(StopAnswering(db, channel_id));
    return Ok();
  }));
  return updated;
}

Result<Channel> SqliteStore::RemoveChannel(int64_t tenant_id, int64_t channel_id) {
  const int64_t now_ms = NowMs();
  Channel removed;
  STORE_TRY(WriteForgettingRoutes([&](Database& db) -> Result<void> {
    STORE_ASSIGN_OR_RETURN(auto remove, db.Prepare(kRemoveChannel));
    remove.Bind(1, channel_id).Bind(2, tenant_id).Bind(3, now_ms);
    STORE_ASSIGN_OR_RETURN(removed, OneChannel(remove, box_));
    STORE_TRY(StopAnswering(db, channel_id));
    STORE_ASSIGN_OR_RETURN(auto fail, db.Prepare(kFailQueued));
    return fail.Bind(1, channel_id).Run();
  }));
  return removed;
}

}  // namespace parley::store::sqlite
