namespace ModelLoop.Contracts;

/// <summary>
/// One line of an <see cref="Invoice"/>: the usage of one model version in one unit while one price version applied.
/// <c>Billable = Quantity − Included</c>, and <c>Amount = round(Billable × PricePerThousand / 1000)</c> to the currency's
/// minor unit, midpoint away from zero.
/// </summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The model version that served the usage.</param>
/// <param name="Unit">What is counted.</param>
/// <param name="FromUtc">Start of the part of the month this line covers (the month's start or the price's), inclusive.</param>
/// <param name="ToUtc">End of that part (the month's end or the next price's start), exclusive.</param>
/// <param name="Quantity">Metered amount in [FromUtc, ToUtc): the sum of the usage table's rows.</param>
/// <param name="Included">Part of Quantity covered by the plan's included amount.</param>
/// <param name="Billable">Quantity − Included.</param>
/// <param name="PricePerThousand">The price of 1,000 units (0 when the model has no price then).</param>
/// <param name="PriceEffectiveFrom">The price version applied; null when the model had no price then (free).</param>
/// <param name="Amount">The line's charge, rounded.</param>
public sealed record InvoiceLine(string Model, string Version, BilledUnit Unit, DateTime FromUtc, DateTime ToUtc, long Quantity, long Included, long Billable,
    decimal PricePerThousand, DateOnly? PriceEffectiveFrom, decimal Amount);
