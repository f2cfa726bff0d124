#include "integration/tenant_fixture.h"

#include "integration/payloads.h"

#include <sqlite3.h>
#include <boost/json.hpp>

#include <chrono>

namespace parley::testing {

namespace json = boost::json;

CreatedTenant CreateTenant(const ParleyProcess& parley, const std::string& name) {
  auto created = parley.Cli({"tenant", "create", "--name", name});
  EXPECT_EQ(created.exit_code, 0) << created.out << created.err;
  if (created.exit_code != 0) return {};
  const json::value tenant = json::parse(created.out);
  return {std::to_string(tenant.at("tenant_id").to_number<int64_t>()), std::string(tenant.at("api_key").as_string())};
}

HttpResult PostSignedWhatsApp(const ParleyProcess& parley, const std::string& app_secret, const std::string& body) {
  return Call("POST", parley.url("/api/whatsapp/webhook"), body,
              {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", Sign(app_secret, body)}});
}

void ExecSql(const ParleyProcess& parley, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((parley.data_dir() + "/parley.db").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

int64_t QueryInt(const ParleyProcess& parley, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open((parley.data_dir() + "/parley.db").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  int64_t value = -1;
  if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

std::map<std::string, std::string> TenantFixture::ServerEnv(const std::map<std::string, std::string>& env) const {
  std::map<std::string, std::string> all{
      {"WHATSAPP_APP_SECRET", kWhatsAppSecret},
      {"WHATSAPP_VERIFY_TOKEN", "wa-verify"},
      {"PARLEY_GRAPH_API_BASE_URL", graph_.base_url()},
  };
  for (const auto& [name, value] : env) all[name] = value;
  return all;
}

void TenantFixture::MakeServer(const std::map<std::string, std::string>& env) {
  parley_ = std::make_unique<ParleyProcess>(ServerEnv(env));
}

void TenantFixture::CreateTenants(const std::string& name, bool other) {
  const CreatedTenant tenant = CreateTenant(*parley_, name);
  ASSERT_FALSE(tenant.id.empty());
  tenant_id_ = tenant.id;
  key_ = tenant.api_key;
  if (!other) return;
  const CreatedTenant globex = CreateTenant(*parley_, "Globex");
  ASSERT_FALSE(globex.id.empty());
  other_id_ = globex.id;
  other_key_ = globex.api_key;
}

void TenantFixture::AddWhatsAppChannel(const std::string& access_token, const std::string& phone_number_id,
                                       const std::string& tenant_id) {
  auto added = parley_->Cli({"channel", "add", "whatsapp", "--tenant", tenant_id.empty() ? tenant_id_ : tenant_id,
                             "--phone-number-id", phone_number_id, "--access-token", access_token});
  ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
}

void TenantFixture::CreateUser(const std::string& email, const std::string& password, const std::string& role,
                               int64_t* id) {
  std::vector<std::string> args{"user", "create", "--tenant", tenant_id_, "--email", email, "--password", password};
  if (!role.empty()) args.insert(args.end(), {"--role", role});
  auto user = parley_->Cli(args);
  ASSERT_EQ(user.exit_code, 0) << user.out << user.err;
  if (id != nullptr) *id = json::parse(user.out).at("user_id").to_number<int64_t>();
}

void TenantFixture::LogIn(const std::string& email, const std::string& password, std::string* token) {
  auto session = Call("POST", parley_->url("/api/auth/login"),
                      json::serialize(json::object{{"email", email}, {"password", password}}),
                      {{"Content-Type", "application/json"}});
  ASSERT_EQ(session.status, 200) << session.body;
  *token = std::string(session.Json().at("token").as_string());
}

HttpResult TenantFixture::Api(const std::string& method, const std::string& path, const std::string& body,
                              const std::string& key, std::vector<std::pair<std::string, std::string>> headers) {
  headers.emplace_back("Authorization", "Bearer " + (key.empty() ? key_ : key));
  headers.emplace_back("Content-Type", "application/json");
  return Call(method, parley_->url(path), body, headers);
}

HttpResult TenantFixture::PostCustomerText(const std::string& from, const std::string& message_id,
                                           const std::string& text, const std::string& phone_number_id) {
  return PostSignedWhatsApp(*parley_, kWhatsAppSecret, payloads::WhatsAppText(phone_number_id, from, message_id, text));
}

int64_t TenantFixture::WaitForConversation(const std::string& query, const std::string& key) {
  int64_t found = 0;
  Eventually(
      [&] {
        const json::value list = Api("GET", "/api/conversations?q=" + query, {}, key).Json();
        if (list.at("data").as_array().empty()) return false;
        found = list.at("data").at(0).at("id").to_number<int64_t>();
        return true;
      },
      std::chrono::seconds(5));
  return found;
}

}  // namespace parley::testing
