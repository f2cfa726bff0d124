#pragma once
// Stripe webhooks: the signature check and the mapping of events onto a tenant's subscription, both pure.
//
// Stripe signs each delivery with `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`, where v1 is
// HMAC-SHA256 of "<t>.<raw body>" under the endpoint's signing secret (several v1 values appear while a secret is
// being rolled). Event objects follow Stripe's API reference; both the older and the newer (2025 "basil") shapes
// are read: `current_period_end` on the subscription or on its items, an invoice's subscription at the top level
// or under `parent.subscription_details`.

#include "core/error.h"
#include "store/billing_store.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace parley::billing {

inline constexpr int64_t kStripeToleranceSeconds = 300;

// Ok when one of the header's v1 signatures is the HMAC of "t.payload" under `secret` (compared in constant
// time) and t is within `tolerance_s` of `now_s` either way. Otherwise kInvalidArgument saying what is wrong
// (no secret configured, malformed header, no v1, timestamp out of tolerance, no matching signature).
Result<void> VerifyStripeSignature(std::string_view header, std::string_view payload, std::string_view secret,
                                   int64_t now_s, int64_t tolerance_s = kStripeToleranceSeconds);

// The value of a Stripe-Signature header for `payload` signed at `t` (tests, `parley simulate`-style tools).
std::string SignStripePayload(std::string_view payload, std::string_view secret, int64_t t);

struct StripeMapping {
  std::map<std::string, std::string> price_plans;  //!< Stripe price id → plan name.
};

// Maps one event (the raw webhook body) to the subscription change it implies:
//   checkout.session.completed        links client_reference_id (the tenant id) to the customer and subscription;
//   customer.subscription.created/updated   status, period end, and the plan of the first item's price
//                                      (active, trialing, past_due: that plan; canceled, unpaid,
//                                      incomplete_expired, paused: the default plan; incomplete: unchanged);
//   customer.subscription.deleted     status canceled, back to the default plan;
//   invoice.paid / invoice.payment_failed   status active / past_due (the plan stays).
// nullopt for any other type (acknowledged, ignored). kInvalidArgument for a body that is not an event.
Result<std::optional<store::StripeChange>> MapStripeEvent(std::string_view body, const StripeMapping& mapping);

}  // namespace parley::billing
