// Media in replies end to end: a person's file posted to POST /api/conversations/{id}/messages as multipart/form-data
// goes out through the outbox like a text reply. WhatsApp gets it uploaded (POST /{phone-number-id}/media) and sent
// by media id with its caption; Messenger fetches it through a signed Parley link that serves it without a session,
// the caption following as text, and is refused up front without PARLEY_PUBLIC_URL. A file over its kind's limit, or
// one whose bytes are not what its name claims, is refused with the reason: nothing kept, nothing sent.

#include "fakes/fake_graph.h"
#include "http/multipart.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "integration/sse_client.h"
#include "integration/tenant_fixture.h"
#include "support/pdf_builder.h"
#include "support/test_images.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using media::testing::Jpeg;

constexpr const char* kMasterKey = "8f1c2a3b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
constexpr const char* kWhatsAppSecret = "wa-app-secret-for-tests";
constexpr const char* kPhoneNumberId = "106540352242922";
constexpr const char* kWhatsAppToken = "EAAG-whatsapp-token";
constexpr const char* kCustomer = "16505551234";
constexpr const char* kMessengerSecret = "fb-app-secret-for-tests";
constexpr const char* kPageId = "104623598744221";
constexpr const char* kPageToken = "EAAPage-messenger-token";
constexpr const char* kPsid = "6923849103847562";
constexpr const char* kPublicUrl = "https://parley.example.com";

class ReplyMediaTest : public ::testing::Test {
 protected:
  // A server with a tenant, its WhatsApp and Messenger channels and `extra` settings, started.
  void Boot(const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> env{
        {"WHATSAPP_APP_SECRET", kWhatsAppSecret},
        {"WHATSAPP_VERIFY_TOKEN", "wa-verify-token"},
        {"MESSENGER_APP_SECRET", kMessengerSecret},
        {"MESSENGER_VERIFY_TOKEN", "fb-verify-token"},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        {"PARLEY_MASTER_KEY", kMasterKey},
        // The bot waits a minute before answering: only the person's messages go out during a test.
        {"PARLEY_RESPONDER", "away_message"},
        {"PARLEY_BATCH_WINDOW_MS", "60000"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "120000"},
    };
    for (const auto& [key, value] : extra) env[key] = value;
    parley_ = std::make_unique<ParleyProcess>(env);
    const CreatedTenant tenant = CreateTenant(*parley_, "Acme Bakery");
    ASSERT_FALSE(tenant.id.empty());
    const std::string tenant_id = tenant.id;
    api_key_ = tenant.api_key;
    auto whatsapp = parley_->Cli({"channel", "add", "whatsapp", "--tenant", tenant_id, "--phone-number-id",
                                  kPhoneNumberId, "--access-token", kWhatsAppToken});
    ASSERT_EQ(whatsapp.exit_code, 0) << whatsapp.out << whatsapp.err;
    auto messenger = parley_->Cli(
        {"channel", "add", "messenger", "--tenant", tenant_id, "--page-id", kPageId, "--access-token", kPageToken});
    ASSERT_EQ(messenger.exit_code, 0) << messenger.out << messenger.err;
    parley_->Start();
  }

  // The conversation a customer's first message opens on `platform`.
  int64_t Conversation(const std::string& platform) {
    HttpResult in;
    if (platform == "whatsapp") {
      const std::string body = payloads::WhatsAppText(kPhoneNumberId, kCustomer, "wamid.in1", "Where is my order?");
      in = Call("POST", parley_->url("/api/whatsapp/webhook"), body,
                {{"X-Hub-Signature-256", Sign(kWhatsAppSecret, body)}, {"Content-Type", "application/json"}});
    } else {
      const std::string body = payloads::MessengerText(kPageId, kPsid, "m_in1", "Where is my order?");
      in = Call("POST", parley_->url("/api/messenger/webhook"), body,
                {{"X-Hub-Signature-256", Sign(kMessengerSecret, body)}, {"Content-Type", "application/json"}});
    }
    EXPECT_EQ(in.status, 200) << in.body;
    int64_t id = 0;
    Eventually(
        [&] {
          const json::value list = Get("/api/conversations?platform=" + platform);
          for (const auto& c : list.at("data").as_array()) {
            id = c.at("id").to_number<int64_t>();
            return true;
          }
          return false;
        },
        10s);
    return id;
  }

  json::value Get(const std::string& path) {
    return Call("GET", parley_->url(path), {}, {{"Authorization", "Bearer " + api_key_}}).Json();
  }

  // A person's reply carrying `bytes` as the file `name` (declared `content_type`), with `caption` when not empty.
  HttpResult SendFile(int64_t conversation, const std::string& name, const std::string& content_type,
                      const std::string& bytes, const std::string& caption = "") {
    std::vector<http::FormPart> parts{{"file", name, content_type, bytes}};
    if (!caption.empty()) parts.push_back({"text", {}, {}, caption});
    http::FormBody form = http::BuildMultipart(parts);
    return Call("POST", parley_->url("/api/conversations/" + std::to_string(conversation) + "/messages"), form.body,
                {{"Authorization", "Bearer " + api_key_}, {"Content-Type", form.content_type}});
  }

  // The thread's message `id` once its status is `status`; an empty object when it never is.
  json::object MessageWhen(int64_t conversation, int64_t id, const std::string& status) {
    json::object found;
    Eventually(
        [&] {
          const json::value thread = Get("/api/conversations/" + std::to_string(conversation) + "/messages");
          for (const auto& m : thread.at("data").as_array()) {
            if (m.at("id").to_number<int64_t>() == id && m.at("status").as_string() == status) {
              found = m.as_object();
              return true;
            }
          }
          return false;
        },
        10s);
    return found;
  }

  // The sends whose body's `type` (WhatsApp) is `type`.
  std::vector<RecordedRequest> SendsOfType(const std::string& type) const {
    std::vector<RecordedRequest> out;
    for (const auto& send : graph_.sends()) {
      const auto* t = send.body.as_object().if_contains("type");
      if (t != nullptr && t->is_string() && t->as_string() == type) out.push_back(send);
    }
    return out;
  }

  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> parley_;
  std::string api_key_;
};

TEST_F(ReplyMediaTest, WhatsAppUploadsThePhotoThenSendsItByIdWithItsCaption) {
  Boot();
  const int64_t conversation = Conversation("whatsapp");
  const std::string photo = Jpeg(800, 600);
  HttpResult sent = SendFile(conversation, "receipt.jpg", "image/jpeg", photo, "Here is your receipt");
  ASSERT_EQ(sent.status, 202) << sent.body;
  const json::object answer = sent.Json().as_object();
  EXPECT_EQ(answer.at("type"), "image");
  EXPECT_EQ(answer.at("text"), "Here is your receipt");
  EXPECT_EQ(answer.at("media").at("status"), "ready");
  EXPECT_EQ(answer.at("media").at("mime_type"), "image/jpeg");
  EXPECT_FALSE(answer.at("media").at("thumbnail_url").is_null());

  ASSERT_TRUE(Eventually([&] { return !SendsOfType("image").empty(); }, 10s)) << parley_->logs();
  const std::vector<FakeUpload> uploads = graph_.uploads();
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0].account, kPhoneNumberId);
  EXPECT_EQ(uploads[0].authorization, std::string("Bearer ") + kWhatsAppToken);
  EXPECT_EQ(uploads[0].messaging_product, "whatsapp");
  EXPECT_EQ(uploads[0].type, "image/jpeg");
  EXPECT_EQ(uploads[0].filename, "receipt.jpg");
  EXPECT_EQ(uploads[0].bytes, photo);
  const json::object body = SendsOfType("image")[0].body.as_object();
  EXPECT_EQ(body.at("messaging_product"), "whatsapp");
  EXPECT_EQ(body.at("to"), kCustomer);
  EXPECT_EQ(body.at("image").at("id"), json::value(uploads[0].id));
  EXPECT_EQ(body.at("image").at("caption"), "Here is your receipt");

  // The thread shows the sent photo like a customer's: signed links, the original served without a session.
  json::object message = MessageWhen(conversation, answer.at("id").to_number<int64_t>(), "sent");
  ASSERT_FALSE(message.empty()) << parley_->logs();
  EXPECT_EQ(message.at("direction"), "out");
  EXPECT_EQ(message.at("type"), "image");
  const std::string url(message.at("media").at("url").as_string());
  HttpResult file = Call("GET", parley_->url(url));
  EXPECT_EQ(file.status, 200);
  EXPECT_EQ(file.body, photo);
  HttpResult thumbnail = Call("GET", parley_->url(std::string(message.at("media").at("thumbnail_url").as_string())));
  EXPECT_EQ(thumbnail.status, 200);
  EXPECT_EQ(thumbnail.headers["content-type"], "image/jpeg");

  // A document keeps its name, and goes without a caption when none was typed.
  const std::string pdf = TextPdf(1);
  ASSERT_EQ(SendFile(conversation, "invoice.pdf", "application/pdf", pdf).status, 202);
  ASSERT_TRUE(Eventually([&] { return !SendsOfType("document").empty(); }, 10s)) << parley_->logs();
  const json::object document = SendsOfType("document")[0].body.as_object().at("document").as_object();
  EXPECT_EQ(document.at("filename"), "invoice.pdf");
  EXPECT_FALSE(document.contains("caption"));
  EXPECT_EQ(graph_.uploads().size(), 2u);
}

// Another person's open thread learns of the file from the live events alone: message.created carries the media object
// the thread shows (signed links that serve the photo and its thumbnail), never the stored file's key.
TEST_F(ReplyMediaTest, TheLiveEventOfAFileReplyCarriesItsMediaWithSignedLinks) {
  Boot();
  const int64_t conversation = Conversation("whatsapp");
  SseClient stream(parley_->url("/api/events"), {{"Authorization", "Bearer " + api_key_}});
  ASSERT_EQ(stream.status(), 200) << stream.body();
  const std::string photo = Jpeg(800, 600);
  HttpResult sent = SendFile(conversation, "receipt.jpg", "image/jpeg", photo, "Here is your receipt");
  ASSERT_EQ(sent.status, 202) << sent.body;
  const int64_t id = sent.Json().at("id").to_number<int64_t>();

  json::object message;
  ASSERT_TRUE(stream.WaitUntil(
      [&](const std::vector<SseEvent>& events) {
        for (const auto& event : events) {
          if (event.data.empty()) continue;
          const json::object envelope = json::parse(event.data).as_object();
          if (envelope.at("type") != "message.created") continue;
          const json::object& candidate = envelope.at("data").at("message").as_object();
          if (candidate.at("id").to_number<int64_t>() == id) message = candidate;
        }
        return !message.empty();
      },
      10s))
      << parley_->logs();
  EXPECT_EQ(message.at("type"), "image");
  EXPECT_EQ(message.at("text"), "Here is your receipt");
  const json::object& media = message.at("media").as_object();
  EXPECT_EQ(media.at("status"), "ready");
  EXPECT_EQ(media.at("mime_type"), "image/jpeg");
  EXPECT_EQ(media.at("bytes").to_number<int64_t>(), static_cast<int64_t>(photo.size()));
  EXPECT_FALSE(media.contains("sha256"));
  HttpResult file = Call("GET", parley_->url(std::string(media.at("url").as_string())));
  EXPECT_EQ(file.status, 200);
  EXPECT_EQ(file.body, photo);
  HttpResult thumbnail = Call("GET", parley_->url(std::string(media.at("thumbnail_url").as_string())));
  EXPECT_EQ(thumbnail.status, 200);
  EXPECT_EQ(thumbnail.headers["content-type"], "image/jpeg");
}

TEST_F(ReplyMediaTest, ATooLargeOrDisguisedFileIsRefusedWithTheReasonAndNothingIsSent) {
  Boot();
  const int64_t conversation = Conversation("whatsapp");
  // A JPEG over the 5 MB of images: through the server's upload file, refused after sniffing.
  std::string large = Jpeg(64, 64);
  large.resize(5 * 1024 * 1024 + 1, '\0');
  HttpResult too_large = SendFile(conversation, "big.jpg", "image/jpeg", large);
  EXPECT_EQ(too_large.status, 413) << too_large.body;
  EXPECT_NE(too_large.body.find("limited to 5120 KB"), std::string::npos) << too_large.body;
  // A program named like a photo: its bytes decide, not its name or declared type.
  HttpResult disguised =
      SendFile(conversation, "photo.jpg", "image/jpeg", std::string("MZ\x90\x00\x03\x00\xff\xfe", 8));
  EXPECT_EQ(disguised.status, 415) << disguised.body;
  EXPECT_NE(disguised.body.find("not recognised"), std::string::npos) << disguised.body;
  // An empty file is no reply either.
  EXPECT_EQ(SendFile(conversation, "empty.jpg", "image/jpeg", "").status, 400);

  // Nothing kept, queued or sent: the thread holds the customer's message only, no file is on disk, and a text
  // reply afterwards is the first thing WhatsApp receives from the person.
  auto thread = Get("/api/conversations/" + std::to_string(conversation) + "/messages").at("data").as_array();
  ASSERT_EQ(thread.size(), 1u) << json::serialize(thread);
  EXPECT_EQ(thread[0].at("direction"), "in");
  const std::filesystem::path media_dir = std::filesystem::path(parley_->data_dir()) / "media";
  EXPECT_TRUE(!std::filesystem::exists(media_dir) || std::filesystem::recursive_directory_iterator(media_dir) ==
                                                         std::filesystem::recursive_directory_iterator());
  HttpResult text = Call("POST", parley_->url("/api/conversations/" + std::to_string(conversation) + "/messages"),
                         R"({"text": "Could you send it as a photo?"})",
                         {{"Authorization", "Bearer " + api_key_}, {"Content-Type", "application/json"}});
  ASSERT_EQ(text.status, 202) << text.body;
  ASSERT_TRUE(Eventually([&] { return !SendsOfType("text").empty(); }, 10s));
  EXPECT_TRUE(graph_.uploads().empty());
  EXPECT_EQ(graph_.sends().size(), 1u);
}

TEST_F(ReplyMediaTest, MessengerFetchesTheFileThroughASignedLinkThenGetsTheCaption) {
  Boot();
  const int64_t conversation = Conversation("messenger");
  const std::string photo = Jpeg(640, 480);
  // Without a public address Meta could not fetch the link: refused before anything is kept.
  HttpResult refused = SendFile(conversation, "cake.jpg", "image/jpeg", photo, "Your cake");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("PARLEY_PUBLIC_URL"), std::string::npos) << refused.body;
  EXPECT_TRUE(graph_.sends().empty());

  parley_->Terminate();
  parley_->env()["PARLEY_PUBLIC_URL"] = kPublicUrl;
  parley_->Start();
  HttpResult sent = SendFile(conversation, "cake.jpg", "image/jpeg", photo, "Your cake");
  ASSERT_EQ(sent.status, 202) << sent.body;
  ASSERT_TRUE(graph_.WaitForSends(2, 10s)) << parley_->logs();
  const std::vector<RecordedRequest> sends = graph_.sends();
  const json::object& attachment_message = sends[0].body.as_object();
  EXPECT_EQ(sends[0].path, std::string("/") + kPageId + "/messages");
  EXPECT_EQ(attachment_message.at("recipient").at("id"), kPsid);
  EXPECT_EQ(attachment_message.at("messaging_type"), "RESPONSE");
  const json::object& attachment = attachment_message.at("message").at("attachment").as_object();
  EXPECT_EQ(attachment.at("type"), "image");
  EXPECT_EQ(attachment.at("payload").at("is_reusable"), true);
  const std::string url(attachment.at("payload").at("url").as_string());
  ASSERT_TRUE(url.starts_with(std::string(kPublicUrl) + "/api/media/")) << url;
  // Meta fetches it with no session: the signed link alone serves the file (here on the server's loopback address).
  HttpResult fetched = Call("GET", parley_->url(url.substr(std::string(kPublicUrl).size())));
  EXPECT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.body, photo);
  // Meta's attachments take no caption: it follows as a text message.
  EXPECT_EQ(sends[1].body.at("message").at("text"), "Your cake");
  EXPECT_FALSE(MessageWhen(conversation, sent.Json().at("id").to_number<int64_t>(), "sent").empty());
}

}  // namespace
}  // namespace parley::testing
