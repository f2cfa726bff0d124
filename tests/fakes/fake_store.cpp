#include "fakes/fake_store.h"

#include "store/messaging_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

namespace parley::fakes {

store::Channel FakeStore::MakeChannel(Platform platform) {
  std::lock_guard lock(mutex_);
  store::Channel channel;
  channel.id = next_id_++;
  channel.tenant_id = 1;
  channel.platform = platform;
  channel.account_id = "account-" + std::to_string(channel.id);
  channel.access_token = "token-" + std::to_string(channel.id);
  channel.created_at_ms = clock_.NowMs();
  channels_[channel.id] = channel;
  return channel;
}

int64_t FakeStore::MakeConversation(int64_t channel_id, const std::string& contact_id) {
  std::lock_guard lock(mutex_);
  const store::Channel& channel = channels_.at(channel_id);
  State state;
  state.conversation.id = next_id_++;
  state.conversation.tenant_id = channel.tenant_id;
  state.conversation.channel_id = channel.id;
  state.conversation.platform = channel.platform;
  state.conversation.contact = {contact_id, "Customer " + contact_id};
  state.conversation.created_at_ms = clock_.NowMs();
  const int64_t id = state.conversation.id;
  conversations_[id] = std::move(state);
  return id;
}

std::optional<store::PendingConversation> FakeStore::Receive(int64_t conversation_id, const std::string& text) {
  std::lock_guard lock(mutex_);
  State& state = conversations_.at(conversation_id);
  const int64_t now_ms = clock_.NowMs();
  store::Conversation& c = state.conversation;
  // The people's hold has run out: the customer's message returns the conversation to the bot.
  if (c.mode == "human" && c.human_until_ms && *c.human_until_ms <= now_ms) {
    c.mode = "bot";
    c.handoff_reason.clear();
    c.human_until_ms.reset();
  }
  Inbound inbound;
  inbound.message.id = next_id_++;
  inbound.message.conversation_id = conversation_id;
  inbound.message.direction = Direction::kIn;
  inbound.message.text = text;
  inbound.message.platform_message_id = "wamid.in-" + std::to_string(inbound.message.id);
  inbound.message.platform_timestamp_ms = now_ms;
  inbound.message.created_at_ms = now_ms;
  inbound.answerable = channels_.at(c.channel_id).enabled;
  state.inbound.push_back(inbound);
  c.last_message_at_ms = now_ms;
  c.customer_wrote_at_ms = now_ms;
  if (inbound.answerable) {
    ++state.inbound_seq;
    state.last_inbound_at_ms = now_ms;
    if (c.mode == "bot") {
      if (!state.pending_since_ms) state.pending_since_ms = now_ms;
    } else {
      state.answered_through_id = inbound.message.id;  // Left to the person.
    }
  }
  if (!inbound.answerable || !state.pending_since_ms) return std::nullopt;
  return store::PendingConversation{conversation_id, c.tenant_id, c.platform, *state.pending_since_ms, now_ms};
}

void FakeStore::TakeOver(int64_t conversation_id) {
  std::lock_guard lock(mutex_);
  State& state = conversations_.at(conversation_id);
  state.conversation.mode = "human";
  state.conversation.handoff_reason = "manual";
  state.conversation.human_until_ms.reset();
  if (!state.inbound.empty()) state.answered_through_id = state.inbound.back().message.id;
  state.pending_since_ms.reset();
}

void FakeStore::DisableChannel(int64_t channel_id) {
  std::lock_guard lock(mutex_);
  channels_.at(channel_id).enabled = false;
  for (auto& [id, state] : conversations_) {
    if (state.conversation.channel_id != channel_id) continue;
    if (!state.inbound.empty()) state.answered_through_id = state.inbound.back().message.id;
    state.pending_since_ms.reset();
    state.claim_token.clear();
    state.claim_expires_at_ms = 0;
    state.claim_through_id = 0;
  }
}

void FakeStore::FailNext(Call call, Error error, int count) {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < count; ++i) failures_[call].push_back(error);
}

std::vector<FakeStore::Outbound> FakeStore::outbound(int64_t conversation_id) const {
  std::lock_guard lock(mutex_);
  std::vector<Outbound> out;
  for (const auto& [id, o] : outbound_) {
    if (o.message.conversation_id == conversation_id) out.push_back(o);
  }
  return out;
}

std::vector<store::SupportItem> FakeStore::support_items(int64_t conversation_id) const {
  std::lock_guard lock(mutex_);
  std::vector<store::SupportItem> items;
  for (const auto& item : support_items_) {
    if (item.conversation_id == conversation_id) items.push_back(item);
  }
  return items;
}

store::Conversation FakeStore::conversation(int64_t conversation_id) const {
  std::lock_guard lock(mutex_);
  return conversations_.at(conversation_id).conversation;
}

bool FakeStore::pending(int64_t conversation_id) const {
  std::lock_guard lock(mutex_);
  return conversations_.at(conversation_id).pending_since_ms.has_value();
}

std::optional<std::pair<std::string, int64_t>> FakeStore::claim(int64_t conversation_id) const {
  std::lock_guard lock(mutex_);
  const State& state = conversations_.at(conversation_id);
  if (state.claim_token.empty()) return std::nullopt;
  return std::pair{state.claim_token, state.claim_expires_at_ms};
}

int FakeStore::calls(Call call) const {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(call);
  return it == calls_.end() ? 0 : it->second;
}

std::optional<Error> FakeStore::Begin(Call call) {
  ++calls_[call];
  auto it = failures_.find(call);
  if (it == failures_.end() || it->second.empty()) return std::nullopt;
  Error error = it->second.front();
  it->second.erase(it->second.begin());
  return error;
}

FakeStore::State* FakeStore::Find(int64_t conversation_id) {
  auto it = conversations_.find(conversation_id);
  return it == conversations_.end() ? nullptr : &it->second;
}

const FakeStore::State* FakeStore::Find(int64_t conversation_id) const {
  auto it = conversations_.find(conversation_id);
  return it == conversations_.end() ? nullptr : &it->second;
}

void FakeStore::MarkAnswered(State& state) {
  state.answered_through_id = std::max(state.answered_through_id, state.claim_through_id);
  state.pending_since_ms.reset();
  state.claim_token.clear();
  state.claim_expires_at_ms = 0;
  state.claim_through_id = 0;
}

void FakeStore::OpenSupportItem(const State& state, Reason reason, Priority priority, std::optional<std::string> draft,
                                int64_t now_ms) {
  for (const auto& item : support_items_) {
    if (item.conversation_id == state.conversation.id && item.status == "open") return;
  }
  store::SupportItem item;
  item.id = next_id_++;
  item.tenant_id = state.conversation.tenant_id;
  item.conversation_id = state.conversation.id;
  item.reason = std::string(ToString(reason));
  item.priority = priority;
  item.draft = std::move(draft);
  item.created_at_ms = now_ms;
  support_items_.push_back(std::move(item));
}

FakeStore::Outbound* FakeStore::FindOutbound(int64_t message_id) {
  auto it = outbound_.find(message_id);
  return it == outbound_.end() ? nullptr : &it->second;
}

Result<std::vector<store::PendingConversation>> FakeStore::ListPendingConversations(
    std::optional<int64_t> unclaimed_at_ms) {
  std::lock_guard lock(mutex_);
  std::vector<store::PendingConversation> pending;
  for (const auto& [id, state] : conversations_) {
    if (!state.pending_since_ms) continue;
    if (unclaimed_at_ms && !state.claim_token.empty() && state.claim_expires_at_ms > *unclaimed_at_ms) continue;
    const store::Conversation& c = state.conversation;
    pending.push_back({id, c.tenant_id, c.platform, *state.pending_since_ms,
                       state.last_inbound_at_ms.value_or(*state.pending_since_ms)});
  }
  std::sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) {
    return std::pair{a.pending_since_ms, a.conversation_id} < std::pair{b.pending_since_ms, b.conversation_id};
  });
  return pending;
}

Result<std::optional<store::PendingConversation>> FakeStore::GetPendingConversation(int64_t conversation_id) {
  std::lock_guard lock(mutex_);
  auto found = conversations_.find(conversation_id);
  if (found == conversations_.end() || !found->second.pending_since_ms)
    return std::optional<store::PendingConversation>();
  const store::Conversation& c = found->second.conversation;
  return store::PendingConversation{conversation_id, c.tenant_id, c.platform, *found->second.pending_since_ms,
                                    found->second.last_inbound_at_ms.value_or(*found->second.pending_since_ms)};
}

Result<store::Store::ClaimAttempt> FakeStore::ClaimConversation(int64_t conversation_id, int64_t now_ms,
                                                                int64_t lease_ms) {
  std::lock_guard lock(mutex_);
  if (auto failure = Begin(Call::kClaim)) return *failure;
  ClaimAttempt attempt;
  State* state = Find(conversation_id);
  if (state == nullptr || !state->pending_since_ms) return attempt;
  if (!state->claim_token.empty() && state->claim_expires_at_ms > now_ms) {
    attempt.held_until_ms = state->claim_expires_at_ms;
    return attempt;
  }
  store::Claim claim;
  claim.conversation_id = conversation_id;
  claim.token = "claim-" + std::to_string(next_id_++);
  claim.inbound_seq = state->inbound_seq;
  int64_t through = 0;
  for (const Inbound& inbound : state->inbound) {
    if (inbound.message.id <= state->answered_through_id || !inbound.answerable) continue;
    claim.messages.push_back(inbound.message);
    through = inbound.message.id;
  }
  claim.messages_total = static_cast<int64_t>(claim.messages.size());
  if (claim.messages.size() > static_cast<size_t>(store::kMaxClaimedMessages)) {
    claim.messages.erase(claim.messages.begin(), claim.messages.end() - store::kMaxClaimedMessages);
  }
  state->claim_token = claim.token;
  state->claim_expires_at_ms = now_ms + lease_ms;
  state->claim_through_id = through;
  if (claim.messages.empty()) {
    MarkAnswered(*state);
    return attempt;
  }
  claim.conversation = state->conversation;
  claim.channel = channels_.at(state->conversation.channel_id);
  attempt.claim = std::move(claim);
  return attempt;
}

Result<store::CommitResult> FakeStore::CommitReply(const store::Claim& claim, const store::Reply& reply, int64_t now_ms,
                                                   std::vector<int64_t>* outbound_ids) {
  std::lock_guard lock(mutex_);
  if (auto failure = Begin(Call::kCommit)) return *failure;
  State* state = Find(claim.conversation_id);
  if (state == nullptr) return Error::NotFound("no such conversation");
  // A matching token means nobody took the conversation over, even if the lease ran out meanwhile.
  if (state->claim_token.empty() || state->claim_token != claim.token) return store::CommitResult::kLost;
  if (state->inbound_seq != claim.inbound_seq || state->conversation.mode == "human") {
    state->claim_token.clear();
    state->claim_expires_at_ms = 0;
    state->claim_through_id = 0;
    return store::CommitResult::kSuperseded;
  }
  std::vector<int64_t> ids;
  const store::Channel& channel = channels_.at(state->conversation.channel_id);
  for (const store::OutboundDraft& draft : reply.messages) {
    Outbound o;
    o.message.id = next_id_++;
    o.message.conversation_id = claim.conversation_id;
    o.message.tenant_id = state->conversation.tenant_id;
    o.message.channel = channel;
    o.message.recipient_id = state->conversation.contact.platform_id;
    o.message.draft = draft;
    o.created_at_ms = now_ms;
    ids.push_back(o.message.id);
    outbound_.emplace(o.message.id, std::move(o));
  }
  MarkAnswered(*state);
  if (!ids.empty()) state->conversation.last_message_at_ms = now_ms;
  if (reply.hand_off) {
    state->conversation.mode = "human";
    state->conversation.handoff_reason = std::string(ToString(reply.reason));
    if (reply.human_idle_ms > 0) state->conversation.human_until_ms = now_ms + reply.human_idle_ms;
    OpenSupportItem(*state, reply.reason, reply.priority, reply.draft, now_ms);
  }
  if (outbound_ids != nullptr) *outbound_ids = std::move(ids);
  return store::CommitResult::kCommitted;
}

Result<void> FakeStore::ReleaseClaim(int64_t conversation_id, const std::string& token) {
  std::lock_guard lock(mutex_);
  if (auto failure = Begin(Call::kRelease)) return *failure;
  State* state = Find(conversation_id);
  if (state != nullptr && !state->claim_token.empty() && state->claim_token == token) {
    state->claim_token.clear();
    state->claim_expires_at_ms = 0;
    state->claim_through_id = 0;
  }
  return Ok();
}

Result<std::vector<store::OutboundMessage>> FakeStore::ListQueuedOutbound() {
  std::lock_guard lock(mutex_);
  if (auto failure = Begin(Call::kListQueued)) return *failure;
  std::vector<store::OutboundMessage> queued;
  for (const auto& [id, o] : outbound_) {
    if (o.status == MessageStatus::kQueued) queued.push_back(o.message);
  }
  return queued;
}

Result<store::OutboundMessage> FakeStore::GetOutbound(int64_t message_id) {
  std::lock_guard lock(mutex_);
  const Outbound* o = FindOutbound(message_id);
  if (o == nullptr) return Error::NotFound("no such outbound message");
  return o->message;
}

Result<void> FakeStore::RecordSendResult(int64_t message_id, const std::string& platform_message_id,
                                         MessageStatus status, const std::optional<MessageError>& error) {
  std::lock_guard lock(mutex_);
  if (auto failure = Begin(Call::kRecord)) return *failure;
  if (status != MessageStatus::kSent && status != MessageStatus::kFailed) {
    return Error::InvalidArgument("a send result is sent or failed");
  }
  if (status == MessageStatus::kSent && platform_message_id.empty()) {
    return Error::InvalidArgument("a sent message has a platform id");
  }
  Outbound* o = FindOutbound(message_id);
  if (o == nullptr) return Error::NotFound("no such outbound message");
  const bool was_queued = o->status == MessageStatus::kQueued;
  o->lease_token.clear();
  o->lease_until_ms = 0;
  o->next_attempt_at_ms = 0;
  if (o->platform_message_id.empty()) o->platform_message_id = platform_message_id;
  if (!was_queued) return Ok();  // A webhook already moved it further.
  o->status = status;
  if (status == MessageStatus::kFailed) {
    o->error = error;
    OpenSupportItem(conversations_.at(o->message.conversation_id), Reason::kSendFailed, Priority::kNormal, std::nullopt,
                    clock_.NowMs());
  }
  return Ok();
}

Result<store::OutboundAttempt> FakeStore::LeaseNextOutbound(int64_t conversation_id, int64_t now_ms, int64_t lease_ms) {
  std::lock_guard lock(mutex_);
  if (auto failure = Begin(Call::kLease)) return *failure;
  store::OutboundAttempt attempt;
  Outbound* next = nullptr;
  for (auto& [id, o] : outbound_) {
    if (o.message.conversation_id == conversation_id && o.status == MessageStatus::kQueued) {
      next = &o;
      break;
    }
  }
  if (next == nullptr) return attempt;
  if (!next->lease_token.empty() && next->lease_until_ms > now_ms) {
    attempt.wait_until_ms = next->lease_until_ms;
    return attempt;
  }
  if (next->next_attempt_at_ms > now_ms) {
    attempt.wait_until_ms = next->next_attempt_at_ms;
    return attempt;
  }
  next->lease_token = "lease-" + std::to_string(next_id_++);
  next->lease_until_ms = now_ms + lease_ms;
  const store::Conversation& c = conversations_.at(conversation_id).conversation;
  const bool needs_window = !next->message.draft.whatsapp_template;
  const int64_t opened_at = needs_window ? c.customer_wrote_at_ms.value_or(next->created_at_ms) : next->created_at_ms;
  store::OutboundLease lease;
  lease.message = next->message;
  lease.token = next->lease_token;
  lease.attempts = next->attempts;
  lease.window_ends_at_ms = store::WindowEndsAt(opened_at, next->message.draft.human_agent);
  attempt.lease = std::move(lease);
  return attempt;
}

Result<void> FakeStore::DeferOutbound(int64_t message_id, const std::string& token, int64_t retry_at_ms,
                                      const MessageError& error) {
  std::lock_guard lock(mutex_);
  if (auto failure = Begin(Call::kDefer)) return *failure;
  Outbound* o = FindOutbound(message_id);
  if (o == nullptr || o->lease_token != token || o->status != MessageStatus::kQueued) return Ok();
  o->lease_token.clear();
  o->lease_until_ms = 0;
  ++o->attempts;
  o->next_attempt_at_ms = retry_at_ms;
  o->error = error;
  return Ok();
}

// --- Not faked ---

Error FakeStore::NotFaked(const char* method) const {
  ADD_FAILURE() << "FakeStore::" << method << " is not faked: the code under test strayed outside the reply path";
  return Error::Internal(std::string("FakeStore::") + method + " is not faked");
}

Result<void> FakeStore::Migrate() { return NotFaked("Migrate"); }
Result<store::Tenant> FakeStore::CreateTenant(const std::string&, const store::NewApiKey&) {
  return NotFaked("CreateTenant");
}
Result<store::Channel> FakeStore::AddChannel(const store::NewChannel&) { return NotFaked("AddChannel"); }
Result<store::Channel> FakeStore::GetChannel(int64_t) { return NotFaked("GetChannel"); }
Result<store::Channel> FakeStore::GetChannelByPublicId(std::string_view) { return NotFaked("GetChannelByPublicId"); }
Result<std::vector<store::StoredMessage>> FakeStore::ListContactThread(int64_t, std::string_view, int64_t, int) {
  return NotFaked("ListContactThread");
}
Result<store::StoredMessage> FakeStore::GetMessageByPlatformId(int64_t, std::string_view) {
  return NotFaked("GetMessageByPlatformId");
}
Result<void> FakeStore::SaveContactProfile(int64_t, std::string_view, std::string_view, std::string_view) {
  return NotFaked("SaveContactProfile");
}
Result<std::vector<store::Channel>> FakeStore::ListChannels(int64_t) { return NotFaked("ListChannels"); }
Result<store::Channel> FakeStore::GetChannel(int64_t, int64_t) { return NotFaked("GetChannel"); }
Result<store::Channel> FakeStore::UpdateChannel(int64_t, int64_t, const store::ChannelUpdate&) {
  return NotFaked("UpdateChannel");
}
Result<store::Channel> FakeStore::RemoveChannel(int64_t, int64_t) { return NotFaked("RemoveChannel"); }
void FakeStore::Ingest(store::IngestRequest, IngestCallback done) { done(NotFaked("Ingest")); }
Result<std::vector<store::StoredMessage>> FakeStore::RecentMessages(int64_t, int64_t, int) {
  return NotFaked("RecentMessages");
}
Result<store::Conversation> FakeStore::SetConversationMode(int64_t, int64_t, const std::string&, const std::string&,
                                                           int64_t, int64_t) {
  return NotFaked("SetConversationMode");
}
Result<std::vector<store::ReplyTrace>> FakeStore::ListReplyTraces(int64_t, int64_t) {
  return NotFaked("ListReplyTraces");
}
Result<store::Page<store::Conversation>> FakeStore::ListConversations(int64_t, const store::ConversationFilter&,
                                                                      const std::optional<std::string>&, int) {
  return NotFaked("ListConversations");
}
Result<store::Conversation> FakeStore::GetConversation(int64_t, int64_t) { return NotFaked("GetConversation"); }
Result<store::Conversation> FakeStore::AssignConversation(int64_t, int64_t, std::optional<int64_t>) {
  return NotFaked("AssignConversation");
}
Result<store::Conversation> FakeStore::CloseConversation(int64_t, int64_t, int64_t) {
  return NotFaked("CloseConversation");
}
Result<store::OutboundMessage> FakeStore::QueuePersonReply(int64_t, int64_t, const std::string&, const std::string&,
                                                           int64_t, int64_t, const MessagingWindow&,
                                                           const std::optional<TemplateMessage>&,
                                                           const std::optional<store::OutboundFile>&) {
  return NotFaked("QueuePersonReply");
}
Result<store::Page<store::SupportItem>> FakeStore::ListSupportItems(int64_t, const store::SupportFilter&,
                                                                    const std::optional<std::string>&, int) {
  return NotFaked("ListSupportItems");
}
Result<store::SupportItem> FakeStore::ResolveSupportItem(int64_t, int64_t, const std::string&, bool, int64_t) {
  return NotFaked("ResolveSupportItem");
}
Result<store::Page<store::StoredMessage>> FakeStore::ListMessages(int64_t, int64_t, const std::optional<std::string>&,
                                                                  int) {
  return NotFaked("ListMessages");
}
Result<store::Page<store::StoredMessage>> FakeStore::ListMessagesNewestFirst(int64_t, int64_t,
                                                                             const std::optional<std::string>&, int) {
  return NotFaked("ListMessagesNewestFirst");
}

namespace {
[[noreturn]] void ThrowNotFaked(const char* method) {
  ADD_FAILURE() << "FakeStore::" << method << " is not faked: the code under test strayed outside the reply path";
  throw std::logic_error(std::string("FakeStore::") + method + " is not faked");
}
}  // namespace

store::KnowledgeStore& FakeStore::knowledge() { ThrowNotFaked("knowledge"); }
store::BillingStore& FakeStore::billing() { ThrowNotFaked("billing"); }
store::AccessStore& FakeStore::access() { ThrowNotFaked("access"); }
store::InboxStore& FakeStore::inbox() { ThrowNotFaked("inbox"); }
store::TenantStore& FakeStore::tenants() { ThrowNotFaked("tenants"); }
store::AnalyticsStore& FakeStore::analytics() { ThrowNotFaked("analytics"); }
store::TeamStore& FakeStore::team() { ThrowNotFaked("team"); }
store::EventLog& FakeStore::events() { ThrowNotFaked("events"); }
store::ContactStore& FakeStore::contacts() { ThrowNotFaked("contacts"); }
store::WebhookStore& FakeStore::webhooks() { ThrowNotFaked("webhooks"); }
store::MediaRecords& FakeStore::media() { ThrowNotFaked("media"); }
store::OAuthFlowStore& FakeStore::oauth_flows() { ThrowNotFaked("oauth_flows"); }
store::StoreHealth FakeStore::Health() { return {false, "fake", NotFaked("Health").detail, 0}; }
void FakeStore::Close() { NotFaked("Close"); }

}  // namespace parley::fakes
