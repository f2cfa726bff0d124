#pragma once
// The store conformance suite's fixture: written once against the store interfaces, run for every backend
// (test_backends.h). Each test gets a fresh, migrated store with the tenant Acme and its WhatsApp channel.
//
// StoreTest runs on SQLite and PostgreSQL; what only one backend has is tested in tests/unit/store/ (SQLite) and in
// postgres_*_test.cpp here.

#include "test_backends.h"

#include "core/crypto.h"
#include "store/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <future>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace parley::store::testing {

inline constexpr char kAccount[] = "phone-1";
inline constexpr int64_t kT0 = 1'800'000'000'000;  // Server time of the first webhook in each test.
inline constexpr int64_t kLease = 30'000;

// "m" + std::to_string(n), spelled so that g++ 12 at -O3 does not warn (a -Wrestrict false positive).
inline std::string Id(std::string prefix, int64_t n) {
  prefix += std::to_string(n);
  return prefix;
}

inline InboundItem Inbound(const std::string& mid, const std::string& contact, const std::string& text,
                           const std::string& account = kAccount) {
  InboundItem item;
  item.message.platform = Platform("whatsapp");
  item.message.account_id = account;
  item.message.platform_message_id = mid;
  item.message.contact_id = contact;
  item.message.contact_name = "Ana";
  item.message.timestamp_ms = kT0 - 1'000;  // Sent a second before it reached Parley.
  item.message.text = text;
  return item;
}

inline IngestRequest Request(int64_t received_at_ms, std::vector<InboundItem> messages) {
  IngestRequest request;
  request.platform = Platform("whatsapp");
  request.received_at_ms = received_at_ms;
  request.messages = std::move(messages);
  return request;
}

inline IngestRequest StatusRequest(const std::string& mid, MessageStatus status,
                                   std::optional<MessageError> error = {}) {
  StatusUpdate update;
  update.account_id = kAccount;
  update.platform_message_id = mid;
  update.status = status;
  update.error = std::move(error);
  IngestRequest request;
  request.platform = Platform("whatsapp");
  request.received_at_ms = kT0;
  request.statuses.push_back(std::move(update));
  return request;
}

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  StoreTest()
      : backend_(MakeTestBackend(GetParam(), box_,
                                 [this](int64_t tenant_id, int64_t last_id) {
                                   std::lock_guard lock(announced_mutex_);
                                   announced_[tenant_id] = std::max(announced_[tenant_id], last_id);
                                 })),
        store_(&backend_->store()) {
    tenant_ = store_->CreateTenant("Acme", crypto::Sha256Hex("key-acme")).value();
    channel_ = store_->AddChannel({tenant_.id, Platform("whatsapp"), kAccount, "EAAG-secret-token"}).value();
  }

  // Stores `request` and waits for the outcome, as a webhook's handler does.
  Result<IngestOutcome> Ingest(IngestRequest request) {
    std::promise<Result<IngestOutcome>> promise;
    auto future = promise.get_future();
    store_->Ingest(std::move(request), [&](Result<IngestOutcome> r) { promise.set_value(std::move(r)); });
    return future.get();
  }

  // Claims the conversation at `now`; fails the test unless it is claimed.
  Claim MustClaim(int64_t conversation_id, int64_t now) {
    auto attempt = store_->ClaimConversation(conversation_id, now, kLease);
    EXPECT_TRUE(attempt) << attempt.error().message << " " << attempt.error().detail;
    EXPECT_TRUE(attempt && attempt->claim.has_value());
    return attempt && attempt->claim ? *attempt->claim : Claim{};
  }

  // The conversation's messages (deleted ones and notes left out), oldest first.
  std::vector<StoredMessage> Messages(int64_t conversation_id) {
    return store_->RecentMessages(conversation_id, std::numeric_limits<int64_t>::max(), 500).value();
  }

  StoredMessage MessageById(int64_t conversation_id, int64_t id) {
    for (auto& m : Messages(conversation_id)) {
      if (m.id == id) return m;
    }
    ADD_FAILURE() << "no message " << id;
    return {};
  }

  int64_t Count(const std::string& sql) { return backend_->QueryInt(sql); }

  // The newest event id the store announced for the tenant (0: none yet).
  int64_t Announced(int64_t tenant_id) {
    std::lock_guard lock(announced_mutex_);
    return announced_[tenant_id];
  }

  // An outbound message the platform accepted with id `mid`, in the conversation of contact "c1".
  int64_t SentOutbound(const std::string& mid, const std::string& inbound_mid) {
    auto outcome = Ingest(Request(kT0, {Inbound(inbound_mid, "c1", "hello")})).value();
    Claim claim = MustClaim(outcome.pending.at(0).conversation_id, kT0 + 1);
    int64_t id = 0;
    EXPECT_EQ(store_->CommitReply(claim, OutboundDraft{MessageType::kText, "hi!", ""}, kT0 + 2, &id).value(),
              CommitResult::kCommitted);
    EXPECT_TRUE(store_->RecordSendResult(id, mid, MessageStatus::kSent, std::nullopt));
    return id;
  }

  crypto::SecretBox box_ = crypto::SecretBox::Create(std::string(32, 'k')).value();
  std::mutex announced_mutex_;
  std::map<int64_t, int64_t> announced_;  // GUARDED_BY(announced_mutex_)
  std::unique_ptr<TestBackend> backend_;
  Store* store_;
  Tenant tenant_;
  Channel channel_;
};

}  // namespace parley::store::testing
