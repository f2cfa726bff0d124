#pragma once
// The object shapes of the API reference, written as JSON Schema (2020-12, as OpenAPI 3.1 reads it), one JSON object
// of named schemas per area; openapi_schemas.cpp merges them with the enums it builds from the C++ enums.
// Conventions: every property the handler always writes is `required`; a property it writes only sometimes is not;
// `null` is in the type of a property that may be null.

#include <string_view>

namespace parley::api {

extern const std::string_view kInboxSchemaShapes;        //!< Errors, conversations, messages, events, agent answers.
extern const std::string_view kContactSchemaShapes;      //!< Contacts, their export and erasure.
extern const std::string_view kWebhookSchemaShapes;      //!< Outbound webhook endpoints and deliveries.
extern const std::string_view kAdminSchemaShapes;        //!< Knowledge, access, channels, billing, operations.
extern const std::string_view kBillingLinkSchemaShapes;  //!< Stripe Checkout and Customer Portal links.
extern const std::string_view kTeamSchemaShapes;         //!< Invitations, forgotten passwords.
extern const std::string_view kAnalyticsSchemaShapes;    //!< The tenant's settings, analytics.

}  // namespace parley::api
