namespace ModelLoop.Contracts;

/// <summary>
/// One version of a model's price (GET/POST /v1/admin/prices): from <paramref name="EffectiveFrom"/> (00:00 UTC of that
/// day) until the model's next price version, usage of <paramref name="Model"/> costs the given amounts per 1,000 units
/// in <paramref name="Currency"/> (an ISO 4217 code such as "USD" or "EUR"). Units whose price is left out cost 0.
/// A price may have any number of decimals; each invoice line's amount is rounded once (see <see cref="Invoice"/>).
/// A version that takes effect in a month that has ended cannot be added, replaced or removed: invoices of ended
/// months never change.
/// </summary>
/// <param name="Model">The model's name, as served (e.g. "iris").</param>
/// <param name="EffectiveFrom">The first UTC day this price applies, e.g. "2026-12-15".</param>
/// <param name="Currency">ISO 4217 code, upper case, e.g. "EUR".</param>
/// <param name="PerThousandItems">Price of 1,000 items predicted. Defaults to 0.</param>
/// <param name="PerThousandRequests">Price of 1,000 requests. Defaults to 0.</param>
/// <param name="PerThousandPromptTokens">Price of 1,000 prompt tokens (language models). Defaults to 0.</param>
/// <param name="PerThousandCompletionTokens">Price of 1,000 completion tokens (language models). Defaults to 0.</param>
public sealed record ModelPrice(string Model, DateOnly EffectiveFrom, string Currency, decimal PerThousandItems = 0, decimal PerThousandRequests = 0,
    decimal PerThousandPromptTokens = 0, decimal PerThousandCompletionTokens = 0)
{
    /// <summary>The price of 1,000 of <paramref name="unit"/>.</summary>
    public decimal PerThousand(BilledUnit unit) => unit switch
    {
        BilledUnit.Requests => PerThousandRequests,
        BilledUnit.Items => PerThousandItems,
        BilledUnit.PromptTokens => PerThousandPromptTokens,
        BilledUnit.CompletionTokens => PerThousandCompletionTokens,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Not a billed unit."),
    };
}
