#pragma once
// Start-up steps shared by `parley serve` and the CLI subcommands that open the store.

#include "core/config.h"
#include "core/crypto.h"
#include "http/client.h"
#include "store/store.h"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>

namespace parley::app {

// The master key from PARLEY_MASTER_KEY (64 hex characters), else from <data_dir>/master.key, which is created
// once with 32 random bytes and mode 0600.
Result<crypto::SecretBox> LoadMasterKey(const Config& config);

// Opens the configured store and applies pending migrations. Ingest callbacks run on `callbacks` when given; the
// store announces the events it appends through `on_events` (StoreOptions::on_events) and the changes to webhook
// routing through `on_routes_changed` (StoreOptions::on_routes_changed) when given.
Result<std::unique_ptr<store::Store>> OpenMigratedStore(
    const Config& config, const crypto::SecretBox& box, boost::asio::any_io_executor callbacks = {},
    std::function<void(int64_t tenant_id, int64_t last_event_id)> on_events = {},
    std::function<void()> on_routes_changed = {});

// Opens the store the way `serve` does, with the master key; every subcommand that touches data goes through here.
Result<std::unique_ptr<store::Store>> OpenForCli(const Config& config);

// Prints "error: <message> (<detail>)" on stderr for a failed subcommand and returns its exit code, 1.
int PrintError(const Error& e);

// The outbound client's options: the configured timeouts, and the destinations besides public addresses that URLs
// a tenant supplies may reach (PARLEY_OUTBOUND_ALLOW). kInvalidArgument naming the key for a malformed list.
Result<http::ClientOptions> OutboundClientOptions(const Config& config);

// `parley serve`: runs until SIGTERM/SIGINT, then shuts down gracefully. Returns the exit code.
int Serve(const Config& config);

}  // namespace parley::app
