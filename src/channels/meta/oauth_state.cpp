#include "channels/meta/oauth_state.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "channels/meta/parse_json.h"
#include "core/json.h"

namespace parley::channels::meta {
namespace {

// Marks the sealed text as an OAuth state, so that nothing else sealed under the master key can pass for one.
constexpr std::string_view kPurpose = "parley.oauth_state.v1";

}  // namespace

std::string SealOAuthState(const OAuthState& state, const crypto::SecretBox& box) {
  boost::json::object o{{"purpose", kPurpose},
                        {"tenant_id", state.tenant_id},
                        {"platform", ToString(state.platform)},
                        {"role", state.role},
                        {"expires_at_ms", state.expires_at_ms},
                        // A fresh value per flow: two states issued in the same millisecond still differ.
                        {"nonce", crypto::RandomToken(12)}};
  if (state.user_id) o["user_id"] = *state.user_id;
  if (state.api_key_id) o["api_key_id"] = *state.api_key_id;
  if (!state.flow.empty()) o["flow"] = state.flow;
  return box.Seal(SerializeJson(o));
}

Result<OAuthState> OpenOAuthState(std::string_view sealed, const crypto::SecretBox& box, int64_t now_ms) {
  if (sealed.empty()) return Error::InvalidArgument("the state parameter is missing");
  auto opened = box.Open(sealed);
  if (!opened) return Error::InvalidArgument("the state was not issued by this server or was altered");
  auto doc = ParseJson(*opened);
  const boost::json::object* o = doc ? doc->if_object() : nullptr;
  if (o == nullptr) return Error::InvalidArgument("the state is not an OAuth state");
  FieldReader read;
  if (read.String(*o, "purpose") != kPurpose) return Error::InvalidArgument("the state is not an OAuth state");
  OAuthState state;
  state.tenant_id = read.Integer(*o, "tenant_id");
  auto platform = ParsePlatform(read.String(*o, "platform"));
  state.role = read.String(*o, "role");
  if (o->contains("user_id")) state.user_id = read.Integer(*o, "user_id");
  if (o->contains("api_key_id")) state.api_key_id = read.Integer(*o, "api_key_id");
  state.expires_at_ms = read.Integer(*o, "expires_at_ms");
  if (o->contains("flow")) state.flow = read.String(*o, "flow");
  if (!read.ok() || !platform || state.tenant_id <= 0) return Error::InvalidArgument("the state is not an OAuth state");
  state.platform = *platform;
  if (now_ms >= state.expires_at_ms) return Error::InvalidArgument("the state has expired; connect the account again");
  return state;
}

}  // namespace parley::channels::meta
