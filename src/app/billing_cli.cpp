#include "app/billing_cli.h"

#include "app/setup.h"
#include "billing/billing.h"
#include "core/json.h"
#include "core/time.h"
#include "store/access_store.h"

#include <iostream>

namespace parley::app {

int TenantPlan(const Config& config, int64_t tenant_id, const std::string& plan) {
  auto store = OpenForCli(config);
  if (!store) return PrintError(store.error());
  auto previous = (*store)->billing().SetTenantPlan(tenant_id, plan);
  if (!previous) return PrintError(previous.error());
  const std::string from = previous->value_or(config.default_plan);
  auto audited =
      (*store)->access().AppendAudit({0, tenant_id, "cli", "plan.change", "tenant", std::to_string(tenant_id),
                                      SerializeJson(boost::json::object{{"from", from}, {"to", plan}}), NowMs()});
  (*store)->Close();
  // The plan is changed either way; a missing audit line is worth a warning, not a failure.
  if (!audited) std::cerr << "warning: the plan change was not audited: " << audited.error().message << "\n";
  std::cout << SerializeJson(boost::json::object{{"tenant_id", tenant_id}, {"plan", plan}, {"previous_plan", from}})
            << std::endl;
  return 0;
}

int PlanList(const Config& config) {
  auto store = OpenForCli(config);
  if (!store) return PrintError(store.error());
  auto plans = (*store)->billing().ListPlans();
  (*store)->Close();
  if (!plans) return PrintError(plans.error());
  for (const auto& plan : *plans) std::cout << SerializeJson(billing::ToJson(plan)) << "\n";
  return 0;
}

int PlanPut(const Config& config, const store::Plan& plan) {
  auto store = OpenForCli(config);
  if (!store) return PrintError(store.error());
  auto stored = (*store)->billing().PutPlan(plan);
  (*store)->Close();
  if (!stored) return PrintError(stored.error());
  std::cout << SerializeJson(billing::ToJson(*stored)) << std::endl;
  return 0;
}

}  // namespace parley::app
