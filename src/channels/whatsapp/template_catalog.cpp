#include "channels/whatsapp/template_catalog.h"

#include "channels/meta/parse_accounts.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <utility>

namespace parley::channels::whatsapp {
namespace {

// Meta pages the list; 20 pages of 100 hold more templates than a WhatsApp Business Account may have.
constexpr int kPageSize = 100;
constexpr int kMaxPages = 20;
constexpr std::string_view kFields = "id,name,language,status,category,parameter_format,components";

}  // namespace

boost::asio::awaitable<Result<std::vector<MessageTemplate>>> TemplateCatalog::List(int64_t channel_id,
                                                                                   std::string waba_id,
                                                                                   std::string access_token) {
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(channel_id);
    if (it != cache_.end() && it->second.waba_id == waba_id && it->second.access_token == access_token &&
        std::chrono::steady_clock::now() - it->second.fetched_at < ttl_) {
      co_return it->second.templates;
    }
  }
  auto fetched = co_await Fetch(waba_id, access_token);
  if (!fetched) co_return fetched.error();
  std::lock_guard lock(mutex_);
  cache_[channel_id] = Entry{std::move(waba_id), std::move(access_token), std::chrono::steady_clock::now(), *fetched};
  co_return std::move(*fetched);
}

boost::asio::awaitable<Result<std::vector<MessageTemplate>>> TemplateCatalog::Fetch(const std::string& waba_id,
                                                                                    const std::string& access_token) {
  std::string_view base = base_url_;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  std::vector<MessageTemplate> templates;
  std::string cursor;
  for (int page = 0; page < kMaxPages; ++page) {
    http::ClientRequest request;
    request.method = "GET";
    request.url = std::string(base) + "/" + waba_id + "/message_templates?fields=" + std::string(kFields) +
                  "&limit=" + std::to_string(kPageSize);
    if (!cursor.empty()) request.url += "&after=" + boost::urls::encode(cursor, boost::urls::unreserved_chars);
    request.headers = {{"Authorization", "Bearer " + access_token}};
    auto response = co_await client_.Send(std::move(request));
    if (!response) {
      co_return Error::Unavailable("WhatsApp cannot be reached to list the templates",
                                   response.error().message + ": " + response.error().detail);
    }
    auto answer = meta::ReadGraphAnswer(response->status, response->body);
    if (!answer) co_return answer.error();
    auto parsed = ParseTemplatePage(*answer);
    if (!parsed) {
      co_return Error::Unavailable("WhatsApp answered a template list Parley cannot read", parsed.error().message);
    }
    for (MessageTemplate& t : parsed->templates) templates.push_back(std::move(t));
    if (parsed->next_cursor.empty()) break;
    cursor = std::move(parsed->next_cursor);
  }
  co_return templates;
}

}  // namespace parley::channels::whatsapp
