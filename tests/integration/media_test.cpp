// Inbound media end to end: a signed WhatsApp webhook with a photo in, the photo fetched from the fake Graph API by the
// worker side (Retrieve Media URL, then Download Media), and the messages API showing it with signed links that serve
// its bytes; altered or expired links answer 403.

#include "core/crypto.h"
#include "fakes/fake_graph.h"
#include "integration/harness.h"
#include "integration/payloads.h"
#include "media/signed_url.h"
#include "support/test_images.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

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

// A customer's message of `type` ("image", "document", …) carrying WhatsApp's media id, as Meta sends it.
std::string WhatsAppMedia(const std::string& type, const std::string& id, const std::string& media_id,
                          const std::string& mime_type) {
  json::object media{
      {"mime_type", mime_type}, {"sha256", "IJUGGaKPgVTO6D2fSbqxYEZO42Jv2sjaTtcb0ROtBeI="}, {"id", media_id}};
  if (type == "image") media["caption"] = "the parcel arrived like this";
  json::object message{{"from", "16505551234"},
                       {"id", id},
                       {"timestamp", std::to_string(payloads::NowSeconds())},
                       {"type", type},
                       {type, std::move(media)}};
  json::object value{{"messaging_product", "whatsapp"},
                     {"metadata", {{"display_phone_number", "15550783881"}, {"phone_number_id", kPhoneNumberId}}},
                     {"contacts", json::array{{{"profile", {{"name", "Ana"}}}, {"wa_id", "16505551234"}}}},
                     {"messages", json::array{std::move(message)}}};
  return json::serialize(json::object{
      {"object", "whatsapp_business_account"},
      {"entry", json::array{{{"id", "102290129340398"},
                             {"changes", json::array{{{"value", std::move(value)}, {"field", "messages"}}}}}}}});
}

class MediaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{
        {"WHATSAPP_APP_SECRET", kSecret},
        {"WHATSAPP_VERIFY_TOKEN", "wa-verify-token"},
        {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
        // The download URL comes from Meta's answer, so it goes through the outbound address policy: the fake Graph
        // API listens on loopback, which only the operator can open.
        {"PARLEY_OUTBOUND_ALLOW", "127.0.0.1"},
        {"PARLEY_MASTER_KEY", kMasterKey},
        {"PARLEY_MEDIA_RETRY_BASE_MS", "100"},
        {"PARLEY_MEDIA_FETCH_ATTEMPTS", "2"},
        {"PARLEY_RESPONDER", "away_message"},
        {"PARLEY_AUTO_REPLY_TEXT", "Thanks!"},
    });
    auto tenant = parley_->Cli({"tenant", "create", "--name", "Acme Bakery"});
    ASSERT_EQ(tenant.exit_code, 0) << tenant.out;
    auto t = json::parse(tenant.out);
    tenant_id_ = t.at("tenant_id").to_number<int64_t>();
    api_key_ = std::string(t.at("api_key").as_string());
    auto channel = parley_->Cli({"channel", "add", "whatsapp", "--tenant", std::to_string(tenant_id_),
                                 "--phone-number-id", kPhoneNumberId, "--access-token", kToken});
    ASSERT_EQ(channel.exit_code, 0) << channel.out;
    parley_->Start();
  }

  HttpResult Webhook(const std::string& body) {
    return Call("POST", parley_->url("/api/whatsapp/webhook"), body,
                {{"X-Hub-Signature-256", Sign(kSecret, body)}, {"Content-Type", "application/json"}});
  }

  json::value Get(const std::string& path) {
    return Call("GET", parley_->url(path), {}, {{"Authorization", "Bearer " + api_key_}}).Json();
  }

  // The media object of the conversation's only message once its status is no longer pending.
  json::object SettledMedia() {
    json::object media;
    Eventually(
        [&] {
          auto conversations = Get("/api/conversations").at("data").as_array();
          if (conversations.empty()) return false;
          const int64_t id = conversations[0].at("id").to_number<int64_t>();
          auto messages = Get("/api/conversations/" + std::to_string(id) + "/messages").at("data").as_array();
          if (messages.empty() || !messages[0].as_object().contains("media")) return false;
          media = messages[0].at("media").as_object();
          return media.at("status") != "pending";
        },
        15s);
    return media;
  }

  FakeGraph graph_;
  std::unique_ptr<ParleyProcess> parley_;
  int64_t tenant_id_ = 0;
  std::string api_key_;
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
  EXPECT_TRUE(media.at("ocr_text").is_null());
  EXPECT_TRUE(media.at("error").is_null());
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

}  // namespace
}  // namespace parley::testing
