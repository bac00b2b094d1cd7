namespace ModelLoop.Serving.Billing;

/// <summary>
/// The billing tables, part of the serving database (<see cref="ServingSchema"/> runs them on every open, so a file of an
/// older server gains them without a version bump: tables are only added, nothing existing changes). Money is stored as
/// TEXT in invariant decimal notation because SQLite's REAL is a double, which cannot hold 0.1 exactly. Dates are
/// "yyyy-MM-dd" (UTC days), so they sort and compare as text.
/// </summary>
internal static class BillingSchema
{
    public const string Tables = """
        CREATE TABLE IF NOT EXISTS prices (
            model TEXT NOT NULL, effective_from TEXT NOT NULL, currency TEXT NOT NULL,
            per_1000_items TEXT NOT NULL, per_1000_requests TEXT NOT NULL,
            per_1000_prompt_tokens TEXT NOT NULL, per_1000_completion_tokens TEXT NOT NULL, created_utc TEXT NOT NULL,
            PRIMARY KEY (model, effective_from));
        CREATE TABLE IF NOT EXISTS plans (
            id TEXT NOT NULL, effective_from TEXT NOT NULL, currency TEXT NOT NULL, monthly_fee TEXT NOT NULL,
            included_items INTEGER NOT NULL, included_requests INTEGER NOT NULL,
            included_prompt_tokens INTEGER NOT NULL, included_completion_tokens INTEGER NOT NULL, created_utc TEXT NOT NULL,
            PRIMARY KEY (id, effective_from));
        CREATE TABLE IF NOT EXISTS plan_assignments (
            tenant_id TEXT NOT NULL, effective_from TEXT NOT NULL, plan_id TEXT NULL, created_utc TEXT NOT NULL,
            PRIMARY KEY (tenant_id, effective_from));
        """;
}
