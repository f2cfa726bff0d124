#include "fakes/fake_graph.h"

#include "core/crypto.h"
#include "http/multipart.h"
#include "http/server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

namespace parley::testing {

struct FakeGraph::Impl {
  boost::asio::io_context io;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread thread;
  mutable std::mutex mutex;
  std::vector<RecordedRequest> requests;  // GUARDED_BY(mutex)
  int next_id = 0;                        // GUARDED_BY(mutex)

  // What businesses connected (all GUARDED_BY(mutex)).
  struct Node {
    boost::json::object fields;
    std::set<std::string> tokens;  // Tokens that may read it.
  };
  struct Code {
    std::string redirect_uri;
    std::string user_token;
  };
  std::map<std::string, Node> nodes;
  std::set<std::string> known_tokens;
  std::map<std::string, std::vector<std::string>> wabas_of_token;
  std::map<std::string, Node> wabas;  // fields.phone_numbers: the numbers' ids
  std::map<std::string, boost::json::array> pages_of_user;
  std::string app_id;
  std::string app_secret;
  std::map<std::string, Code> codes;
  std::string login_user_token;  // Who signs in at the Login dialog; empty: the person declines.
  int issued_codes = 0;
  std::map<std::string, Node> templates_of_waba;  // fields.data: the templates, in the order added
  struct MediaFile {
    std::string token;  // The channel token that may read it.
    std::string bytes;
    std::string mime_type;
  };
  std::map<std::string, MediaFile> media;  // By media id.
  int media_downloads = 0;
  std::map<std::string, MediaFile> cdn_files;  // By asset id; no token.
  int cdn_downloads = 0;
  int cdn_downloads_with_authorization = 0;
  std::map<std::string, FakeComment> comments;  // By comment id.
  std::vector<FakeUpload> uploads;              // In the order received.
};

namespace {

http::Response GraphError(http::Status status, int code, const std::string& message) {
  return http::JsonResponse(
      status,
      {{"error", {{"message", message}, {"type", "OAuthException"}, {"code", code}, {"fbtrace_id", "FakeTrace"}}}});
}

std::string BearerOf(const http::Request& request) {
  std::string header(request[boost::beast::http::field::authorization]);
  constexpr std::string_view kBearer = "Bearer ";
  return header.rfind(kBearer, 0) == 0 ? header.substr(kBearer.size()) : std::string();
}

// The node's fields named in `fields` (comma-separated; nested selections are not needed here), with its id.
boost::json::object Select(const boost::json::object& node, std::string_view fields) {
  boost::json::object out{{"id", node.at("id")}};
  while (!fields.empty()) {
    auto comma = fields.find(',');
    std::string_view name = fields.substr(0, comma);
    if (const auto* v = node.if_contains(name)) out[name] = *v;
    fields = comma == std::string_view::npos ? std::string_view() : fields.substr(comma + 1);
  }
  return out;
}

}  // namespace

bool IsSend(const RecordedRequest& r) {
  const auto* o = r.body.if_object();
  if (o == nullptr || r.path.ends_with("/media")) return false;
  return !o->contains("sender_action") && !o->contains("status") && !o->contains("hide");
}

namespace {

http::Response NoSuchObject(std::string_view id) {
  return GraphError(http::Status::bad_request, 100,
                    "Unsupported post request. Object with ID '" + std::string(id) +
                        "' does not exist, cannot be loaded due to missing permissions, or does not support this "
                        "operation.");
}

}  // namespace

FakeGraph::FakeGraph() : impl_(std::make_unique<Impl>()) {
  impl_->router.Add(
      http::Verb::post, "/{account}/messages",
      [this](const http::Request& request, const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
        RecordedRequest recorded{"POST",
                                 std::string(request.target()),
                                 std::string(request[boost::beast::http::field::authorization]),
                                 {},
                                 std::chrono::steady_clock::now()};
        boost::system::error_code ec;
        recorded.body = boost::json::parse(request.body(), ec);
        if (ec) {
          co_return http::JsonResponse(
              http::Status::bad_request,
              {{"error", {{"message", "Invalid JSON"}, {"type", "OAuthException"}, {"code", 100}}}});
        }
        const bool send = IsSend(recorded);
        int id = 0;
        {
          std::lock_guard lock(impl_->mutex);
          impl_->requests.push_back(recorded);
          id = ++impl_->next_id;
        }
        if (!send && indicator_delay_ms_ > 0) {
          auto executor = co_await boost::asio::this_coro::executor;
          boost::asio::steady_timer timer(executor, std::chrono::milliseconds(indicator_delay_ms_.load()));
          co_await timer.async_wait(boost::asio::use_awaitable);
        }
        if (send && std::chrono::steady_clock::now().time_since_epoch().count() < sends_down_until_ns_.load()) {
          ++failed_sends_;
          co_return http::JsonResponse(http::Status::service_unavailable,
                                       {{"error",
                                         {{"message", "Service temporarily unavailable"},
                                          {"type", "OAuthException"},
                                          {"code", 2},
                                          {"is_transient", true},
                                          {"fbtrace_id", "AbCdEf"}}}});
        }
        if (send && fail_sends_.load() > 0) {
          --fail_sends_;
          ++failed_sends_;
          co_return http::JsonResponse(static_cast<http::Status>(fail_status_.load()),
                                       {{"error",
                                         {{"message", "(#131000) Something went wrong"},
                                          {"type", "OAuthException"},
                                          {"code", 131000},
                                          {"fbtrace_id", "AbCdEf"}}}});
        }
        const auto& body = recorded.body.as_object();
        if (body.contains("messaging_product")) {
          if (!send) co_return http::JsonResponse(http::Status::ok, {{"success", true}});
          if (auto refused = CheckMediaById(body, std::string(route.Param("account").value_or("")))) {
            co_return *refused;
          }
          std::string to(body.at("to").as_string());
          co_return http::JsonResponse(http::Status::ok,
                                       {{"messaging_product", "whatsapp"},
                                        {"contacts", boost::json::array{{{"input", to}, {"wa_id", to}}}},
                                        {"messages", boost::json::array{{{"id", "wamid.FAKE" + std::to_string(id)}}}}});
        }
        if (const auto* comment_id = body.at("recipient").as_object().if_contains("comment_id")) {
          // Instagram's private reply: one message to the comment's author, once per comment.
          const std::string message_id = "mid.FAKE" + std::to_string(id);
          std::string commenter_id;
          {
            std::lock_guard lock(impl_->mutex);
            auto comment = impl_->comments.find(std::string(comment_id->as_string()));
            if (comment == impl_->comments.end() || comment->second.deleted) {
              co_return NoSuchObject(comment_id->as_string());
            }
            if (comment->second.private_replies > 0) {
              co_return GraphError(http::Status::bad_request, 10,
                                   "(#10) This comment already has a private reply: only one may be sent");
            }
            ++comment->second.private_replies;
            comment->second.private_reply_id = message_id;
            commenter_id = comment->second.commenter_id;
          }
          if (private_reply_delay_ms_ > 0) {
            auto executor = co_await boost::asio::this_coro::executor;
            boost::asio::steady_timer timer(executor, std::chrono::milliseconds(private_reply_delay_ms_.load()));
            co_await timer.async_wait(boost::asio::use_awaitable);
          }
          co_return http::JsonResponse(http::Status::ok, {{"recipient_id", commenter_id}, {"message_id", message_id}});
        }
        std::string recipient(body.at("recipient").as_object().at("id").as_string());
        if (const auto* type = body.if_contains("messaging_type")) {
          // Messenger's Send API: the type must be one of Meta's, and a MESSAGE_TAG names its tag.
          const bool known = *type == "RESPONSE" || *type == "UPDATE" || *type == "MESSAGE_TAG";
          if (!known || (*type == "MESSAGE_TAG" && !body.contains("tag"))) {
            co_return GraphError(http::Status::bad_request, 100, "(#100) Param messaging_type must be valid");
          }
        }
        if (!send) co_return http::JsonResponse(http::Status::ok, {{"recipient_id", recipient}});
        co_return http::JsonResponse(http::Status::ok,
                                     {{"recipient_id", recipient}, {"message_id", "mid.FAKE" + std::to_string(id)}});
      });
  // Every GET is recorded; a planned outage answers it before anything else.
  auto read = [this](const http::Request& request) -> std::optional<http::Response> {
    {
      std::lock_guard lock(impl_->mutex);
      impl_->requests.push_back({"GET",
                                 std::string(request.target()),
                                 std::string(request[boost::beast::http::field::authorization]),
                                 {},
                                 std::chrono::steady_clock::now()});
    }
    if (fail_reads_.load() > 0) {
      --fail_reads_;
      return GraphError(static_cast<http::Status>(fail_read_status_.load()), 2, "Service temporarily unavailable");
    }
    return std::nullopt;
  };
  impl_->router.Add(
      http::Verb::get, "/oauth/access_token",
      [this, read](const http::Request& request,
                   const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
        if (auto failed = read(request)) co_return *failed;
        std::lock_guard lock(impl_->mutex);
        if (route.Query("client_id").value_or("") != impl_->app_id ||
            route.Query("client_secret").value_or("") != impl_->app_secret || impl_->app_id.empty()) {
          co_return GraphError(http::Status::bad_request, 101, "Error validating application. Invalid application ID.");
        }
        auto code = impl_->codes.find(std::string(route.Query("code").value_or("")));
        if (code == impl_->codes.end()) {
          co_return GraphError(http::Status::bad_request, 100, "Invalid verification code format.");
        }
        if (route.Query("redirect_uri").value_or("") != code->second.redirect_uri) {
          co_return GraphError(http::Status::bad_request, 100,
                               "Error validating verification code. Please make sure your redirect_uri is identical "
                               "to the one you used in the OAuth dialog request");
        }
        std::string token = code->second.user_token;
        impl_->codes.erase(code);  // A code is used once.
        co_return http::JsonResponse(http::Status::ok,
                                     {{"access_token", token}, {"token_type", "bearer"}, {"expires_in", 5183944}});
      });
  // The Login dialog, already signed in and granting: what a person's browser goes through at facebook.com.
  impl_->router.Add(http::Verb::get, "/dialog/oauth",
                    [this, read](const http::Request& request,
                                 const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
                      if (auto failed = read(request)) co_return *failed;
                      std::lock_guard lock(impl_->mutex);
                      std::string redirect_uri(route.Query("redirect_uri").value_or(""));
                      if (impl_->app_id.empty() || route.Query("client_id").value_or("") != impl_->app_id ||
                          redirect_uri.empty() || route.Query("response_type").value_or("") != "code") {
                        co_return http::TextResponse(http::Status::bad_request, "Invalid App ID or redirect_uri",
                                                     "text/html");
                      }
                      auto parsed = boost::urls::parse_uri(redirect_uri);
                      if (!parsed)
                        co_return http::TextResponse(http::Status::bad_request, "Invalid redirect_uri", "text/html");
                      boost::urls::url back(*parsed);
                      if (impl_->login_user_token.empty()) {
                        back.params().append({"error", "access_denied"});
                        back.params().append({"error_reason", "user_denied"});
                        back.params().append({"error_description", "Permissions error"});
                      } else {
                        std::string code = "fake-code-" + std::to_string(++impl_->issued_codes);
                        impl_->codes[code] = {redirect_uri, impl_->login_user_token};
                        back.params().append({"code", code});
                      }
                      back.params().append({"state", std::string(route.Query("state").value_or(""))});
                      http::Response found(http::Status::found, request.version());
                      found.set(boost::beast::http::field::location, back.buffer());
                      found.prepare_payload();
                      co_return found;
                    });
  impl_->router.Add(
      http::Verb::get, "/debug_token",
      [this, read](const http::Request& request,
                   const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
        if (auto failed = read(request)) co_return *failed;
        std::lock_guard lock(impl_->mutex);
        if (impl_->app_id.empty() || BearerOf(request) != impl_->app_id + "|" + impl_->app_secret) {
          co_return GraphError(http::Status::bad_request, 190,
                               "Invalid OAuth access token - Cannot parse access token");
        }
        std::string input(route.Query("input_token").value_or(""));
        if (!impl_->known_tokens.contains(input)) {
          co_return http::JsonResponse(
              http::Status::ok,
              {{"data",
                {{"error", {{"code", 190}, {"message", "Invalid OAuth access token."}}}, {"is_valid", false}}}});
        }
        boost::json::array targets;
        for (const auto& waba : impl_->wabas_of_token[input]) targets.push_back(boost::json::string(waba));
        boost::json::array granular{{{"scope", "whatsapp_business_management"}, {"target_ids", targets}},
                                    {{"scope", "whatsapp_business_messaging"}, {"target_ids", targets}}};
        co_return http::JsonResponse(
            http::Status::ok,
            {{"data",
              {{"app_id", impl_->app_id},
               {"type", "USER"},
               {"is_valid", true},
               {"scopes", boost::json::array{"whatsapp_business_management", "whatsapp_business_messaging"}},
               {"granular_scopes", std::move(granular)},
               {"user_id", "10222270944537964"}}}});
      });
  impl_->router.Add(
      http::Verb::get, "/me/accounts",
      [this, read](const http::Request& request, const http::RouteContext&) -> boost::asio::awaitable<http::Response> {
        if (auto failed = read(request)) co_return *failed;
        std::lock_guard lock(impl_->mutex);
        std::string token = BearerOf(request);
        if (!impl_->known_tokens.contains(token)) {
          co_return GraphError(http::Status::bad_request, 190,
                               "Invalid OAuth access token - Cannot parse access token");
        }
        co_return http::JsonResponse(http::Status::ok, {{"data", impl_->pages_of_user[token]}});
      });
  impl_->router.Add(http::Verb::get, "/{waba}/phone_numbers",
                    [this, read](const http::Request& request,
                                 const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
                      if (auto failed = read(request)) co_return *failed;
                      std::lock_guard lock(impl_->mutex);
                      std::string token = BearerOf(request);
                      auto waba = impl_->wabas.find(std::string(route.Param("waba").value_or("")));
                      if (waba == impl_->wabas.end() || !waba->second.tokens.contains(token)) {
                        co_return GraphError(http::Status::bad_request, 100, "Unsupported get request.");
                      }
                      boost::json::array data;
                      for (const auto& id : waba->second.fields.at("phone_numbers").as_array()) {
                        data.push_back(impl_->nodes.at(std::string(id.as_string())).fields);
                      }
                      co_return http::JsonResponse(http::Status::ok, {{"data", std::move(data)}});
                    });
  impl_->router.Add(
      http::Verb::get, "/{waba}/message_templates",
      [this, read](const http::Request& request,
                   const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
        if (auto failed = read(request)) co_return *failed;
        std::lock_guard lock(impl_->mutex);
        std::string token = BearerOf(request);
        if (!impl_->known_tokens.contains(token)) {
          co_return GraphError(http::Status::bad_request, 190,
                               "Invalid OAuth access token - Cannot parse access token");
        }
        std::string waba_id(route.Param("waba").value_or(""));
        auto waba = impl_->templates_of_waba.find(waba_id);
        if (waba == impl_->templates_of_waba.end() || !waba->second.tokens.contains(token)) {
          co_return GraphError(http::Status::bad_request, 100,
                               "Unsupported get request. Object with ID '" + waba_id +
                                   "' does not exist, cannot be loaded due to missing permissions, or does not "
                                   "support this operation.");
        }
        const auto& all = waba->second.fields.at("data").as_array();
        size_t limit = 25;
        if (auto raw = route.Query("limit")) limit = std::max<size_t>(1, std::stoul(std::string(*raw)));
        size_t first = 0;
        if (auto after = route.Query("after"); after && after->size() > 1) {
          first = std::stoul(std::string(*after).substr(1));
        }
        boost::json::array data;
        for (size_t i = first; i < all.size() && data.size() < limit; ++i) data.push_back(all[i]);
        boost::json::object answer{{"data", data}};
        if (!data.empty()) {
          const size_t end = first + data.size();
          boost::json::object paging{
              {"cursors", {{"before", "c" + std::to_string(first)}, {"after", "c" + std::to_string(end)}}}};
          if (end < all.size()) {
            paging["next"] = base_url() + "/" + waba_id + "/message_templates?limit=" + std::to_string(limit) +
                             "&after=c" + std::to_string(end);
          }
          answer["paging"] = std::move(paging);
        }
        co_return http::JsonResponse(http::Status::ok, answer);
      });
  // Download Media: the URL Retrieve Media URL gave, with the same bearer token; expired after five minutes.
  impl_->router.Add(
      http::Verb::get, "/whatsapp_business/attachments",
      [this, read](const http::Request& request,
                   const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
        if (auto failed = read(request)) co_return *failed;
        std::lock_guard lock(impl_->mutex);
        std::string id(route.Query("mid").value_or(""));
        std::string ext(route.Query("ext").value_or(""));
        auto media = impl_->media.find(id);
        const auto now =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        const bool signed_here = route.Query("hash").value_or("") == crypto::Sha256Hex(id + ext).substr(0, 16);
        if (media == impl_->media.end() || !signed_here || now - std::atoll(ext.c_str()) > 300) {
          co_return http::TextResponse(http::Status::not_found, "URL signature expired", "text/html");
        }
        if (BearerOf(request) != media->second.token) {
          co_return GraphError(http::Status::unauthorized, 190, "Invalid OAuth access token");
        }
        ++impl_->media_downloads;
        http::Response response{http::Status::ok, 11};
        response.set(boost::beast::http::field::content_type, media->second.mime_type);
        response.set(boost::beast::http::field::content_disposition, "attachment; filename=" + id);
        response.body() = media->second.bytes;
        response.prepare_payload();
        co_return response;
      });
  impl_->router.Add(
      http::Verb::get, "/ig_messaging_cdn",
      [this](const http::Request& request, const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
        std::lock_guard lock(impl_->mutex);
        std::string asset(route.Query("asset_id").value_or(""));
        auto file = impl_->cdn_files.find(asset);
        if (file == impl_->cdn_files.end() ||
            route.Query("signature").value_or("") != crypto::Sha256Hex("cdn" + asset).substr(0, 24)) {
          co_return http::TextResponse(http::Status::forbidden, "URL signature expired", "text/plain");
        }
        ++impl_->cdn_downloads;
        if (request.find(boost::beast::http::field::authorization) != request.end()) {
          ++impl_->cdn_downloads_with_authorization;
        }
        http::Response response{http::Status::ok, 11};
        response.set(boost::beast::http::field::content_type, file->second.mime_type);
        response.body() = file->second.bytes;
        response.prepare_payload();
        co_return response;
      });
  impl_->router.Add(
      http::Verb::get, "/{node}",
      [this, read](const http::Request& request,
                   const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
        if (auto failed = read(request)) co_return *failed;
        std::lock_guard lock(impl_->mutex);
        std::string token = BearerOf(request);
        if (!impl_->known_tokens.contains(token)) {
          co_return GraphError(http::Status::bad_request, 190,
                               "Invalid OAuth access token - Cannot parse access token");
        }
        std::string id(route.Param("node").value_or(""));
        // Retrieve Media URL: a download URL valid for five minutes, with what Meta says of the file.
        if (auto media = impl_->media.find(id); media != impl_->media.end() && media->second.token == token) {
          const auto issued =
              std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
          co_return http::JsonResponse(
              http::Status::ok,
              {{"messaging_product", "whatsapp"},
               {"url", base_url() + "/whatsapp_business/attachments?mid=" + id + "&ext=" + std::to_string(issued) +
                           "&hash=" + crypto::Sha256Hex(id + std::to_string(issued)).substr(0, 16)},
               {"mime_type", media->second.mime_type},
               {"sha256", crypto::Sha256Hex(media->second.bytes)},
               {"file_size", std::to_string(media->second.bytes.size())},
               {"id", id}});
        }
        auto node = impl_->nodes.find(id);
        if (node == impl_->nodes.end() || !node->second.tokens.contains(token)) {
          co_return GraphError(http::Status::bad_request, 100,
                               "Unsupported get request. Object with ID '" + id +
                                   "' does not exist, cannot be loaded due to missing permissions, or does not "
                                   "support this operation.");
        }
        co_return http::JsonResponse(http::Status::ok, Select(node->second.fields, route.Query("fields").value_or("")));
      });
  AddCommentRoutes();
  AddUploadRoute();
  http::ServerOptions options;
  options.port = 0;
  options.max_body_bytes = 110 << 20;  // WhatsApp takes documents up to 100 MB.
  impl_->server = std::make_unique<http::Server>(impl_->io.get_executor(), options, impl_->router);
  if (!impl_->server->Start()) throw std::runtime_error("fake graph cannot listen");
  impl_->thread = std::thread([this] {
    auto guard = boost::asio::make_work_guard(impl_->io);
    impl_->io.run();
  });
}

FakeGraph::~FakeGraph() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string FakeGraph::base_url() const { return "http://127.0.0.1:" + std::to_string(impl_->server->port()); }

void FakeGraph::AddMedia(const std::string& media_id, const std::string& token, std::string bytes,
                         std::string mime_type) {
  std::lock_guard lock(impl_->mutex);
  impl_->known_tokens.insert(token);
  impl_->media[media_id] = {token, std::move(bytes), std::move(mime_type)};
}

int FakeGraph::media_downloads() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->media_downloads;
}

std::string FakeGraph::AddCdnFile(std::string bytes, std::string mime_type) {
  std::lock_guard lock(impl_->mutex);
  const std::string asset = std::to_string(17900000000000000 + impl_->cdn_files.size());
  impl_->cdn_files[asset] = {{}, std::move(bytes), std::move(mime_type)};
  return base_url() + "/ig_messaging_cdn?asset_id=" + asset +
         "&signature=" + crypto::Sha256Hex("cdn" + asset).substr(0, 24);
}

int FakeGraph::cdn_downloads() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->cdn_downloads;
}

int FakeGraph::cdn_downloads_with_authorization() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->cdn_downloads_with_authorization;
}

std::vector<RecordedRequest> FakeGraph::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::vector<RecordedRequest> FakeGraph::sends() const {
  std::vector<RecordedRequest> out;
  for (auto& r : requests()) {
    if (IsSend(r)) out.push_back(r);
  }
  return out;
}

std::vector<RecordedRequest> FakeGraph::template_sends() const {
  std::vector<RecordedRequest> out;
  for (auto& r : sends()) {
    const auto* type = r.body.as_object().if_contains("type");
    if (type != nullptr && *type == "template") out.push_back(r);
  }
  return out;
}

bool FakeGraph::WaitForSends(size_t n, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (sends().size() >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return sends().size() >= n;
}

}  // namespace parley::testing

namespace parley::testing {

void FakeGraph::AddWhatsAppBusiness(const std::string& token, const std::string& waba_id,
                                    std::vector<FakePhoneNumber> numbers) {
  std::lock_guard lock(impl_->mutex);
  impl_->known_tokens.insert(token);
  impl_->wabas_of_token[token].push_back(waba_id);
  Impl::Node& waba = impl_->wabas[waba_id];
  waba.tokens.insert(token);
  boost::json::array ids;
  for (const auto& number : numbers) {
    ids.push_back(boost::json::string(number.id));
    Impl::Node& node = impl_->nodes[number.id];
    node.fields = {{"id", number.id},
                   {"display_phone_number", number.display_phone_number},
                   {"verified_name", number.verified_name},
                   {"quality_rating", "GREEN"}};
    node.tokens.insert(token);
  }
  waba.fields["phone_numbers"] = std::move(ids);
}

void FakeGraph::AddInstagramAccount(const std::string& user_token, const std::string& page_id,
                                    const std::string& page_token, const std::string& account_id,
                                    const std::string& username) {
  std::lock_guard lock(impl_->mutex);
  impl_->known_tokens.insert(user_token);
  impl_->known_tokens.insert(page_token);
  Impl::Node& node = impl_->nodes[account_id];
  node.fields = {{"id", account_id}, {"username", username}, {"name", username}};
  node.tokens.insert(page_token);
  node.tokens.insert(user_token);
  impl_->pages_of_user[user_token].push_back(
      boost::json::object{{"id", page_id},
                          {"name", username + " Page"},
                          {"access_token", page_token},
                          {"instagram_business_account", {{"id", account_id}, {"username", username}}}});
}

void FakeGraph::AddFacebookPage(const std::string& user_token, const std::string& page_id,
                                const std::string& page_token, const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  impl_->known_tokens.insert(user_token);
  impl_->known_tokens.insert(page_token);
  Impl::Node& node = impl_->nodes[page_id];
  node.fields = {{"id", page_id}, {"name", name}};
  node.tokens.insert(page_token);
  node.tokens.insert(user_token);
  impl_->pages_of_user[user_token].push_back(
      boost::json::object{{"id", page_id}, {"name", name}, {"access_token", page_token}});
}

void FakeGraph::SetApp(const std::string& app_id, const std::string& app_secret) {
  std::lock_guard lock(impl_->mutex);
  impl_->app_id = app_id;
  impl_->app_secret = app_secret;
}

void FakeGraph::AddAuthorizationCode(const std::string& code, const std::string& redirect_uri,
                                     const std::string& user_token) {
  std::lock_guard lock(impl_->mutex);
  impl_->codes[code] = {redirect_uri, user_token};
}

void FakeGraph::SetLoginUser(const std::string& user_token) {
  std::lock_guard lock(impl_->mutex);
  impl_->login_user_token = user_token;
}

void FakeGraph::AddProfile(const std::string& token, const std::string& contact_id, boost::json::object fields) {
  std::lock_guard lock(impl_->mutex);
  impl_->known_tokens.insert(token);
  Impl::Node& node = impl_->nodes[contact_id];
  fields["id"] = contact_id;
  node.fields = std::move(fields);
  node.tokens.insert(token);
}

void FakeGraph::AddMessageTemplate(const std::string& waba_id, const std::string& token, boost::json::object fields) {
  std::lock_guard lock(impl_->mutex);
  impl_->known_tokens.insert(token);
  Impl::Node& waba = impl_->templates_of_waba[waba_id];
  waba.tokens.insert(token);
  auto& data = waba.fields["data"];
  if (!data.is_array()) data = boost::json::array();
  if (!fields.contains("id")) fields["id"] = std::to_string(1000000000000000 + data.as_array().size());
  data.as_array().push_back(std::move(fields));
}

}  // namespace parley::testing

namespace parley::testing {

void FakeGraph::AddCommentRoutes() {
  // Records the request (its JSON body in `recorded`) and finds the live comment its path names: nullptr for one
  // unknown or deleted, which Meta answers "does not exist". Called under the lock.
  auto target = [this](const http::Request& request, const http::RouteContext& route, std::string_view method,
                       RecordedRequest& recorded) -> FakeComment* {
    recorded = {std::string(method),
                std::string(request.target()),
                std::string(request[boost::beast::http::field::authorization]),
                {},
                std::chrono::steady_clock::now()};
    boost::system::error_code ec;
    if (!request.body().empty()) recorded.body = boost::json::parse(request.body(), ec);
    impl_->requests.push_back(recorded);
    auto comment = impl_->comments.find(std::string(route.Param("comment").value_or("")));
    return comment == impl_->comments.end() || comment->second.deleted ? nullptr : &comment->second;
  };
  // The JSON body's field `name`, or nullptr.
  auto field = [](const RecordedRequest& recorded, std::string_view name) -> const boost::json::value* {
    const auto* body = recorded.body.if_object();
    return body != nullptr ? body->if_contains(name) : nullptr;
  };
  impl_->router.Add(
      http::Verb::post, "/{comment}/replies",
      [this, target, field](const http::Request& request,
                            const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
        std::lock_guard lock(impl_->mutex);
        RecordedRequest recorded;
        FakeComment* comment = target(request, route, "POST", recorded);
        if (comment == nullptr) co_return NoSuchObject(route.Param("comment").value_or(""));
        const auto* message = field(recorded, "message");
        if (message == nullptr || !message->is_string() || message->as_string().empty()) {
          co_return GraphError(http::Status::bad_request, 100, "(#100) The parameter message is required");
        }
        comment->public_replies.emplace_back(message->as_string());
        co_return http::JsonResponse(http::Status::ok, {{"id", "1790000000" + std::to_string(++impl_->next_id)}});
      });
  impl_->router.Add(http::Verb::post, "/{comment}",
                    [this, target, field](const http::Request& request,
                                          const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
                      std::lock_guard lock(impl_->mutex);
                      RecordedRequest recorded;
                      FakeComment* comment = target(request, route, "POST", recorded);
                      if (comment == nullptr) co_return NoSuchObject(route.Param("comment").value_or(""));
                      const auto* hide = field(recorded, "hide");
                      if (hide == nullptr || !hide->is_bool()) {
                        co_return GraphError(http::Status::bad_request, 100, "(#100) The parameter hide is required");
                      }
                      comment->hidden = hide->as_bool();
                      co_return http::JsonResponse(http::Status::ok, {{"success", true}});
                    });
  impl_->router.Add(http::Verb::delete_, "/{comment}",
                    [this, target](const http::Request& request,
                                   const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
                      std::lock_guard lock(impl_->mutex);
                      RecordedRequest recorded;
                      FakeComment* comment = target(request, route, "DELETE", recorded);
                      if (comment == nullptr) co_return NoSuchObject(route.Param("comment").value_or(""));
                      comment->deleted = true;
                      co_return http::JsonResponse(http::Status::ok, {{"success", true}});
                    });
}

void FakeGraph::AddComment(const std::string& comment_id, const std::string& commenter_id) {
  std::lock_guard lock(impl_->mutex);
  impl_->comments[comment_id] = FakeComment{commenter_id};
}

std::optional<FakeComment> FakeGraph::comment(const std::string& comment_id) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->comments.find(comment_id);
  if (it == impl_->comments.end()) return std::nullopt;
  return it->second;
}

void FakeGraph::AddUploadRoute() {
  // WhatsApp's Upload Media: multipart/form-data with messaging_product=whatsapp, the file (with its name and
  // Content-Type) and its type (a MIME type); answers {"id"}. Recorded with a JSON summary of the form as its body.
  impl_->router.Add(
      http::Verb::post, "/{account}/media",
      [this](const http::Request& request, const http::RouteContext& route) -> boost::asio::awaitable<http::Response> {
        FakeUpload upload;
        upload.account = std::string(route.Param("account").value_or(""));
        upload.authorization = std::string(request[boost::beast::http::field::authorization]);
        auto boundary = http::MultipartBoundary(request[boost::beast::http::field::content_type]);
        if (!boundary) co_return GraphError(http::Status::bad_request, 100, "(#100) The request must be multipart");
        auto parts = http::ParseMultipart(request.body(), *boundary);
        if (!parts) co_return GraphError(http::Status::bad_request, 100, "(#100) " + parts.error().message);
        for (const auto& part : *parts) {
          if (part.name == "messaging_product") upload.messaging_product = std::string(part.data);
          if (part.name == "type") upload.type = std::string(part.data);
          if (part.name == "file") {
            upload.filename = part.file_name;
            upload.content_type = part.content_type;
            upload.bytes = std::string(part.data);
          }
        }
        boost::json::object summary{
            {"messaging_product", upload.messaging_product},
            {"type", upload.type},
            {"file",
             {{"filename", upload.filename}, {"content_type", upload.content_type}, {"bytes", upload.bytes.size()}}}};
        std::lock_guard lock(impl_->mutex);
        std::optional<http::Response> refused;
        if (upload.messaging_product != "whatsapp") {
          refused = GraphError(http::Status::bad_request, 100, "(#100) Param messaging_product is required");
        } else if (upload.bytes.empty() || upload.type.empty() || upload.type != upload.content_type) {
          refused = GraphError(http::Status::bad_request, 100,
                               "(#100) Param file is required, with its type as the file's Content-Type");
        } else {
          upload.id = "media.UPLOAD" + std::to_string(++impl_->next_id);
          summary["id"] = upload.id;  // What the answer gave, for tests that read the record only.
        }
        impl_->requests.push_back({"POST", std::string(request.target()), upload.authorization, std::move(summary),
                                   std::chrono::steady_clock::now()});
        if (refused) co_return *refused;
        const std::string id = upload.id;
        impl_->uploads.push_back(std::move(upload));
        co_return http::JsonResponse(http::Status::ok, {{"id", id}});
      });
}

std::optional<http::Response> FakeGraph::CheckMediaById(const boost::json::object& body, const std::string& account) {
  const auto* type = body.if_contains("type");
  if (type == nullptr || !type->is_string()) return std::nullopt;
  const std::string kind(type->as_string());
  if (kind != "image" && kind != "audio" && kind != "video" && kind != "document") return std::nullopt;
  const auto* media = body.if_contains(kind);
  const auto* id = media != nullptr && media->is_object() ? media->as_object().if_contains("id") : nullptr;
  std::lock_guard lock(impl_->mutex);
  auto upload = std::find_if(impl_->uploads.begin(), impl_->uploads.end(), [&](const FakeUpload& u) {
    return id != nullptr && id->is_string() && u.id == id->as_string();
  });
  if (upload == impl_->uploads.end() || upload->account != account) {
    return GraphError(http::Status::bad_request, 131053, "(#131053) Media upload error: unknown media id");
  }
  if (kind == "audio" && media->as_object().contains("caption")) {
    return GraphError(http::Status::bad_request, 100, "(#100) Param audio['caption'] is not allowed");
  }
  return std::nullopt;
}

std::vector<FakeUpload> FakeGraph::uploads() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->uploads;
}

}  // namespace parley::testing
