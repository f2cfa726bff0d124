// Channels on every backend: connecting accounts, the administration API's reads and changes, soft removal.

#include "store_test.h"

#include "store/contact_store.h"
#include "store/inbox_store.h"

namespace parley::store::testing {
namespace {

constexpr char kPhone[] = "106540352242922";

IngestRequest Text(const std::string& mid, const std::string& contact, const std::string& account = kPhone) {
  IngestRequest request = Request(kT0, {Inbound(mid, contact, "hello", account)});
  request.messages[0].message.contact_name.clear();
  return request;
}

class ChannelTest : public StoreTest {
 protected:
  ChannelTest() { globex_ = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id; }

  Channel AddPhone(int64_t tenant, const std::string& token = "EAAG-token-one") {
    NewChannel channel{tenant, Platform("whatsapp"), kPhone, token, "Front desk", {"+1 555-0100", "Acme Bakery", ""}};
    return store_->AddChannel(channel).value();
  }

  int64_t globex_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, ChannelTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(ChannelTest, TokensAreSealedAtRest) {
  auto loaded = store_->GetChannel(channel_.id);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->tenant_id, tenant_.id);
  EXPECT_EQ(loaded->platform, Platform("whatsapp"));
  EXPECT_EQ(loaded->account_id, kAccount);
  EXPECT_EQ(loaded->access_token, "EAAG-secret-token");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM channels WHERE access_token_sealed LIKE '%EAAG-secret-token%'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM channels"), 1);

  EXPECT_EQ(store_->AddChannel({tenant_.id, Platform("whatsapp"), kAccount, "x"}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->AddChannel({tenant_.id + 100, Platform("whatsapp"), "phone-2", "x"}).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->AddChannel({tenant_.id, Platform("whatsapp"), "", "x"}).error().code, ErrorCode::kInvalidArgument);
  // The same account id on another platform is another channel.
  EXPECT_TRUE(store_->AddChannel({tenant_.id, Platform("instagram"), kAccount, "ig"}));
  EXPECT_EQ(store_->GetChannel(9999).error().code, ErrorCode::kNotFound);
}

TEST_P(ChannelTest, AddKeepsLabelProfileAndSealedToken) {
  Channel added = AddPhone(globex_);
  EXPECT_TRUE(added.enabled);
  EXPECT_EQ(added.display_name, "Front desk");
  EXPECT_EQ(added.profile.display_phone_number, "+1 555-0100");
  EXPECT_EQ(added.profile.verified_name, "Acme Bakery");
  EXPECT_GT(added.created_at_ms, 0);
  auto listed = store_->ListChannels(globex_).value();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, added.id);
  EXPECT_EQ(listed[0].access_token, "EAAG-token-one");
  EXPECT_EQ(listed[0].profile.verified_name, "Acme Bakery");
}

TEST_P(ChannelTest, ListsTheTenantsLiveChannelsOldestFirst) {
  Channel second = AddPhone(tenant_.id);
  auto listed = store_->ListChannels(tenant_.id).value();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, channel_.id);
  EXPECT_EQ(listed[1].id, second.id);
}

TEST_P(ChannelTest, EveryReadAndChangeIsScopedByTenant) {
  Channel added = AddPhone(tenant_.id);
  EXPECT_TRUE(store_->ListChannels(globex_).value().empty());
  EXPECT_EQ(store_->GetChannel(globex_, added.id).error().code, ErrorCode::kNotFound);
  ChannelUpdate rename;
  rename.display_name = "Hijacked";
  EXPECT_EQ(store_->UpdateChannel(globex_, added.id, rename).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->RemoveChannel(globex_, added.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetChannel(tenant_.id, added.id).value().display_name, "Front desk");
}

TEST_P(ChannelTest, AnAccountIsLiveInOneChannelOnly) {
  AddPhone(tenant_.id);
  NewChannel again{tenant_.id, Platform("whatsapp"), kPhone, "other", "", {}};
  EXPECT_EQ(store_->AddChannel(again).error().code, ErrorCode::kConflict);
  NewChannel elsewhere{globex_, Platform("whatsapp"), kPhone, "other", "", {}};
  auto taken = store_->AddChannel(elsewhere);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  EXPECT_EQ(taken.error().message, "this account is connected to another tenant");
}

TEST_P(ChannelTest, UpdateChangesOnlyTheGivenFields) {
  Channel added = AddPhone(tenant_.id);
  ChannelUpdate token;
  token.access_token = "EAAG-token-two";
  token.profile = AccountProfile{"+1 555-0199", "Acme Bakery & Co", ""};
  Channel updated = store_->UpdateChannel(tenant_.id, added.id, token).value();
  EXPECT_EQ(updated.access_token, "EAAG-token-two");
  EXPECT_EQ(updated.profile.display_phone_number, "+1 555-0199");
  EXPECT_EQ(updated.display_name, "Front desk");
  EXPECT_TRUE(updated.enabled);
  ChannelUpdate label;
  label.display_name = "Shop";
  label.waba_id = "waba-7";
  updated = store_->UpdateChannel(tenant_.id, added.id, label).value();
  EXPECT_EQ(updated.display_name, "Shop");
  EXPECT_EQ(updated.waba_id, "waba-7");
  EXPECT_EQ(updated.access_token, "EAAG-token-two");
  EXPECT_EQ(store_->GetChannel(added.id).value().access_token, "EAAG-token-two");
}

TEST_P(ChannelTest, ADisabledChannelStoresMessagesButAnswersNone) {
  Channel added = AddPhone(tenant_.id);
  auto pending = Ingest(Text("wamid.1", "c1")).value();
  ASSERT_EQ(pending.pending.size(), 1u);
  ChannelUpdate off;
  off.enabled = false;
  EXPECT_FALSE(store_->UpdateChannel(tenant_.id, added.id, off).value().enabled);
  // What was waiting is no longer answered, and what arrives now is stored without waking the bot.
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
  auto outcome = Ingest(Text("wamid.2", "c1")).value();
  EXPECT_EQ(outcome.stored, 1);
  EXPECT_TRUE(outcome.pending.empty());
  EXPECT_FALSE(store_->ClaimConversation(pending.pending[0].conversation_id, kT0 + 10, kLease).value().claim);

  ChannelUpdate on;
  on.enabled = true;
  ASSERT_TRUE(store_->UpdateChannel(tenant_.id, added.id, on));
  EXPECT_EQ(Ingest(Text("wamid.3", "c1")).value().pending.size(), 1u);
}

TEST_P(ChannelTest, APublicIdFindsTheLiveChannelWhateverItsTenant) {
  Channel added = AddPhone(globex_);
  Channel found = store_->GetChannelByPublicId(added.public_id).value();
  EXPECT_EQ(found.id, added.id);
  EXPECT_EQ(found.tenant_id, globex_);
  EXPECT_EQ(found.access_token, "EAAG-token-one");
  EXPECT_EQ(store_->GetChannelByPublicId("no-such-public-id").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->RemoveChannel(globex_, added.id));
  EXPECT_EQ(store_->GetChannelByPublicId(added.public_id).error().code, ErrorCode::kNotFound);
}

TEST_P(ChannelTest, ARemovedChannelNoLongerReceivesNorAnswersAndKeepsItsHistory) {
  Channel added = AddPhone(tenant_.id);
  auto first = Ingest(Text("wamid.1", "c1")).value();
  ASSERT_EQ(first.stored, 1);
  const int64_t conversation = first.pending.at(0).conversation_id;
  Claim claim = MustClaim(conversation, kT0 + 1);

  Channel removed = store_->RemoveChannel(tenant_.id, added.id).value();
  EXPECT_EQ(removed.id, added.id);
  EXPECT_EQ(store_->ListChannels(tenant_.id).value().size(), 1u);  // The fixture's channel alone.
  EXPECT_EQ(store_->GetChannel(tenant_.id, added.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->RemoveChannel(tenant_.id, added.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetChannel(added.id).value().id, added.id);  // The reply path still resolves it.

  // The reply being produced when the channel went away is not queued.
  EXPECT_EQ(store_->CommitReply(claim, OutboundDraft{MessageType::kText, "hi", ""}, kT0 + 2, nullptr).value(),
            CommitResult::kLost);
  EXPECT_TRUE(store_->ListPendingConversations().value().empty());
  // A webhook for its account is an unknown account's now.
  auto later = Ingest(Text("wamid.2", "c1")).value();
  EXPECT_EQ(later.stored, 0);
  EXPECT_EQ(later.unknown_account, 1);
  // The conversation and its messages stay.
  EXPECT_EQ(Messages(conversation).size(), 1u);
}

TEST_P(ChannelTest, ReAddingBringsTheSameChannelBackAndAnotherTenantGetsANewOne) {
  Channel added = AddPhone(tenant_.id);
  auto first = Ingest(Text("wamid.1", "c1")).value();
  ASSERT_TRUE(store_->RemoveChannel(tenant_.id, added.id));

  Channel back = AddPhone(tenant_.id, "EAAG-token-new");
  EXPECT_EQ(back.id, added.id);
  EXPECT_EQ(back.access_token, "EAAG-token-new");
  EXPECT_TRUE(back.enabled);
  auto again = Ingest(Text("wamid.2", "c1")).value();
  EXPECT_EQ(again.stored, 1);
  ASSERT_EQ(again.pending.size(), 1u);
  EXPECT_EQ(again.pending[0].conversation_id, first.pending.at(0).conversation_id);

  ASSERT_TRUE(store_->RemoveChannel(tenant_.id, added.id));
  Channel theirs = AddPhone(globex_);
  EXPECT_NE(theirs.id, added.id);
  auto routed = Ingest(Text("wamid.3", "c1")).value();
  ASSERT_EQ(routed.tenant_ids.size(), 1u);
  EXPECT_EQ(routed.tenant_ids[0], globex_);
}

}  // namespace
}  // namespace parley::store::testing

namespace parley::store::testing {
namespace {

// A platform's own settings (the web chat's allowed origins, colour, texts) are kept as the object given, on adding,
// changing, and a removed channel coming back.
TEST_P(ChannelTest, ChannelSettingsAreKeptAsGivenAndReplacedAsAWhole) {
  const boost::json::object settings{{"allowed_origins", boost::json::array{"https://shop.example"}},
                                     {"webchat_color", "#0b5cff"}};
  NewChannel wanted{globex_, Platform("webchat"), "wc-1", "", "Shop", {}, "", settings};
  Channel added = store_->AddChannel(wanted).value();
  EXPECT_EQ(added.settings, settings);
  EXPECT_EQ(store_->GetChannelByPublicId(added.public_id).value().settings, settings);
  EXPECT_TRUE(AddPhone(globex_).settings.empty());

  ChannelUpdate change;
  change.settings =
      boost::json::object{{"allowed_origins", boost::json::array{"https://a.example", "https://b.example"}}};
  EXPECT_EQ(store_->UpdateChannel(globex_, added.id, change).value().settings, *change.settings);
  ChannelUpdate label;
  label.display_name = "Shop (new)";
  EXPECT_EQ(store_->UpdateChannel(globex_, added.id, label).value().settings, *change.settings);
  EXPECT_EQ(store_->ListChannels(globex_).value().front().settings, *change.settings);

  ASSERT_TRUE(store_->RemoveChannel(globex_, added.id));
  Channel back = store_->AddChannel(wanted).value();
  EXPECT_EQ(back.id, added.id);
  EXPECT_EQ(back.settings, settings);
}

// A web chat visitor reads back their own thread across conversations, and only theirs.
TEST_P(ChannelTest, AContactsThreadHoldsItsConversationsMessagesAndNoOneElses) {
  auto first = Ingest(Request(kT0, {Inbound("v1:a", "visitor-1", "hello"), Inbound("v2:a", "visitor-2", "other")}));
  ASSERT_TRUE(first);
  const int64_t conversation = first->pending.at(0).conversation_id;
  Claim claim = MustClaim(conversation, kT0 + 1);
  int64_t reply = 0;
  ASSERT_EQ(
      store_->CommitReply(claim, OutboundDraft{MessageType::kText, "hi, visitor one", ""}, kT0 + 2, &reply).value(),
      CommitResult::kCommitted);
  auto thread = store_->ListContactThread(channel_.id, "visitor-1", 0, 100).value();
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[0].text, "hello");
  EXPECT_EQ(thread[0].direction, Direction::kIn);
  EXPECT_EQ(thread[1].id, reply);
  EXPECT_EQ(thread[1].status, MessageStatus::kQueued);  // Queued replies show: the visitor reads them from here.

  // A note is the business's own; a closed conversation's messages stay in the thread with the next one's.
  ASSERT_TRUE(store_->inbox().AddNote(tenant_.id, conversation, "a note", "user:1", std::nullopt, kT0 + 3));
  ASSERT_TRUE(store_->CloseConversation(tenant_.id, conversation, kT0 + 4));
  ASSERT_TRUE(Ingest(Request(kT0 + 5, {Inbound("v1:b", "visitor-1", "again")})));
  thread = store_->ListContactThread(channel_.id, "visitor-1", 0, 100).value();
  ASSERT_EQ(thread.size(), 3u);
  EXPECT_EQ(thread[2].text, "again");
  EXPECT_NE(thread[2].conversation_id, thread[0].conversation_id);

  // After an id, the newest `limit`, oldest first.
  auto after = store_->ListContactThread(channel_.id, "visitor-1", thread[0].id, 100).value();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].id, reply);
  auto newest = store_->ListContactThread(channel_.id, "visitor-1", 0, 1).value();
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_EQ(newest[0].text, "again");
  EXPECT_TRUE(store_->ListContactThread(channel_.id, "nobody", 0, 100).value().empty());
  EXPECT_TRUE(store_->ListContactThread(channel_.id + 1000, "visitor-1", 0, 100).value().empty());

  // A failed send is left out.
  ASSERT_TRUE(store_->RecordSendResult(reply, "", MessageStatus::kFailed, MessageError{1, "refused", ""}));
  EXPECT_EQ(store_->ListContactThread(channel_.id, "visitor-1", 0, 100).value().size(), 2u);
}

TEST_P(ChannelTest, AMessageIsFoundByItsPlatformIdWithinItsChannel) {
  ASSERT_TRUE(Ingest(Request(kT0, {Inbound("v1:client-1", "visitor-1", "hello")})));
  StoredMessage found = store_->GetMessageByPlatformId(channel_.id, "v1:client-1").value();
  EXPECT_EQ(found.text, "hello");
  EXPECT_GT(found.created_at_ms, 0);
  EXPECT_EQ(store_->GetMessageByPlatformId(channel_.id, "v1:client-2").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->GetMessageByPlatformId(channel_.id + 1000, "v1:client-1").error().code, ErrorCode::kNotFound);
}

// What a visitor tells before writing fills their contact, which their first message then finds.
TEST_P(ChannelTest, AContactsProfileIsSavedBeforeItsFirstMessageAndKeptWhenNotGivenAgain) {
  ASSERT_TRUE(store_->SaveContactProfile(channel_.id, "visitor-1", "Ana", "ana@shop.example"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts WHERE platform_id = 'visitor-1' AND name = 'Ana'"
                  " AND email = 'ana@shop.example'"),
            1);
  ASSERT_TRUE(store_->SaveContactProfile(channel_.id, "visitor-1", "", "ana@new.example"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts WHERE platform_id = 'visitor-1' AND name = 'Ana'"
                  " AND email = 'ana@new.example'"),
            1);
  IngestRequest request = Request(kT0, {Inbound("v1:a", "visitor-1", "hello")});
  request.messages[0].message.contact_name.clear();
  ASSERT_EQ(Ingest(std::move(request)).value().stored, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts WHERE platform_id = 'visitor-1'"), 1);
  auto conversations = store_->ListConversations(tenant_.id, {}, std::nullopt, 10).value();
  ASSERT_EQ(conversations.data.size(), 1u);
  EXPECT_EQ(conversations.data[0].contact.name, "Ana");
  // The contacts list and a contact show the e-mail.
  auto contacts = store_->contacts().ListContacts(tenant_.id, {}, std::nullopt, 10).value();
  ASSERT_EQ(contacts.data.size(), 1u);
  EXPECT_EQ(contacts.data[0].email, "ana@new.example");
  EXPECT_EQ(contacts.data[0].conversations, 1);
  EXPECT_EQ(store_->contacts().GetContact(tenant_.id, contacts.data[0].id).value().email, "ana@new.example");
  EXPECT_EQ(store_->SaveContactProfile(channel_.id + 1000, "visitor-2", "Bo", "").error().code, ErrorCode::kNotFound);
}

// A customer the webhooks did not name is named later from their profile (app/profile_lookup.h): the inbox, the
// contacts list and their search show the name, and the list still pages by activity.
TEST_P(ChannelTest, ANamelessContactIsNamedAfterItsFirstMessage) {
  IngestRequest first = Request(kT0, {Inbound("m1", "psid-1", "hello")});
  first.messages[0].message.contact_name.clear();
  ASSERT_EQ(Ingest(std::move(first)).value().stored, 1);
  ASSERT_EQ(Ingest(Request(kT0 + 1000, {Inbound("m2", "psid-2", "hi")})).value().stored, 1);
  ASSERT_TRUE(store_->SaveContactProfile(channel_.id, "psid-1", "Peter Chang", ""));
  auto conversations = store_->ListConversations(tenant_.id, {}, std::nullopt, 10).value();
  ASSERT_EQ(conversations.data.size(), 2u);
  EXPECT_EQ(conversations.data[1].contact.name, "Peter Chang");
  auto page = store_->contacts().ListContacts(tenant_.id, {}, std::nullopt, 1).value();
  ASSERT_EQ(page.data.size(), 1u);
  ASSERT_TRUE(page.next_cursor.has_value());
  auto next = store_->contacts().ListContacts(tenant_.id, {}, page.next_cursor, 1).value();
  ASSERT_EQ(next.data.size(), 1u);
  EXPECT_EQ(next.data[0].name, "Peter Chang");
  EXPECT_EQ(next.data[0].email, "");
  EXPECT_FALSE(next.next_cursor.has_value());
  ContactFilter search;
  search.text = "peter";
  auto found = store_->contacts().ListContacts(tenant_.id, search, std::nullopt, 10).value();
  ASSERT_EQ(found.data.size(), 1u);
  EXPECT_EQ(found.data[0].platform_id, "psid-1");
}

}  // namespace
}  // namespace parley::store::testing
