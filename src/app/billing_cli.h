#pragma once
// `parley tenant plan` and `parley plan …`: plans by hand, for self-hosters who do not bill through Stripe.

#include "core/config.h"
#include "store/billing_store.h"

#include <cstdint>
#include <string>

namespace parley::app {

// Puts the tenant on `plan`; prints {"tenant_id","plan","previous_plan"}. Exit code 1 for an unknown tenant or plan.
int TenantPlan(const Config& config, int64_t tenant_id, const std::string& plan);

// Prints the plan catalog, one JSON object per line.
int PlanList(const Config& config);

// Adds `plan` to the catalog or replaces the plan of that name; prints it.
int PlanPut(const Config& config, const store::Plan& plan);

}  // namespace parley::app
