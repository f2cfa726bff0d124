#pragma once
// Outbound webhooks in `parley serve`: the dispatcher (webhooks/dispatcher.h) configured from the configuration
// table, rendering each event's envelope as GET /api/events does (api::EventEnvelope), so that a delivery's body is
// exactly the event the dashboard's stream carries.

#include "core/blocking_pool.h"
#include "core/config.h"
#include "core/crypto.h"
#include "events/event_bus.h"
#include "http/client.h"
#include "media/signed_url.h"
#include "store/store.h"
#include "webhooks/dispatcher.h"

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace parley::app {

// Every reference must outlive the dispatcher; Start() it once the server listens, Stop() it on shutdown. `bus` is the
// one the store announces its events on (LiveEvents); `media_signer` signs the links of the media an event shows when
// its delivery is made (valid PARLEY_MEDIA_URL_TTL_HOURS from then, retries included).
std::unique_ptr<webhooks::Dispatcher> MakeWebhookDispatcher(boost::asio::any_io_executor executor, const Config& config,
                                                            store::Store& store, BlockingPool& pool,
                                                            http::Client& client, const crypto::SecretBox& box,
                                                            events::EventBus& bus,
                                                            const media::UrlSigner& media_signer);

}  // namespace parley::app
