#include "fakes/fake_stripe.h"

#include "http/server.h"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/url/url.hpp>

#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace parley::testing {

std::string StripeRequest::Field(const std::string& name) const {
  for (const auto& [key, value] : form) {
    if (key == name) return value;
  }
  return {};
}

struct FakeStripe::Impl {
  std::string secret_key;
  boost::asio::io_context io;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread thread;
  mutable std::mutex mutex;
  std::vector<StripeRequest> requests;  // GUARDED_BY(mutex)
  std::set<std::string> prices;         // GUARDED_BY(mutex)
  std::set<std::string> customers;      // GUARDED_BY(mutex)
  struct Replay {
    std::string path;
    std::string body;
    http::Response response;
  };
  std::map<std::string, Replay> by_idempotency_key;  // GUARDED_BY(mutex)
  int fail_next = 0;                                 // GUARDED_BY(mutex)
  int fail_status = 500;                             // GUARDED_BY(mutex)
  int next_id = 0;                                   // GUARDED_BY(mutex)
};

namespace {

http::Response StripeError(http::Status status, const std::string& type, const std::string& code,
                           const std::string& message, const std::string& param = {}) {
  boost::json::object error{{"type", type}, {"message", message}};
  if (!code.empty()) error["code"] = code;
  if (!param.empty()) error["param"] = param;
  return http::JsonResponse(status, {{"error", std::move(error)}});
}

std::vector<std::pair<std::string, std::string>> DecodeForm(const std::string& body) {
  boost::urls::url url;
  url.set_encoded_query(body);
  std::vector<std::pair<std::string, std::string>> fields;
  for (auto param : url.params()) fields.emplace_back(param.key, param.value);
  return fields;
}

}  // namespace

FakeStripe::FakeStripe(std::string secret_key) : impl_(std::make_unique<Impl>()) {
  impl_->secret_key = std::move(secret_key);
  // Both calls share Stripe's request handling: record, outage, key, idempotency; `answer` does the rest.
  auto handle = [this](const http::Request& request,
                       const std::function<http::Response(const StripeRequest&, int id)>& answer) {
    StripeRequest recorded{"POST",
                           std::string(request.target()),
                           std::string(request[boost::beast::http::field::authorization]),
                           std::string(request[boost::beast::http::field::content_type]),
                           std::string(request["Idempotency-Key"]),
                           DecodeForm(request.body()),
                           request.body()};
    std::lock_guard lock(impl_->mutex);
    impl_->requests.push_back(recorded);
    if (impl_->fail_next > 0) {
      --impl_->fail_next;
      return StripeError(static_cast<http::Status>(impl_->fail_status), "api_error", "", "An unknown error occurred");
    }
    if (recorded.authorization != "Bearer " + impl_->secret_key) {
      return StripeError(http::Status::unauthorized, "invalid_request_error", "",
                         "Invalid API Key provided: " + recorded.authorization.substr(0, 14) + "***");
    }
    if (!recorded.idempotency_key.empty()) {
      auto seen = impl_->by_idempotency_key.find(recorded.idempotency_key);
      if (seen != impl_->by_idempotency_key.end()) {
        if (seen->second.path != recorded.path || seen->second.body != recorded.raw_body) {
          return StripeError(http::Status::bad_request, "idempotency_error", "",
                             "Keys for idempotent requests can only be used with the same parameters they were "
                             "first used with. Try using a key other than '" +
                                 recorded.idempotency_key + "' if you meant to execute a different request.");
        }
        http::Response replay = seen->second.response;
        replay.set("Idempotent-Replayed", "true");
        return replay;
      }
    }
    http::Response response = answer(recorded, ++impl_->next_id);
    // Stripe keeps the answers of requests that ran (not those refused before running).
    if (!recorded.idempotency_key.empty() && response.result_int() < 500) {
      impl_->by_idempotency_key[recorded.idempotency_key] = {recorded.path, recorded.raw_body, response};
    }
    return response;
  };

  impl_->router.Add(http::Verb::post, "/v1/checkout/sessions",
                    [this, handle](const http::Request& request,
                                   const http::RouteContext&) -> boost::asio::awaitable<http::Response> {
                      co_return handle(request, [this](const StripeRequest& r, int id) -> http::Response {
                        if (r.Field("mode").empty()) {
                          return StripeError(http::Status::bad_request, "invalid_request_error", "parameter_missing",
                                             "Missing required param: mode.", "mode");
                        }
                        const std::string price = r.Field("line_items[0][price]");
                        if (!impl_->prices.contains(price)) {
                          return StripeError(http::Status::bad_request, "invalid_request_error", "resource_missing",
                                             "No such price: '" + price + "'", "line_items[0][price]");
                        }
                        const std::string customer = r.Field("customer");
                        if (!customer.empty() && !impl_->customers.contains(customer)) {
                          return StripeError(http::Status::bad_request, "invalid_request_error", "resource_missing",
                                             "No such customer: '" + customer + "'", "customer");
                        }
                        if (r.Field("mode") == "subscription" && r.Field("success_url").empty()) {
                          return StripeError(http::Status::bad_request, "invalid_request_error", "parameter_missing",
                                             "Missing required param: success_url.", "success_url");
                        }
                        const std::string session = "cs_test_fake" + std::to_string(id);
                        auto nullable = [](const std::string& s) {
                          return s.empty() ? boost::json::value() : boost::json::value(s);
                        };
                        return http::JsonResponse(http::Status::ok,
                                                  {{"id", session},
                                                   {"object", "checkout.session"},
                                                   {"mode", r.Field("mode")},
                                                   {"status", "open"},
                                                   {"client_reference_id", nullable(r.Field("client_reference_id"))},
                                                   {"customer", nullable(customer)},
                                                   {"success_url", r.Field("success_url")},
                                                   {"cancel_url", nullable(r.Field("cancel_url"))},
                                                   {"livemode", false},
                                                   {"url", "https://checkout.stripe.com/c/pay/" + session}});
                      });
                    });
  impl_->router.Add(
      http::Verb::post, "/v1/billing_portal/sessions",
      [this, handle](const http::Request& request,
                     const http::RouteContext&) -> boost::asio::awaitable<http::Response> {
        co_return handle(request, [this](const StripeRequest& r, int id) -> http::Response {
          const std::string customer = r.Field("customer");
          if (customer.empty()) {
            return StripeError(http::Status::bad_request, "invalid_request_error", "parameter_missing",
                               "Missing required param: customer.", "customer");
          }
          if (!impl_->customers.contains(customer)) {
            return StripeError(http::Status::bad_request, "invalid_request_error", "resource_missing",
                               "No such customer: '" + customer + "'", "customer");
          }
          boost::json::value flow;
          if (!r.Field("flow_data[type]").empty()) {
            flow = boost::json::object{
                {"type", r.Field("flow_data[type]")},
                {"subscription_update", {{"subscription", r.Field("flow_data[subscription_update][subscription]")}}}};
          }
          const std::string session = "bps_fake" + std::to_string(id);
          return http::JsonResponse(http::Status::ok,
                                    {{"id", session},
                                     {"object", "billing_portal.session"},
                                     {"customer", customer},
                                     {"flow", flow},
                                     {"livemode", false},
                                     {"return_url", r.Field("return_url")},
                                     {"url", "https://billing.stripe.com/p/session/test_" + session}});
        });
      });

  http::ServerOptions options;
  options.port = 0;
  impl_->server = std::make_unique<http::Server>(impl_->io.get_executor(), options, impl_->router);
  if (!impl_->server->Start()) throw std::runtime_error("fake stripe cannot listen");
  impl_->thread = std::thread([this] {
    auto guard = boost::asio::make_work_guard(impl_->io);
    impl_->io.run();
  });
}

FakeStripe::~FakeStripe() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string FakeStripe::base_url() const { return "http://127.0.0.1:" + std::to_string(impl_->server->port()); }

std::vector<StripeRequest> FakeStripe::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

void FakeStripe::AddPrice(const std::string& price_id) {
  std::lock_guard lock(impl_->mutex);
  impl_->prices.insert(price_id);
}

void FakeStripe::AddCustomer(const std::string& customer_id) {
  std::lock_guard lock(impl_->mutex);
  impl_->customers.insert(customer_id);
}

void FakeStripe::FailNext(int n, int status) {
  std::lock_guard lock(impl_->mutex);
  impl_->fail_next = n;
  impl_->fail_status = status;
}

}  // namespace parley::testing
