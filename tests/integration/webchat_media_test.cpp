// Media in web chat replies end to end: a person's file posted from the inbox (POST /api/conversations/{id}/messages,
// multipart) reaches the visitor's event stream and thread as the widget reads them (docs/channels.md, "Web chat"):
// its type, MIME type, size, name and caption, with signed links that need no session and serve the very bytes sent
// (an image's thumbnail too, a document as an attachment). The thread signs them again at each read, and a link that
// was altered (signature, tenant, expiry, the variant it names) is refused.

#include "http/multipart.h"
#include "integration/harness.h"
#include "integration/sse_client.h"
#include "integration/tenant_fixture.h"
#include "support/pdf_builder.h"
#include "support/test_images.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <utility>

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kPublicUrl = "https://desk.example.test";
constexpr const char* kSite = "https://shop.example.test";

using Headers = std::vector<std::pair<std::string, std::string>>;

class WebchatMediaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The bot waits a minute before answering: only the person's messages reach the visitor during a test.
    parley_ = std::make_unique<ParleyProcess>(std::map<std::string, std::string>{{"PARLEY_PUBLIC_URL", kPublicUrl},
                                                                                 {"PARLEY_RESPONDER", "away_message"},
                                                                                 {"PARLEY_BATCH_WINDOW_MS", "60000"},
                                                                                 {"PARLEY_BATCH_MAX_WAIT_MS", "120000"},
                                                                                 {"PARLEY_OCR_LANGUAGES", ""}});
    const CreatedTenant tenant = CreateTenant(*parley_, "Crumb & Co");
    ASSERT_FALSE(tenant.id.empty());
    api_key_ = tenant.api_key;
    auto added = parley_->Cli(
        {"channel", "add", "webchat", "--tenant", tenant.id, "--name", "Crumb", "--allowed-origin", kSite});
    ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
    public_id_ = std::string(json::parse(added.out).at("public_id").as_string());
    parley_->Start();
  }

  HttpResult Widget(const std::string& method, const std::string& suffix, const std::string& body = {},
                    const std::string& token = {}) {
    Headers headers{{"Content-Type", "application/json"}, {"Origin", kSite}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return Call(method, parley_->url("/api/webchat/" + public_id_ + suffix), body, headers);
  }

  json::value Api(const std::string& path) {
    return Call("GET", parley_->url(path), {}, {{"Authorization", "Bearer " + api_key_}}).Json();
  }

  // A person's reply carrying `bytes` as the file `name`, with `caption` when not empty.
  HttpResult SendFile(const std::string& conversation, const std::string& name, const std::string& content_type,
                      const std::string& bytes, const std::string& caption = "") {
    std::vector<http::FormPart> parts{{"file", name, content_type, bytes}};
    if (!caption.empty()) parts.push_back({"text", {}, {}, caption});
    http::FormBody form = http::BuildMultipart(parts);
    return Call("POST", parley_->url("/api/conversations/" + conversation + "/messages"), form.body,
                {{"Authorization", "Bearer " + api_key_}, {"Content-Type", form.content_type}});
  }

  // A visitor with a conversation: their token, and the conversation's id once the inbox lists it.
  void Visit() {
    HttpResult opened = Widget("POST", "/sessions", R"({"name": "Ada"})");
    ASSERT_EQ(opened.status, 201) << opened.body;
    token_ = std::string(opened.Json().at("token").as_string());
    stream_ = std::make_unique<SseClient>(parley_->url("/api/webchat/" + public_id_ + "/events?token=" + token_),
                                          Headers{{"Origin", kSite}});
    ASSERT_EQ(stream_->status(), 200);
    HttpResult posted =
        Widget("POST", "/messages", R"({"text": "Can you send me my receipt?", "client_id": "c-1"})", token_);
    ASSERT_EQ(posted.status, 202) << posted.body;
    ASSERT_TRUE(Eventually(
        [&] {
          const json::value list = Api("/api/conversations?platform=webchat");
          if (list.at("data").as_array().empty()) return false;
          conversation_ = std::to_string(list.at("data").at(0).at("id").to_number<int64_t>());
          return true;
        },
        10s));
  }

  // The stream's message `id` (as the widget names it), once it arrived; an empty object when it never does.
  json::object Streamed(const std::string& id) {
    return stream_->WaitForObject([&](const json::object& m) { return m.at("id") == json::value(id); }, 10s);
  }

  // The thread's message `id`, read now.
  json::object Listed(const std::string& id) {
    HttpResult listed = Widget("GET", "/messages", {}, token_);
    EXPECT_EQ(listed.status, 200) << listed.body;
    const json::value thread = listed.Json();
    for (const auto& m : thread.at("data").as_array()) {
      if (m.at("id") == json::value(id)) return m.as_object();
    }
    return {};
  }

  // GETs a signed link the widget was given (absolute under PARLEY_PUBLIC_URL) from the server on loopback, without
  // any session, from the business's site as an <img> or a link there would.
  HttpResult Fetch(const json::value& link) {
    const std::string url(link.as_string());
    EXPECT_TRUE(url.starts_with(std::string(kPublicUrl) + "/api/media/")) << url;
    return Call("GET", parley_->url(url.substr(std::string(kPublicUrl).size())), {}, {{"Origin", kSite}});
  }

  std::unique_ptr<ParleyProcess> parley_;
  std::string api_key_;
  std::string public_id_;
  std::string token_;
  std::unique_ptr<SseClient> stream_;
  std::string conversation_;
};

// Where the value of the query parameter `name` of `url` starts and how long it is.
std::pair<size_t, size_t> ParamSpan(const std::string& url, const std::string& name) {
  const size_t from = url.find(name + "=") + name.size() + 1;
  const size_t end = url.find('&', from);
  return {from, (end == std::string::npos ? url.size() : end) - from};
}

// `url` with the value of its query parameter `name` replaced by `value`.
std::string WithParam(std::string url, const std::string& name, const std::string& value) {
  const auto [from, length] = ParamSpan(url, name);
  return url.replace(from, length, value);
}

// The value of the query parameter `name` of `url` as a number, plus `delta`.
std::string Shifted(const std::string& url, const std::string& name, int64_t delta) {
  const auto [from, length] = ParamSpan(url, name);
  return std::to_string(std::stoll(url.substr(from, length)) + delta);
}

TEST_F(WebchatMediaTest, APersonsPhotoReachesTheVisitorWithSignedLinksThatServeItsBytes) {
  ASSERT_NO_FATAL_FAILURE(Visit());
  const std::string photo = media::testing::Jpeg(800, 600);
  HttpResult sent = SendFile(conversation_, "receipt.jpg", "image/jpeg", photo, "Here is your receipt");
  ASSERT_EQ(sent.status, 202) << sent.body;
  const std::string id = std::to_string(sent.Json().at("id").to_number<int64_t>());

  const json::object streamed = Streamed(id);
  ASSERT_FALSE(streamed.empty()) << parley_->logs();
  EXPECT_EQ(streamed.at("role"), "agent");
  EXPECT_EQ(streamed.at("text"), "Here is your receipt");
  const json::object& media = streamed.at("media").as_object();
  EXPECT_EQ(media.at("type"), "image");
  EXPECT_EQ(media.at("mime_type"), "image/jpeg");
  EXPECT_EQ(media.at("bytes").to_number<int64_t>(), static_cast<int64_t>(photo.size()));
  EXPECT_EQ(media.at("filename"), "receipt.jpg");
  HttpResult original = Fetch(media.at("url"));
  EXPECT_EQ(original.status, 200);
  EXPECT_EQ(original.headers["content-type"], "image/jpeg");
  EXPECT_EQ(original.body, photo);
  HttpResult thumbnail = Fetch(media.at("thumbnail_url"));
  EXPECT_EQ(thumbnail.status, 200);
  EXPECT_EQ(thumbnail.headers["content-type"], "image/jpeg");
  EXPECT_LT(thumbnail.body.size(), photo.size());

  // The outbox marks it sent: the web chat had nothing to upload.
  ASSERT_TRUE(Eventually(
      [&] {
        const json::value thread = Api("/api/conversations/" + conversation_ + "/messages");
        for (const auto& m : thread.at("data").as_array()) {
          if (std::to_string(m.at("id").to_number<int64_t>()) == id) return m.at("status") == "sent";
        }
        return false;
      },
      10s))
      << parley_->logs();

  // A reload of the page reads the thread: the photo again, with links signed anew that work as well.
  const json::object listed = Listed(id);
  ASSERT_FALSE(listed.empty());
  EXPECT_EQ(listed.at("text"), "Here is your receipt");
  EXPECT_EQ(listed.at("media").at("filename"), "receipt.jpg");
  EXPECT_EQ(Fetch(listed.at("media").at("url")).body, photo);
  EXPECT_EQ(Fetch(listed.at("media").at("thumbnail_url")).status, 200);
}

TEST_F(WebchatMediaTest, AnAlteredLinkIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Visit());
  HttpResult sent = SendFile(conversation_, "map.png", "image/png", media::testing::Png(320, 240));
  ASSERT_EQ(sent.status, 202) << sent.body;
  const json::object streamed = Streamed(std::to_string(sent.Json().at("id").to_number<int64_t>()));
  ASSERT_FALSE(streamed.empty()) << parley_->logs();
  EXPECT_EQ(streamed.at("text"), "");
  const std::string url(streamed.at("media").at("url").as_string());
  ASSERT_EQ(Fetch(json::value(url)).status, 200);

  std::string flipped = url;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  // The original's signature on its thumbnail: the signature covers which of the two it opens.
  const std::string thumbnail = url.substr(0, url.find('?')) + "/thumbnail" + url.substr(url.find('?'));
  for (const std::string& altered :
       {flipped, WithParam(url, "tenant", Shifted(url, "tenant", 1)),
        WithParam(url, "expires", Shifted(url, "expires", 3600)), WithParam(url, "sig", ""), thumbnail}) {
    HttpResult refused = Fetch(json::value(altered));
    EXPECT_EQ(refused.status, 403) << altered;
    EXPECT_EQ(refused.body.find("\x89PNG"), std::string::npos);
  }
}

TEST_F(WebchatMediaTest, ADocumentGoesWithItsNameAndSizeAndIsServedAsAnAttachment) {
  ASSERT_NO_FATAL_FAILURE(Visit());
  const std::string pdf = TextPdf(1);
  HttpResult sent = SendFile(conversation_, "invoice.pdf", "application/pdf", pdf, "Your invoice");
  ASSERT_EQ(sent.status, 202) << sent.body;
  const json::object streamed = Streamed(std::to_string(sent.Json().at("id").to_number<int64_t>()));
  ASSERT_FALSE(streamed.empty()) << parley_->logs();
  const json::object& media = streamed.at("media").as_object();
  EXPECT_EQ(media.at("type"), "document");
  EXPECT_EQ(media.at("mime_type"), "application/pdf");
  EXPECT_EQ(media.at("filename"), "invoice.pdf");
  EXPECT_EQ(media.at("bytes").to_number<int64_t>(), static_cast<int64_t>(pdf.size()));
  EXPECT_TRUE(media.at("thumbnail_url").is_null());
  HttpResult file = Fetch(media.at("url"));
  EXPECT_EQ(file.status, 200);
  EXPECT_EQ(file.body, pdf);
  // Downloaded, never rendered in Parley's origin.
  EXPECT_EQ(file.headers["content-disposition"], "attachment");
  EXPECT_EQ(file.headers["content-security-policy"], "default-src 'none'; sandbox");
}

}  // namespace
}  // namespace parley::testing
