#pragma once
// The people who wrote to the tenant, and the GDPR's duties towards them (docs/privacy.md):
//   list     GET /api/contacts?q=&channel_id=&platform=&cursor=&limit=   (any role): newest activity first
//   one      GET /api/contacts/{id}   (any role): {"contact", "conversations"}, newest activity first
//   export   GET /api/contacts/{id}/export   (owner, admin): everything kept about the contact, as a JSON download
//   erase    DELETE /api/contacts/{id}   (owner, admin): removes the contact and everything kept about it; the
//            audit log keeps the counts only (action contact.erase)
// Message retention (the tenant's message_retention_days, GET/PATCH /api/tenant) is applied by app/retention.h.

#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "store/contact_store.h"
#include "store/store.h"

#include <boost/json.hpp>

namespace parley::api {

class ContactsApi {
 public:
  // Every reference must outlive this.
  ContactsApi(store::Store& store, BlockingPool& pool) : store_(store), pool_(pool) {}

  void RegisterRoutes(RouteTable& routes);

 private:
  using Handler = boost::asio::awaitable<http::Response> (ContactsApi::*)(const Principal& caller,
                                                                          const http::Request& request,
                                                                          const http::RouteContext& route);
  boost::asio::awaitable<http::Response> List(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Get(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Export(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Erase(const Principal&, const http::Request&, const http::RouteContext&);

  store::Store& store_;
  BlockingPool& pool_;
};

// {"id", "channel_id", "platform", "platform_id", "name", "created_at", "last_activity_at", "conversations"}
boost::json::object ContactJson(const store::ContactInfo& contact);

}  // namespace parley::api
