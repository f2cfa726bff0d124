#pragma once
// The sub-stores of the PostgreSQL backend, each in its own file; PostgresStore makes them.

#include <memory>

namespace parley::store {
class TenantStore;
class AccessStore;
class TeamStore;
class BillingStore;
class InboxStore;
class ContactStore;
class EventLog;
class WebhookStore;
class AnalyticsStore;
class KnowledgeStore;
class MediaRecords;
class OAuthFlowStore;
}  // namespace parley::store

namespace parley::store::postgres {

class PostgresStore;

std::unique_ptr<TenantStore> MakePostgresTenantStore(PostgresStore& store);
std::unique_ptr<AccessStore> MakePostgresAccessStore(PostgresStore& store);
std::unique_ptr<TeamStore> MakePostgresTeamStore(PostgresStore& store);
std::unique_ptr<BillingStore> MakePostgresBillingStore(PostgresStore& store);
std::unique_ptr<InboxStore> MakePostgresInboxStore(PostgresStore& store);
std::unique_ptr<ContactStore> MakePostgresContactStore(PostgresStore& store);
std::unique_ptr<EventLog> MakePostgresEventLog(PostgresStore& store);
std::unique_ptr<WebhookStore> MakePostgresWebhookStore(PostgresStore& store);
std::unique_ptr<AnalyticsStore> MakePostgresAnalyticsStore(PostgresStore& store);
std::unique_ptr<KnowledgeStore> MakePostgresKnowledgeStore(PostgresStore& store);
std::unique_ptr<MediaRecords> MakePostgresMediaRecords(PostgresStore& store);
std::unique_ptr<OAuthFlowStore> MakePostgresOAuthFlowStore(PostgresStore& store);

}  // namespace parley::store::postgres
