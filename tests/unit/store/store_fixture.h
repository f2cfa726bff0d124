#pragma once
// The set-up the store tests of customers' traffic share, on top of support/two_tenant_store.h (a migrated SQLite
// store in a temporary directory with the tenants Acme and Globex): their channels, a customer's message as a
// webhook brings it, and an ingest run to completion as the webhook's handler waits for it.

#include "store/sqlite/sqlite_store.h"
#include "support/two_tenant_store.h"

#include <gtest/gtest.h>

#include <future>
#include <string>

namespace parley::store::sqlite {

// The accounts of the channels StoreFixture::AddChannels() makes.
inline constexpr char kWaAccount[] = "wa-1";         //!< Acme's WhatsApp number.
inline constexpr char kIgAccount[] = "ig-1";         //!< Acme's Instagram account.
inline constexpr char kOtherAccount[] = "wa-other";  //!< Globex's WhatsApp number.

class StoreFixture : public parley::testing::TwoTenantStore {
 protected:
  // Adds a channel and returns its id.
  int64_t AddChannel(int64_t tenant, Platform platform, const std::string& account, const std::string& token = "t") {
    return store_->AddChannel({tenant, platform, account, token}).value().id;
  }

  // Acme's WhatsApp and Instagram channels (wa_channel_, ig_channel_) and Globex's WhatsApp one.
  void AddChannels() {
    wa_channel_ = AddChannel(acme_, Platform("whatsapp"), kWaAccount);
    ig_channel_ = AddChannel(acme_, Platform("instagram"), kIgAccount);
    AddChannel(globex_, Platform("whatsapp"), kOtherAccount);
  }

  // One customer's message, sent and received at `at_ms`.
  static IngestRequest CustomerMessage(Platform platform, const std::string& account, const std::string& mid,
                                       const std::string& contact, const std::string& text, int64_t at_ms,
                                       const std::string& name = "") {
    InboundItem item;
    item.message.platform = platform;
    item.message.account_id = account;
    item.message.platform_message_id = mid;
    item.message.contact_id = contact;
    item.message.contact_name = name;
    item.message.timestamp_ms = at_ms;
    item.message.text = text;
    IngestRequest request;
    request.platform = platform;
    request.received_at_ms = at_ms;
    request.messages.push_back(std::move(item));
    return request;
  }

  // Stores `request` and waits for the outcome.
  Result<IngestOutcome> IngestNow(IngestRequest request) {
    std::promise<Result<IngestOutcome>> promise;
    store_->Ingest(std::move(request), [&](Result<IngestOutcome> r) { promise.set_value(std::move(r)); });
    return promise.get_future().get();
  }

  int64_t wa_channel_ = 0;
  int64_t ig_channel_ = 0;
};

}  // namespace parley::store::sqlite
