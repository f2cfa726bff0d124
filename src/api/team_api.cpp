#include "api/team_api.h"

#include "api/access_api.h"
#include "api/params.h"

#include "core/crypto.h"
#include "core/log.h"
#include "core/time.h"
#include "http/client_address.h"
#include "mail/texts.h"
#include "store/tenant_store.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

namespace parley::api {
namespace {

using Verb = http::Verb;

// Tells an invitation token apart from a session token, an API key or a reset token wherever one turns up.
constexpr std::string_view kInvitationPrefix = "pri_";
constexpr int kInvitationListLimit = 200;
// Public calls per client address: enough for a person who mistypes, not for a script.
constexpr double kPublicPerAddressPerSecond = 10.0 / 60.0;
constexpr double kPublicPerAddressBurst = 10;
constexpr const char* kPublicRefusal = "too many requests from this address, retry later";
// Reset e-mails per account: one a minute, three at once.
constexpr double kResetsPerAccountPerSecond = 1.0 / 60.0;
constexpr double kResetsPerAccountBurst = 3;

std::string Status(const store::Invitation& invitation, int64_t now_ms) {
  if (invitation.status == "pending" && invitation.expires_at_ms <= now_ms) return "expired";
  return invitation.status;
}

}  // namespace

boost::json::object InvitationJson(const store::Invitation& invitation, int64_t now_ms,
                                   const std::optional<std::string>& link) {
  boost::json::object json{{"id", invitation.id},
                           {"email", invitation.email},
                           {"role", invitation.role},
                           {"language", invitation.language},
                           {"status", Status(invitation, now_ms)},
                           {"invited_by", invitation.invited_by},
                           {"created_at", FormatTimestamp(invitation.created_at_ms)},
                           {"sent_at", FormatTimestamp(invitation.sent_at_ms)},
                           {"expires_at", FormatTimestamp(invitation.expires_at_ms)},
                           {"accepted_at", TimestampOrNull(invitation.accepted_at_ms)},
                           {"revoked_at", TimestampOrNull(invitation.revoked_at_ms)}};
  if (invitation.mail) {
    json["email_delivery"] = {{"status", invitation.mail->status},
                              {"attempts", invitation.mail->attempts},
                              {"last_error", OrNull(invitation.mail->last_error.value_or(""))},
                              {"sent_at", TimestampOrNull(invitation.mail->sent_at_ms)}};
  } else {
    json["email_delivery"] = nullptr;
  }
  if (link) json["link"] = *link;
  return json;
}

TeamApi::TeamApi(const Config& config, store::Store& store, BlockingPool& pool, BoundedPool& hashing,
                 Authenticator& auth, mail::Mailer& mailer, const RateLimiterFactory& limiters)
    : config_(config),
      store_(store),
      pool_(pool),
      hashing_(hashing),
      auth_(auth),
      mailer_(mailer),
      public_by_address_(limiters("team_public_address", kPublicPerAddressPerSecond, kPublicPerAddressBurst)),
      resets_by_account_(limiters("team_resets_account", kResetsPerAccountPerSecond, kResetsPerAccountBurst)) {}

void TeamApi::RegisterRoutes(RouteTable& routes) {
  auto add = [&](Verb verb, const char* pattern, const Roles& roles, RouteDoc doc, Handler handler) {
    routes.Tenant(
        verb, pattern, roles, std::move(doc),
        [this, handler](const Principal& caller, const http::Request& request, const http::RouteContext& route) {
          return (this->*handler)(caller, request, route);
        });
  };
  add(Verb::get, "/api/invitations", kAdmins,
      {.summary = "List the tenant's invitations, newest first, each with its e-mail's delivery state; "
                  "`email_enabled` says whether Parley sends e-mail (else links are copied by hand)",
       .tag = "access",
       .response_schema = "InvitationList"},
      &TeamApi::ListInvitations);
  add(Verb::post, "/api/invitations", kAdmins,
      {.summary = "Invite an e-mail address with a role: the link goes by e-mail, or, without SMTP, is in the "
                  "answer (`link`) to hand over. Valid 7 days, once",
       .tag = "access",
       .body = BodyKind::kJson,
       .success_status = 201,
       .schema = "InvitationCreateRequest",
       .response_schema = "Invitation",
       .errors = {409}},
      &TeamApi::Invite);
  add(Verb::post, "/api/invitations/{id}/resend", kAdmins,
      {.summary = "Make a new link for a pending (or expired) invitation, valid 7 more days, and send it again; "
                  "the previous link stops working",
       .tag = "access",
       .response_schema = "Invitation",
       .errors = {409}},
      &TeamApi::Resend);
  add(Verb::delete_, "/api/invitations/{id}", kAdmins,
      {.summary = "Revoke a pending invitation: its link stops working",
       .tag = "access",
       .success_status = 204,
       .errors = {409}},
      &TeamApi::Revoke);
  routes.Public(
      Verb::post, "/api/invitations/lookup",
      {.summary = "What an invitation link is for (address, role, tenant) and whether it can still be accepted",
       .tag = "access",
       .body = BodyKind::kJson,
       .schema = "InvitationTokenRequest",
       .response_schema = "InvitationLookup",
       .errors = {404, 429}},
      [this](const http::Request& request, const http::RouteContext& route) { return Lookup(request, route); });
  routes.Public(
      Verb::post, "/api/invitations/accept",
      {.summary = "Accept an invitation: creates the user with the invitation's address and role and signs them in "
                  "(as POST /api/auth/login answers)",
       .tag = "access",
       .body = BodyKind::kJson,
       .success_status = 201,
       .schema = "InvitationAcceptRequest",
       .response_schema = "LoginResponse",
       .errors = {404, 409, 429, 503}},
      [this](const http::Request& request, const http::RouteContext& route) { return Accept(request, route); });
  routes.Public(
      Verb::post, "/api/auth/forgot-password",
      {.summary = "Ask for a password reset link by e-mail. Always 202, whether or not the account exists; the "
                  "link (valid an hour, once) goes to the account's address when Parley sends e-mail",
       .tag = "access",
       .body = BodyKind::kJson,
       .success_status = 202,
       .schema = "ForgotPasswordRequest",
       .response_schema = "ForgotPasswordAnswer",
       .errors = {429}},
      [this](const http::Request& request, const http::RouteContext& route) { return ForgotPassword(request, route); });
}

Result<std::optional<store::OutgoingMail>> TeamApi::InvitationMail(const Principal& caller, const std::string& email,
                                                                   const std::string& role, const std::string& language,
                                                                   const std::string& link, int64_t expires_at_ms) {
  if (!mailer_.enabled()) return std::optional<store::OutgoingMail>();
  auto tenant = store_.tenants().GetTenant(caller.tenant_id);
  if (!tenant) return tenant.error();
  std::string inviter;
  if (caller.user_id) {
    if (auto user = store_.access().GetUser(caller.tenant_id, *caller.user_id); user) {
      inviter = user->name.empty() ? user->email : user->name + " (" + user->email + ")";
    }
  }
  const mail::Text text = mail::InvitationText(language, tenant->name, inviter, role, link, expires_at_ms);
  auto prepared = mailer_.Prepare("invitation", caller.tenant_id, email, language, text);
  if (!prepared) return prepared.error();
  return std::optional<store::OutgoingMail>(std::move(*prepared));
}

boost::asio::awaitable<http::Response> TeamApi::ListInvitations(const Principal& caller, const http::Request&,
                                                                const http::RouteContext&) {
  auto list = [this, tenant = caller.tenant_id] { return store_.team().ListInvitations(tenant, kInvitationListLimit); };
  auto invitations = co_await pool_.Run(list);
  if (!invitations) co_return http::ErrorResponse(invitations.error());
  const int64_t now = NowMs();
  boost::json::array data;
  for (const auto& invitation : *invitations) data.push_back(InvitationJson(invitation, now));
  co_return http::JsonResponse(http::Status::ok,
                               boost::json::object{{"data", std::move(data)}, {"email_enabled", mailer_.enabled()}});
}

boost::asio::awaitable<http::Response> TeamApi::Invite(const Principal& caller, const http::Request& request,
                                                       const http::RouteContext&) {
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  if (auto known = OnlyFields(*body, {"email", "role", "language"}); !known)
    co_return http::ErrorResponse(known.error());
  auto email = OptionalString(*body, "email");
  auto role = OptionalString(*body, "role");
  auto language = OptionalString(*body, "language");
  for (const auto* field : {&email, &role, &language}) {
    if (!*field) co_return http::ErrorResponse(field->error());
  }
  if (!*email) co_return http::ErrorResponse(Error::InvalidArgument("email is required"));
  auto address = ValidEmail(**email);
  if (!address) co_return http::ErrorResponse(address.error());
  const std::string role_name = role->value_or("agent");
  auto parsed_role = RequireRole(role_name);
  if (!parsed_role) co_return http::ErrorResponse(parsed_role.error());
  if (!AtLeast(caller.role, *parsed_role)) {
    co_return http::ErrorResponse({ErrorCode::kPermissionDenied, "nobody invites above their own role", {}});
  }
  const std::string lang = language->value_or("en");
  if (!ValidLanguage(lang)) {
    co_return http::ErrorResponse(Error::InvalidArgument("language must be a two-letter code such as en or fr"));
  }

  const std::string token = std::string(kInvitationPrefix) + crypto::RandomToken(32);
  const std::string link = mailer_.options().public_url + "/accept-invite?token=" + token;
  const int64_t now = NowMs();
  store::NewInvitation invitation{
      caller.tenant_id, *address, role_name, lang, caller.Actor(), crypto::Sha256Hex(token), now + kInvitationTtlMs};
  auto create = [&]() -> Result<store::Invitation> {
    auto mail = InvitationMail(caller, *address, role_name, lang, link, invitation.expires_at_ms);
    if (!mail) return mail.error();
    return store_.team().CreateInvitation(invitation, *mail, now);
  };
  auto created = co_await pool_.Run(create);
  if (!created) co_return http::ErrorResponse(created.error());
  if (mailer_.enabled()) mailer_.Wake();
  auto audit = AuditOf(caller, "invitation.create", "invitation", std::to_string(created->id),
                       {{"email", created->email}, {"role", created->role}, {"by_email", mailer_.enabled()}});
  co_await RecordAudit(store_, pool_, audit);
  std::optional<std::string> shown;
  if (!mailer_.enabled()) shown = link;
  co_return http::JsonResponse(http::Status::created, InvitationJson(*created, now, shown));
}

boost::asio::awaitable<http::Response> TeamApi::Resend(const Principal& caller, const http::Request&,
                                                       const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such invitation"));
  const std::string token = std::string(kInvitationPrefix) + crypto::RandomToken(32);
  const std::string link = mailer_.options().public_url + "/accept-invite?token=" + token;
  const int64_t now = NowMs();
  auto renew = [&, id = *id]() -> Result<store::Invitation> {
    auto current = store_.team().GetInvitation(caller.tenant_id, id);
    if (!current) return current.error();
    if (!AtLeast(caller.role, ParseRole(current->role).value_or(Role::kOwner))) {
      return Error{ErrorCode::kPermissionDenied, "nobody invites above their own role", {}};
    }
    auto mail = InvitationMail(caller, current->email, current->role, current->language, link, now + kInvitationTtlMs);
    if (!mail) return mail.error();
    return store_.team().RenewInvitation(caller.tenant_id, id, crypto::Sha256Hex(token), now + kInvitationTtlMs, *mail,
                                         now);
  };
  auto renewed = co_await pool_.Run(renew);
  if (!renewed) co_return http::ErrorResponse(renewed.error());
  if (mailer_.enabled()) mailer_.Wake();
  auto audit = AuditOf(caller, "invitation.resend", "invitation", std::to_string(renewed->id),
                       {{"email", renewed->email}, {"by_email", mailer_.enabled()}});
  co_await RecordAudit(store_, pool_, audit);
  std::optional<std::string> shown;
  if (!mailer_.enabled()) shown = link;
  co_return http::JsonResponse(http::Status::ok, InvitationJson(*renewed, now, shown));
}

boost::asio::awaitable<http::Response> TeamApi::Revoke(const Principal& caller, const http::Request& request,
                                                       const http::RouteContext& route) {
  auto id = PathId(route);
  if (!id) co_return http::ErrorResponse(Error::NotFound("no such invitation"));
  auto revoke = [&, id = *id]() -> Result<store::Invitation> {
    auto current = store_.team().GetInvitation(caller.tenant_id, id);
    if (!current) return current.error();
    if (!AtLeast(caller.role, ParseRole(current->role).value_or(Role::kOwner))) {
      return Error{ErrorCode::kPermissionDenied, "only an owner may revoke an owner's invitation", {}};
    }
    return store_.team().RevokeInvitation(caller.tenant_id, id, NowMs());
  };
  auto revoked = co_await pool_.Run(revoke);
  if (!revoked) co_return http::ErrorResponse(revoked.error());
  auto audit =
      AuditOf(caller, "invitation.revoke", "invitation", std::to_string(revoked->id), {{"email", revoked->email}});
  co_await RecordAudit(store_, pool_, audit);
  co_return http::Response(http::Status::no_content, request.version());
}

boost::asio::awaitable<http::Response> TeamApi::Lookup(const http::Request& request, const http::RouteContext& route) {
  const std::string address_key = http::LimitKey(route.client_address);
  auto allowed = co_await public_by_address_->Take(address_key, NowMs());
  if (!allowed.allowed) co_return TooManyRequests(kPublicRefusal, allowed.retry_after_ms);
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  auto token = OptionalString(*body, "token");
  if (!token || !*token || (*token)->empty()) {
    co_return http::ErrorResponse(Error::InvalidArgument("token is required"));
  }
  auto find = [this, hash = crypto::Sha256Hex(**token)]() -> Result<boost::json::object> {
    auto invitation = store_.team().FindInvitation(hash);
    if (!invitation) return invitation.error();
    auto tenant = store_.tenants().GetTenant(invitation->tenant_id);
    if (!tenant) return tenant.error();
    const bool taken = static_cast<bool>(store_.access().FindUserByEmail(invitation->email));
    return boost::json::object{{"email", invitation->email},
                               {"role", invitation->role},
                               {"language", invitation->language},
                               {"tenant_name", tenant->name},
                               {"status", Status(*invitation, NowMs())},
                               {"email_taken", taken && invitation->status == "pending"},
                               {"expires_at", FormatTimestamp(invitation->expires_at_ms)}};
  };
  auto found = co_await pool_.Run(find);
  if (!found) {
    if (found.error().code == ErrorCode::kNotFound) {
      co_return http::ErrorResponse(Error::NotFound("this invitation link is unknown; ask for a new one"));
    }
    co_return http::ErrorResponse(found.error());
  }
  co_return http::JsonResponse(http::Status::ok, *found);
}

boost::asio::awaitable<http::Response> TeamApi::Accept(const http::Request& request, const http::RouteContext& route) {
  const std::string address_key = http::LimitKey(route.client_address);
  auto allowed = co_await public_by_address_->Take(address_key, NowMs());
  if (!allowed.allowed) co_return TooManyRequests(kPublicRefusal, allowed.retry_after_ms);
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  if (auto known = OnlyFields(*body, {"token", "name", "password"}); !known)
    co_return http::ErrorResponse(known.error());
  auto token = OptionalString(*body, "token");
  auto name = OptionalString(*body, "name");
  auto password = OptionalString(*body, "password");
  for (const auto* field : {&token, &name, &password}) {
    if (!*field) co_return http::ErrorResponse(field->error());
  }
  if (!*token || (*token)->empty()) co_return http::ErrorResponse(Error::InvalidArgument("token is required"));
  if (!*password) co_return http::ErrorResponse(Error::InvalidArgument("password is required"));
  const std::string display_name = name->value_or("");
  if (display_name.size() > 200)
    co_return http::ErrorResponse(Error::InvalidArgument("name must be at most 200 bytes"));

  // The token is checked before the password is hashed: nobody without a live invitation spends the hashing
  // threads. The store checks it again when it creates the user, in the same transaction.
  const std::string hash = crypto::Sha256Hex(**token);
  auto find = [this, &hash] { return store_.team().FindInvitation(hash); };
  auto invitation = co_await pool_.Run(find);
  if (!invitation) {
    if (invitation.error().code == ErrorCode::kNotFound) {
      co_return http::ErrorResponse(Error::NotFound("this invitation link is unknown; ask for a new one"));
    }
    co_return http::ErrorResponse(invitation.error());
  }
  if (const std::string status = Status(*invitation, NowMs()); status != "pending") {
    co_return http::ErrorResponse(Error::Conflict(status == "accepted" ? "this invitation was already used"
                                                  : status == "revoked"
                                                      ? "this invitation was revoked"
                                                      : "this invitation has expired; ask for a new one"));
  }
  auto hash_password = [typed = **password] { return crypto::HashPassword(typed); };
  auto hashed = co_await hashing_.TryRun(hash_password);
  if (!hashed) co_return HashingBusy();
  if (!*hashed) co_return http::ErrorResponse(hashed->error());
  auto accept = [this, &hash, &display_name, &hashed] {
    return store_.team().AcceptInvitation(hash, display_name, hashed->value(), NowMs());
  };
  auto user = co_await pool_.Run(accept);
  if (!user) co_return http::ErrorResponse(user.error());
  const Principal who = PrincipalOf(*user);
  auto audit = AuditOf(who, "invitation.accept", "invitation", std::to_string(invitation->id),
                       {{"email", user->email}, {"role", user->role}, {"user_id", user->id}});
  co_await RecordAudit(store_, pool_, audit);
  co_return co_await SignIn(config_, store_, pool_, auth_, std::move(*user), http::Status::created);
}

boost::asio::awaitable<http::Response> TeamApi::ForgotPassword(const http::Request& request,
                                                               const http::RouteContext& route) {
  const std::string address_key = http::LimitKey(route.client_address);
  auto allowed = co_await public_by_address_->Take(address_key, NowMs());
  if (!allowed.allowed) co_return TooManyRequests(kPublicRefusal, allowed.retry_after_ms);
  auto body = http::ParseJsonObject(request);
  if (!body) co_return http::ErrorResponse(body.error());
  if (auto known = OnlyFields(*body, {"email"}); !known) co_return http::ErrorResponse(known.error());
  auto email = OptionalString(*body, "email");
  if (!email) co_return http::ErrorResponse(email.error());
  if (!*email || (*email)->empty()) co_return http::ErrorResponse(Error::InvalidArgument("email is required"));
  // Whatever happens next, the answer is the same and comes at once: neither its content nor its timing tells
  // whether the account exists. The per-account limit is counted for any address asked for, for the same reason.
  const std::string normalized = NormalizeEmail(**email);
  if (mailer_.enabled() && (co_await resets_by_account_->Take(normalized, NowMs())).allowed) {
    boost::asio::co_spawn(co_await boost::asio::this_coro::executor, SendResetLink(normalized), boost::asio::detached);
  }
  co_return http::JsonResponse(
      http::Status::accepted,
      boost::json::object{{"message", "if this address has an account, a password reset link is on its way"}});
}

boost::asio::awaitable<void> TeamApi::SendResetLink(std::string email) {
  auto send = [this, &email]() -> Result<std::optional<store::User>> {
    auto user = store_.access().FindUserByEmail(email);
    if (!user) {
      if (user.error().code == ErrorCode::kNotFound) return std::optional<store::User>();
      return user.error();
    }
    auto link = MakePasswordResetLink(store_.access(), *user, mailer_.options().public_url);
    if (!link) return link.error();
    auto mail = mailer_.Prepare("password_reset", user->tenant_id, user->email, user->language,
                                mail::PasswordResetText(user->language, link->url));
    if (!mail) return mail.error();
    if (auto queued = store_.team().QueueMail(*mail, NowMs()); !queued) return queued.error();
    return std::optional<store::User>(std::move(*user));
  };
  auto sent = co_await pool_.Run(send);
  if (!sent) {
    log::Warn("password_reset_mail_failed", {{"error", sent.error().message}});
    co_return;
  }
  if (!*sent) co_return;
  mailer_.Wake();
  const store::User& user = **sent;
  const Principal who = PrincipalOf(user);
  auto audit = AuditOf(who, "user.password_reset_link", "user", std::to_string(user.id), {{"by_email", true}});
  co_await RecordAudit(store_, pool_, audit);
}

}  // namespace parley::api
