// E-mail over real SMTP (the fake server on loopback): an invitation by e-mail accepted through the link it carries,
// retried after a refusal and failed after a permanent one; revocation and resend; a forgotten password through the
// e-mailed link; an escalation notified by e-mail once per conversation, in the recipient's language; a server whose
// mail server hangs stops at once, and its next start sends the e-mail.

#include "fakes/fake_graph.h"
#include "fakes/fake_smtp.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <regex>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kWhatsAppSecret = "wa-app-secret-mail-tests";
constexpr const char* kPhoneNumberId = "106540352240088";
constexpr const char* kSmtpPassword = "smtp-secret-never-logged";
constexpr const char* kOwnerPassword = "owner-password-1";
constexpr const char* kPublicUrl = "https://parley.example.com";

// The token of the first link to `path` in `text`.
std::string TokenIn(const std::string& text, const std::string& path) {
  std::smatch match;
  const std::regex link(std::string(kPublicUrl) + path + R"(\?token=([A-Za-z0-9_\-]+))");
  if (!std::regex_search(text, match, link)) return {};
  return match[1];
}

class TeamMailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{
        {"WHATSAPP_APP_SECRET", kWhatsAppSecret},
        {"WHATSAPP_VERIFY_TOKEN", "wa-verify"},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        {"PARLEY_BATCH_WINDOW_MS", "100"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "1000"},
        {"PARLEY_PUBLIC_URL", kPublicUrl},
        {"PARLEY_SMTP_URL", smtp_.url()},
        {"PARLEY_SMTP_USER", "parley-mailer"},
        {"PARLEY_SMTP_PASSWORD", kSmtpPassword},
        {"PARLEY_SMTP_FROM", "Parley <noreply@parley.test>"},
        {"PARLEY_SMTP_RETRY_BASE_MS", "50"},
    });
    tenant_id_ = CreateTenant(*parley_, "Acme").id;
    ASSERT_FALSE(tenant_id_.empty());
    auto owner = parley_->Cli({"user", "create", "--tenant", tenant_id_, "--email", "ana@acme.test", "--role", "owner",
                               "--password", kOwnerPassword});
    ASSERT_EQ(owner.exit_code, 0) << owner.out;
    owner_id_ = json::parse(owner.out).at("user_id").to_number<int64_t>();
    parley_->Start();
    token_ = Login("ana@acme.test", kOwnerPassword);
    ASSERT_FALSE(token_.empty());
  }

  std::string Login(const std::string& email, const std::string& password) {
    auto login = Call("POST", parley_->url("/api/auth/login"),
                      json::serialize(json::object{{"email", email}, {"password", password}}),
                      {{"Content-Type", "application/json"}});
    if (login.status != 200) return {};
    return std::string(login.Json().at("token").as_string());
  }

  HttpResult Api(const std::string& method, const std::string& path, const std::string& body = {},
                 const std::string& token = {}) {
    return Call(
        method, parley_->url(path), body,
        {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}, {"Content-Type", "application/json"}});
  }

  HttpResult Public(const std::string& path, const json::object& body) {
    return Call("POST", parley_->url(path), json::serialize(body), {{"Content-Type", "application/json"}});
  }

  json::object Invitation(int64_t id) {
    const boost::json::value invitations = Api("GET", "/api/invitations").Json();  // A range over a temporary dangles.
    for (const auto& invitation : invitations.at("data").as_array()) {
      if (invitation.at("id").to_number<int64_t>() == id) return invitation.as_object();
    }
    return {};
  }

  // The delivery state of the invitation's e-mail, once it is `status`.
  bool DeliveryBecomes(int64_t id, const std::string& status) {
    return Eventually(
        [&] {
          auto invitation = Invitation(id);
          return invitation.contains("email_delivery") && invitation.at("email_delivery").is_object() &&
                 invitation.at("email_delivery").at("status").as_string() == status;
        },
        10s);
  }

  FakeSmtp smtp_;
  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string tenant_id_;
  int64_t owner_id_ = 0;
  std::string token_;
};

TEST_F(TeamMailTest, AnInvitationByEmailIsAcceptedThroughTheLinkItCarries) {
  auto created =
      Api("POST", "/api/invitations",
          json::serialize(json::object{{"email", " Bea@Acme.test "}, {"role", "admin"}, {"language", "fr"}}));
  ASSERT_EQ(created.status, 201) << created.body;
  auto invitation = created.Json().as_object();
  EXPECT_EQ(invitation.at("email"), "bea@acme.test");
  EXPECT_EQ(invitation.at("status"), "pending");
  EXPECT_FALSE(invitation.contains("link")) << "with SMTP the link goes only to the invitee's mailbox";
  const int64_t id = invitation.at("id").to_number<int64_t>();

  ASSERT_TRUE(smtp_.WaitForMessages(1, 10s)) << parley_->logs();
  const ReceivedMail mail = smtp_.messages()[0];
  EXPECT_EQ(mail.mail_from, "noreply@parley.test");
  ASSERT_EQ(mail.recipients, std::vector<std::string>{"bea@acme.test"});
  EXPECT_EQ(mail.auth_user, "parley-mailer");
  EXPECT_EQ(mail.Header("To"), "bea@acme.test");
  EXPECT_EQ(mail.Header("From"), "Parley <noreply@parley.test>");
  EXPECT_FALSE(mail.Header("Date").empty());
  EXPECT_TRUE(std::regex_match(mail.Header("Message-ID"), std::regex(R"(<[A-Za-z0-9_\-]+@parley\.test>)")))
      << mail.Header("Message-ID");
  EXPECT_EQ(mail.Header("MIME-Version"), "1.0");
  EXPECT_EQ(mail.Header("Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(mail.Header("Content-Language"), "fr");
  EXPECT_TRUE(mail.Header("Subject").starts_with("=?UTF-8?B?")) << "a French subject is encoded";
  EXPECT_EQ(mail.Subject(), "Invitation à rejoindre Acme sur Parley");
  EXPECT_NE(mail.Text().find("en tant que administrateur"), std::string::npos) << mail.Text();
  const std::string token = TokenIn(mail.Text(), "/accept-invite");
  ASSERT_FALSE(token.empty()) << mail.Text();
  EXPECT_TRUE(DeliveryBecomes(id, "sent"));

  auto lookup = Public("/api/invitations/lookup", {{"token", token}});
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  EXPECT_EQ(lookup.Json().at("email"), "bea@acme.test");
  EXPECT_EQ(lookup.Json().at("tenant_name"), "Acme");
  EXPECT_EQ(lookup.Json().at("status"), "pending");

  auto accepted =
      Public("/api/invitations/accept", {{"token", token}, {"name", "Béa"}, {"password", "bea-password-1"}});
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_NE(accepted.headers["set-cookie"].find("parley_session=prs_"), std::string::npos);
  auto user = accepted.Json().at("user");
  EXPECT_EQ(user.at("email"), "bea@acme.test");
  EXPECT_EQ(user.at("role"), "admin");
  EXPECT_EQ(user.at("language"), "fr");
  const std::string session(accepted.Json().at("token").as_string());
  auto me = Api("GET", "/api/auth/me", {}, session);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.Json().at("user").at("name"), "Béa");
  EXPECT_EQ(me.Json().at("tenant_id").to_number<int64_t>(), std::stoll(tenant_id_));

  // Single use; the invitation shows as accepted; both steps are in the audit log.
  auto again = Public("/api/invitations/accept", {{"token", token}, {"name", "X"}, {"password", "other-password"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find("already used"), std::string::npos) << again.body;
  EXPECT_EQ(Invitation(id).at("status"), "accepted");
  auto audit = Api("GET", "/api/audit-logs").body;
  EXPECT_NE(audit.find("invitation.create"), std::string::npos);
  EXPECT_NE(audit.find("invitation.accept"), std::string::npos);
  EXPECT_EQ(parley_->logs().find(kSmtpPassword), std::string::npos) << "the SMTP password is never logged";
  EXPECT_EQ(parley_->logs().find(token), std::string::npos) << "nor the invitation's token";
}

TEST_F(TeamMailTest, AnInvitationRefusedForAWhileIsRetriedAndOneRefusedForGoodShowsWhy) {
  smtp_.RefuseNext(2, 451);
  auto first = Api("POST", "/api/invitations", R"({"email": "carl@acme.test"})");
  ASSERT_EQ(first.status, 201) << first.body;
  const int64_t first_id = first.Json().at("id").to_number<int64_t>();
  ASSERT_TRUE(smtp_.WaitForMessages(1, 10s)) << parley_->logs();
  EXPECT_EQ(smtp_.refusals(), 2);
  ASSERT_TRUE(DeliveryBecomes(first_id, "sent"));
  EXPECT_EQ(Invitation(first_id).at("email_delivery").at("attempts").to_number<int64_t>(), 3);

  smtp_.RefuseNext(1, 550);
  auto second = Api("POST", "/api/invitations", R"({"email": "dora@acme.test"})");
  ASSERT_EQ(second.status, 201) << second.body;
  const int64_t second_id = second.Json().at("id").to_number<int64_t>();
  ASSERT_TRUE(DeliveryBecomes(second_id, "failed")) << parley_->logs();
  auto delivery = Invitation(second_id).at("email_delivery");
  EXPECT_NE(std::string(delivery.at("last_error").as_string()).find("550"), std::string::npos) << delivery;
  EXPECT_EQ(smtp_.messages().size(), 1u);

  // Resend makes a new link, sent this time; the old one no longer exists.
  auto resent = Api("POST", "/api/invitations/" + std::to_string(second_id) + "/resend");
  ASSERT_EQ(resent.status, 200) << resent.body;
  ASSERT_TRUE(smtp_.WaitForMessages(2, 10s));
  EXPECT_TRUE(DeliveryBecomes(second_id, "sent"));
  EXPECT_EQ(smtp_.messages()[1].recipients, std::vector<std::string>{"dora@acme.test"});
}

TEST_F(TeamMailTest, RevokedExpiredOrTakenInvitationsAreRefusedClearly) {
  auto created = Api("POST", "/api/invitations", R"({"email": "eve@acme.test", "role": "agent"})");
  ASSERT_EQ(created.status, 201);
  const int64_t id = created.Json().at("id").to_number<int64_t>();
  ASSERT_TRUE(smtp_.WaitForMessages(1, 10s));
  const std::string first_token = TokenIn(smtp_.messages()[0].Text(), "/accept-invite");

  EXPECT_EQ(Api("POST", "/api/invitations", R"({"email": "eve@acme.test"})").status, 409) << "one pending per address";
  EXPECT_EQ(Api("POST", "/api/invitations", R"({"email": "ana@acme.test"})").status, 409) << "already a user";
  EXPECT_EQ(Api("POST", "/api/invitations", R"({"email": "not an address"})").status, 400);

  ASSERT_EQ(Api("POST", "/api/invitations/" + std::to_string(id) + "/resend").status, 200);
  ASSERT_TRUE(smtp_.WaitForMessages(2, 10s));
  const std::string second_token = TokenIn(smtp_.messages()[1].Text(), "/accept-invite");
  ASSERT_NE(first_token, second_token);
  EXPECT_EQ(Public("/api/invitations/lookup", {{"token", first_token}}).status, 404) << "a resend replaces the link";

  ASSERT_EQ(Api("DELETE", "/api/invitations/" + std::to_string(id)).status, 204);
  EXPECT_EQ(Public("/api/invitations/lookup", {{"token", second_token}}).Json().at("status"), "revoked");
  auto refused =
      Public("/api/invitations/accept", {{"token", second_token}, {"name", "Eve"}, {"password", "eve-password-1"}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("revoked"), std::string::npos) << refused.body;
  EXPECT_EQ(Api("DELETE", "/api/invitations/" + std::to_string(id)).status, 409);
  EXPECT_EQ(Public("/api/invitations/accept", {{"token", "pri_made-up"}, {"password", "whatever-1"}}).status, 404);

  // An agent cannot invite; an admin cannot invite an owner.
  auto agent = parley_->Cli({"user", "create", "--tenant", tenant_id_, "--email", "finn@acme.test", "--role", "agent",
                             "--password", "finn-password-1"});
  ASSERT_EQ(agent.exit_code, 0);
  EXPECT_EQ(
      Api("POST", "/api/invitations", R"({"email": "x@acme.test"})", Login("finn@acme.test", "finn-password-1")).status,
      403);
}

TEST_F(TeamMailTest, AForgottenPasswordIsResetThroughTheEmailedLinkWithoutTellingWhetherTheAccountExists) {
  auto unknown = Public("/api/auth/forgot-password", {{"email", "nobody@acme.test"}});
  EXPECT_EQ(unknown.status, 202);
  auto known = Public("/api/auth/forgot-password", {{"email", "ANA@acme.test"}});
  EXPECT_EQ(known.status, 202);
  EXPECT_EQ(known.body, unknown.body);
  ASSERT_TRUE(smtp_.WaitForMessages(1, 10s)) << parley_->logs();
  auto mail = smtp_.messages()[0];
  EXPECT_EQ(mail.recipients, std::vector<std::string>{"ana@acme.test"});
  EXPECT_EQ(mail.Subject(), "Reset your Parley password");
  const std::string token = TokenIn(mail.Text(), "/reset-password");
  ASSERT_FALSE(token.empty()) << mail.Text();

  auto reset = Public("/api/auth/password-reset", {{"token", token}, {"password", "brand-new-password"}});
  ASSERT_EQ(reset.status, 204) << reset.body;
  EXPECT_TRUE(Login("ana@acme.test", kOwnerPassword).empty());
  EXPECT_FALSE(Login("ana@acme.test", "brand-new-password").empty());
  // Only the known address got a message; a flood of requests for one address sends at most three.
  for (int i = 0; i < 8; ++i) Public("/api/auth/forgot-password", {{"email", "ana@acme.test"}});
  EXPECT_EQ(Public("/api/auth/forgot-password", {{"email", "ana@acme.test"}}).status, 429)
      << "ten requests a minute per client address";
  ASSERT_TRUE(smtp_.WaitForMessages(3, 10s));
  for (const auto& received : smtp_.messages()) EXPECT_EQ(received.recipients[0], "ana@acme.test");
}

TEST_F(TeamMailTest, AnEscalationIsEmailedOncePerConversationToThoseWhoWantIt) {
  ASSERT_EQ(parley_
                ->Cli({"channel", "add", "whatsapp", "--tenant", tenant_id_, "--phone-number-id", kPhoneNumberId,
                       "--access-token", "EAAG-mail-token"})
                .exit_code,
            0);
  auto bob = parley_->Cli({"user", "create", "--tenant", tenant_id_, "--email", "bob@acme.test", "--role", "agent",
                           "--password", "bob-password-1"});
  ASSERT_EQ(bob.exit_code, 0);
  auto preferences =
      Api("PATCH", "/api/users/" + std::to_string(owner_id_), R"({"notify_by_email": true, "language": "fr"})");
  ASSERT_EQ(preferences.status, 200) << preferences.body;
  EXPECT_EQ(preferences.Json().at("notify_by_email"), true);

  auto customer = [&](const std::string& from, const std::string& id, const std::string& text) {
    std::string body = payloads::WhatsAppText(kPhoneNumberId, from, id, text);
    ASSERT_EQ(Call("POST", parley_->url("/api/whatsapp/webhook"), body,
                   {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(kWhatsAppSecret, body)}})
                  .status,
              200);
  };
  auto open_items = [&] { return Api("GET", "/api/support?status=open").Json().at("data").as_array(); };

  customer("33622222222", "wamid.mail.1", "Can I speak to a human please?");
  ASSERT_TRUE(smtp_.WaitForMessages(1, 10s)) << parley_->logs();
  auto mail = smtp_.messages()[0];
  EXPECT_EQ(mail.recipients, std::vector<std::string>{"ana@acme.test"}) << "bob did not ask for e-mails";
  EXPECT_EQ(mail.Header("Content-Language"), "fr");
  auto items = open_items();
  ASSERT_EQ(items.size(), 1u);
  const int64_t conversation = items[0].at("conversation_id").to_number<int64_t>();
  EXPECT_NE(mail.Text().find(std::string(kPublicUrl) + "/inbox/" + std::to_string(conversation)), std::string::npos)
      << mail.Text();

  // Handed back and escalated again at once: no second e-mail for that conversation.
  const std::string item = std::to_string(items[0].at("id").to_number<int64_t>());
  ASSERT_EQ(Api("POST", "/api/support/" + item + "/resolve", R"({"hand_back":true})").status, 200);
  customer("33622222222", "wamid.mail.2", "I still want a human!");
  ASSERT_TRUE(Eventually([&] { return open_items().size() == 1; }, 10s));
  // Another conversation escalates after it: its e-mail comes, and nothing came between.
  customer("33633333333", "wamid.mail.3", "Can I talk to a person?");
  ASSERT_TRUE(Eventually([&] { return open_items().size() == 2; }, 10s));
  ASSERT_TRUE(smtp_.WaitForMessages(2, 10s)) << parley_->logs();
  auto messages = smtp_.messages();
  EXPECT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].Text().find("/inbox/" + std::to_string(conversation) + "\n"), std::string::npos);
}

TEST_F(TeamMailTest, AServerStopsPromptlyWhileItsMailServerHangsAndSendsTheEmailOnItsNextStart) {
  smtp_.Hang(true);
  auto created = Api("POST", "/api/invitations", R"({"email": "cy@acme.test"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = created.Json().at("id").to_number<int64_t>();
  ASSERT_TRUE(Eventually([&] { return smtp_.connections() == 1; }, 10s)) << "the send has begun";

  const auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(parley_->Terminate(), 0) << parley_->logs();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 3s) << parley_->logs();

  // The abandoned e-mail stayed queued, due at once: the next start sends it.
  smtp_.Hang(false);
  parley_->Start();
  ASSERT_TRUE(smtp_.WaitForMessages(1, 10s)) << parley_->logs();
  EXPECT_EQ(smtp_.messages()[0].recipients, std::vector<std::string>{"cy@acme.test"});
  EXPECT_TRUE(DeliveryBecomes(id, "sent")) << parley_->logs();
}

}  // namespace
}  // namespace parley::testing
