#pragma once
// An in-memory Store for unit tests of the reply path (app::ReplyWorker). What the worker calls behaves as the
// contract in store/store.h says and as the SQLite backend does: claims with a lease (taken over once it expires,
// "latest wins" on commit, a person's take-over supersedes), the reply committed with its outbound messages, the
// outbox's per-conversation leases, deferrals and send results (a failed send opens a "send_failed" support item),
// hand-offs with their support item, and the pending and queued lists read at start-up. Times come from the callers
// or from the clock given. Every other method fails the running test and returns kInternal "not faked", so a test
// that strays outside the faked part fails loudly instead of passing on made-up answers.
//
// The test plays the inbound side and the dashboard with the helpers below (a customer writes, a person takes
// over, a channel is switched off), reads the state back, and can make the n-th call of a method fail.

#include "core/clock.h"
#include "store/store.h"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace parley::fakes {

class FakeStore final : public store::Store {
 public:
  // The store methods the reply worker calls, for scripted failures.
  enum class Call { kClaim, kCommit, kRelease, kListQueued, kLease, kDefer, kRecord };

  // One outbound message as kept: its draft, where it is in the outbox, and what became of it.
  struct Outbound {
    store::OutboundMessage message;
    MessageStatus status = MessageStatus::kQueued;
    std::string platform_message_id;
    std::optional<MessageError> error;  //!< The last failure (kept while a retry waits).
    int attempts = 0;                   //!< Deferred attempts.
    int64_t next_attempt_at_ms = 0;
    std::string lease_token;  //!< Empty when not leased.
    int64_t lease_until_ms = 0;
    int64_t created_at_ms = 0;
  };

  // `clock` (for the times the store takes itself: a customer's message, a support item) must outlive the store.
  explicit FakeStore(const Clock& clock) : clock_(clock) {}

  // --- The test's side ---
  // A channel of tenant 1 on `platform`, enabled.
  store::Channel MakeChannel(Platform platform);
  // An open conversation in bot mode with contact `contact_id` on the channel.
  int64_t MakeConversation(int64_t channel_id, const std::string& contact_id);
  // The customer writes `text` now, as ingest stores it: answerable when the channel is enabled; left to the person
  // in human mode. Returns the conversation as the batcher is armed with when it is pending.
  std::optional<store::PendingConversation> Receive(int64_t conversation_id, const std::string& text);
  // A person takes the conversation over from the inbox (SetConversationMode "human"): what was pending is theirs
  // and a live claim can no longer commit.
  void TakeOver(int64_t conversation_id);
  // The tenant switches the channel off (UpdateChannel enabled=false): its conversations stop pending and live
  // claims are voided.
  void DisableChannel(int64_t channel_id);
  // Makes the next `count` calls of `call` fail with `error` instead of running.
  void FailNext(Call call, Error error, int count = 1);

  std::vector<Outbound> outbound(int64_t conversation_id) const;
  std::vector<store::SupportItem> support_items(int64_t conversation_id) const;
  store::Conversation conversation(int64_t conversation_id) const;
  bool pending(int64_t conversation_id) const;
  // The claim's token and expiry when one is held (expired or not).
  std::optional<std::pair<std::string, int64_t>> claim(int64_t conversation_id) const;
  int calls(Call call) const;

  // --- Faked ---
  Result<std::vector<store::PendingConversation>> ListPendingConversations(
      std::optional<int64_t> unclaimed_at_ms) override;
  using store::Store::ListPendingConversations;
  Result<std::optional<store::PendingConversation>> GetPendingConversation(int64_t conversation_id) override;
  Result<ClaimAttempt> ClaimConversation(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) override;
  using store::Store::CommitReply;
  Result<store::CommitResult> CommitReply(const store::Claim& claim, const store::Reply& reply, int64_t now_ms,
                                          std::vector<int64_t>* outbound_ids) override;
  Result<void> ReleaseClaim(int64_t conversation_id, const std::string& token) override;
  Result<std::vector<store::OutboundMessage>> ListQueuedOutbound() override;
  Result<store::OutboundMessage> GetOutbound(int64_t message_id) override;
  Result<void> RecordSendResult(int64_t message_id, const std::string& platform_message_id, MessageStatus status,
                                const std::optional<MessageError>& error) override;
  Result<store::OutboundAttempt> LeaseNextOutbound(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) override;
  Result<void> DeferOutbound(int64_t message_id, const std::string& token, int64_t retry_at_ms,
                             const MessageError& error) override;

  // --- Not faked: each fails the test ---
  Result<void> Migrate() override;
  using store::Store::CreateTenant;
  Result<store::Tenant> CreateTenant(const std::string& name, const store::NewApiKey& first_key) override;
  Result<store::Channel> AddChannel(const store::NewChannel& channel) override;
  Result<store::Channel> GetChannel(int64_t channel_id) override;
  Result<store::Channel> GetChannelByPublicId(std::string_view public_id) override;
  Result<std::vector<store::StoredMessage>> ListContactThread(int64_t channel_id, std::string_view contact_platform_id,
                                                              int64_t after_id, int limit) override;
  Result<store::StoredMessage> GetMessageByPlatformId(int64_t channel_id,
                                                      std::string_view platform_message_id) override;
  Result<void> SaveContactProfile(int64_t channel_id, std::string_view platform_id, std::string_view name,
                                  std::string_view email) override;
  Result<std::vector<store::Channel>> ListChannels(int64_t tenant_id) override;
  Result<store::Channel> GetChannel(int64_t tenant_id, int64_t channel_id) override;
  Result<store::Channel> UpdateChannel(int64_t tenant_id, int64_t channel_id,
                                       const store::ChannelUpdate& update) override;
  Result<store::Channel> RemoveChannel(int64_t tenant_id, int64_t channel_id) override;
  void Ingest(store::IngestRequest request, IngestCallback done) override;
  Result<std::vector<store::StoredMessage>> RecentMessages(int64_t conversation_id, int64_t before_id,
                                                           int limit) override;
  Result<store::Conversation> SetConversationMode(int64_t tenant_id, int64_t conversation_id, const std::string& mode,
                                                  const std::string& reason, int64_t human_idle_ms,
                                                  int64_t now_ms) override;
  Result<std::vector<store::ReplyTrace>> ListReplyTraces(int64_t tenant_id, int64_t conversation_id) override;
  using store::Store::ListConversations;
  Result<store::Page<store::Conversation>> ListConversations(int64_t tenant_id, const store::ConversationFilter& filter,
                                                             const std::optional<std::string>& cursor,
                                                             int limit) override;
  Result<store::Conversation> GetConversation(int64_t tenant_id, int64_t conversation_id) override;
  Result<store::Conversation> AssignConversation(int64_t tenant_id, int64_t conversation_id,
                                                 std::optional<int64_t> user_id) override;
  Result<store::Conversation> CloseConversation(int64_t tenant_id, int64_t conversation_id, int64_t now_ms) override;
  using store::Store::QueuePersonReply;
  Result<store::OutboundMessage> QueuePersonReply(int64_t tenant_id, int64_t conversation_id, const std::string& text,
                                                  const std::string& sent_by, int64_t human_idle_ms, int64_t now_ms,
                                                  const MessagingWindow& window,
                                                  const std::optional<TemplateMessage>& message_template,
                                                  const std::optional<store::OutboundFile>& file) override;
  using store::Store::ListSupportItems;
  Result<store::Page<store::SupportItem>> ListSupportItems(int64_t tenant_id, const store::SupportFilter& filter,
                                                           const std::optional<std::string>& cursor,
                                                           int limit) override;
  Result<store::SupportItem> ResolveSupportItem(int64_t tenant_id, int64_t item_id, const std::string& resolved_by,
                                                bool hand_back, int64_t now_ms) override;
  Result<store::Page<store::StoredMessage>> ListMessages(int64_t tenant_id, int64_t conversation_id,
                                                         const std::optional<std::string>& cursor, int limit) override;
  Result<store::Page<store::StoredMessage>> ListMessagesNewestFirst(int64_t tenant_id, int64_t conversation_id,
                                                                    const std::optional<std::string>& before,
                                                                    int limit) override;
  // The sub-stores cannot return an error: these fail the test and throw std::logic_error.
  store::KnowledgeStore& knowledge() override;
  store::BillingStore& billing() override;
  store::AccessStore& access() override;
  store::InboxStore& inbox() override;
  store::TenantStore& tenants() override;
  store::AnalyticsStore& analytics() override;
  store::TeamStore& team() override;
  store::EventLog& events() override;
  store::ContactStore& contacts() override;
  store::WebhookStore& webhooks() override;
  store::MediaRecords& media() override;
  store::OAuthFlowStore& oauth_flows() override;
  store::StoreHealth Health() override;
  void Close() override;

 private:
  struct Inbound {
    store::StoredMessage message;
    bool answerable = true;
  };
  struct State {
    store::Conversation conversation;
    std::vector<Inbound> inbound;
    int64_t inbound_seq = 0;
    int64_t answered_through_id = 0;
    std::optional<int64_t> pending_since_ms;
    std::optional<int64_t> last_inbound_at_ms;  //!< The newest answerable message, for batching.
    std::string claim_token;                    //!< Empty: no claim.
    int64_t claim_expires_at_ms = 0;
    int64_t claim_through_id = 0;
  };

  // Counts the call; returns the scripted failure when one is due. Requires mutex_.
  std::optional<Error> Begin(Call call);
  State* Find(int64_t conversation_id);
  const State* Find(int64_t conversation_id) const;
  // Clears pending state and the claim, marking everything the claim covered answered. Requires mutex_.
  static void MarkAnswered(State& state);
  // One open support item per conversation, as the backends keep. Requires mutex_.
  void OpenSupportItem(const State& state, Reason reason, Priority priority, std::optional<std::string> draft,
                       int64_t now_ms);
  Outbound* FindOutbound(int64_t message_id);
  Error NotFaked(const char* method) const;

  const Clock& clock_;
  mutable std::mutex mutex_;
  int64_t next_id_ = 1;                            // GUARDED_BY(mutex_): ids of every kind, never reused.
  std::map<int64_t, store::Channel> channels_;     // GUARDED_BY(mutex_)
  std::map<int64_t, State> conversations_;         // GUARDED_BY(mutex_)
  std::map<int64_t, Outbound> outbound_;           // GUARDED_BY(mutex_): by id, so oldest first.
  std::vector<store::SupportItem> support_items_;  // GUARDED_BY(mutex_)
  std::map<Call, std::vector<Error>> failures_;    // GUARDED_BY(mutex_): scripted, next first.
  std::map<Call, int> calls_;                      // GUARDED_BY(mutex_)
};

}  // namespace parley::fakes
