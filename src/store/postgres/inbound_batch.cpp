// The batch writer of inbound messages (inbound_batch.h): every statement takes its rows as arrays ($1::bigint[], …)
// read back with unnest(), so a group of webhooks costs a handful of round trips whatever its size.

#include "store/postgres/inbound_batch.h"

#include "store/event_data.h"
#include "store/message_details.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>

namespace parley::store::postgres {
namespace {

// ord: the key's place (from 1) in the arrays.
constexpr char kFindContacts[] =
    "SELECT k.ord, ct.id, ct.name, cv.id"
    " FROM unnest($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS k(channel_id, platform_id, comment_on, ord)"
    " JOIN contacts ct ON ct.channel_id = k.channel_id AND ct.platform_id = k.platform_id"
    " LEFT JOIN conversations cv ON cv.channel_id = ct.channel_id AND cv.contact_id = ct.id"
    " AND cv.comment_on = k.comment_on AND cv.status = 'open'";
constexpr char kAddContacts[] =
    "INSERT INTO contacts (tenant_id, channel_id, platform_id, name, created_at)"
    " SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])"
    " ON CONFLICT (channel_id, platform_id) DO NOTHING RETURNING id, channel_id, platform_id";
constexpr char kRenameContacts[] =
    "UPDATE contacts c SET name = u.name FROM unnest($1::bigint[], $2::text[]) AS u(id, name) WHERE c.id = u.id";
constexpr char kOpenConversations[] =
    "INSERT INTO conversations (tenant_id, channel_id, contact_id, created_at, last_message_at, comment_on)"
    " SELECT t, ch, ct, at, at, co"
    " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[]) AS u(t, ch, ct, at, co)"
    " ON CONFLICT (channel_id, contact_id, comment_on) WHERE status = 'open' DO NOTHING"
    " RETURNING id, contact_id, comment_on";
constexpr char kOpenConversationsOf[] =
    "SELECT cv.contact_id, cv.comment_on, cv.id FROM conversations cv"
    " JOIN unnest($1::bigint[], $2::text[]) AS k(contact_id, comment_on)"
    " ON cv.contact_id = k.contact_id AND cv.comment_on = k.comment_on WHERE cv.status = 'open'";
// The places (from 1) of the (channel, platform message id) pairs already stored.
constexpr char kStoredMessages[] =
    "SELECT k.ord FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS k(channel_id, platform_message_id, ord)"
    " WHERE EXISTS (SELECT 1 FROM messages m WHERE m.channel_id = k.channel_id"
    " AND m.platform_message_id = k.platform_message_id AND m.platform_message_id <> '')";
// Ids are drawn in the rows' order (so a conversation's messages keep their arrival order) before the insert, which
// returns only the rows it stored: each row's place comes back with its id, or NULL for a duplicate.
constexpr char kInsertInbound[] =
    "WITH v AS MATERIALIZED (SELECT nextval('messages_id_seq') AS id, u.*"
    " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[],"
    " $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::boolean[], $13::jsonb[]) WITH ORDINALITY"
    " AS u(tenant_id, conversation_id, channel_id, type, text, platform_message_id, error_code, error_title,"
    " error_detail, platform_timestamp, created_at, answerable, details, ord)),"
    " ins AS (INSERT INTO messages (id, tenant_id, conversation_id, channel_id, direction, type, text,"
    " platform_message_id, status, error_code, error_title, error_detail, platform_timestamp, created_at, answerable,"
    " details) SELECT id, tenant_id, conversation_id, channel_id, 'in', type, text, platform_message_id, 'received',"
    " error_code, error_title, error_detail, platform_timestamp, created_at, answerable, details FROM v ORDER BY ord"
    " ON CONFLICT DO NOTHING RETURNING id)"
    " SELECT v.ord, ins.id FROM v LEFT JOIN ins ON ins.id = v.id";
// Locked in id order, so that two writers locking overlapping sets wait rather than deadlock, and FOR NO KEY UPDATE
// (what the UPDATE that follows takes): FOR UPDATE would wait for the key-share lock another writer's message insert
// holds on the row (its foreign key), while that writer waits for ours.
constexpr char kLockConversations[] =
    "SELECT id, status = 'open', mode = 'human', human_until, last_message_at, pending_since, answered_through_id,"
    " last_inbound_at, inbound_seq FROM conversations WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE";
constexpr char kWriteConversations[] =
    "UPDATE conversations c SET mode = CASE WHEN u.human THEN 'human' ELSE 'bot' END, human_until = u.human_until,"
    " handoff_reason = CASE WHEN u.hold_ended THEN NULL ELSE c.handoff_reason END,"
    " last_message_at = u.last_message_at, pending_since = u.pending_since,"
    " answered_through_id = u.answered_through_id, last_inbound_at = u.last_inbound_at, inbound_seq = u.inbound_seq"
    " FROM unnest($1::bigint[], $2::boolean[], $3::bigint[], $4::boolean[], $5::bigint[], $6::bigint[],"
    " $7::bigint[], $8::bigint[], $9::bigint[])"
    " AS u(id, human, human_until, hold_ended, last_message_at, pending_since, answered_through_id, last_inbound_at,"
    " inbound_seq) WHERE c.id = u.id";

std::optional<std::string> BoolText(bool value) { return std::string(value ? "t" : "f"); }

// A conversation's columns that an inbound message moves, as locked, then as the batch leaves them.
struct ConversationState {
  bool open = false;
  bool human = false;
  std::optional<int64_t> human_until;
  bool hold_ended = false;  //!< handoff_reason goes with the hold.
  int64_t last_message_at = 0;
  std::optional<int64_t> pending_since;
  int64_t answered_through_id = 0;
  std::optional<int64_t> last_inbound_at;
  int64_t inbound_seq = 0;
  bool touched = false;
};

// Fills `rows[i]` for the keys found among `which` (indexes into `keys`); the renames due go to `renames`.
Result<void> FindContacts(Connection& db, const std::vector<ContactKey>& keys, const std::vector<size_t>& which,
                          std::vector<std::optional<ContactRow>>& rows,
                          std::vector<std::pair<int64_t, std::string_view>>& renames) {
  std::vector<int64_t> channels;
  std::vector<std::string_view> platform_ids, threads;
  for (size_t k : which) {
    channels.push_back(keys[k].channel.id);
    platform_ids.push_back(keys[k].platform_id);
    threads.push_back(keys[k].comment_on);
  }
  STORE_ASSIGN_OR_RETURN(auto found,
                         db.Query(kFindContacts, Params().AddArray(channels).AddArray(platform_ids).AddArray(threads)));
  for (int r = 0; r < found.size(); ++r) {
    const size_t k = which[static_cast<size_t>(found.Int(r, 0) - 1)];
    rows[k] = ContactRow{found.Int(r, 1), found.OptionalInt(r, 3)};
    if (!keys[k].name.empty() && found.Text(r, 2) != keys[k].name) renames.emplace_back(rows[k]->id, keys[k].name);
  }
  return Ok();
}

std::vector<size_t> Missing(const std::vector<std::optional<ContactRow>>& rows) {
  std::vector<size_t> missing;
  for (size_t k = 0; k < rows.size(); ++k) {
    if (!rows[k]) missing.push_back(k);
  }
  return missing;
}

// The rows of one WriteInbound call, and what each came to.
class InboundWriter {
 public:
  InboundWriter(Connection& db, EventNotes& notes, const std::vector<InboundRow>& rows)
      : db_(db), notes_(notes), rows_(rows), conversation_(rows.size()), message_(rows.size()) {}

  Result<void> Write() {
    STORE_TRY(FindConversations());
    STORE_TRY(InsertMessages());
    STORE_TRY(LockConversations());
    std::vector<NewEvent> events;
    for (size_t i = 0; i < rows_.size(); ++i) {
      STORE_TRY(Apply(i, events));
      if (rows_[i].ends_payload) rows_[i].payload->EndEvents(rows_[i].received_at_ms, events);
    }
    STORE_TRY(WriteConversations());
    AppendEvents(notes_, std::move(events));
    return Ok();
  }

 private:
  // Each row's conversation: its contact's open one, or one opened by the contact's first row that is not a retry
  // of a stored message (the rows before it are duplicates, left without a conversation).
  Result<void> FindConversations() {
    std::vector<ContactKey> keys;
    std::vector<size_t> contact_of(rows_.size());
    std::map<std::tuple<int64_t, std::string_view, std::string_view>, size_t> index;
    for (size_t i = 0; i < rows_.size(); ++i) {
      const UnifiedMessage& m = rows_[i].item->message;
      const std::string_view thread = m.comment ? std::string_view(m.comment->media_id) : std::string_view();
      auto [it, added] =
          index.emplace(std::tuple{rows_[i].channel.id, std::string_view(m.contact_id), thread}, keys.size());
      if (added) {
        keys.push_back(ContactKey{rows_[i].channel, m.contact_id, m.contact_name, rows_[i].received_at_ms, thread});
      } else if (!m.contact_name.empty()) {
        keys[it->second].name = m.contact_name;  // The last name given is the one kept.
      }
      contact_of[i] = it->second;
    }
    STORE_ASSIGN_OR_RETURN(std::vector<ContactRow> contacts, UpsertContacts(db_, keys));
    STORE_ASSIGN_OR_RETURN(std::vector<bool> stored, StoredAmongNew(contacts, contact_of));
    std::vector<NewConversation> wanted;
    std::vector<size_t> opener_of(keys.size(), rows_.size());
    for (size_t i = 0; i < rows_.size(); ++i) {
      const size_t k = contact_of[i];
      if (contacts[k].open_conversation || opener_of[k] < rows_.size() || stored[i]) continue;
      opener_of[k] = i;
      wanted.push_back(NewConversation{rows_[i].channel, contacts[k].id, rows_[i].received_at_ms, keys[k].comment_on});
    }
    STORE_ASSIGN_OR_RETURN(std::vector<OpenedConversation> opened, OpenConversations(db_, wanted));
    opens_.assign(rows_.size(), false);
    for (size_t k = 0, next = 0; k < keys.size(); ++k) {
      if (opener_of[k] == rows_.size()) continue;
      contacts[k].open_conversation = opened[next].id;
      opens_[opener_of[k]] = opened[next++].created;
    }
    for (size_t i = 0; i < rows_.size(); ++i) {
      const size_t k = contact_of[i];
      // Rows before their contact's opener are retries; so are all the rows of a contact that opened nothing.
      if (opener_of[k] < rows_.size() && i < opener_of[k]) continue;
      conversation_[i] = contacts[k].open_conversation;
    }
    return Ok();
  }

  // Per row: its message is stored already while its contact has no open conversation (only those matter).
  Result<std::vector<bool>> StoredAmongNew(const std::vector<ContactRow>& contacts,
                                           const std::vector<size_t>& contact_of) {
    std::vector<bool> stored(rows_.size(), false);
    std::vector<size_t> which;
    std::vector<int64_t> channels;
    std::vector<std::string_view> message_ids;
    for (size_t i = 0; i < rows_.size(); ++i) {
      const std::string& id = rows_[i].item->message.platform_message_id;
      if (contacts[contact_of[i]].open_conversation || id.empty()) continue;
      which.push_back(i);
      channels.push_back(rows_[i].channel.id);
      message_ids.push_back(id);
    }
    if (which.empty()) return stored;
    STORE_ASSIGN_OR_RETURN(auto found, db_.Query(kStoredMessages, Params().AddArray(channels).AddArray(message_ids)));
    for (int r = 0; r < found.size(); ++r) stored[which[static_cast<size_t>(found.Int(r, 0) - 1)]] = true;
    return stored;
  }

  Result<void> InsertMessages() {
    std::vector<size_t> which;
    std::vector<int64_t> tenants, conversations, channels, timestamps, created;
    std::vector<std::optional<std::string>> types, texts, message_ids, titles, details_texts, answerable, json;
    std::vector<std::optional<int64_t>> codes;
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (!conversation_[i]) continue;
      const InboundRow& row = rows_[i];
      const UnifiedMessage& m = row.item->message;
      which.push_back(i);
      tenants.push_back(row.channel.tenant_id);
      conversations.push_back(*conversation_[i]);
      channels.push_back(row.channel.id);
      types.emplace_back(std::string(ToString(m.type)));
      texts.push_back(m.text);
      message_ids.emplace_back(m.platform_message_id);
      codes.push_back(m.error ? std::optional<int64_t>(m.error->code) : std::nullopt);
      titles.push_back(m.error ? std::optional<std::string>(m.error->title) : std::nullopt);
      details_texts.push_back(m.error ? std::optional<std::string>(m.error->detail) : std::nullopt);
      timestamps.push_back(m.timestamp_ms);
      created.push_back(row.received_at_ms);
      answerable.push_back(BoolText(Answerable(row)));
      json.push_back(MessageDetailsJson(m));
    }
    if (which.empty()) return Ok();
    Params params;
    params.AddArray(tenants).AddArray(conversations).AddArray(channels).AddArray(types).AddArray(texts);
    params.AddArray(message_ids).AddArray(codes).AddArray(titles).AddArray(details_texts).AddArray(timestamps);
    params.AddArray(created).AddArray(answerable).AddArray(json);
    STORE_ASSIGN_OR_RETURN(auto inserted, db_.Query(kInsertInbound, params));
    for (int r = 0; r < inserted.size(); ++r) {
      message_[which[static_cast<size_t>(inserted.Int(r, 0) - 1)]] = inserted.OptionalInt(r, 1);
    }
    return Ok();
  }

  Result<void> LockConversations() {
    std::vector<int64_t> ids;
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (message_[i]) ids.push_back(*conversation_[i]);
    }
    if (ids.empty()) return Ok();
    STORE_ASSIGN_OR_RETURN(auto locked, db_.Query(kLockConversations, Params().AddArray(ids)));
    for (int r = 0; r < locked.size(); ++r) {
      states_[locked.Int(r, 0)] = ConversationState{
          locked.Bool(r, 1),        locked.Bool(r, 2), locked.OptionalInt(r, 3), false,           locked.Int(r, 4),
          locked.OptionalInt(r, 5), locked.Int(r, 6),  locked.OptionalInt(r, 7), locked.Int(r, 8)};
    }
    return Ok();
  }

  // Row `i`'s effect, in the order applying it alone would have: its conversation opened, its message stored, a
  // run-out hold ended, the conversation touched.
  Result<void> Apply(size_t i, std::vector<NewEvent>& events) {
    const InboundRow& row = rows_[i];
    PayloadProgress& payload = *row.payload;
    const int64_t now = row.received_at_ms;
    const int64_t tenant_id = row.channel.tenant_id;
    if (opens_[i]) {
      events.push_back(
          NewEvent{tenant_id, EventType::kConversationCreated, ConversationEventData(*conversation_[i]), now});
      payload.opened.push_back(*conversation_[i]);
    }
    if (!message_[i]) {
      ++payload.outcome.duplicates;  // Leaves pending state alone: the first copy already counted.
      return Ok();
    }
    const int64_t conversation_id = *conversation_[i];
    const int64_t message_id = *message_[i];
    ++payload.outcome.stored;
    // message.created is the whole story of the conversation's activity; a conversation.updated is added only when
    // its mode changed.
    events.push_back(
        NewEvent{tenant_id, EventType::kMessageCreated, MessageEventData(conversation_id, message_id), now});
    auto found = states_.find(conversation_id);
    if (found == states_.end() || !found->second.open) {
      return Error::Unavailable("conversation closed meanwhile", "retry the payload");
    }
    ConversationState& c = found->second;
    c.touched = true;
    // A customer's message after the people's hold ran out returns the conversation to the bot (a hold is set in the
    // future by a person, never behind a message arriving now).
    if (c.human && c.human_until && *c.human_until <= now) {
      c.human = false;
      c.human_until.reset();
      c.hold_ended = true;
      payload.NoteChange(tenant_id, conversation_id);
    }
    // In human mode (until human_until passes) a customer message is left to the person: it does not make the
    // conversation pending, and counts as handled so the bot does not answer it later.
    const bool answerable = Answerable(row);
    const bool hold_over = c.human_until && *c.human_until <= now;
    const bool people_answer = c.human && !hold_over;
    c.last_message_at = std::max(c.last_message_at, now);
    if (answerable && !people_answer) c.pending_since = c.pending_since.value_or(now);
    if (answerable && people_answer) c.answered_through_id = std::max(c.answered_through_id, message_id);
    if (answerable) {
      c.last_inbound_at = now;
      ++c.inbound_seq;
    }
    if (!answerable || !c.pending_since) return Ok();  // A person answers here.
    const PendingConversation pending{conversation_id, tenant_id, row.platform, *c.pending_since, *c.last_inbound_at};
    auto& all = payload.outcome.pending;
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const PendingConversation& p) { return p.conversation_id == conversation_id; });
    if (it == all.end()) {
      all.push_back(pending);
    } else {
      *it = pending;
    }
    return Ok();
  }

  Result<void> WriteConversations() {
    std::vector<int64_t> ids, last_message, answered_through, inbound_seq;
    std::vector<std::optional<std::string>> human, hold_ended;
    std::vector<std::optional<int64_t>> human_until, pending_since, last_inbound;
    for (const auto& [id, c] : states_) {
      if (!c.touched) continue;
      ids.push_back(id);
      human.push_back(BoolText(c.human));
      human_until.push_back(c.human_until);
      hold_ended.push_back(BoolText(c.hold_ended));
      last_message.push_back(c.last_message_at);
      pending_since.push_back(c.pending_since);
      answered_through.push_back(c.answered_through_id);
      last_inbound.push_back(c.last_inbound_at);
      inbound_seq.push_back(c.inbound_seq);
    }
    if (ids.empty()) return Ok();
    Params params;
    params.AddArray(ids).AddArray(human).AddArray(human_until).AddArray(hold_ended).AddArray(last_message);
    params.AddArray(pending_since).AddArray(answered_through).AddArray(last_inbound).AddArray(inbound_seq);
    STORE_TRY(db_.Query(kWriteConversations, params));
    return Ok();
  }

  static bool Answerable(const InboundRow& row) { return row.item->answerable && row.channel.enabled; }

  Connection& db_;
  EventNotes& notes_;
  const std::vector<InboundRow>& rows_;
  std::vector<std::optional<int64_t>> conversation_;  //!< Per row; none for a retry that opens nothing.
  std::vector<bool> opens_;                           //!< Per row: it opened its conversation.
  std::vector<std::optional<int64_t>> message_;       //!< Per row: the message it stored; none for a duplicate.
  std::map<int64_t, ConversationState> states_;       //!< The conversations locked, by id.
};

}  // namespace

void PayloadProgress::NoteChange(int64_t tenant_id, int64_t conversation_id) {
  if (std::find(opened.begin(), opened.end(), conversation_id) != opened.end()) return;
  const std::pair<int64_t, int64_t> key{tenant_id, conversation_id};
  if (std::find(changed.begin(), changed.end(), key) == changed.end()) changed.push_back(key);
}

void PayloadProgress::EndEvents(int64_t now_ms, std::vector<NewEvent>& events) const {
  for (const auto& [tenant_id, conversation_id] : changed) {
    events.push_back(
        NewEvent{tenant_id, EventType::kConversationUpdated, ConversationEventData(conversation_id), now_ms});
  }
}

Result<std::vector<ContactRow>> UpsertContacts(Connection& db, const std::vector<ContactKey>& keys) {
  std::vector<std::optional<ContactRow>> rows(keys.size());
  std::vector<std::pair<int64_t, std::string_view>> renames;
  std::vector<size_t> all(keys.size());
  for (size_t k = 0; k < keys.size(); ++k) all[k] = k;
  if (!keys.empty()) STORE_TRY(FindContacts(db, keys, all, rows, renames));
  std::vector<size_t> missing = Missing(rows);
  if (!missing.empty()) {
    std::vector<int64_t> tenants, channels, created;
    std::vector<std::string_view> platform_ids, names;
    std::map<std::pair<int64_t, std::string_view>, size_t> index;
    for (size_t k : missing) {
      // A contact commenting on two posts comes as two keys: it is added once.
      if (!index.emplace(std::pair{keys[k].channel.id, keys[k].platform_id}, k).second) continue;
      tenants.push_back(keys[k].channel.tenant_id);
      channels.push_back(keys[k].channel.id);
      platform_ids.push_back(keys[k].platform_id);
      names.push_back(keys[k].name);
      created.push_back(keys[k].now_ms);
    }
    Params params;
    params.AddArray(tenants).AddArray(channels).AddArray(platform_ids).AddArray(names).AddArray(created);
    STORE_ASSIGN_OR_RETURN(auto added, db.Query(kAddContacts, params));
    for (int r = 0; r < added.size(); ++r) {
      auto it = index.find(std::pair{added.Int(r, 1), added.Text(r, 2)});
      if (it != index.end()) rows[it->second] = ContactRow{added.Int(r, 0), std::nullopt};
    }
    // Added by another process since the look-up.
    missing = Missing(rows);
    if (!missing.empty()) STORE_TRY(FindContacts(db, keys, missing, rows, renames));
    if (!Missing(rows).empty()) return Error::Internal("contact vanished");
  }
  if (!renames.empty()) {
    std::vector<int64_t> ids;
    std::vector<std::string_view> names;
    for (const auto& [id, name] : renames) {
      ids.push_back(id);
      names.push_back(name);
    }
    STORE_TRY(db.Query(kRenameContacts, Params().AddArray(ids).AddArray(names)));
  }
  std::vector<ContactRow> contacts;
  for (const auto& row : rows) contacts.push_back(*row);
  return contacts;
}

Result<std::vector<OpenedConversation>> OpenConversations(Connection& db, const std::vector<NewConversation>& wanted) {
  std::vector<OpenedConversation> opened(wanted.size());
  if (wanted.empty()) return opened;
  std::vector<int64_t> tenants, channels, contacts, created;
  std::vector<std::string_view> threads;
  std::map<std::pair<int64_t, std::string>, size_t> index;
  for (size_t w = 0; w < wanted.size(); ++w) {
    tenants.push_back(wanted[w].channel.tenant_id);
    channels.push_back(wanted[w].channel.id);
    contacts.push_back(wanted[w].contact_id);
    created.push_back(wanted[w].now_ms);
    threads.push_back(wanted[w].comment_on);
    index.emplace(std::pair{wanted[w].contact_id, std::string(wanted[w].comment_on)}, w);
  }
  Params params;
  params.AddArray(tenants).AddArray(channels).AddArray(contacts).AddArray(created).AddArray(threads);
  STORE_ASSIGN_OR_RETURN(auto inserted, db.Query(kOpenConversations, params));
  for (int r = 0; r < inserted.size(); ++r) {
    opened[index.at(std::pair{inserted.Int(r, 1), inserted.String(r, 2)})] = {inserted.Int(r, 0), true};
  }
  // Opened by another process since the look-up.
  std::vector<int64_t> others;
  std::vector<std::string_view> other_threads;
  for (size_t w = 0; w < wanted.size(); ++w) {
    if (opened[w].created) continue;
    others.push_back(wanted[w].contact_id);
    other_threads.push_back(wanted[w].comment_on);
  }
  if (others.empty()) return opened;
  STORE_ASSIGN_OR_RETURN(auto open, db.Query(kOpenConversationsOf, Params().AddArray(others).AddArray(other_threads)));
  for (int r = 0; r < open.size(); ++r) {
    opened[index.at(std::pair{open.Int(r, 0), open.String(r, 1)})].id = open.Int(r, 2);
  }
  for (const OpenedConversation& o : opened) {
    if (o.id == 0) return Error::Unavailable("conversation closed meanwhile", "retry the payload");
  }
  return opened;
}

Result<void> WriteInbound(Connection& db, EventNotes& notes, const std::vector<InboundRow>& rows) {
  if (rows.empty()) return Ok();
  InboundWriter writer(db, notes, rows);
  return writer.Write();
}

}  // namespace parley::store::postgres
