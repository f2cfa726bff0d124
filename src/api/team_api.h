#pragma once
// Bringing people in, and back in, by e-mail (docs/dashboard.md, "Team"):
//   invitations      GET/POST /api/invitations   POST /api/invitations/{id}/resend   DELETE /api/invitations/{id}
//                    (admins; nobody invites above their own role)
//                    POST /api/invitations/lookup {"token"} and POST /api/invitations/accept {"token", "name",
//                    "password"} (public: the token is the credential) → the new user, signed in
//   forgotten        POST /api/auth/forgot-password {"email"} (public) → 202 whether or not the account exists; the
//   passwords        reset link (api/access_api.h MakePasswordResetLink) goes by e-mail
//
// An invitation's token is random, stored as its SHA-256, works once and expires after 7 days; a resend replaces it,
// a revocation ends it. With SMTP (mail/mailer.h) the link goes by e-mail, in the invitation's language; without
// it the answers to create and resend carry the `link` for the admin to hand over. Every change is audit-logged.

#include "api/auth.h"
#include "api/route_table.h"
#include "core/blocking_pool.h"
#include "core/bounded_pool.h"
#include "core/config.h"
#include "core/rate_limiter.h"
#include "mail/mailer.h"
#include "store/store.h"
#include "store/team_store.h"

namespace parley::api {

inline constexpr int64_t kInvitationTtlMs = int64_t{7} * 24 * 3600 * 1000;

class TeamApi {
 public:
  // Every reference must outlive this. `mailer` may be disabled (no SMTP), never null. `limiters` makes the
  // buckets of the public routes.
  TeamApi(const Config& config, store::Store& store, BlockingPool& pool, BoundedPool& hashing, Authenticator& auth,
          mail::Mailer& mailer, const RateLimiterFactory& limiters);

  void RegisterRoutes(RouteTable& routes);

 private:
  using Handler = boost::asio::awaitable<http::Response> (TeamApi::*)(const Principal& caller,
                                                                      const http::Request& request,
                                                                      const http::RouteContext& route);
  boost::asio::awaitable<http::Response> ListInvitations(const Principal&, const http::Request&,
                                                         const http::RouteContext&);
  boost::asio::awaitable<http::Response> Invite(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Resend(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Revoke(const Principal&, const http::Request&, const http::RouteContext&);
  boost::asio::awaitable<http::Response> Lookup(const http::Request& request, const http::RouteContext& route);
  boost::asio::awaitable<http::Response> Accept(const http::Request& request, const http::RouteContext& route);
  boost::asio::awaitable<http::Response> ForgotPassword(const http::Request& request, const http::RouteContext& route);
  // The reset link of the account with `email`, if any, by e-mail. Runs after the 202 is answered.
  boost::asio::awaitable<void> SendResetLink(std::string email);

  // The invitation e-mail for `invitation` with `link`, when e-mail is on.
  Result<std::optional<store::OutgoingMail>> InvitationMail(const Principal& caller, const std::string& email,
                                                            const std::string& role, const std::string& language,
                                                            const std::string& link, int64_t expires_at_ms);

  const Config& config_;
  store::Store& store_;
  BlockingPool& pool_;
  BoundedPool& hashing_;
  Authenticator& auth_;
  mail::Mailer& mailer_;
  std::unique_ptr<RateLimiter> public_by_address_;  // Lookups, acceptances and forgotten passwords per client address.
  std::unique_ptr<RateLimiter> resets_by_account_;  // Reset e-mails per address asked for: a mailbox is not flooded.
};

// An invitation as the API shows it; `link` only when e-mail is off and the token was just made.
boost::json::object InvitationJson(const store::Invitation& invitation, int64_t now_ms,
                                   const std::optional<std::string>& link = std::nullopt);

}  // namespace parley::api
