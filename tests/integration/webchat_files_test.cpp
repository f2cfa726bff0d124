// A web chat visitor's files end to end, over HTTP to the real binary (docs/channels.md, "Web chat"; docs/media.md):
// POST /api/webchat/{public_id}/files as the widget sends it, with the visitor's token. A photo and a PDF are kept,
// prepared and read as a WhatsApp customer's are, then shown on the visitor's stream and thread (once kept, with
// signed links serving the very bytes) and in the dashboard's messages API (thumbnail, the PDF's text); a file too
// large for its kind or of a type Parley does not take is answered 413 or 415 with the reason, and nothing is stored;
// uploads are rate-limited per visitor; and the agent reads the text in a visitor's photo, and hands an unheard voice
// note to a person with the same reason as on WhatsApp.

#include "fakes/fake_openai.h"
#include "http/multipart.h"
#include "integration/harness.h"
#include "integration/media_support.h"
#include "integration/sse_client.h"
#include "integration/tenant_fixture.h"
#include "support/pdf_builder.h"
#include "support/test_images.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kPublicUrl = "https://desk.example.test";
constexpr const char* kSite = "https://shop.example.test";
constexpr const char* kShipping = "Orders leave our bakery the day after they are placed.";

using Headers = std::vector<std::pair<std::string, std::string>>;

class WebchatFilesTest : public ::testing::Test {
 protected:
  // A server with a tenant and its web chat, settings from `extra` over a bot that waits a minute (only what a test
  // does reaches the visitor); started.
  void Boot(const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> env{{"PARLEY_PUBLIC_URL", kPublicUrl},
                                           {"PARLEY_RESPONDER", "away_message"},
                                           {"PARLEY_BATCH_WINDOW_MS", "60000"},
                                           {"PARLEY_BATCH_MAX_WAIT_MS", "120000"},
                                           {"PARLEY_OCR_LANGUAGES", ""}};
    for (const auto& [key, value] : extra) env[key] = value;
    parley_ = std::make_unique<ParleyProcess>(env);
    const CreatedTenant tenant = CreateTenant(*parley_, "Crumb & Co");
    ASSERT_FALSE(tenant.id.empty());
    api_key_ = tenant.api_key;
    tenant_id_ = tenant.id;
    auto added = parley_->Cli(
        {"channel", "add", "webchat", "--tenant", tenant_id_, "--name", "Crumb", "--allowed-origin", kSite});
    ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
    public_id_ = std::string(json::parse(added.out).at("public_id").as_string());
  }

  // A visitor's session and event stream.
  void Visit() {
    HttpResult opened = Call("POST", parley_->url("/api/webchat/" + public_id_ + "/sessions"), R"({"name": "Ada"})",
                             {{"Content-Type", "application/json"}, {"Origin", kSite}});
    ASSERT_EQ(opened.status, 201) << opened.body;
    token_ = std::string(opened.Json().at("token").as_string());
    stream_ = std::make_unique<SseClient>(parley_->url("/api/webchat/" + public_id_ + "/events?token=" + token_),
                                          Headers{{"Origin", kSite}});
    ASSERT_EQ(stream_->status(), 200);
  }

  // The widget's upload of `bytes` as the file `name`, with the visitor's token.
  HttpResult Upload(const std::string& name, const std::string& bytes, const std::string& client_id,
                    const std::string& caption = "") {
    std::vector<http::FormPart> parts{{"client_id", {}, {}, client_id},
                                      {"file", name, "application/octet-stream", bytes}};
    if (!caption.empty()) parts.push_back({"text", {}, {}, caption});
    http::FormBody form = http::BuildMultipart(parts);
    return Call("POST", parley_->url("/api/webchat/" + public_id_ + "/files"), form.body,
                {{"Authorization", "Bearer " + token_}, {"Content-Type", form.content_type}, {"Origin", kSite}});
  }

  json::value Api(const std::string& path) {
    return Call("GET", parley_->url(path), {}, {{"Authorization", "Bearer " + api_key_}}).Json();
  }

  // The stream's message `id` once its file is no longer pending; an empty object when that never comes.
  json::object StreamedSettled(const std::string& id) {
    return stream_->WaitForObject(
        [&](const json::object& m) {
          return m.at("id") == json::value(id) && !m.at("media").is_null() && m.at("media").at("status") != "pending";
        },
        20s);
  }

  // The visitor's thread, as the widget reads it on a reload.
  json::array Thread() {
    HttpResult listed = Call("GET", parley_->url("/api/webchat/" + public_id_ + "/messages"), {},
                             {{"Authorization", "Bearer " + token_}, {"Origin", kSite}});
    EXPECT_EQ(listed.status, 200) << listed.body;
    return listed.Json().at("data").as_array();
  }

  // GETs a signed link the widget was given, without a session.
  HttpResult Fetch(const json::value& link) {
    const std::string url(link.as_string());
    EXPECT_TRUE(url.starts_with(std::string(kPublicUrl) + "/api/media/")) << url;
    return Call("GET", parley_->url(url.substr(std::string(kPublicUrl).size())), {}, {{"Origin", kSite}});
  }

  // The files in the media store.
  int MediaFiles() const {
    const std::filesystem::path root = std::filesystem::path(parley_->data_dir()) / "media";
    if (!std::filesystem::exists(root)) return 0;
    int files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) files += entry.is_regular_file();
    return files;
  }

  std::unique_ptr<ParleyProcess> parley_;
  std::string api_key_;
  std::string tenant_id_;
  std::string public_id_;
  std::string token_;
  std::unique_ptr<SseClient> stream_;
};

TEST_F(WebchatFilesTest, APhotoAndAPdfAreKeptReadAndShownOnTheThreadAndInTheInbox) {
  ASSERT_NO_FATAL_FAILURE(Boot());
  parley_->Start();
  ASSERT_NO_FATAL_FAILURE(Visit());
  // The name and the Content-Type the browser gives say nothing: the bytes do.
  const std::string photo = media::testing::Jpeg(800, 600);
  HttpResult sent_photo = Upload("IMG_0042.heic", photo, "f-photo", "The loaf I got");
  ASSERT_EQ(sent_photo.status, 202) << sent_photo.body;
  EXPECT_EQ(sent_photo.headers["access-control-allow-origin"], kSite);
  const std::string photo_id(sent_photo.Json().at("id").as_string());
  const std::string pdf = TextPdf(1);
  HttpResult sent_pdf = Upload("order.pdf", pdf, "f-pdf");
  ASSERT_EQ(sent_pdf.status, 202) << sent_pdf.body;
  const std::string pdf_id(sent_pdf.Json().at("id").as_string());
  // The same client_id again (a retry after a lost answer) is answered alike and stores nothing more.
  HttpResult again = Upload("order.pdf", pdf, "f-pdf");
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(again.Json().at("id"), json::value(pdf_id));

  // On the visitor's stream: each once kept, with links that serve the very bytes without a session.
  const json::object streamed_photo = StreamedSettled(photo_id);
  ASSERT_FALSE(streamed_photo.empty()) << parley_->logs();
  EXPECT_EQ(streamed_photo.at("role"), "visitor");
  EXPECT_EQ(streamed_photo.at("client_id"), "f-photo");
  EXPECT_EQ(streamed_photo.at("text"), "The loaf I got");
  const json::object& image = streamed_photo.at("media").as_object();
  EXPECT_EQ(image.at("status"), "ready");
  EXPECT_EQ(image.at("type"), "image");
  EXPECT_EQ(image.at("mime_type"), "image/jpeg");
  EXPECT_EQ(image.at("filename"), "IMG_0042.heic");
  EXPECT_EQ(image.at("bytes").to_number<int64_t>(), static_cast<int64_t>(photo.size()));
  EXPECT_EQ(Fetch(image.at("url")).body, photo);
  HttpResult thumbnail = Fetch(image.at("thumbnail_url"));
  EXPECT_EQ(thumbnail.status, 200);
  EXPECT_EQ(thumbnail.headers["content-type"], "image/jpeg");
  EXPECT_LT(thumbnail.body.size(), photo.size());
  const json::object streamed_pdf = StreamedSettled(pdf_id);
  ASSERT_FALSE(streamed_pdf.empty()) << parley_->logs();
  EXPECT_EQ(streamed_pdf.at("media").at("type"), "document");
  EXPECT_EQ(streamed_pdf.at("media").at("mime_type"), "application/pdf");
  EXPECT_EQ(streamed_pdf.at("media").at("filename"), "order.pdf");
  HttpResult document = Fetch(streamed_pdf.at("media").at("url"));
  EXPECT_EQ(document.body, pdf);
  EXPECT_EQ(document.headers["content-disposition"], "attachment");

  // A reload reads both, and the PDF once.
  const json::array thread = Thread();
  ASSERT_EQ(thread.size(), 2u) << json::serialize(thread);
  EXPECT_EQ(thread[0].at("media").at("status"), "ready");
  EXPECT_EQ(thread[1].at("media").at("status"), "ready");

  // The inbox shows them as it shows a WhatsApp customer's: the photo's thumbnail, the PDF's text read by poppler.
  const json::value conversations = Api("/api/conversations?platform=webchat");
  ASSERT_EQ(conversations.at("data").as_array().size(), 1u) << json::serialize(conversations);
  const std::string conversation = std::to_string(conversations.at("data").at(0).at("id").to_number<int64_t>());
  const json::value messages = Api("/api/conversations/" + conversation + "/messages");
  std::map<std::string, json::object> by_type;
  for (const auto& m : messages.at("data").as_array()) by_type[std::string(m.at("type").as_string())] = m.as_object();
  ASSERT_TRUE(by_type.contains("image") && by_type.contains("document")) << json::serialize(messages);
  const json::value& inbox_photo = by_type["image"].at("media");
  EXPECT_EQ(inbox_photo.at("status"), "ready");
  EXPECT_TRUE(inbox_photo.at("thumbnail_url").is_string());
  EXPECT_EQ(by_type["image"].at("text"), "The loaf I got");
  const json::value& inbox_pdf = by_type["document"].at("media");
  EXPECT_EQ(inbox_pdf.at("filename"), "order.pdf");
  ASSERT_TRUE(inbox_pdf.at("ocr_text").is_string()) << json::serialize(inbox_pdf);
  EXPECT_NE(std::string(inbox_pdf.at("ocr_text").as_string()).find("Page 1 of the handbook."), std::string::npos);
  // Kept once each, with the photo's previews, and counted in the tenant's storage.
  EXPECT_EQ(Api("/api/usage").at("storage").at("media_bytes").to_number<int64_t>(),
            static_cast<int64_t>(photo.size() + pdf.size()));
}

TEST_F(WebchatFilesTest, ARefusedFileIsAnswered4xxWithItsReasonAndNothingIsStored) {
  ASSERT_NO_FATAL_FAILURE(Boot());
  parley_->Start();
  ASSERT_NO_FATAL_FAILURE(Visit());
  std::string large = media::testing::Jpeg(64, 64);
  large.resize(5 * 1024 * 1024 + 1, '\0');
  HttpResult too_large = Upload("big.jpg", large, "f-large");
  EXPECT_EQ(too_large.status, 413) << too_large.body;
  EXPECT_EQ(too_large.Json().at("error").at("message"), "too large: image files are limited to 5120 KB");
  // With the CORS headers: the widget reads why.
  EXPECT_EQ(too_large.headers["access-control-allow-origin"], kSite);

  const std::string program = std::string(
                                  "\x7F"
                                  "ELF\x02\x01\x01",
                                  7) +
                              std::string(200, '\0');
  HttpResult refused = Upload("tool.pdf", program, "f-program");
  EXPECT_EQ(refused.status, 415) << refused.body;
  EXPECT_EQ(refused.Json().at("error").at("message"), "the file's content type is not recognised");
  EXPECT_EQ(refused.headers["access-control-allow-origin"], kSite);

  // Malformed forms and callers without a token are refused too.
  EXPECT_EQ(Upload("a.txt", "hello", "").status, 400);
  HttpResult anonymous = Call("POST", parley_->url("/api/webchat/" + public_id_ + "/files"), "x",
                              {{"Content-Type", "multipart/form-data; boundary=b"}, {"Origin", kSite}});
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_EQ(anonymous.headers["access-control-allow-origin"], kSite);

  EXPECT_TRUE(Thread().empty());
  EXPECT_TRUE(Api("/api/conversations?platform=webchat").at("data").as_array().empty());
  EXPECT_EQ(MediaFiles(), 0);
}

TEST_F(WebchatFilesTest, UploadsAreRateLimitedPerVisitor) {
  ASSERT_NO_FATAL_FAILURE(Boot({{"PARLEY_WEBCHAT_FILES_PER_MINUTE", "2"}}));
  parley_->Start();
  ASSERT_NO_FATAL_FAILURE(Visit());
  EXPECT_EQ(Upload("a.txt", "first note\n", "f-1").status, 202);
  EXPECT_EQ(Upload("b.txt", "second note\n", "f-2").status, 202);
  HttpResult limited = Upload("c.txt", "third note\n", "f-3");
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_FALSE(limited.headers["retry-after"].empty());
  EXPECT_EQ(limited.headers["access-control-allow-origin"], kSite);
  // Text messages have a budget of their own.
  HttpResult text =
      Call("POST", parley_->url("/api/webchat/" + public_id_ + "/messages"),
           R"({"text": "Did you get them?", "client_id": "t-1"})",
           {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}, {"Origin", kSite}});
  EXPECT_EQ(text.status, 202) << text.body;
  const json::array thread = Thread();
  ASSERT_EQ(thread.size(), 3u);
  for (const auto& m : thread) EXPECT_NE(m.at("client_id"), "f-3");
}

class WebchatFilesAgentTest : public WebchatFilesTest {
 protected:
  // The agent on the fake model, answering within a short window; the photos' text read in English.
  void BootWithAgent() {
    ASSERT_NO_FATAL_FAILURE(Boot({{"PARLEY_RESPONDER", "agent"},
                                  {"PARLEY_LLM_BASE_URL", model_.base_url()},
                                  {"PARLEY_BATCH_WINDOW_MS", "300"},
                                  {"PARLEY_BATCH_MAX_WAIT_MS", "3000"},
                                  {"PARLEY_OCR_LANGUAGES", "eng"}}));
    const std::string guide = parley_->data_dir() + "/orders.md";
    std::ofstream(guide) << "# Orders\n" << kShipping << "\n";
    auto added = parley_->Cli({"kb", "add", "--tenant", tenant_id_, guide});
    ASSERT_EQ(added.exit_code, 0) << added.out;
    model_.set_reply(FakeOpenAi::Answering(kShipping));
    parley_->Start();
    ASSERT_NO_FATAL_FAILURE(Visit());
  }

  // The stream's first message of `role`, once it came.
  json::object FirstOf(const std::string& role) {
    return stream_->WaitForObject([&](const json::object& m) { return m.at("role") == json::value(role); }, 20s);
  }

  FakeOpenAi model_;
};

TEST_F(WebchatFilesAgentTest, TheAgentReadsTheTextInAVisitorsPhoto) {
  ASSERT_NO_FATAL_FAILURE(BootWithAgent());
  ASSERT_EQ(Upload("screenshot.png", media::testing::TextPng("ORDER #4417"), "f-shot").status, 202);
  const json::object answer = FirstOf("assistant");
  ASSERT_FALSE(answer.empty()) << parley_->logs();
  bool read = false;
  for (const std::string& content : ChatContents(model_)) read = read || content.find("4417") != std::string::npos;
  EXPECT_TRUE(read) << "the model never got the photo's text";
}

TEST_F(WebchatFilesAgentTest, AnUnheardVoiceNoteGoesToAPersonAsOnWhatsApp) {
  ASSERT_NO_FATAL_FAILURE(BootWithAgent());
  auto set = Call("PUT", parley_->url("/api/ai-settings"), R"({"unheard_voice_notes": "hand_off"})",
                  {{"Authorization", "Bearer " + api_key_}, {"Content-Type", "application/json"}});
  ASSERT_EQ(set.status, 200) << set.body;
  ASSERT_EQ(Upload("voice.ogg", FakeOpenAi::Recording("Are you open on Sunday?"), "f-voice").status, 202);
  const json::object answer = FirstOf("assistant");
  ASSERT_FALSE(answer.empty()) << parley_->logs();
  EXPECT_EQ(answer.at("text"), "I'm passing you to a member of our team, who will answer you here shortly.");
  const json::value conversation = Api("/api/conversations?platform=webchat").at("data").at(0);
  EXPECT_EQ(conversation.at("mode"), "human") << json::serialize(conversation);
  EXPECT_EQ(conversation.at("handoff_reason"), "media_not_understood") << json::serialize(conversation);
}

}  // namespace
}  // namespace parley::testing
