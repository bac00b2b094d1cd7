using ModelLoop.Contracts;

namespace ModelLoop.Serving.Billing;

/// <summary>
/// Turns one tenant's metered hours of one month into its <see cref="Invoice"/>: a pure function of the usage rows and
/// the <see cref="PriceBook"/>, so the same rows and prices always give the same invoice, to the cent.
/// </summary>
internal static class InvoiceCalculator
{
    // One invoice line being summed: a model version's use of one unit under one price version (null: unpriced).
    private sealed class LineSum(string model, string version, BilledUnit unit, ModelPrice? price)
    {
        public readonly string Model = model;
        public readonly string Version = version;
        public readonly BilledUnit Unit = unit;
        public readonly ModelPrice? Price = price;
        public long Quantity;
        public long Included;
    }

    /// <param name="month">The invoice's month.</param>
    /// <param name="tenantId">The tenant billed.</param>
    /// <param name="tenantName">Its display name.</param>
    /// <param name="usage">The tenant's rows of the month, oldest first (included amounts are consumed in this order).</param>
    /// <param name="book">Prices, plans and assignments.</param>
    /// <param name="nowUtc">Now, to tell a final invoice from a draft (<see cref="BillingMonth.IsFinalAt"/>).</param>
    /// <exception cref="BillingConflictException">The plan and a price (or two prices) are in different currencies, or the assigned plan has no version in effect.</exception>
    public static Invoice Compute(BillingMonth month, string tenantId, string tenantName, IEnumerable<MeteredHour> usage, PriceBook book, DateTime nowUtc)
    {
        var plan = PlanOf(month, tenantId, book);
        var left = MeteredHour.Units.ToDictionary(u => u, u => plan?.Included(u) ?? 0);
        var lines = new Dictionary<(string, string, BilledUnit, DateOnly?), LineSum>();
        var versionsByModel = new Dictionary<string, IReadOnlyList<ModelPrice>>(StringComparer.Ordinal);
        // Time order, then model and version (ordinal): the order included amounts are used up in.
        foreach (var hour in usage.OrderBy(h => h.HourUtc).ThenBy(h => h.Model, StringComparer.Ordinal).ThenBy(h => h.Version, StringComparer.Ordinal))
        {
            if (!versionsByModel.TryGetValue(hour.Model, out var versions))
                versionsByModel[hour.Model] = versions = book.VersionsOf(hour.Model);
            var day = DateOnly.FromDateTime(hour.HourUtc);
            var price = versions.LastOrDefault(p => p.EffectiveFrom <= day);
            foreach (var unit in MeteredHour.Units)
            {
                var quantity = hour.Amount(unit);
                if (quantity == 0)
                    continue;
                var included = Math.Min(left[unit], quantity);
                left[unit] -= included;
                var key = (hour.Model, hour.Version, unit, price?.EffectiveFrom);
                if (!lines.TryGetValue(key, out var sum))
                    lines[key] = sum = new LineSum(hour.Model, hour.Version, unit, price);
                sum.Quantity += quantity;
                sum.Included += included;
            }
        }
        var currency = Currency(plan, lines.Values.Select(l => l.Price).OfType<ModelPrice>());
        var invoiceLines = lines.Values
            .OrderBy(l => l.Model, StringComparer.Ordinal).ThenBy(l => l.Version, StringComparer.Ordinal).ThenBy(l => l.Unit)
            .ThenBy(l => l.Price?.EffectiveFrom ?? DateOnly.MinValue)
            .Select(l => Line(l, month, versionsByModel[l.Model], currency))
            .ToList();
        var fee = Currencies.Round(plan?.MonthlyFee ?? 0, currency);
        var usageAmount = invoiceLines.Aggregate(Currencies.Round(0, currency), (total, line) => total + line.Amount);
        return new Invoice(tenantId, tenantName, month.ToString(), month.StartUtc, month.EndUtc, currency, plan?.Id, fee, invoiceLines, usageAmount,
            fee + usageAmount, month.IsFinalAt(nowUtc));
    }

    private static BillingPlan? PlanOf(BillingMonth month, string tenantId, PriceBook book)
    {
        if (book.AssignmentOn(tenantId, month.FirstDay) is not { PlanId: { } planId } assignment)
            return null;
        return book.PlanOn(planId, month.FirstDay) ?? throw new BillingConflictException(
            $"Tenant '{tenantId}' is assigned plan '{planId}' from {PriceBook.Text(assignment.EffectiveFrom)}, but that plan has no version in effect on {PriceBook.Text(month.FirstDay)}. " +
            $"Add a version of '{planId}' effective from {PriceBook.Text(month.FirstDay)} or earlier (POST /v1/admin/plans), or assign another plan.");
    }

    // The plan's currency, else the prices'; all must agree, since an invoice has one currency.
    private static string Currency(BillingPlan? plan, IEnumerable<ModelPrice> prices)
    {
        var currency = plan?.Currency;
        var source = plan is null ? null : $"plan '{plan.Id}'";
        foreach (var price in prices)
        {
            if (currency is null)
                (currency, source) = (price.Currency, $"the price of '{price.Model}' from {PriceBook.Text(price.EffectiveFrom)}");
            else if (price.Currency != currency)
                throw new BillingConflictException(
                    $"The price of '{price.Model}' from {PriceBook.Text(price.EffectiveFrom)} is in {price.Currency}, but {source} is in {currency}; an invoice has one currency. " +
                    $"Set the price in {currency} (POST /v1/admin/prices) or move the tenant to a plan in {price.Currency}.");
        }
        return currency ?? Currencies.None;
    }

    private static InvoiceLine Line(LineSum sum, BillingMonth month, IReadOnlyList<ModelPrice> versions, string currency)
    {
        // The part of the month this price version covers: from its start (or the month's) to the next version's start (or the month's end).
        var from = sum.Price is { } price ? Max(month.StartUtc, Start(price.EffectiveFrom)) : month.StartUtc;
        var next = versions.FirstOrDefault(p => sum.Price is null || p.EffectiveFrom > sum.Price.EffectiveFrom);
        var to = next is null ? month.EndUtc : Min(month.EndUtc, Start(next.EffectiveFrom));
        var perThousand = sum.Price?.PerThousand(sum.Unit) ?? 0;
        var billable = sum.Quantity - sum.Included;
        // decimal arithmetic is exact here (28 significant digits); the one rounding is to the currency's minor unit.
        var amount = Currencies.Round(billable * perThousand / 1000m, currency);
        return new InvoiceLine(sum.Model, sum.Version, sum.Unit, from, to, sum.Quantity, sum.Included, billable, perThousand, sum.Price?.EffectiveFrom, amount);
    }

    private static DateTime Start(DateOnly day) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
