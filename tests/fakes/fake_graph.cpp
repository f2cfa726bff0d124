#include "fakes/fake_graph.h"

#include "http/server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

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
};

bool IsSend(const RecordedRequest& r) {
  const auto* o = r.body.if_object();
  if (o == nullptr) return false;
  return !o->contains("sender_action") && !o->contains("status");
}

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
        if (send && fail_sends_.load() > 0) {
          --fail_sends_;
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
          std::string to(body.at("to").as_string());
          co_return http::JsonResponse(http::Status::ok,
                                       {{"messaging_product", "whatsapp"},
                                        {"contacts", boost::json::array{{{"input", to}, {"wa_id", to}}}},
                                        {"messages", boost::json::array{{{"id", "wamid.FAKE" + std::to_string(id)}}}}});
        }
        std::string recipient(body.at("recipient").as_object().at("id").as_string());
        if (!send) co_return http::JsonResponse(http::Status::ok, {{"recipient_id", recipient}});
        co_return http::JsonResponse(http::Status::ok,
                                     {{"recipient_id", recipient}, {"message_id", "mid.FAKE" + std::to_string(id)}});
      });
  http::ServerOptions options;
  options.port = 0;
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

bool FakeGraph::WaitForSends(size_t n, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (sends().size() >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return sends().size() >= n;
}

}  // namespace parley::testing
