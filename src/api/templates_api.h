#pragma once
// WhatsApp message templates in the inbox. WhatsApp delivers free-form messages only within 24 hours of the
// customer's last message; past that a person reaches the customer with an approved template:
//   templates   GET /api/social-accounts/{id}/templates                                               (any role)
//               → {"data": [{name, language, category, status, parameter_format, header, body, footer, buttons,
//                  placeholders, parameter_count, sendable, unsupported_reason}]}: the channel's APPROVED
//                  templates, read from its WhatsApp Business Account (GET /{waba_id}/message_templates with the
//                  channel's token) and kept 5 minutes per channel.
//   sending     POST /api/conversations/{id}/messages {"template": {"name", "language", "parameters": ["…"]}}
//               (ConversationsApi hands such a body here): the template must be approved and sendable, with one
//               parameter per placeholder of its body ({{1}} … or named ones, in the order the list gives); the
//               thread keeps its body filled in, and the reply worker sends it as `type: template`, inside or
//               outside the 24-hour window.
// A channel without a WABA id answers 409 saying how to set one (PATCH /api/social-accounts/{id} {"waba_id"},
// `parley channel add whatsapp --waba-id`, or Meta's login); WhatsApp refusing the channel's token or WABA id answers
// 409 with Meta's message (the channel needs fixing); WhatsApp unreachable or failing, 503. No answer or log carries
// the token.

#include "api/auth.h"
#include "api/route_table.h"
#include "channels/whatsapp/template_catalog.h"
#include "core/blocking_pool.h"
#include "core/config.h"
#include "http/client.h"
#include "store/store.h"

#include <boost/json/object.hpp>

#include <functional>

namespace parley::api {

class TemplatesApi {
 public:
  // Tells the delivery path that a conversation has a person's reply queued (as ConversationsApi::Deliver).
  using Deliver = std::function<void(int64_t conversation_id)>;

  // Every reference must outlive this. `client` reaches the Graph API at config.graph_api_base_url.
  TemplatesApi(const Config& config, store::Store& store, BlockingPool& pool, http::Client& client, Deliver deliver);

  void RegisterRoutes(RouteTable& routes);

  // A person's template reply: `body` is the request's JSON object, with "template" and without "text". 202 with
  // the queued message; 400 for a malformed or unknown template, a wrong parameter count or a conversation not on
  // WhatsApp; 404 for another tenant's conversation; 409 as above or when the conversation is closed.
  boost::asio::awaitable<http::Response> Reply(const Principal& caller, int64_t conversation_id,
                                               const boost::json::object& body);

 private:
  boost::asio::awaitable<http::Response> List(const Principal& caller, const http::Request& request,
                                              const http::RouteContext& route);
  // The templates of `channel`'s WABA, every status: kConflict when it has none or WhatsApp refuses.
  boost::asio::awaitable<Result<std::vector<channels::whatsapp::MessageTemplate>>> TemplatesOf(
      const store::Channel& channel);

  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  Deliver deliver_;
  channels::whatsapp::TemplateCatalog catalog_;
};

}  // namespace parley::api
