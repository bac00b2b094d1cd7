namespace ModelLoop.Contracts;

/// <summary>
/// One version of a plan (GET/POST /v1/admin/plans): a monthly base fee and amounts included each UTC month, across all
/// models; usage beyond them is charged at each model's price. Included amounts are consumed in the order usage
/// happened (hour by hour, then by model and version), so the lines of the first usage of a month show them.
/// A plan version takes effect for whole months: <paramref name="EffectiveFrom"/> is the first day of a month, and the
/// version in effect on a month's first day applies to all of that month (no proration).
/// </summary>
/// <param name="Id">The plan's id, e.g. "starter" (letters, digits, '-', '_', '.').</param>
/// <param name="EffectiveFrom">The first day of the first month this version applies, e.g. "2026-12-01".</param>
/// <param name="Currency">ISO 4217 code of the fee and of the prices of the models its tenants use, e.g. "EUR".</param>
/// <param name="MonthlyFee">Charged every month the plan is assigned, usage or not; at most the currency's minor unit of decimals. Defaults to 0.</param>
/// <param name="IncludedItems">Items included each month. Defaults to 0.</param>
/// <param name="IncludedRequests">Requests included each month. Defaults to 0.</param>
/// <param name="IncludedPromptTokens">Prompt tokens included each month. Defaults to 0.</param>
/// <param name="IncludedCompletionTokens">Completion tokens included each month. Defaults to 0.</param>
public sealed record BillingPlan(string Id, DateOnly EffectiveFrom, string Currency, decimal MonthlyFee = 0, long IncludedItems = 0, long IncludedRequests = 0,
    long IncludedPromptTokens = 0, long IncludedCompletionTokens = 0)
{
    /// <summary>The amount of <paramref name="unit"/> included each month.</summary>
    public long Included(BilledUnit unit) => unit switch
    {
        BilledUnit.Requests => IncludedRequests,
        BilledUnit.Items => IncludedItems,
        BilledUnit.PromptTokens => IncludedPromptTokens,
        BilledUnit.CompletionTokens => IncludedCompletionTokens,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Not a billed unit."),
    };
}
