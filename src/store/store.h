#pragma once
// The storage interface. Everything Parley keeps goes through `Store`; the SQLite backend (store/sqlite) is the
// embedded default and a PostgreSQL backend will implement the same contract. All methods are thread-safe.
// Every method except `Ingest` blocks: call them from the blocking pool, never from an I/O thread.
// Every read that takes a tenant id is scoped by it: another tenant's ids behave as if they did not exist.

#include "core/crypto.h"
#include "core/decision.h"
#include "core/error.h"
#include "core/message.h"
#include "store/media_records.h"
#include "store/migration.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace parley::store {

class AccessStore;
class KnowledgeStore;
class BillingStore;
class InboxStore;
class ContactStore;
class TenantStore;
class AnalyticsStore;
class TeamStore;
class EventLog;
class WebhookStore;
class OAuthFlowStore;

using TimePoint = std::chrono::system_clock::time_point;

struct Tenant {
  int64_t id = 0;
  std::string name;
  int64_t created_at_ms = 0;
};

// An API key to store: only its hash is kept, with the visible prefix people tell keys apart by.
struct NewApiKey {
  int64_t tenant_id = 0;  //!< Ignored by CreateTenant, which fills it in.
  std::string name;
  std::string prefix;
  std::string role;  //!< "owner", "admin" or "agent".
  std::string key_hash;
};

// A new channel's public id (Channel::public_id): 12 random bytes, base64url (16 characters).
std::string NewPublicId();
// Channel::settings from its stored text: an empty object for anything but a JSON object.
boost::json::object ChannelSettingsFromText(std::string_view text);

struct Channel {
  int64_t id = 0;
  int64_t tenant_id = 0;
  Platform platform;
  std::string account_id;    //!< phone_number_id or Instagram account id.
  std::string access_token;  //!< Plain text in memory; sealed with the master key at rest.
  int64_t created_at_ms = 0;
  std::string display_name;  //!< The tenant's label; may be empty.
  //! What the platform said about the account when its credentials were last checked (empty when never checked,
  //! as for channels added from the command line).
  AccountProfile profile;
  bool enabled = true;  //!< A disabled channel stores what customers write but answers nobody automatically.
  int64_t updated_at_ms = 0;
  std::string waba_id;  //!< WhatsApp: the Business Account owning the number (its templates); empty when unknown.
  //! A random handle that may be shown outside (a webhook URL, a web-chat script tag) without revealing the row id
  //! or the account: URL-safe, set when the channel is added, never changed.
  std::string public_id;
  //! The platform's own settings (channels/platform.h, ChannelField::Target::kSetting: a web chat's allowed origins,
  //! texts and colour), checked by the platform before they are stored; empty when it has none.
  boost::json::object settings;
};

struct NewChannel {
  int64_t tenant_id = 0;
  Platform platform;
  std::string account_id;
  std::string access_token;
  std::string display_name;
  AccountProfile profile;
  std::string waba_id;                //!< WhatsApp only; may be empty.
  boost::json::object settings = {};  //!< Channel::settings.
};

// The fields of a channel to change; empty optionals are left as they are. A new token comes with the profile
// its credentials check returned.
struct ChannelUpdate {
  std::optional<std::string> access_token;
  std::optional<AccountProfile> profile;
  std::optional<std::string> display_name;
  std::optional<bool> enabled;
  std::optional<std::string> waba_id;
  std::optional<boost::json::object> settings;  //!< Replaces Channel::settings as a whole.
};

// What the store needs to know about one inbound customer message besides its content.
struct InboundItem {
  UnifiedMessage message;
  bool answerable = true;  //!< False for reactions, system notices and messages older than the answer cut-off.
};

// One webhook payload, parsed. Stored in a single transaction: all of it or nothing.
struct IngestRequest {
  Platform platform;
  std::vector<InboundItem> messages;
  std::vector<StatusUpdate> statuses;
  std::vector<Deletion> deletions;
  std::vector<BusinessEcho> echoes;
  int64_t received_at_ms = 0;  //!< Server time; drives the debounce window.
  // A person answering from the platform's app takes the conversation over for this long (0: until handed back).
  int64_t human_idle_ms = 0;
};

// A conversation with unanswered customer messages, as the batcher needs it.
struct PendingConversation {
  int64_t conversation_id = 0;
  int64_t tenant_id = 0;
  Platform platform;
  int64_t pending_since_ms = 0;    //!< Arrival of the oldest unanswered message.
  int64_t last_inbound_at_ms = 0;  //!< Arrival of the newest one.
};

struct IngestOutcome {
  int stored = 0;              //!< New messages written.
  int duplicates = 0;          //!< Messages already stored (a Meta retry).
  int unknown_account = 0;     //!< Messages or statuses for an account no channel has; nothing stored for them.
  int statuses_applied = 0;    //!< Status updates that changed an outbound message.
  int statuses_unmatched = 0;  //!< Status updates for messages Parley does not know.
  int takeovers = 0;           //!< Conversations a person took over from the platform's app.
  std::vector<PendingConversation> pending;  //!< Conversations whose unanswered set grew, for the batcher.
  std::vector<int64_t> tenant_ids;           //!< Tenants touched, for logs.
};

struct Contact {
  std::string platform_id;
  std::string name;
};

struct Conversation {
  int64_t id = 0;
  int64_t tenant_id = 0;
  int64_t channel_id = 0;
  Platform platform;
  Contact contact;
  std::string status = "open";  //!< open, closed.
  std::string mode = "bot";     //!< bot, human.
  std::string handoff_reason;   //!< Why it is in human mode ("asks_for_human", "takeover", …); empty in bot mode.
  std::optional<int64_t> human_until_ms;  //!< Human mode ends then unless a person replies; nullopt: when handed back.
  std::optional<int64_t> assignee_user_id;  //!< The person in charge, if any.
  //! When the customer sent their last message of any kind (a backlog, a reaction too): the platform's messaging
  //! window opens there. The platform's timestamp unless missing or later than the arrival (a sender's clock does not
  //! extend the window). nullopt: the customer never wrote.
  std::optional<int64_t> customer_wrote_at_ms;
  int64_t created_at_ms = 0;
  int64_t last_message_at_ms = 0;
  //! A comment thread: the media (post, reel, live video) whose comments by the contact it holds, answered under the
  //! comments or privately (UnifiedMessage::comment); empty for a direct conversation. A contact has at most one open
  //! conversation per media and one direct one.
  std::string comment_on;
};

// Which conversations an inbox list shows; every field narrows it, none set shows them all.
struct ConversationFilter {
  std::optional<int64_t> channel_id;
  std::optional<std::string> status;        //!< open, closed.
  std::optional<std::string> mode;          //!< bot, human.
  std::optional<int64_t> assignee_user_id;  //!< 0: unassigned ones.
  std::optional<int64_t> active_since_ms;   //!< Last activity at or after…
  std::optional<int64_t> active_before_ms;  //!< …and before.
  // Words in the contact's name or id, or all in one message (notes included), folding case and accents; the last
  // word matches as a prefix (a person is still typing it). Full-text indexes: store/sqlite/inbox_search.h,
  // store/postgres/search.h.
  std::optional<std::string> text;
  std::optional<Platform> platform;
  // Waiting on a person (true): open, in human mode, and the customer spoke last (notes and reactions aside);
  // false: the others.
  std::optional<bool> waiting;
};

// A conversation the agent escalated, waiting for a person.
struct SupportItem {
  int64_t id = 0;
  int64_t tenant_id = 0;
  int64_t conversation_id = 0;
  std::string reason;  //!< A core/decision.h code: "human_requested", "low_relevance", "send_failed", …
  Priority priority = Priority::kNormal;
  // JSON {"text", "sources": [{document_id, name, chunk_id, text, score}]}: a reply the agent proposes, which the
  // person may send or edit (agent assist); nullopt when it had nothing worth proposing.
  std::optional<std::string> draft;
  std::string status = "open";  //!< open, resolved.
  std::string resolved_by;      //!< "user:3", "api_key:1", "hand_back", "closed"; empty while open.
  int64_t created_at_ms = 0;
  std::optional<int64_t> resolved_at_ms;
};

// Which support items a list shows; every field narrows it.
struct SupportFilter {
  std::optional<std::string> status;  //!< open, resolved.
  std::optional<Priority> priority;
};

struct StoredMessage {
  int64_t id = 0;
  int64_t conversation_id = 0;
  Direction direction = Direction::kIn;
  MessageType type = MessageType::kText;
  std::optional<std::string> text;
  std::string platform_message_id;  //!< Empty for an outbound message not yet accepted by the platform.
  MessageStatus status = MessageStatus::kReceived;
  std::optional<MessageError> error;
  int64_t platform_timestamp_ms = 0;
  int64_t created_at_ms = 0;
  boost::json::object details;  //!< Type-specific fields (media, location, interactive, reaction, referral, …).
  //! The record of its media, for the reply path that loads it (store/message_media.h AttachMediaRecords); the
  //! store's message reads leave it empty.
  std::optional<MediaRecord> media;
};

template <class T>
struct Page {
  std::vector<T> data;
  std::optional<std::string> next_cursor;  //!< Opaque; nullopt on the last page.
};

// The most messages a claim loads: a burst of thousands (a flood, a bot) is answered from its newest ones, which is all
// the agent reads (agent::BurstText), without holding every message of every conversation answered at once in memory.
inline constexpr int kMaxClaimedMessages = 50;

// The exclusive right to answer one conversation, held until committed or released, or until it expires.
struct Claim {
  int64_t conversation_id = 0;
  std::string token;
  int64_t inbound_seq = 0;  //!< Number of answerable inbound messages at claim time ("latest wins" check).
  Conversation conversation;
  Channel channel;
  //! The newest kMaxClaimedMessages of the unanswered answerable customer messages the claim covers, oldest first.
  std::vector<StoredMessage> messages;
  int64_t messages_total = 0;  //!< How many it covers in all (committing answers every one of them).
};

// How a reply in a comment thread (Conversation::comment_on) reaches the commenter; kNone for every direct message.
enum class CommentReply {
  kNone,
  kPublic,   //!< Under the comment `reply_to`, for everyone to see.
  kPrivate,  //!< A private message about the comment `reply_to` (one per comment, within the platform's days).
};
std::string_view ToString(CommentReply r);
//! "public", "private"; kNone for anything else (a direct message's).
CommentReply ParseCommentReply(std::string_view s);

// A person's file in a reply from the inbox (QueuePersonReply), already kept in the media store
// (media/media_store.h); the reply's text is its caption. The store keeps it as the message's media record, `ready`,
// so the thread shows it like a customer's.
struct OutboundFile {
  MessageType type = MessageType::kImage;  //!< kImage, kAudio, kVideo or kDocument.
  std::string mime_type;                   //!< Sniffed from the bytes.
  int64_t bytes = 0;
  std::string filename;
  std::string file_key;       //!< The original's key in the media store.
  std::string thumbnail_key;  //!< Images: the dashboard's thumbnail (empty when it could not be made).
  std::string agent_key;      //!< Images: the resized copy (empty when it could not be made).
  std::string public_id;      //!< The media record's random id, set by the store; what signed links name.
};

struct OutboundDraft {
  MessageType type = MessageType::kText;
  std::string text;
  std::string reply_to;      //!< Platform message id to quote (the comment answered, for a CommentReply), or empty.
  bool human_agent = false;  //!< A person's reply past Instagram's 24-hour window: sent with the HUMAN_AGENT tag.
  //! A WhatsApp template to send instead of `text` (which then holds its body as rendered, for the thread).
  std::optional<TemplateMessage> whatsapp_template;
  CommentReply comment_reply = CommentReply::kNone;
  std::optional<OutboundFile> file;  //!< A person's file, sent with `text` as its caption (Channel::SendMedia).
};

// The details column of a queued bot reply: {"reply_to", "comment_reply"} as far as set; nullopt when neither is.
std::optional<std::string> OutboundDetailsJson(const OutboundDraft& draft);

// What every backend's QueuePersonReply checks first: text, or a file (an image, audio, video or document, its text
// the caption, never with a template). kInvalidArgument otherwise.
Result<void> CheckPersonReply(const std::string& text, const std::optional<TemplateMessage>& message_template,
                              const std::optional<OutboundFile>& file);

// The stored details' "media" of a person's file, shaped like a customer's: {"mime_type", "filename", "sha256"}.
boost::json::object PersonFileJson(const OutboundFile& file);

// Usage of one tenant on one UTC day (or summed over days).
struct Usage {
  std::string day;  //!< YYYY-MM-DD; empty for a sum.
  int64_t ai_replies = 0;
  int64_t credits = 0;
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t messages_in = 0;
  int64_t messages_out = 0;
};

// What to commit for a claimed burst: the messages to send (in order), the agent's trace and decision, and
// whether the conversation goes to a person.
struct Reply {
  std::vector<OutboundDraft> messages;  //!< Empty: stay silent.
  std::optional<Decision> decision;     //!< Unset: no trace is kept.
  Reason reason = Reason::kAnswered;
  Priority priority = Priority::kNormal;  //!< For a person, when handed off.
  std::optional<std::string> draft;       //!< JSON {"text","sources"} a person can send or edit, when handed off.
  std::string trace;                      //!< JSON array of the stages.
  bool hand_off = false;                  //!< Switch the conversation to human mode…
  int64_t human_idle_ms = 0;  //!< …until this long passes without a person's reply (0: until handed back).
  int prompt_tokens = 0;      //!< What the model consumed producing it (0: no model call).
  int completion_tokens = 0;
  // Usage recorded for the tenant in the same transaction when the reply commits (store/billing_store.h);
  // `reservation_id`, if set, is released whatever the outcome.
  std::optional<Usage> usage;
  std::string reservation_id;
};

struct ReplyTrace {
  int64_t id = 0;
  int64_t conversation_id = 0;
  std::optional<int64_t> message_id;
  std::string decision;
  std::string reason;
  std::string trace;
  int64_t created_at_ms = 0;
};

struct OutboundMessage {
  int64_t id = 0;
  int64_t conversation_id = 0;
  int64_t tenant_id = 0;
  Channel channel;
  std::string recipient_id;  //!< The contact's platform id.
  OutboundDraft draft;
};

// A queued outbound message leased for sending: the right to send it, held until its outcome is recorded or
// deferred, or until the lease expires (then another sender may take it: a crash costs a repeat, never a loss).
struct OutboundLease {
  OutboundMessage message;
  std::string token;
  int attempts = 0;               //!< Attempts made before this one.
  int64_t window_ends_at_ms = 0;  //!< The platform refuses this message after then (its messaging window).
};

// What LeaseNextOutbound found in a conversation. Exactly one of: `lease` set (send it), `wait_until_ms` > 0 (the
// conversation's oldest queued message waits for its next attempt, or for another sender's lease, until then), or
// neither (nothing queued).
struct OutboundAttempt {
  std::optional<OutboundLease> lease;
  int64_t wait_until_ms = 0;
};

enum class CommitResult {
  kCommitted,   //!< The reply is queued and the answered messages are marked answered.
  kSuperseded,  //!< A newer customer message arrived since the claim: nothing queued, the claim is released.
  kLost,        //!< The claim expired and someone else holds the conversation now: nothing changed.
};

struct StoreHealth {
  bool ok = true;
  std::string backend;
  std::string detail;
  int64_t pending_writes = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies pending migrations. Idempotent; called by every command that opens the store.
  virtual Result<void> Migrate() = 0;

  // --- Tenants, keys and channels ---
  // Creates a tenant with its first API key. kConflict when the key hash is taken.
  virtual Result<Tenant> CreateTenant(const std::string& name, const NewApiKey& first_key) = 0;
  // The same with an owner key named "default" whose SHA-256 is `api_key_hash`.
  Result<Tenant> CreateTenant(const std::string& name, const std::string& api_key_hash);
  // Connects an account. When the tenant had removed a channel for the same account, that channel comes back
  // (same id, its conversations with it) with the new token, label and profile, enabled. Fails with kNotFound for
  // an unknown tenant, kConflict when a live channel already has the account (this tenant's or another's).
  virtual Result<Channel> AddChannel(const NewChannel& channel) = 0;
  // Any channel, removed ones included (the reply path resolves the channel of a stored conversation).
  virtual Result<Channel> GetChannel(int64_t channel_id) = 0;
  // The live channel whose public id is `public_id` (a per-channel webhook's path names it, and it answers for
  // every tenant): kNotFound when there is none or it was removed.
  virtual Result<Channel> GetChannelByPublicId(std::string_view public_id) = 0;
  // A contact's thread as a platform that shows it back to the contact needs it (the web chat's visitor): the
  // messages of every conversation of the channel with the contact `contact_platform_id`, after message `after_id`
  // (0: from the start), the newest `limit` of them (at most 100), oldest first. Notes, failed sends and deleted
  // messages are left out, queued replies included. Empty when the contact is unknown.
  virtual Result<std::vector<StoredMessage>> ListContactThread(int64_t channel_id, std::string_view contact_platform_id,
                                                               int64_t after_id, int limit) = 0;
  // Creates or updates the channel's contact `platform_id` with what the customer told about themselves (a web chat
  // visitor's name and e-mail, before their first message): empty values leave the stored ones. kNotFound for an
  // unknown channel.
  virtual Result<void> SaveContactProfile(int64_t channel_id, std::string_view platform_id, std::string_view name,
                                          std::string_view email) = 0;
  // The message of the channel with that platform id (an inbound message's, as Ingest de-duplicates them), so that a
  // repeated delivery can be answered with what the first stored. kNotFound when there is none.
  virtual Result<StoredMessage> GetMessageByPlatformId(int64_t channel_id, std::string_view platform_message_id) = 0;

  // --- Channel administration (removed channels are left out: kNotFound) ---
  // The tenant's live channels, oldest first.
  virtual Result<std::vector<Channel>> ListChannels(int64_t tenant_id) = 0;
  virtual Result<Channel> GetChannel(int64_t tenant_id, int64_t channel_id) = 0;
  // kNotFound when the channel is not the tenant's or removed.
  virtual Result<Channel> UpdateChannel(int64_t tenant_id, int64_t channel_id, const ChannelUpdate& update) = 0;
  // Soft removal: the channel and its history stay stored, but it no longer receives (webhooks for its account
  // count as an unknown account), nothing is sent through it (its conversations stop pending, live claims are
  // voided, queued replies fail with "channel removed"), and its account may be connected again, by any tenant.
  // Returns the channel as it was. kNotFound when not the tenant's or already removed.
  virtual Result<Channel> RemoveChannel(int64_t tenant_id, int64_t channel_id) = 0;

  // --- Inbound path ---
  // Stores one webhook payload durably: contacts, conversations, new messages, status changes and deletions in
  // one transaction, de-duplicated by (channel, platform_message_id). Messages for accounts no channel has are
  // counted and skipped. `done` runs exactly once after the commit (or with the error), on a store thread or on
  // StoreOptions::callback_executor; it must not block. Concurrent calls are committed in groups.
  using IngestCallback = std::function<void(Result<IngestOutcome>)>;
  virtual void Ingest(IngestRequest request, IngestCallback done) = 0;

  // --- Batching and replies ---
  // Conversations with unanswered messages, oldest pending first. With `unclaimed_at_ms`, those under a claim still
  // live at that time are left out (a sweep beside other workers: whoever holds the claim is answering it), and a
  // claim that has expired by then counts as none (its holder died: the conversation is restored). Without it, every
  // one, claimed or not: start-up recovery, which cannot tell a dead process's claim from a live one's and is not
  // followed by a sweep in a single process (the claim refuses the fire until it expires, and the batcher retries).
  virtual Result<std::vector<PendingConversation>> ListPendingConversations(std::optional<int64_t> unclaimed_at_ms) = 0;
  Result<std::vector<PendingConversation>> ListPendingConversations() { return ListPendingConversations(std::nullopt); }
  // The conversation as ListPendingConversations lists it (claimed or not); nullopt when nothing in it is unanswered.
  virtual Result<std::optional<PendingConversation>> GetPendingConversation(int64_t conversation_id) = 0;
  // Takes the conversation for `lease_ms` unless another live claim holds it. Exactly one of the outcomes:
  // `claim` set (it is ours), `held_until_ms` > 0 (another live claim expires then; try again after it), or
  // neither (nothing left to answer).
  struct ClaimAttempt {
    std::optional<Claim> claim;
    int64_t held_until_ms = 0;
  };
  virtual Result<ClaimAttempt> ClaimConversation(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) = 0;
  // Atomically: if the claim still holds, no customer message arrived since and no person took the conversation
  // over, queues `reply.messages` as outbound messages (their ids into `outbound_ids`, in order), keeps the
  // trace, switches to human mode when asked, marks the claimed messages answered and releases the claim.
  virtual Result<CommitResult> CommitReply(const Claim& claim, const Reply& reply, int64_t now_ms,
                                           std::vector<int64_t>* outbound_ids) = 0;
  // The same for a single message (or none), without a trace.
  Result<CommitResult> CommitReply(const Claim& claim, const std::optional<OutboundDraft>& reply, int64_t now_ms,
                                   int64_t* outbound_id);
  // Gives the claim up without answering (failure, timeout, shutdown); the conversation stays pending.
  virtual Result<void> ReleaseClaim(int64_t conversation_id, const std::string& token) = 0;
  // Queued outbound messages (a crash between commit and send), oldest first, for re-sending at start-up.
  virtual Result<std::vector<OutboundMessage>> ListQueuedOutbound() = 0;
  virtual Result<OutboundMessage> GetOutbound(int64_t message_id) = 0;
  // Records a send outcome: the platform's id and `sent`, or `failed` with the error (which also opens a support
  // item for the conversation, so that a person sees the customer went unanswered). Ends any send lease.
  virtual Result<void> RecordSendResult(int64_t message_id, const std::string& platform_message_id,
                                        MessageStatus status, const std::optional<MessageError>& error) = 0;
  // Leases the conversation's oldest queued outbound message for `lease_ms`, so that its messages go out one at a
  // time and in order, from one sender among all processes. Nothing is leased while that message waits for its
  // next attempt or another live lease holds it (`wait_until_ms` says until when).
  virtual Result<OutboundAttempt> LeaseNextOutbound(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) = 0;
  // After a failure worth retrying: the leased message stays queued with the error kept, its attempt counted and
  // its next attempt at `retry_at_ms`; the lease ends. A no-op (success) when `token` no longer holds it.
  virtual Result<void> DeferOutbound(int64_t message_id, const std::string& token, int64_t retry_at_ms,
                                     const MessageError& error) = 0;

  // The conversation's `limit` messages before message `before_id` (both directions, unsent ones and notes left out),
  // oldest first: the history the agent reads.
  virtual Result<std::vector<StoredMessage>> RecentMessages(int64_t conversation_id, int64_t before_id, int limit) = 0;

  // --- Hand-off ---
  // Sets the conversation's mode: "human" (for `human_idle_ms` without a person's reply, 0: until handed back;
  // pending messages are left to the person) or "bot" (handed back: later messages are answered again).
  // kNotFound when not the tenant's, kInvalidArgument for another mode.
  virtual Result<Conversation> SetConversationMode(int64_t tenant_id, int64_t conversation_id, const std::string& mode,
                                                   const std::string& reason, int64_t human_idle_ms,
                                                   int64_t now_ms) = 0;
  // The agent's traces for the conversation, oldest first. kNotFound when not the tenant's.
  virtual Result<std::vector<ReplyTrace>> ListReplyTraces(int64_t tenant_id, int64_t conversation_id) = 0;

  // --- Inbox ---
  // Newest activity first. `cursor` is a value from a previous page's next_cursor (with the same filter);
  // kInvalidArgument if garbled.
  virtual Result<Page<Conversation>> ListConversations(int64_t tenant_id, const ConversationFilter& filter,
                                                       const std::optional<std::string>& cursor, int limit) = 0;
  Result<Page<Conversation>> ListConversations(int64_t tenant_id, const std::optional<std::string>& cursor, int limit) {
    return ListConversations(tenant_id, ConversationFilter{}, cursor, limit);
  }
  // kNotFound when not the tenant's.
  virtual Result<Conversation> GetConversation(int64_t tenant_id, int64_t conversation_id) = 0;
  // Puts a user of the tenant in charge (nullopt: nobody). kNotFound for another tenant's conversation or user.
  virtual Result<Conversation> AssignConversation(int64_t tenant_id, int64_t conversation_id,
                                                  std::optional<int64_t> user_id) = 0;
  // Closes it: nothing stays pending, a live claim can no longer commit, open support items are resolved, and the
  // contact's next message opens a new conversation. Closing a closed conversation changes nothing.
  virtual Result<Conversation> CloseConversation(int64_t tenant_id, int64_t conversation_id, int64_t now_ms) = 0;
  // A person's reply from the inbox, queued exactly like the bot's (the caller sends it through the same delivery
  // path). The conversation goes to human mode for `human_idle_ms` (0: until handed back), so the bot does not
  // talk over the person. kNotFound; kConflict when the conversation is closed or its channel removed.
  // `window` is the rules of the conversation's platform (channels' registry declares them). With `message_template`
  // (a platform with MessagingWindow::templates, else kInvalidArgument), `text` is its rendered body and the reply may
  // go out after the free-form window too; without it a reply past the window is kConflict, unless the platform
  // has a HUMAN_AGENT window it falls in, and then the reply is tagged HUMAN_AGENT. With `file` (not with a
  // template), the message is of the file's type, `text` its caption (may be empty), and the file's media record is
  // made `ready` in the same transaction; the returned draft's file carries the record's public id.
  virtual Result<OutboundMessage> QueuePersonReply(int64_t tenant_id, int64_t conversation_id, const std::string& text,
                                                   const std::string& sent_by, int64_t human_idle_ms, int64_t now_ms,
                                                   const MessagingWindow& window,
                                                   const std::optional<TemplateMessage>& message_template,
                                                   const std::optional<OutboundFile>& file) = 0;
  Result<OutboundMessage> QueuePersonReply(int64_t tenant_id, int64_t conversation_id, const std::string& text,
                                           const std::string& sent_by, int64_t human_idle_ms, int64_t now_ms,
                                           const MessagingWindow& window,
                                           const std::optional<TemplateMessage>& message_template) {
    return QueuePersonReply(tenant_id, conversation_id, text, sent_by, human_idle_ms, now_ms, window, message_template,
                            std::nullopt);
  }
  Result<OutboundMessage> QueuePersonReply(int64_t tenant_id, int64_t conversation_id, const std::string& text,
                                           const std::string& sent_by, int64_t human_idle_ms, int64_t now_ms,
                                           const MessagingWindow& window) {
    return QueuePersonReply(tenant_id, conversation_id, text, sent_by, human_idle_ms, now_ms, window, std::nullopt,
                            std::nullopt);
  }
  // Escalations (CommitReply with hand_off creates one per conversation at a time, with the reply's reason,
  // priority and draft), newest first, narrowed by `filter`.
  virtual Result<Page<SupportItem>> ListSupportItems(int64_t tenant_id, const SupportFilter& filter,
                                                     const std::optional<std::string>& cursor, int limit) = 0;
  Result<Page<SupportItem>> ListSupportItems(int64_t tenant_id, const std::optional<std::string>& status,
                                             const std::optional<std::string>& cursor, int limit) {
    return ListSupportItems(tenant_id, SupportFilter{status, std::nullopt}, cursor, limit);
  }
  // Marks it resolved by `resolved_by`; with `hand_back` the conversation also returns to the bot. kNotFound;
  // kConflict when already resolved.
  virtual Result<SupportItem> ResolveSupportItem(int64_t tenant_id, int64_t item_id, const std::string& resolved_by,
                                                 bool hand_back, int64_t now_ms) = 0;
  // Oldest first ("newest last"). kNotFound when the conversation is not the tenant's.
  virtual Result<Page<StoredMessage>> ListMessages(int64_t tenant_id, int64_t conversation_id,
                                                   const std::optional<std::string>& cursor, int limit) = 0;
  // Newest first: the `limit` newest messages (`before` nullopt), then the older ones page by page (`before` the
  // previous page's next_cursor), so that a long thread opens on its latest messages. kInvalidArgument for a cursor
  // of another listing.
  virtual Result<Page<StoredMessage>> ListMessagesNewestFirst(int64_t tenant_id, int64_t conversation_id,
                                                              const std::optional<std::string>& before, int limit) = 0;

  // --- The agent's knowledge (store/knowledge_store.h) ---
  virtual KnowledgeStore& knowledge() = 0;
  // --- Plans, usage and subscriptions (store/billing_store.h) ---
  virtual BillingStore& billing() = 0;

  // --- Users, sessions, API keys and the audit log (store/access_store.h) ---
  virtual AccessStore& access() = 0;

  // --- Read markers, notes and canned replies of the inbox (store/inbox_store.h) ---
  virtual InboxStore& inbox() = 0;

  // --- The tenant's settings: name, time zone, message retention (store/tenant_store.h) ---
  virtual TenantStore& tenants() = 0;

  // --- The aggregates behind the analytics page (store/analytics_store.h) ---
  virtual AnalyticsStore& analytics() = 0;

  // --- Invitations, the mail outbox and notification preferences (store/team_store.h) ---
  virtual TeamStore& team() = 0;

  // --- What changed, per tenant, for the dashboard's live stream (store/events.h) ---
  virtual EventLog& events() = 0;

  // --- Contacts: list, export, erasure and message retention (store/contact_store.h) ---
  virtual ContactStore& contacts() = 0;

  // --- Outbound webhook endpoints and their deliveries (store/webhook_store.h) ---
  virtual WebhookStore& webhooks() = 0;

  // --- Customers' media: what to fetch, what was fetched and where it is kept (store/media_records.h) ---
  virtual MediaRecords& media() = 0;

  // --- The OAuth flows started and not yet called back (store/oauth_flow_store.h) ---
  virtual OAuthFlowStore& oauth_flows() = 0;

  virtual StoreHealth Health() = 0;

  // Drops, before the next write, what the store caches of webhook routing across writes (SQLite's channel routes
  // and contacts, store/sqlite/writer.h): another process sharing the database changed them
  // (StoreOptions::on_routes_changed). Thread-safe; returns at once. PostgreSQL keeps no such cache.
  virtual void ForgetCachedRoutes() {}

  // Finishes queued writes and closes. Further calls fail with kUnavailable.
  virtual void Close() = 0;
};

struct StoreOptions {
  //! The backend, by scheme: sqlite://PATH (relative, or absolute as sqlite:///abs/file.db), or
  //! postgresql://… and postgres://… (a libpq URI: user, password, host, port, database, ?parameters).
  std::string database_url;
  std::string sqlite_synchronous = "full";  //!< SQLite only: `synchronous` pragma, full or normal.
  // When set, the Ingest callbacks of one commit group run there, handed over in one post instead of one per
  // callback from a store thread: the server passes its I/O executor, which spares a thread wake-up per webhook.
  boost::asio::any_io_executor callback_executor;
  // Called once a commit that appended events to the log (store/events.h) is durable, once per tenant with its
  // newest id, before that commit's Ingest callbacks; on a store thread, so it must be quick and must not call the
  // store. The server announces the ids on its event bus; empty: nobody is told.
  std::function<void(int64_t tenant_id, int64_t last_event_id)> on_events;
  // SQLite only: called once a change that the writer's caches of webhook routing must forget (a channel updated or
  // removed, contacts erased) is committed, on the thread that made it. The server announces it on its event bus, so
  // that the other processes on the same file call Store::ForgetCachedRoutes; empty: nobody is told.
  std::function<void()> on_routes_changed;
  //! PostgreSQL only: connections pooled for the store's calls, 1 or more (ingest has one more of its own).
  int database_connections = 8;
};

// Opens the backend named by the URL scheme, without migrating it. The store seals channel tokens with `box`.
// kInvalidArgument for a URL of another scheme or a SQLite URL without a path; kUnavailable when the database
// cannot be opened or reached (a PostgreSQL server refusing the connection, a wrong password).
Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options, const crypto::SecretBox& box);

// Every migration this binary has for the backend of `database_url` and every one its database records, in version
// order, read without changing the database (no migration, no file or table created): a database with no
// schema_migrations table (and, on SQLite, a file that does not exist yet) has every migration pending. OpenStore's
// errors for a bad URL or an unreachable database (on PostgreSQL, one that does not exist).
Result<std::vector<MigrationStatus>> ReadMigrationStatus(const std::string& database_url);

}  // namespace parley::store
