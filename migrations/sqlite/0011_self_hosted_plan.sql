-- The plan of a self-hosted Parley (docs/billing.md): every feature, no quota, no channel or knowledge limit. Tenants
-- default to it unless billing is on (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET set) or PARLEY_DEFAULT_PLAN names
-- another plan.
INSERT INTO plans VALUES ('self-hosted', 'Self-hosted', 4, 0, 1, 1, NULL, NULL, NULL, NULL, NULL);
