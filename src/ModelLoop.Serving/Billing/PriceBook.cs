using System.Globalization;
using Microsoft.Data.Sqlite;
using ModelLoop.Contracts;
using ModelLoop.Storage;

namespace ModelLoop.Serving.Billing;

/// <summary>
/// Every price version, plan version and plan assignment, read in one snapshot, with the look-ups an invoice needs: the
/// price of a model at an hour, the plan of a tenant in a month. Each list is sorted by key, then effective date.
/// </summary>
internal sealed record PriceBook(IReadOnlyList<ModelPrice> Prices, IReadOnlyList<BillingPlan> Plans, IReadOnlyList<PlanAssignment> Assignments)
{
    public static PriceBook Empty { get; } = new([], [], []);

    /// <summary>Reads the billing tables; empty when the file has none yet (a database of an older server, opened read-only).</summary>
    public static PriceBook Read(SqliteConnection connection, SqliteTransaction? transaction)
    {
        var hasTables = Convert.ToInt64(SqliteDatabase.Scalar(connection, transaction,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'prices'"), CultureInfo.InvariantCulture) > 0;
        if (!hasTables)
            return Empty;
        var prices = SqliteDatabase.Query(connection, transaction, """
            SELECT model, effective_from, currency, per_1000_items, per_1000_requests, per_1000_prompt_tokens, per_1000_completion_tokens
            FROM prices ORDER BY model, effective_from
            """,
            r => new ModelPrice(r.GetString(0), Day(r.GetString(1)), r.GetString(2), Money(r.GetString(3)), Money(r.GetString(4)), Money(r.GetString(5)), Money(r.GetString(6))));
        var plans = SqliteDatabase.Query(connection, transaction, """
            SELECT id, effective_from, currency, monthly_fee, included_items, included_requests, included_prompt_tokens, included_completion_tokens
            FROM plans ORDER BY id, effective_from
            """,
            r => new BillingPlan(r.GetString(0), Day(r.GetString(1)), r.GetString(2), Money(r.GetString(3)), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7)));
        var assignments = SqliteDatabase.Query(connection, transaction,
            "SELECT tenant_id, plan_id, effective_from FROM plan_assignments ORDER BY tenant_id, effective_from",
            r => new PlanAssignment(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), Day(r.GetString(2))));
        return new PriceBook(prices, plans, assignments);
    }

    /// <summary>The price versions of <paramref name="model"/>, oldest first.</summary>
    public IReadOnlyList<ModelPrice> VersionsOf(string model) => Prices.Where(p => p.Model == model).ToList();

    /// <summary>The plan assignment of <paramref name="tenantId"/> in effect on <paramref name="day"/>; null when none was made.</summary>
    public PlanAssignment? AssignmentOn(string tenantId, DateOnly day) =>
        Assignments.LastOrDefault(a => a.TenantId == tenantId && a.EffectiveFrom <= day);

    /// <summary>The version of plan <paramref name="planId"/> in effect on <paramref name="day"/>; null when it has none by then.</summary>
    public BillingPlan? PlanOn(string planId, DateOnly day) => Plans.LastOrDefault(p => p.Id == planId && p.EffectiveFrom <= day);

    /// <summary>Stored form of a day: "yyyy-MM-dd".</summary>
    public static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Stored form of an amount: invariant decimal notation, scale kept ("0.50" stays "0.50").</summary>
    public static string Text(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    private static DateOnly Day(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static decimal Money(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
}
