#include "api/openapi_schema_shapes.h"

namespace parley::api {

// The shapes of the links to Stripe: a Checkout Session that subscribes the tenant, the Customer Portal.
extern const std::string_view kBillingLinkSchemaShapes = R"json({
  "CheckoutRequest": {
    "type": "object",
    "required": ["plan"],
    "additionalProperties": false,
    "properties": {
      "plan": {"type": "string", "minLength": 1, "description": "A plan sold through Stripe: one of GET /api/plans' checkout_plans."}
    }
  },
  "PortalRequest": {
    "type": "object",
    "description": "May be empty.",
    "additionalProperties": false,
    "properties": {
      "change_plan": {"type": ["boolean", "null"], "description": "Open the portal on changing the running subscription's plan."}
    }
  },
  "BillingLink": {
    "type": "object",
    "required": ["url"],
    "properties": {
      "url": {"type": "string", "format": "uri", "description": "Stripe's page: send the browser there. It is short-lived and works once."}
    }
  }
})json";

}  // namespace parley::api
