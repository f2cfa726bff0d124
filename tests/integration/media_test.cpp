// Inbound media end to end: a signed WhatsApp webhook with a photo in, the photo fetched from the fake Graph API by the
// worker side (Retrieve Media URL, then Download Media), and the messages API showing it with signed links that serve
// its bytes; altered or expired links answer 403. Then media understood before the agent's turn: a voice note
// transcribed by the fake OpenAI-compatible server's POST /v1/audio/transcriptions and answered as if its words had
// been typed; without a transcriber (or when it fails) the customer is asked to write, never left in silence; a photo's
// text read by Tesseract reaches the agent and the messages API; a transcription endpoint that is down is tried again.

#include "core/crypto.h"
#include "fakes/fake_graph.h"
#include "fakes/fake_openai.h"
#include "integration/harness.h"
#include "integration/media_support.h"
#include "integration/payloads.h"
#include "integration/sse_client.h"
#include "integration/tenant_fixture.h"
#include "media/signed_url.h"
#include "support/pdf_builder.h"
#include "support/test_images.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using media::testing::Jpeg;
using media::testing::SizeOf;

constexpr const char* kSecret = "wa-app-secret-for-tests";
constexpr const char* kPhoneNumberId = "106540352242922";
constexpr const char* kToken = "EAAG-whatsapp-token";
constexpr const char* kMasterKey = "8f1c2a3b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
constexpr const char* kTranscriptionKey = "sk-transcribe-SECRET-7781";
constexpr const char* kSundayHours = "On Sunday we open from 10:00 to 14:00.";
constexpr const char* kAudioNotice =
    "Sorry, I can't listen to voice or audio messages here. Could you write your question instead?";

// A customer's message of `type` ("image", "document", …) carrying WhatsApp's media id, as Meta sends it.
std::string WhatsAppMedia(const std::string& type, const std::string& id, const std::string& media_id,
                          const std::string& mime_type) {
  return payloads::WhatsAppMedia(kPhoneNumberId, "16505551234", id, type, media_id, mime_type,
                                 type == "image" ? "the parcel arrived like this" : "");
}

class MediaFixture : public ::testing::Test {
 protected:
  // A server with a tenant and its WhatsApp channel, settings from `extra` added; not started.
  void Boot(const std::map<std::string, std::string>& extra) {
    std::map<std::string, std::string> env{
        {"WHATSAPP_APP_SECRET", kSecret},
        {"WHATSAPP_VERIFY_TOKEN", "wa-verify-token"},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        // The download URL comes from Meta's answer, so it goes through the outbound address policy: the fake Graph
        // API listens on loopback, which only the operator can open.
        {"PARLEY_OUTBOUND_ALLOW", "127.0.0.1"},
        {"PARLEY_MASTER_KEY", kMasterKey},
        {"PARLEY_MEDIA_RETRY_BASE_MS", "100"},
        {"PARLEY_MEDIA_FETCH_ATTEMPTS", "2"},
    };
    for (const auto& [key, value] : extra) env[key] = value;
    parley_ = std::make_unique<ParleyProcess>(env);
    const CreatedTenant tenant = CreateTenant(*parley_, "Acme Bakery");
    ASSERT_FALSE(tenant.id.empty());
    tenant_id_ = std::stoll(tenant.id);
    api_key_ = tenant.api_key;
    auto channel = parley_->Cli({"channel", "add", "whatsapp", "--tenant", std::to_string(tenant_id_),
                                 "--phone-number-id", kPhoneNumberId, "--access-token", kToken});
    ASSERT_EQ(channel.exit_code, 0) << channel.out;
  }

  HttpResult Webhook(const std::string& body) {
    return Call("POST", parley_->url("/api/whatsapp/webhook"), body,
                {{"X-Hub-Signature-256", Sign(kSecret, body)}, {"Content-Type", "application/json"}});
  }

  json::value Get(const std::string& path) {
    return Call("GET", parley_->url(path), {}, {{"Authorization", "Bearer " + api_key_}}).Json();
  }

  // The media object of the conversation's message carrying media, once its status is no longer pending.
  json::object SettledMedia() { return testing::SettledMedia(*parley_, api_key_, 15s); }

  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> parley_;
  int64_t tenant_id_ = 0;
  std::string api_key_;
};

class MediaTest : public MediaFixture {
 protected:
  void SetUp() override {
    Boot({{"PARLEY_RESPONDER", "away_message"}, {"PARLEY_AUTO_REPLY_TEXT", "Thanks!"}});
    parley_->Start();
  }
};

TEST_F(MediaTest, APhotoIsFetchedAndServedThroughSignedLinks) {
  const std::string photo = Jpeg(1200, 900);
  graph_.AddMedia("1077324873498572", kToken, photo, "image/jpeg");
  ASSERT_EQ(Webhook(WhatsAppMedia("image", "wamid.photo1", "1077324873498572", "image/jpeg")).status, 200);

  json::object media = SettledMedia();
  ASSERT_EQ(media.at("status"), "ready") << json::serialize(media) << parley_->logs();
  EXPECT_EQ(media.at("mime_type"), "image/jpeg");
  EXPECT_EQ(media.at("bytes").to_number<int64_t>(), static_cast<int64_t>(photo.size()));
  EXPECT_TRUE(media.at("transcript").is_null());
  EXPECT_EQ(media.at("ocr_text"), "");  // Read, and no text in a gradient.
  EXPECT_TRUE(media.at("error").is_null());
  // The tenant's usage counts the file it now keeps.
  EXPECT_EQ(Get("/api/usage").at("storage").at("media_bytes").to_number<int64_t>(), static_cast<int64_t>(photo.size()));
  // Fetched with the channel's token, by media id, then from the URL Meta gave.
  EXPECT_EQ(graph_.media_downloads(), 1);
  bool looked_up = false;
  for (const auto& r : graph_.requests()) {
    if (r.path.starts_with("/1077324873498572")) looked_up = r.authorization == std::string("Bearer ") + kToken;
  }
  EXPECT_TRUE(looked_up);

  // The links need no session: no Authorization header.
  const std::string url(media.at("url").as_string());
  ASSERT_TRUE(url.starts_with("/api/media/")) << url;
  HttpResult original = Call("GET", parley_->url(url));
  ASSERT_EQ(original.status, 200) << original.body;
  EXPECT_EQ(original.body, photo);
  EXPECT_EQ(original.headers["content-type"], "image/jpeg");
  const std::string thumbnail_url(media.at("thumbnail_url").as_string());
  HttpResult thumbnail = Call("GET", parley_->url(thumbnail_url));
  ASSERT_EQ(thumbnail.status, 200);
  EXPECT_EQ(SizeOf(thumbnail.body), std::make_pair(256, 192));

  // Altered links open nothing: another signature, another tenant, the thumbnail's link for the original.
  std::string tampered = url;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  EXPECT_EQ(Call("GET", parley_->url(tampered)).status, 403);
  std::string other_tenant = url;
  other_tenant.replace(other_tenant.find("tenant=") + 7, std::to_string(tenant_id_).size(),
                       std::to_string(tenant_id_ + 1));
  EXPECT_EQ(Call("GET", parley_->url(other_tenant)).status, 403);
  std::string swapped = thumbnail_url;
  swapped.replace(swapped.find("/thumbnail"), 10, "");
  EXPECT_EQ(Call("GET", parley_->url(swapped)).status, 403);
  EXPECT_EQ(Call("GET", parley_->url("/api/media/nothing")).status, 403);

  // A link the server's own key signed two hours ago, valid for one hour: expired.
  const std::string public_id = url.substr(11, url.find('?') - 11);
  auto box = crypto::SecretBox::Create(crypto::HexDecode(kMasterKey).value()).value();
  auto signer = media::UrlSigner::FromMasterKey(box, std::chrono::hours(1));
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_EQ(
      Call("GET", parley_->url(signer.Sign(tenant_id_, public_id, media::Variant::kOriginal, now_s - 7200))).status,
      403);
  // The same key, in time: the bytes.
  EXPECT_EQ(Call("GET", parley_->url(signer.Sign(tenant_id_, public_id, media::Variant::kOriginal, now_s))).body,
            photo);
}

// An open thread shows the photo from the live events alone: message.created carries its media object as the thread
// has it, and once the photo is kept, message.updated carries it again, ready, with signed links that serve the photo
// and its thumbnail.
TEST_F(MediaTest, TheLiveEventsCarryThePhotosMediaOnceKept) {
  SseClient stream(parley_->url("/api/events"), {{"Authorization", "Bearer " + api_key_}});
  ASSERT_EQ(stream.status(), 200) << stream.body();
  const std::string photo = Jpeg(1200, 900);
  graph_.AddMedia("1077324873498573", kToken, photo, "image/jpeg");
  ASSERT_EQ(Webhook(WhatsAppMedia("image", "wamid.photo2", "1077324873498573", "image/jpeg")).status, 200);

  json::object created;
  json::object kept;
  ASSERT_TRUE(stream.WaitUntil(
      [&](const std::vector<SseEvent>& events) {
        for (const auto& event : events) {
          if (event.data.empty()) continue;
          const json::object envelope = json::parse(event.data).as_object();
          const json::object& data = envelope.at("data").as_object();
          if (envelope.at("type") == "message.created" && data.at("message").at("direction") == "in") created = data;
          if (envelope.at("type") == "message.updated" && data.contains("media_status")) kept = data;
        }
        return !created.empty() && !kept.empty();
      },
      15s))
      << parley_->logs();
  // Fetched by the time the stream read it, or not yet: either way the thread's object, never the stored details.
  const json::object& first = created.at("message").at("media").as_object();
  EXPECT_TRUE(first.at("status") == "pending" || first.at("status") == "ready") << json::serialize(first);
  EXPECT_FALSE(first.contains("id"));
  EXPECT_EQ(kept.at("message_id"), created.at("message").at("id"));
  EXPECT_EQ(kept.at("media_status"), "ready");
  const json::object& media = kept.at("media").as_object();
  EXPECT_EQ(media.at("status"), "ready");
  EXPECT_EQ(media.at("mime_type"), "image/jpeg");
  EXPECT_EQ(media.at("ocr_text"), "");
  HttpResult original = Call("GET", parley_->url(std::string(media.at("url").as_string())));
  EXPECT_EQ(original.status, 200);
  EXPECT_EQ(original.body, photo);
  HttpResult thumbnail = Call("GET", parley_->url(std::string(media.at("thumbnail_url").as_string())));
  ASSERT_EQ(thumbnail.status, 200);
  EXPECT_EQ(SizeOf(thumbnail.body), std::make_pair(256, 192));
}

class MediaBurstTest : public MediaFixture {};

TEST_F(MediaBurstTest, APhotoReadyEarlyStillWaitsForTheEndOfTheCustomersBurst) {
  // The customer sends a photo, then, while the window is still open, writes about it: one burst and one reply after
  // the window, although the photo was ready long before.
  Boot({{"PARLEY_RESPONDER", "away_message"},
        {"PARLEY_AUTO_REPLY_TEXT", "Thanks!"},
        {"PARLEY_BATCH_WINDOW_MS", "6000"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "30000"}});
  parley_->Start();
  graph_.AddMedia("1077324873498580", kToken, Jpeg(800, 600), "image/jpeg");
  ASSERT_EQ(Webhook(WhatsAppMedia("image", "wamid.burst1", "1077324873498580", "image/jpeg")).status, 200);
  ASSERT_EQ(SettledMedia().at("status"), "ready");
  const auto wrote = std::chrono::steady_clock::now();
  ASSERT_EQ(
      Webhook(payloads::WhatsAppText(kPhoneNumberId, "16505551234", "wamid.burst2", "The handle is broken")).status,
      200);
  ASSERT_TRUE(graph_.WaitForSends(1, 20s)) << parley_->logs();
  // Never before the window after the customer's last message (the batcher fires at its deadline, not earlier).
  EXPECT_GE(graph_.sends()[0].received_at - wrote, 5s);
  EXPECT_FALSE(graph_.WaitForSends(2, 2s)) << "a second reply: the burst was split";
}

// What a customer's media that cannot be kept comes to: its status and reason, never a silent drop.
struct Unkept {
  const char* name;
  const char* type;      //!< The WhatsApp message type.
  const char* media_id;  //!< What the message names.
  std::string served;    //!< What the fake Graph API serves for it ("": WhatsApp knows no such media).
  const char* declared;  //!< The type WhatsApp declares.
  const char* status;
  const char* error;
  int downloads;  //!< Downloads the fake Graph API served.
};

class UnkeptMediaTest : public MediaTest, public ::testing::WithParamInterface<Unkept> {};

TEST_P(UnkeptMediaTest, EndsWithItsStatusAndReason) {
  const Unkept& c = GetParam();
  graph_.AddMedia("another", kToken, "OggS", "audio/ogg");  // The channel's token is one Meta knows.
  if (!c.served.empty()) graph_.AddMedia(c.media_id, kToken, c.served, c.declared);
  ASSERT_EQ(Webhook(WhatsAppMedia(c.type, std::string("wamid.") + c.name, c.media_id, c.declared)).status, 200);
  json::object media = SettledMedia();
  EXPECT_EQ(media.at("status"), c.status) << json::serialize(media);
  EXPECT_EQ(media.at("error"), c.error);
  EXPECT_TRUE(media.at("url").is_null());
  EXPECT_EQ(graph_.media_downloads(), c.downloads);
}

std::string LargeSticker() {
  std::string sticker = "RIFF1234WEBPVP8 ";
  sticker.resize(600 * 1024, 'x');
  return sticker;
}

INSTANTIATE_TEST_SUITE_P(Cases, UnkeptMediaTest,
                         ::testing::Values(Unkept{"Gone", "audio", "999", "", "audio/ogg; codecs=opus", "failed",
                                                  "WhatsApp no longer has this media", 0},
                                           Unkept{"PdfAsPhoto", "image", "555", "%PDF-1.7\n a document, not a photo",
                                                  "image/jpeg", "refused",
                                                  "image messages cannot carry application/pdf", 1},
                                           // Refused from the size WhatsApp declares, without downloading it.
                                           Unkept{"LargeSticker", "sticker", "777", LargeSticker(), "image/webp",
                                                  "refused", "too large: the limit for this media is 500 KB", 0}),
                         [](const auto& info) { return std::string(info.param.name); });

class MediaUnderstandingTest : public MediaFixture {
 protected:
  // With the agent (the fake model) and a guide that answers about Sunday; `transcriber`: whether
  // PARLEY_TRANSCRIPTION_BASE_URL names the fake.
  void BootWithAgent(bool transcriber) {
    std::map<std::string, std::string> env{
        {"PARLEY_LLM_BASE_URL", model_.base_url()},
        {"PARLEY_BATCH_WINDOW_MS", "300"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "3000"},
    };
    if (transcriber) {
      env["PARLEY_TRANSCRIPTION_BASE_URL"] = model_.base_url();
      env["PARLEY_TRANSCRIPTION_API_KEY"] = kTranscriptionKey;
    }
    Boot(env);
    const std::string guide = parley_->data_dir() + "/guide.md";
    std::ofstream(guide) << "# Opening hours\nWe are open Monday to Friday from 8:00 to 19:00. " << kSundayHours
                         << "\n";
    auto added = parley_->Cli({"kb", "add", "--tenant", std::to_string(tenant_id_), guide});
    ASSERT_EQ(added.exit_code, 0) << added.out;
    model_.set_reply(FakeOpenAi::Answering(kSundayHours));
    parley_->Start();
  }

  // The user messages of the model's chat requests, one string per request.
  std::vector<std::string> ChatContents() const { return testing::ChatContents(model_); }

  FakeOpenAi model_;
};

TEST_F(MediaUnderstandingTest, AVoiceNoteIsAnsweredFromItsTranscript) {
  BootWithAgent(/*transcriber=*/true);
  const std::string recording = FakeOpenAi::Recording("Are you open on Sunday?");
  graph_.AddMedia("2077324873498571", kToken, recording, "audio/ogg; codecs=opus");
  // The transcription takes longer than the burst's window: the burst waits for it.
  model_.set_delay(1500ms);
  ASSERT_EQ(Webhook(WhatsAppMedia("audio", "wamid.voice1", "2077324873498571", "audio/ogg; codecs=opus")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 20s)) << parley_->logs();
  EXPECT_EQ(graph_.sends()[0].body.at("text").at("body"), kSundayHours);

  // Transcribed first, with the endpoint's key, the recording sent as a file; then the agent read the words.
  const auto requests = model_.requests();
  ASSERT_FALSE(requests.empty());
  EXPECT_EQ(requests[0].path, "/v1/audio/transcriptions");
  EXPECT_EQ(requests[0].authorization, std::string("Bearer ") + kTranscriptionKey);
  EXPECT_EQ(requests[0].body.at("model"), "whisper-1");
  EXPECT_EQ(requests[0].body.at("file").at("content_type"), "audio/ogg");
  EXPECT_EQ(requests[0].body.at("file").at("bytes").to_number<int64_t>(), static_cast<int64_t>(recording.size()));
  const auto contents = ChatContents();
  ASSERT_FALSE(contents.empty());
  for (const auto& content : contents) {
    EXPECT_NE(content.find("Are you open on Sunday?"), std::string::npos) << content;
    EXPECT_EQ(content.find("[audio]"), std::string::npos) << content;
  }

  json::object media = SettledMedia();
  EXPECT_EQ(media.at("status"), "ready") << json::serialize(media);
  EXPECT_EQ(media.at("transcript"), "Are you open on Sunday?");
  EXPECT_TRUE(media.at("ocr_text").is_null());
  EXPECT_EQ(parley_->logs().find(kTranscriptionKey), std::string::npos);
}

TEST_F(MediaUnderstandingTest, WithoutATranscriberTheCustomerIsAskedToWrite) {
  BootWithAgent(/*transcriber=*/false);
  graph_.AddMedia("2077324873498572", kToken, FakeOpenAi::Recording("Are you open on Sunday?"), "audio/ogg");
  ASSERT_EQ(Webhook(WhatsAppMedia("audio", "wamid.voice2", "2077324873498572", "audio/ogg")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 15s)) << parley_->logs();
  EXPECT_EQ(graph_.sends()[0].body.at("text").at("body"), kAudioNotice);
  EXPECT_TRUE(model_.requests().empty());  // Neither transcribed nor read by the model.
  json::object media = SettledMedia();
  EXPECT_EQ(media.at("status"), "ready");
  EXPECT_TRUE(media.at("transcript").is_null());
}

TEST_F(MediaUnderstandingTest, WhenTranscriptionFailsTheCustomerIsAskedToWrite) {
  BootWithAgent(/*transcriber=*/true);
  model_.FailNext(1, 401);  // A refused key: not tried again.
  graph_.AddMedia("2077324873498573", kToken, FakeOpenAi::Recording("Are you open on Sunday?"), "audio/ogg");
  ASSERT_EQ(Webhook(WhatsAppMedia("audio", "wamid.voice3", "2077324873498573", "audio/ogg")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 15s)) << parley_->logs();
  EXPECT_EQ(graph_.sends()[0].body.at("text").at("body"), kAudioNotice);
  EXPECT_TRUE(ChatContents().empty());
  EXPECT_TRUE(SettledMedia().at("transcript").is_null());
  // The server quoted the key back in its error; the log has it redacted.
  EXPECT_EQ(parley_->logs().find(kTranscriptionKey), std::string::npos);
}

TEST_F(MediaUnderstandingTest, ATranscriptionEndpointThatIsDownIsTriedAgainLater) {
  BootWithAgent(/*transcriber=*/true);
  model_.FailNext(3, 503);  // Every attempt of the HTTP client's first call: the media's first attempt fails.
  graph_.AddMedia("2077324873498574", kToken, FakeOpenAi::Recording("Are you open on Sunday?"), "audio/ogg");
  ASSERT_EQ(Webhook(WhatsAppMedia("audio", "wamid.voice4", "2077324873498574", "audio/ogg")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 20s)) << parley_->logs();
  EXPECT_EQ(graph_.sends()[0].body.at("text").at("body"), kSundayHours);
  json::object media = SettledMedia();
  EXPECT_EQ(media.at("status"), "ready") << json::serialize(media);
  EXPECT_EQ(media.at("transcript"), "Are you open on Sunday?");
  EXPECT_EQ(graph_.media_downloads(), 2);  // Each attempt starts from the download.
}

TEST_F(MediaUnderstandingTest, ABusinessThatPrefersItHasAPersonListenInstead) {
  BootWithAgent(/*transcriber=*/false);
  auto set = Call("PUT", parley_->url("/api/ai-settings"), R"({"unheard_voice_notes": "hand_off"})",
                  {{"Authorization", "Bearer " + api_key_}, {"Content-Type", "application/json"}});
  ASSERT_EQ(set.status, 200) << set.body;
  graph_.AddMedia("2077324873498579", kToken, FakeOpenAi::Recording("Are you open on Sunday?"), "audio/ogg");
  ASSERT_EQ(Webhook(WhatsAppMedia("audio", "wamid.voice9", "2077324873498579", "audio/ogg")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 15s)) << parley_->logs();
  EXPECT_EQ(graph_.sends()[0].body.at("text").at("body"),
            "I'm passing you to a member of our team, who will answer you here shortly.");
  EXPECT_TRUE(model_.requests().empty());  // Nothing for the AI to read.
  const json::value conversation = Get("/api/conversations").at("data").at(0);
  EXPECT_EQ(conversation.at("mode"), "human") << json::serialize(conversation);
  EXPECT_EQ(conversation.at("handoff_reason"), "media_not_understood") << json::serialize(conversation);
  const json::value item = Get("/api/support").at("data").at(0);
  EXPECT_EQ(item.at("reason"), "media_not_understood") << json::serialize(item);
  EXPECT_EQ(item.at("priority"), "normal");
}

TEST_F(MediaUnderstandingTest, ThePhotosTextReachesTheAgentAndTheInbox) {
  BootWithAgent(/*transcriber=*/false);
  const std::string screenshot = media::testing::TextPng("ORDER #4417\nLivraison prévue le 12 décembre");
  graph_.AddMedia("3077324873498574", kToken, screenshot, "image/png");
  ASSERT_EQ(Webhook(WhatsAppMedia("image", "wamid.photo4", "3077324873498574", "image/png")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 20s)) << parley_->logs();

  json::object media = SettledMedia();
  ASSERT_EQ(media.at("status"), "ready") << json::serialize(media);
  ASSERT_TRUE(media.at("ocr_text").is_string()) << json::serialize(media);
  const std::string ocr_text(media.at("ocr_text").as_string());
  EXPECT_NE(ocr_text.find("ORDER #4417"), std::string::npos) << ocr_text;
  EXPECT_NE(ocr_text.find("Livraison prévue le 12 décembre"), std::string::npos) << ocr_text;
  // The agent read the photo's text with the message.
  const auto contents = ChatContents();
  ASSERT_FALSE(contents.empty()) << parley_->logs();
  for (const auto& content : contents) {
    EXPECT_NE(content.find("[image; text in it: ORDER #4417"), std::string::npos) << content;
  }
}

TEST_F(MediaUnderstandingTest, APdfSentInAChatIsReadLikeAKnowledgeDocument) {
  BootWithAgent(/*transcriber=*/false);
  const std::string pdf = BuildPdf({"BT /F1 12 Tf 72 720 Td (Invoice 2291: 3 baguettes, 7.50 EUR) Tj ET"});
  graph_.AddMedia("4077324873498575", kToken, pdf, "application/pdf");
  ASSERT_EQ(Webhook(WhatsAppMedia("document", "wamid.doc5", "4077324873498575", "application/pdf")).status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 20s)) << parley_->logs();

  json::object media = SettledMedia();
  ASSERT_EQ(media.at("status"), "ready") << json::serialize(media);
  ASSERT_TRUE(media.at("ocr_text").is_string()) << json::serialize(media) << parley_->logs();
  EXPECT_NE(std::string(media.at("ocr_text").as_string()).find("Invoice 2291: 3 baguettes, 7.50 EUR"),
            std::string::npos)
      << json::serialize(media);
  const auto contents = ChatContents();
  ASSERT_FALSE(contents.empty()) << parley_->logs();
  for (const auto& content : contents) {
    EXPECT_NE(content.find("[document; text in it: Invoice 2291"), std::string::npos) << content;
  }
}

// A model that reads images, played by the fake: it "sees" the blue mug in any photo it is sent, and only then.
class VisionTest : public MediaFixture {
 protected:
  static constexpr const char* kMugPrice = "The blue ceramic mug costs 12 EUR.";

  // With the agent and a price list; `vision`: PARLEY_LLM_VISION, the operator's model reads images.
  void BootWithModel(bool vision) {
    std::map<std::string, std::string> env{
        {"PARLEY_LLM_BASE_URL", model_.base_url()},
        {"PARLEY_BATCH_WINDOW_MS", "300"},
        {"PARLEY_BATCH_MAX_WAIT_MS", "3000"},
    };
    if (vision) env["PARLEY_LLM_VISION"] = "true";
    Boot(env);
    const std::string prices = parley_->data_dir() + "/prices.md";
    std::ofstream(prices) << "# Mugs\n"
                          << kMugPrice << " The red enamel mug costs 9 EUR.\n\n"
                          << "# Opening hours\nWe are open Monday to Friday from 8:00 to 19:00.\n";
    auto added = parley_->Cli({"kb", "add", "--tenant", std::to_string(tenant_id_), prices});
    ASSERT_EQ(added.exit_code, 0) << added.out;
    model_.set_reply([answer = FakeOpenAi::Answering(kMugPrice)](const json::value& request) -> std::string {
      const bool sees_the_mug = !FakeOpenAi::ImagesIn(request).empty();
      const json::value* format = request.as_object().if_contains("response_format");
      if (format != nullptr && format->at("json_schema").at("name") == "triage") {
        return json::serialize(json::object{
            {"decision", "AUTO_REPLY"},
            {"reason", "question"},
            {"priority", "normal"},
            {"language", "en"},
            {"questions", json::array{sees_the_mug ? "How much is the blue ceramic mug?" : "How much is this?"}}});
      }
      return sees_the_mug ? answer(request) : R"({"answer": null, "passage_ids": []})";
    });
    parley_->Start();
  }

  HttpResult SendPhoto(const std::string& customer, const std::string& id, const std::string& media_id) {
    graph_.AddMedia(media_id, kToken, Jpeg(1600, 1200), "image/jpeg");
    return Webhook(
        payloads::WhatsAppMedia(kPhoneNumberId, customer, id, "image", media_id, "image/jpeg", "how much is this?"));
  }

  // The images of every chat request so far.
  std::vector<std::string> ImagesSent() const {
    std::vector<std::string> images;
    for (const auto& request : model_.requests()) {
      if (request.path != "/v1/chat/completions") continue;
      for (std::string& image : FakeOpenAi::ImagesIn(request.body)) images.push_back(std::move(image));
    }
    return images;
  }

  FakeOpenAi model_;
};

TEST_F(VisionTest, APhotoGoesToAModelThatReadsImagesAndIsAnswered) {
  BootWithModel(/*vision=*/true);
  ASSERT_EQ(SendPhoto("16505551234", "wamid.mug1", "5077324873498581").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 20s)) << parley_->logs();
  EXPECT_EQ(graph_.sends()[0].body.at("text").at("body"), kMugPrice) << parley_->logs();

  // Triage and the answer both saw the photo: the copy made for the agent, a JPEG within 768×768, not the original.
  const std::vector<std::string> images = ImagesSent();
  ASSERT_EQ(images.size(), 2u) << parley_->logs();
  for (const std::string& image : images) {
    const auto [width, height] = SizeOf(image);
    EXPECT_EQ(width, 768);
    EXPECT_EQ(height, 576);
  }
  // The text beside it is the caption with the photo's placeholder.
  for (const auto& request : model_.requests()) {
    if (request.path != "/v1/chat/completions") continue;
    const json::array& content = request.body.at("messages").as_array().back().at("content").as_array();
    EXPECT_EQ(content.at(0).at("type"), "text");
    EXPECT_NE(std::string(content.at(0).at("text").as_string()).find("how much is this?"), std::string::npos);
    EXPECT_TRUE(
        std::string(content.at(1).at("image_url").at("url").as_string()).starts_with("data:image/jpeg;base64,"));
  }
}

TEST_F(VisionTest, AModelNotMarkedAsReadingImagesIsNeverSentThem) {
  BootWithModel(/*vision=*/false);
  ASSERT_EQ(SendPhoto("16505551234", "wamid.mug2", "5077324873498582").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(1, 20s)) << parley_->logs();
  EXPECT_NE(graph_.sends()[0].body.at("text").at("body"), kMugPrice);
  EXPECT_TRUE(ImagesSent().empty());

  // The tenant marks its model as reading images: the next customer's photo goes to it (the first customer's
  // conversation went to a person).
  auto marked = Call("PUT", parley_->url("/api/ai-settings"), R"({"llm_vision": true})",
                     {{"Authorization", "Bearer " + api_key_}, {"Content-Type", "application/json"}});
  ASSERT_EQ(marked.status, 200) << marked.body;
  EXPECT_EQ(marked.Json().at("llm_vision"), true);
  ASSERT_EQ(SendPhoto("16505550987", "wamid.mug3", "5077324873498583").status, 200);
  ASSERT_TRUE(graph_.WaitForSends(2, 20s)) << parley_->logs();
  EXPECT_EQ(graph_.sends()[1].body.at("text").at("body"), kMugPrice) << parley_->logs();
  EXPECT_EQ(ImagesSent().size(), 2u);
}

}  // namespace
}  // namespace parley::testing
