#include "app/app.h"

#include "api/access_api.h"
#include "api/auth.h"
#include "app/billing_cli.h"
#include "app/knowledge_cli.h"
#include "app/operations_cli.h"
#include "app/routes.h"
#include "app/setup.h"
#include "channels/registry.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "http/client.h"
#include "store/access_store.h"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <functional>
#include <iostream>
#include <map>

namespace parley::app {
namespace {

void PrintJson(const boost::json::value& v) { std::cout << SerializeJson(v) << std::endl; }

int TenantCreate(const Config& config, const std::string& name) {
  auto store = OpenForCli(config);
  if (!store) return PrintError(store.error());
  // The key is shown once; only its hash is kept.
  std::string api_key = std::string(api::kApiKeyPrefix) + crypto::RandomToken(32);
  auto tenant =
      (*store)->CreateTenant(name, {0, "default", api_key.substr(0, 11), "owner", crypto::Sha256Hex(api_key)});
  if (!tenant) return PrintError(tenant.error());
  PrintJson({{"tenant_id", tenant->id}, {"name", tenant->name}, {"api_key", api_key}});
  (*store)->Close();
  return 0;
}

// Without --password a strong one is generated and printed once.
int UserCreate(const Config& config, int64_t tenant_id, const std::string& email, const std::string& name,
               const std::string& role, std::string password) {
  bool generated = password.empty();
  if (generated) password = crypto::RandomToken(18);
  auto user = api::MakeUser(tenant_id, email, name, role, password);
  if (!user) return PrintError(user.error());
  auto store = OpenForCli(config);
  if (!store) return PrintError(store.error());
  auto created = (*store)->access().CreateUser(*user);
  if (!created) return PrintError(created.error());
  (*store)->access().AppendAudit(
      {0, tenant_id, "cli", "user.create", "user", std::to_string(created->id),
       SerializeJson(boost::json::object{{"email", created->email}, {"role", created->role}}), NowMs()});
  boost::json::object out{
      {"user_id", created->id}, {"tenant_id", created->tenant_id}, {"email", created->email}, {"role", created->role}};
  if (generated) out["password"] = password;
  PrintJson(out);
  (*store)->Close();
  return 0;
}

// A one-time link to set a new password, for someone who forgot theirs: printed, not sent.
int UserResetPassword(const Config& config, const std::string& email) {
  auto store = OpenForCli(config);
  if (!store) return PrintError(store.error());
  auto& access = (*store)->access();
  auto user = access.FindUserByEmail(api::NormalizeEmail(email));
  if (!user) return PrintError(user.error());
  // Without PARLEY_PUBLIC_URL the link names the listener, which is right on the machine Parley runs on.
  const std::string base = config.public_url.empty() ? "http://" + config.listen : config.public_url;
  auto link = api::MakePasswordResetLink(access, *user, base);
  if (!link) return PrintError(link.error());
  access.AppendAudit({0, user->tenant_id, "cli", "user.password_reset_link", "user", std::to_string(user->id),
                      SerializeJson(boost::json::object{{"email", user->email}}), NowMs()});
  PrintJson({{"user_id", user->id},
             {"email", user->email},
             {"link", link->url},
             {"expires_at", FormatTimestamp(link->expires_at_ms)}});
  (*store)->Close();
  return 0;
}

// Runs `task` to completion on a live channel of `plugin` with an outbound client of its own: the CLI's calls to a
// platform.
template <class T>
Result<T> CallPlatform(const Config& config, const channels::PlatformPlugin& plugin,
                       std::function<boost::asio::awaitable<Result<T>>(channels::Channel&)> task) {
  auto options = OutboundClientOptions(config);
  if (!options) return options.error();
  boost::asio::io_context io;
  http::Client client(io.get_executor(), *options);
  std::unique_ptr<channels::Channel> channel = plugin.make_channel(config, client);
  Result<T> result = Error::Internal("the platform call did not finish");
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        auto call = task(*channel);
        result = co_await std::move(call);
        client.Shutdown();
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  return result;
}

// `values` by field key (account_id, access_token, waba_id), as the platform's ChannelFields name them. A platform
// whose channels are added with a token alone is asked which account it is (Channel::CheckAccount); one whose
// webhooks are per channel is told where to send them (Channel::RegisterWebhook, at PARLEY_PUBLIC_URL), and the
// channel is removed again when that fails.
int ChannelAdd(const Config& config, const channels::PlatformPlugin& plugin, int64_t tenant_id,
               const std::map<std::string, std::string>& values,
               const std::map<std::string, std::vector<std::string>>& lists) {
  auto value = [&values](std::string_view key) {
    auto it = values.find(std::string(key));
    return it == values.end() ? std::string() : it->second;
  };
  const bool per_channel_webhook = plugin.webhook.verification == channels::WebhookSpec::Verification::kChannelSecret;
  if (per_channel_webhook && config.public_url.empty()) {
    return PrintError(Error::InvalidArgument("PARLEY_PUBLIC_URL is not set: " + std::string(plugin.display_name) +
                                             " must reach this server to deliver the channel's webhooks"));
  }
  store::NewChannel wanted{tenant_id, plugin.platform(), value("account_id"), value("access_token"), {},
                           {},        value("waba_id")};
  if (const auto* name = plugin.Field(channels::ChannelField::Target::kDisplayName))
    wanted.display_name = value(name->key);
  if (plugin.check_settings != nullptr) {
    boost::json::object settings;
    for (const channels::ChannelField& field : plugin.fields) {
      if (field.target != channels::ChannelField::Target::kSetting) continue;
      if (field.multiple) {
        auto it = lists.find(std::string(field.key));
        boost::json::array items;
        if (it != lists.end()) items.insert(items.end(), it->second.begin(), it->second.end());
        settings[field.key] = std::move(items);
      } else if (std::string given = value(field.key); !given.empty()) {
        settings[field.key] = given;
      }
    }
    auto checked = plugin.check_settings(settings);
    if (!checked) return PrintError(checked.error());
    wanted.settings = std::move(*checked);
  }
  if (plugin.Field(channels::ChannelField::Target::kAccountId) == nullptr) {
    auto profile = CallPlatform<AccountProfile>(
        config, plugin, [&](channels::Channel& platform) { return platform.CheckAccount({}, wanted.access_token); });
    if (!profile) return PrintError(profile.error());
    wanted.account_id = profile->account_id;
    wanted.profile = *profile;
  }
  auto store = OpenForCli(config);
  if (!store) return PrintError(store.error());
  auto channel = (*store)->AddChannel(wanted);
  if (!channel) return PrintError(channel.error());
  if (per_channel_webhook) {
    const channels::SendAccount account{channel->account_id, channel->access_token};
    auto registered = CallPlatform<void>(config, plugin, [&](channels::Channel& platform) {
      return platform.RegisterWebhook(account, plugin.ChannelWebhookUrl(config.public_url, channel->public_id),
                                      channel->public_id);
    });
    if (!registered) {
      if (auto undone = (*store)->RemoveChannel(tenant_id, channel->id); !undone) PrintError(undone.error());
      return PrintError(registered.error());
    }
  }
  boost::json::object out{{"channel_id", channel->id},
                          {"public_id", channel->public_id},
                          {"tenant_id", channel->tenant_id},
                          {"platform", ToString(channel->platform)},
                          {"account_id", channel->account_id}};
  if (!channel->waba_id.empty()) out["waba_id"] = channel->waba_id;
  if (per_channel_webhook) out["webhook_url"] = plugin.ChannelWebhookUrl(config.public_url, channel->public_id);
  if (plugin.channel_details != nullptr) {
    for (auto& [key, detail] : plugin.channel_details(channel->public_id, channel->settings, config.public_url)) {
      out[key] = std::move(detail);
    }
  }
  PrintJson(out);
  (*store)->Close();
  return 0;
}

struct SimulateOptions {
  std::string platform;
  std::string text;
  std::string from = "15550001111";
  std::string name = "Test Customer";
  std::string account;
  std::string url;
};

// Whether the server's answer to a webhook says it stored a message: {"stored": N, …}.
bool StoredAny(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value answer = boost::json::parse(body, ec);
  const boost::json::value* stored = ec || !answer.is_object() ? nullptr : answer.as_object().if_contains("stored");
  return stored != nullptr && stored->is_int64() && stored->get_int64() > 0;
}

int Simulate(const Config& config, const SimulateOptions& o) {
  const channels::PlatformPlugin* plugin = channels::FindPlatform(o.platform);
  if (plugin == nullptr) return PrintError(Error::InvalidArgument("platform must be " + channels::PlatformNames()));
  if (plugin->webhook.verification != channels::WebhookSpec::Verification::kAppSignature) {
    return PrintError(Error::InvalidArgument(std::string(plugin->display_name) +
                                             " has no app-signed webhook to simulate: write to a channel instead"));
  }
  const Platform platform = plugin->platform();
  const std::string secret(config.PlatformSetting(plugin->webhook.app_secret.name));
  if (secret.empty()) {
    return PrintError(
        Error::InvalidArgument(plugin->webhook.app_secret.env + " is not set: use the same app secret as the server"));
  }
  SimulateOptions options = o;
  if (options.account.empty()) options.account = std::string(plugin->demo_account);
  std::string url = options.url;
  if (url.empty()) url = "http://" + config.listen + plugin->webhook_path();
  const std::string body = plugin->sample_webhook(
      {options.account, options.from, options.name, options.text, crypto::RandomToken(18), NowMs()});
  const std::string signature_header(plugin->webhook.signature_header);

  boost::asio::io_context io;
  http::ClientOptions client_options;
  client_options.max_attempts = 1;
  http::Client client(io.get_executor(), client_options);
  int exit_code = 1;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        http::ClientRequest request;
        request.method = "POST";
        request.url = url;
        request.headers.emplace_back("Content-Type", "application/json");
        request.headers.emplace_back(signature_header, "sha256=" + crypto::HmacSha256Hex(secret, body));
        request.body = body;
        auto response = co_await client.Send(std::move(request));
        client.Shutdown();
        if (!response) {
          PrintError(response.error());
          co_return;
        }
        std::cout << response->status << " " << response->body << std::endl;
        exit_code = response->status == 200 ? 0 : 1;
        if (exit_code == 0 && !StoredAny(response->body)) {
          std::cerr << "nothing was stored: no " << ToString(platform) << " channel has the account id \""
                    << options.account << "\" on that server (see `parley channel add`, or pass --account)"
                    << std::endl;
          exit_code = 1;
        }
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  return exit_code;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App cli{"Parley: a self-hosted AI front desk for WhatsApp and Instagram."};
  cli.require_subcommand(1);
  std::string config_path;
  cli.add_option("--config", config_path, "TOML configuration file (see docs/configuration.md)");

  auto* serve = cli.add_subcommand("serve", "Run the server: webhooks, batching, replies and the API.");
  std::string serve_role;
  serve->add_option("--role", serve_role, "all, gateway or worker: PARLEY_ROLE for this process (docs/scaling.md).");
  auto* migrate = cli.add_subcommand("migrate", "Apply pending database migrations (SQLite or PostgreSQL) and exit.");
  bool migrate_status = false;
  migrate->add_flag("--status", migrate_status, "Only list the migrations, applied or pending; change nothing.");
  auto* backup = cli.add_subcommand(
      "backup",
      "Copy the SQLite database and the master key into a new directory while the server keeps running (on "
      "PostgreSQL: pg_dump, see docs/operations.md).");
  std::string backup_to;
  backup->add_option("--to", backup_to, "The directory to create (it must not exist, or be empty).")->required();
  auto* restore = cli.add_subcommand("restore", "Fill an empty data directory from a backup (SQLite).");
  std::string restore_from;
  restore->add_option("--from", restore_from, "The backup's directory.")->required();
  auto* openapi = cli.add_subcommand(
      "openapi", "Print the API reference (OpenAPI 3.1 JSON, as GET /api/openapi.json answers it) without serving.");

  auto* tenant = cli.add_subcommand("tenant", "Manage tenants.");
  tenant->require_subcommand(1);
  std::string tenant_name;
  auto* tenant_create = tenant->add_subcommand("create", "Create a tenant; prints its id and API key (shown once).");
  tenant_create->add_option("--name", tenant_name, "Tenant name")->required();

  int64_t plan_tenant = 0;
  std::string plan_name;
  auto* tenant_plan = tenant->add_subcommand("plan", "Put a tenant on a plan (without Stripe).");
  tenant_plan->add_option("--tenant", plan_tenant, "Tenant id")->required();
  tenant_plan->add_option("--plan", plan_name, "Plan name (see `parley plan list`)")->required();

  auto* plan = cli.add_subcommand("plan", "Manage the plan catalog.");
  plan->require_subcommand(1);
  auto* plan_list = plan->add_subcommand("list", "Print the plans, one JSON object per line.");
  auto* plan_put =
      plan->add_subcommand("put", "Add a plan or replace the one of that name; limits left out are unlimited.");
  store::Plan put;
  std::map<std::string, int64_t> put_limits;
  plan_put->add_option("--name", put.name, "Plan name")->required();
  plan_put->add_option("--display-name", put.display_name, "Name shown to people (default: the name)");
  plan_put->add_option("--position", put.position, "Order in the catalog");
  plan_put->add_option("--price-cents", put.monthly_price_cents, "Monthly list price, in cents");
  plan_put->add_flag("--images", put.images, "The AI answers image messages");
  plan_put->add_flag("--audio", put.audio, "The AI answers audio and voice messages");
  for (const char* limit :
       {"max-channels", "max-knowledge-bytes", "max-knowledge-documents", "ai-replies", "credits"}) {
    plan_put->add_option(std::string("--") + limit, put_limits[limit], std::string("Limit: ") + limit);
  }

  auto* user = cli.add_subcommand("user", "Manage the people who log in.");
  user->require_subcommand(1);
  int64_t user_tenant = 0;
  std::string user_email, user_name, user_role = "owner", user_password;
  auto* user_create = user->add_subcommand("create", "Add a user to a tenant (the first one is its owner).");
  user_create->add_option("--tenant", user_tenant, "Tenant id")->required();
  user_create->add_option("--email", user_email, "E-mail address (the login)")->required();
  user_create->add_option("--name", user_name, "Display name");
  user_create->add_option("--role", user_role, "owner, admin or agent")
      ->capture_default_str()
      ->check(CLI::IsMember({"owner", "admin", "agent"}));
  user_create->add_option("--password", user_password,
                          "Password (8 characters or more); without it one is generated and printed once");

  std::string reset_email;
  auto* user_reset = user->add_subcommand(
      "reset-password", "Print a one-time link (valid for an hour) with which the user sets a new password.");
  user_reset->add_option("--email", reset_email, "The user's e-mail address")->required();

  auto* channel = cli.add_subcommand("channel", "Manage channels.");
  channel->require_subcommand(1);
  auto* channel_add =
      channel->add_subcommand("add", "Connect an account of a platform (" + channels::PlatformNames() + ").");
  channel_add->require_subcommand(1);
  int64_t channel_tenant = 0;
  // One subcommand per platform, its flags from the platform's channel fields.
  struct AddCommand {
    const channels::PlatformPlugin* plugin;
    CLI::App* command;
    std::map<std::string, std::string> values;              //!< By field key.
    std::map<std::string, std::vector<std::string>> lists;  //!< Fields of several values (ChannelField::multiple).
  };
  std::vector<AddCommand> add_commands;
  add_commands.reserve(channels::Platforms().size());  // The options keep pointers into `values`.
  for (const channels::PlatformPlugin* plugin : channels::Platforms()) {
    AddCommand& add = add_commands.emplace_back(AddCommand{plugin, nullptr, {}});
    add.command =
        channel_add->add_subcommand(std::string(plugin->name), "Connect " + std::string(plugin->account_noun) + ".");
    add.command->add_option("--tenant", channel_tenant, "Tenant id")->required();
    for (const channels::ChannelField& field : plugin->fields) {
      const std::string description = std::string(field.label) + ": " + std::string(field.help);
      auto* option = field.multiple
                         ? add.command->add_option("--" + std::string(field.flag), add.lists[std::string(field.key)],
                                                   description + " (repeat the flag for several)")
                         : add.command->add_option("--" + std::string(field.flag), add.values[std::string(field.key)],
                                                   description);
      if (field.required) option->required();
      if (field.target == channels::ChannelField::Target::kBusinessAccountId) {
        option->check(CLI::Validator(
            [](std::string& id) {
              const bool digits = !id.empty() && id.find_first_not_of("0123456789") == std::string::npos;
              return digits ? std::string() : std::string("the business account id is a number");
            },
            "DIGITS"));
      }
    }
  }

  SimulateOptions simulate_options;
  auto* simulate = cli.add_subcommand("simulate", "Send a correctly signed test webhook to a running server.");
  simulate->add_option("platform", simulate_options.platform, channels::PlatformNames())
      ->required()
      ->check(CLI::IsMember({"whatsapp", "instagram"}));
  simulate->add_option("--text", simulate_options.text, "Message text")->required();
  simulate->add_option("--from", simulate_options.from, "Customer's platform id")->capture_default_str();
  simulate->add_option("--name", simulate_options.name, "Customer's profile name")->capture_default_str();
  simulate->add_option("--account", simulate_options.account,
                       "phone_number_id / Instagram account id (default: the demo channel of `make run`)");
  simulate->add_option("--url", simulate_options.url,
                       "Webhook URL (default: http://$PARLEY_LISTEN/api/<platform>/webhook)");

  auto* kb = cli.add_subcommand("kb", "Manage knowledge bases.");
  kb->require_subcommand(1);
  auto* kb_add = kb->add_subcommand("add", "Add documents (txt, md, html, pdf, docx, csv of Q&A) and wait for them.");
  int64_t kb_tenant = 0;
  std::string kb_name = "default";
  std::vector<std::string> kb_files;
  kb_add->add_option("--tenant", kb_tenant, "Tenant id")->required();
  kb_add->add_option("--kb", kb_name, "Knowledge base name (created if missing)")->capture_default_str();
  kb_add->add_option("files", kb_files, "Files to add (a file named like a document replaces it)")->required();
  auto* kb_list = kb->add_subcommand("list", "List knowledge bases and their documents (JSON lines).");
  int64_t list_tenant = 0;
  std::string list_kb;
  kb_list->add_option("--tenant", list_tenant, "Tenant id")->required();
  kb_list->add_option("--kb", list_kb, "Only this knowledge base");
  auto* kb_remove =
      kb->add_subcommand("remove", "Remove a document, by id or by name within --kb, with its chunks and Q&A pairs.");
  int64_t remove_tenant = 0;
  std::optional<int64_t> remove_id;
  std::string remove_kb = "default";
  std::string remove_name;
  kb_remove->add_option("--tenant", remove_tenant, "Tenant id")->required();
  auto* remove_by_id = kb_remove->add_option("--id", remove_id, "Document id");
  auto* remove_by_name = kb_remove->add_option("--name", remove_name, "Document name (the file name or page URL)");
  kb_remove->add_option("--kb", remove_kb, "Knowledge base of --name")->capture_default_str();
  remove_by_id->excludes(remove_by_name);
  remove_by_name->excludes(remove_by_id);
  kb_remove->require_option(2, 3);

  auto* ask = cli.add_subcommand("ask", "Ask the tenant's AI agent a question; prints the answer, sources and trace.");
  int64_t ask_tenant = 0;
  std::string ask_question;
  std::string ask_platform = "whatsapp";
  ask->add_option("--tenant", ask_tenant, "Tenant id")->required();
  ask->add_option("--platform", ask_platform, channels::PlatformNames() + " (length and formatting)")
      ->capture_default_str();
  ask->add_option("question", ask_question, "The question")->required();

  auto* config_cmd = cli.add_subcommand("config", "Configuration helpers.");
  config_cmd->require_subcommand(1);
  auto* config_docs =
      config_cmd->add_subcommand("docs", "Print docs/configuration.md, generated from the settings table.");

  CLI11_PARSE(cli, argc, argv);

  if (config_docs->parsed()) {
    std::cout << ConfigMarkdown(channels::PlatformConfigKeys());
    return 0;
  }
  EnvLookup env = ProcessEnv();
  if (!serve_role.empty()) {
    // The flag is the PARLEY_ROLE setting given on the command line: it is checked with the rest of the table.
    env = [process = std::move(env), serve_role](const std::string& name) -> std::optional<std::string> {
      if (name == "PARLEY_ROLE") return serve_role;
      return process(name);
    };
  }
  auto config = LoadConfig(env, config_path.empty() ? std::nullopt : std::optional<std::string>(config_path),
                           channels::PlatformConfigKeys());
  if (!config) return PrintError(config.error());
  log::Init(config->log_level);

  if (serve->parsed()) return Serve(*config);
  if (openapi->parsed()) {
    auto document = RenderOpenApi(*config);
    if (!document) return PrintError(document.error());
    std::cout << *document << std::endl;
    return 0;
  }
  if (migrate->parsed()) return Migrate(*config, migrate_status);
  if (backup->parsed()) return Backup(*config, backup_to);
  if (restore->parsed()) return Restore(*config, restore_from);
  if (tenant_create->parsed()) return TenantCreate(*config, tenant_name);
  if (tenant_plan->parsed()) return TenantPlan(*config, plan_tenant, plan_name);
  if (plan_list->parsed()) return PlanList(*config);
  if (plan_put->parsed()) {
    auto limit = [&](const char* name) -> std::optional<int64_t> {
      if (plan_put->count(std::string("--") + name) == 0) return std::nullopt;
      return put_limits[name];
    };
    put.max_channels = limit("max-channels");
    put.max_knowledge_bytes = limit("max-knowledge-bytes");
    put.max_knowledge_documents = limit("max-knowledge-documents");
    put.monthly_ai_replies = limit("ai-replies");
    put.monthly_credits = limit("credits");
    return PlanPut(*config, put);
  }
  if (user_create->parsed()) return UserCreate(*config, user_tenant, user_email, user_name, user_role, user_password);
  if (user_reset->parsed()) return UserResetPassword(*config, reset_email);
  for (const AddCommand& add : add_commands) {
    if (add.command->parsed()) return ChannelAdd(*config, *add.plugin, channel_tenant, add.values, add.lists);
  }
  if (simulate->parsed()) return Simulate(*config, simulate_options);
  if (kb_add->parsed()) return KnowledgeAdd(*config, kb_tenant, kb_name, kb_files);
  if (kb_list->parsed()) return KnowledgeList(*config, list_tenant, list_kb);
  if (kb_remove->parsed()) return KnowledgeRemove(*config, remove_tenant, remove_id, remove_kb, remove_name);
  if (ask->parsed()) return Ask(*config, ask_tenant, ask_question, ask_platform);
  return 0;
}

}  // namespace parley::app
