// Invitations, the mail outbox and notification preferences on every backend.

#include "store_test.h"

#include "store/access_store.h"
#include "store/team_store.h"

#include <atomic>
#include <set>
#include <thread>

namespace parley::store::testing {
namespace {

constexpr int64_t kWeek = int64_t{7} * 24 * 3600 * 1000;

class TeamStoreTest : public StoreTest {
 protected:
  TeamStore& team() { return store_->team(); }

  NewInvitation Invite(const std::string& email, const std::string& token = "token-hash-1") {
    return NewInvitation{tenant_.id, email, "agent", "fr", "user:1", token, kT0 + kWeek};
  }

  OutgoingMail Mail(const std::string& recipient, std::optional<std::string> dedupe_key = std::nullopt) {
    return OutgoingMail{tenant_.id, "invitation", recipient, "sealed", std::move(dedupe_key), 60'000};
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, TeamStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(TeamStoreTest, AnInvitationIsAcceptedOnceBeforeItExpires) {
  Invitation invitation = team().CreateInvitation(Invite("bo@acme.test"), Mail("bo@acme.test"), kT0).value();
  EXPECT_EQ(invitation.status, "pending");
  EXPECT_EQ(invitation.language, "fr");
  EXPECT_EQ(invitation.sent_at_ms, kT0);
  ASSERT_TRUE(invitation.mail);
  EXPECT_EQ(invitation.mail->status, "queued");
  // One pending invitation per address.
  EXPECT_EQ(team().CreateInvitation(Invite("bo@acme.test", "other"), std::nullopt, kT0).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(team().FindInvitation("token-hash-1").value().id, invitation.id);

  User bo = team().AcceptInvitation("token-hash-1", "Bo", "$argon2id$x", kT0 + 1).value();
  EXPECT_EQ(bo.email, "bo@acme.test");
  EXPECT_EQ(bo.role, "agent");
  EXPECT_EQ(bo.language, "fr");
  EXPECT_EQ(bo.tenant_id, tenant_.id);
  Invitation accepted = team().GetInvitation(tenant_.id, invitation.id).value();
  EXPECT_EQ(accepted.status, "accepted");
  EXPECT_EQ(accepted.accepted_user_id, bo.id);
  EXPECT_EQ(team().AcceptInvitation("token-hash-1", "Bo", "$argon2id$x", kT0 + 2).error().code, ErrorCode::kConflict);
  // The address is a user's now: it cannot be invited again.
  EXPECT_EQ(team().CreateInvitation(Invite("bo@acme.test", "third"), std::nullopt, kT0).error().code,
            ErrorCode::kConflict);

  ASSERT_TRUE(team().CreateInvitation(Invite("cy@acme.test", "token-cy"), std::nullopt, kT0));
  EXPECT_EQ(team().AcceptInvitation("token-cy", "Cy", "h", kT0 + kWeek).error().code, ErrorCode::kConflict);
  EXPECT_EQ(team().AcceptInvitation("no-such-token", "X", "h", kT0).error().code, ErrorCode::kNotFound);
}

TEST_P(TeamStoreTest, RenewingReplacesTheTokenAndTheQueuedMailAndRevokingEndsIt) {
  Invitation invitation = team().CreateInvitation(Invite("bo@acme.test"), Mail("bo@acme.test"), kT0).value();
  Invitation renewed =
      team()
          .RenewInvitation(tenant_.id, invitation.id, "token-hash-2", kT0 + 2 * kWeek, Mail("bo@acme.test"), kT0 + 5)
          .value();
  EXPECT_EQ(renewed.sent_at_ms, kT0 + 5);
  EXPECT_EQ(renewed.expires_at_ms, kT0 + 2 * kWeek);
  EXPECT_EQ(team().FindInvitation("token-hash-1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox"), 1);  // The first e-mail was never sent: it is replaced.

  Invitation revoked = team().RevokeInvitation(tenant_.id, invitation.id, kT0 + 6).value();
  EXPECT_EQ(revoked.status, "revoked");
  EXPECT_EQ(revoked.revoked_at_ms, kT0 + 6);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox"), 0);
  EXPECT_EQ(team().RevokeInvitation(tenant_.id, invitation.id, kT0 + 7).error().code, ErrorCode::kConflict);
  EXPECT_EQ(team().AcceptInvitation("token-hash-2", "Bo", "h", kT0 + 8).error().code, ErrorCode::kConflict);

  // Another tenant's invitation does not exist for it.
  const int64_t globex = store_->CreateTenant("Globex", crypto::Sha256Hex("key-globex")).value().id;
  EXPECT_EQ(team().GetInvitation(globex, invitation.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(team().RevokeInvitation(globex, invitation.id, kT0).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(team().ListInvitations(globex, 10).value().empty());
  EXPECT_EQ(team().ListInvitations(tenant_.id, 10).value().size(), 1u);
}

TEST_P(TeamStoreTest, MailIsLeasedSentRetriedOrGivenUp) {
  EXPECT_FALSE(team().NextMailDue().value());
  EXPECT_TRUE(team().QueueMail(Mail("a@x.test", "escalation:1"), kT0).value());
  EXPECT_FALSE(team().QueueMail(Mail("a@x.test", "escalation:1"), kT0 + 1).value());  // Within the dedupe window.
  EXPECT_TRUE(team().QueueMail(Mail("b@x.test"), kT0 + 2).value());
  EXPECT_EQ(team().NextMailDue().value(), kT0);

  auto claimed = team().ClaimDueMail(kT0 + 10, 30'000, 10).value();
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_LT(claimed[0].id, claimed[1].id);
  EXPECT_EQ(claimed[0].recipient, "a@x.test");
  EXPECT_EQ(claimed[0].sealed_message, "sealed");
  EXPECT_EQ(claimed[0].attempts, 0);
  // Leased: nobody else gets them until the lease ends.
  EXPECT_TRUE(team().ClaimDueMail(kT0 + 11, 30'000, 10).value().empty());
  EXPECT_EQ(team().NextMailDue().value(), kT0 + 10 + 30'000);

  ASSERT_TRUE(team().MarkMailSent(claimed[0].id, kT0 + 20));
  ASSERT_TRUE(team().MarkMailFailed(claimed[1].id, "421 try later", kT0 + 60'000));
  EXPECT_TRUE(team().ClaimDueMail(kT0 + 59'999, 30'000, 10).value().empty());
  auto retried = team().ClaimDueMail(kT0 + 60'000, 30'000, 10).value();
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].attempts, 1);
  ASSERT_TRUE(team().ReleaseMail(retried[0].id));
  ASSERT_EQ(team().ClaimDueMail(kT0 + 60'001, 30'000, 10).value().size(), 1u);
  ASSERT_TRUE(team().MarkMailFailed(retried[0].id, "550 no such user", std::nullopt));
  EXPECT_FALSE(team().NextMailDue().value());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox WHERE status = 'failed' AND sealed_message = ''"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox WHERE status = 'sent' AND sealed_message = ''"), 1);
}

TEST_P(TeamStoreTest, SendersInSeveralProcessesNeverTakeTheSameMail) {
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(team().QueueMail(Mail(Id("r", i) + "@x.test"), kT0));
  std::vector<std::unique_ptr<Store>> senders;
  for (int i = 0; i < 4; ++i) senders.push_back(backend_->OpenAnother());
  std::mutex mutex;
  std::vector<int64_t> taken;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (auto& sender : senders) {
    threads.emplace_back([&, store = sender.get()] {
      for (int round = 0; round < 5; ++round) {
        auto claimed = store->team().ClaimDueMail(kT0 + 1, 60'000, 3);
        if (!claimed) {
          ++errors;
          continue;
        }
        std::lock_guard lock(mutex);
        for (const auto& mail : *claimed) taken.push_back(mail.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& sender : senders) sender->Close();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(std::set<int64_t>(taken.begin(), taken.end()).size(), taken.size());
  EXPECT_EQ(taken.size(), 40u);
}

TEST_P(TeamStoreTest, PreferencesSubscribersAndNotificationCursors) {
  User ana = store_->access().CreateUser({tenant_.id, "ana@acme.test", "Ana", "owner", "h"}).value();
  EXPECT_FALSE(ana.notify_by_email);
  EXPECT_TRUE(team().ListEmailSubscribers(tenant_.id).value().empty());
  User subscribed = team().SetUserPreferences(tenant_.id, ana.id, {true, std::nullopt}).value();
  EXPECT_TRUE(subscribed.notify_by_email);
  EXPECT_EQ(subscribed.language, "en");
  EXPECT_EQ(team().SetUserPreferences(tenant_.id, ana.id, {std::nullopt, "fr"}).value().language, "fr");
  ASSERT_EQ(team().ListEmailSubscribers(tenant_.id).value().size(), 1u);
  EXPECT_EQ(team().SetUserPreferences(tenant_.id + 99, ana.id, {false, std::nullopt}).error().code,
            ErrorCode::kNotFound);

  EXPECT_FALSE(team().NotificationCursor(tenant_.id).value());
  ASSERT_TRUE(team().QueueNotifications(tenant_.id, 7, {Mail("ana@acme.test")}, kT0));
  EXPECT_EQ(team().NotificationCursor(tenant_.id).value(), 7);
  ASSERT_TRUE(team().QueueNotifications(tenant_.id, 5, {}, kT0));  // Never moves back.
  EXPECT_EQ(team().NotificationCursor(tenant_.id).value(), 7);
  auto cursors = team().NotificationCursors().value();
  ASSERT_EQ(cursors.size(), 1u);
  EXPECT_EQ(cursors[0], std::pair(tenant_.id, int64_t{7}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox"), 1);
}

}  // namespace
}  // namespace parley::store::testing
