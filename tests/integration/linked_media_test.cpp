// Instagram's and Messenger's attachments end to end: Meta sends only a link to the file on its CDN, never a media id,
// and its app review refuses apps that store Instagram media. Parley downloads the file only when there is something
// to read in it (a photo's text, a voice note's words), without the channel's token, reads it before the agent's turn
// and keeps no copy; the messages API shows the platform's own link throughout, and what was read.

#include "fakes/fake_graph.h"
#include "fakes/fake_openai.h"
#include "integration/harness.h"
#include "integration/media_support.h"
#include "integration/payloads.h"
#include "integration/tenant_fixture.h"
#include "support/test_images.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kInstagramSecret = "ig-app-secret-linked-media";
constexpr const char* kMessengerSecret = "fb-app-secret-linked-media";
constexpr const char* kAccount = "17841405822300077";
constexpr const char* kPageId = "104623598744221";
constexpr const char* kCustomer = "1284628956217892";
constexpr const char* kSundayHours = "On Sunday we open from 10:00 to 14:00.";

class LinkedMediaTest : public TenantFixture {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeServer({
        {"INSTAGRAM_APP_SECRET", kInstagramSecret},
        {"INSTAGRAM_VERIFY_TOKEN", "ig-verify"},
        {"MESSENGER_APP_SECRET", kMessengerSecret},
        {"MESSENGER_VERIFY_TOKEN", "fb-verify"},
        // The CDN link comes in the webhook, so it goes through the outbound address policy: the fake listens on
        // loopback, which only the operator can open.
        {"PARLEY_OUTBOUND_ALLOW", "127.0.0.1"},
        {"PARLEY_LLM_BASE_URL", model_.base_url()},
        {"PARLEY_TRANSCRIPTION_BASE_URL", model_.base_url()},
        {"PARLEY_BATCH_WINDOW_MS", "300"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "3000"},
        {"PARLEY_MEDIA_RETRY_BASE_MS", "100"},
        {"PARLEY_MEDIA_FETCH_ATTEMPTS", "2"},
    }));
    ASSERT_NO_FATAL_FAILURE(CreateTenants("Crumb & Co", /*other=*/false));
    ASSERT_EQ(parley_
                  ->Cli({"channel", "add", "instagram", "--tenant", tenant_id_, "--account-id", kAccount,
                         "--access-token", "IGQ-linked-media-token"})
                  .exit_code,
              0);
    ASSERT_EQ(parley_
                  ->Cli({"channel", "add", "messenger", "--tenant", tenant_id_, "--page-id", kPageId, "--access-token",
                         "EAAPage-linked-media-token"})
                  .exit_code,
              0);
    const std::string guide = parley_->data_dir() + "/guide.md";
    std::ofstream(guide) << "# Opening hours\nWe are open Monday to Friday from 8:00 to 19:00. " << kSundayHours
                         << "\n";
    ASSERT_EQ(parley_->Cli({"kb", "add", "--tenant", tenant_id_, guide}).exit_code, 0);
    model_.set_reply(FakeOpenAi::Answering(kSundayHours));
    parley_->Start();
  }
  // The server stops before the fake model it calls, which is this class's and so goes first otherwise.
  void TearDown() override { parley_.reset(); }

  HttpResult Post(const std::string& platform, const std::string& secret, const std::string& body) {
    return Call("POST", parley_->url("/api/" + platform + "/webhook"), body,
                {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(secret, body)}});
  }
  HttpResult PostInstagram(const std::string& body) { return Post("instagram", kInstagramSecret, body); }
  HttpResult PostMessenger(const std::string& body) { return Post("messenger", kMessengerSecret, body); }

  json::value Get(const std::string& path) {
    return Call("GET", parley_->url(path), {}, {{"Authorization", "Bearer " + key_}}).Json();
  }

  // The media object of the only conversation's message carrying media, once its status is no longer pending.
  json::object SettledMedia() { return testing::SettledMedia(*parley_, key_, 20s); }

  // The user messages of the model's chat requests, one string per request.
  std::vector<std::string> ChatContents() const { return testing::ChatContents(model_); }

  // Files in the media store: none, when nothing is kept.
  size_t KeptFiles() const {
    const std::filesystem::path dir = std::filesystem::path(parley_->data_dir()) / "media";
    if (!std::filesystem::exists(dir)) return 0;
    size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) files += entry.is_regular_file();
    return files;
  }

  FakeOpenAi model_;
};

TEST_F(LinkedMediaTest, AnInstagramPhotosTextIsReadWithoutKeepingThePhoto) {
  const std::string link = graph_.AddCdnFile(media::testing::TextPng("ORDER #4417"), "image/png");
  ASSERT_EQ(
      PostInstagram(payloads::InstagramAttachment(kAccount, kCustomer, "aWdfZAG1pZAF9photo1", "image", link)).status,
      200);
  ASSERT_TRUE(graph_.WaitForSends(1, 20s)) << parley_->logs();

  json::object media = SettledMedia();
  EXPECT_EQ(media.at("status"), "ready") << json::serialize(media);
  EXPECT_EQ(media.at("url"), json::value(link));  // The platform's own link, not a Parley one.
  EXPECT_TRUE(media.at("thumbnail_url").is_null());
  EXPECT_EQ(media.at("mime_type"), "image/png");
  ASSERT_TRUE(media.at("ocr_text").is_string()) << json::serialize(media);
  EXPECT_NE(std::string(media.at("ocr_text").as_string()).find("ORDER #4417"), std::string::npos);
  // The agent read the photo's text with the message.
  const auto contents = ChatContents();
  ASSERT_FALSE(contents.empty()) << parley_->logs();
  EXPECT_NE(contents.back().find("[image; text in it: ORDER #4417"), std::string::npos) << contents.back();
  // Downloaded once, without the channel's token, and kept nowhere.
  EXPECT_EQ(graph_.cdn_downloads(), 1);
  EXPECT_EQ(graph_.cdn_downloads_with_authorization(), 0);
  EXPECT_EQ(KeptFiles(), 0u);
}

TEST_F(LinkedMediaTest, AMessengerVoiceNoteIsAnsweredFromItsTranscript) {
  const std::string link = graph_.AddCdnFile(FakeOpenAi::Recording("Are you open on Sunday?"), "audio/ogg");
  ASSERT_EQ(PostMessenger(payloads::MessengerAttachment(kPageId, kCustomer, "m_voice1", "audio", link)).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 20s)) << parley_->logs();
  EXPECT_EQ(graph_.sends()[0].body.at("message").at("text"), kSundayHours);
  const auto contents = ChatContents();
  ASSERT_FALSE(contents.empty());
  EXPECT_NE(contents.back().find("Are you open on Sunday?"), std::string::npos) << contents.back();

  json::object media = SettledMedia();
  EXPECT_EQ(media.at("status"), "ready") << json::serialize(media);
  EXPECT_EQ(media.at("url"), json::value(link));
  EXPECT_EQ(media.at("transcript"), "Are you open on Sunday?");
  EXPECT_EQ(KeptFiles(), 0u);
}

TEST_F(LinkedMediaTest, NothingToReadInAVideoSoItIsNotDownloaded) {
  const std::string link = graph_.AddCdnFile(std::string(4096, '\0'), "video/mp4");
  ASSERT_EQ(
      PostInstagram(payloads::InstagramAttachment(kAccount, kCustomer, "aWdfZAG1pZAF9reel1", "video", link)).status,
      200);
  json::object media = SettledMedia();
  EXPECT_EQ(media.at("status"), "ready") << json::serialize(media);
  EXPECT_EQ(media.at("url"), json::value(link));
  EXPECT_EQ(graph_.cdn_downloads(), 0);
}

TEST_F(LinkedMediaTest, ALinkThatNoLongerWorksIsStillShownWithTheReasonItWasNotRead) {
  const std::string link = graph_.AddCdnFile(media::testing::TextPng("ORDER #4418"), "image/png");
  const std::string expired = link.substr(0, link.rfind('=') + 1) + "0000";
  ASSERT_EQ(
      PostInstagram(payloads::InstagramAttachment(kAccount, kCustomer, "aWdfZAG1pZAF9photo2", "image", expired)).status,
      200);
  json::object media = SettledMedia();
  EXPECT_EQ(media.at("status"), "failed") << json::serialize(media);
  EXPECT_EQ(media.at("error"), "the platform's link to this media no longer works");
  EXPECT_EQ(media.at("url"), json::value(expired));
  // The customer is answered all the same.
  ASSERT_TRUE(graph_.WaitForSends(1, 20s)) << parley_->logs();
}

}  // namespace
}  // namespace parley::testing
