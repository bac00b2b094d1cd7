using System.Globalization;
using System.Text.RegularExpressions;
using ModelLoop.Contracts;

namespace ModelLoop.Serving.Billing;

/// <summary>Checks prices, plans and assignments field by field; each failure is a <see cref="BillingInputException"/> naming the JSON field.</summary>
internal static partial class BillingValidation
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex PlanIdPattern();

    public static void Check(ModelPrice price, Func<string, bool> isKnownModel)
    {
        if (string.IsNullOrWhiteSpace(price.Model))
            throw new BillingInputException("model", "\"model\" is required: the name of a served model, e.g. { \"model\": \"iris\", \"effectiveFrom\": \"2026-12-01\", \"currency\": \"EUR\", \"perThousandItems\": 0.5 }.");
        if (!isKnownModel(price.Model))
            throw new BillingInputException("model", $"\"model\" '{price.Model}' is not a model this server serves or has metered. Check its spelling (GET /v1/models lists the models, GET /v1/openai/models the language models).");
        Day(price.EffectiveFrom, "effectiveFrom", firstOfMonth: false);
        Currency(price.Currency, "currency");
        NotNegative(price.PerThousandItems, "perThousandItems");
        NotNegative(price.PerThousandRequests, "perThousandRequests");
        NotNegative(price.PerThousandPromptTokens, "perThousandPromptTokens");
        NotNegative(price.PerThousandCompletionTokens, "perThousandCompletionTokens");
    }

    public static void Check(BillingPlan plan)
    {
        if (plan.Id is null || !PlanIdPattern().IsMatch(plan.Id))
            throw new BillingInputException("id", $"\"id\" must be 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit, e.g. \"starter\"; received '{plan.Id}'.");
        Day(plan.EffectiveFrom, "effectiveFrom", firstOfMonth: true);
        Currency(plan.Currency, "currency");
        NotNegative(plan.MonthlyFee, "monthlyFee");
        if (!Currencies.FitsMinorUnit(plan.MonthlyFee, plan.Currency))
            throw new BillingInputException("monthlyFee", $"\"monthlyFee\" {Text(plan.MonthlyFee)} has more decimals than {plan.Currency} has ({Currencies.MinorDigits(plan.Currency)}). Round it to the currency's minor unit.");
        NotNegative(plan.IncludedItems, "includedItems");
        NotNegative(plan.IncludedRequests, "includedRequests");
        NotNegative(plan.IncludedPromptTokens, "includedPromptTokens");
        NotNegative(plan.IncludedCompletionTokens, "includedCompletionTokens");
    }

    public static void Check(PlanAssignment assignment, IReadOnlyDictionary<string, TenantDirectory.Entry> tenants, PriceBook book)
    {
        if (string.IsNullOrWhiteSpace(assignment.TenantId) || !tenants.ContainsKey(assignment.TenantId))
            throw new BillingInputException("tenantId", $"\"tenantId\" '{assignment.TenantId}' is not a tenant. GET /v1/admin/tenants lists them (ids start with 't_').");
        Day(assignment.EffectiveFrom, "effectiveFrom", firstOfMonth: true);
        if (assignment.PlanId is { } planId && book.PlanOn(planId, assignment.EffectiveFrom) is null)
        {
            var first = book.Plans.FirstOrDefault(p => p.Id == planId);
            throw new BillingInputException("planId", first is null
                ? $"\"planId\" '{planId}' is not a plan. Create it first (POST /v1/admin/plans) or pass null for no plan."
                : $"\"planId\" '{planId}' takes effect only from {PriceBook.Text(first.EffectiveFrom)}; assign it from then, or add a version effective from {PriceBook.Text(assignment.EffectiveFrom)}.");
        }
    }

    private static void Day(DateOnly day, string field, bool firstOfMonth)
    {
        if (day.Year < 2000)
            throw new BillingInputException(field, $"\"{field}\" is required: a UTC date written yyyy-MM-dd{(firstOfMonth ? " on the first day of a month, e.g. \"2027-01-01\"" : ", e.g. \"2026-12-15\"")}; received {(day == default ? "none" : PriceBook.Text(day))}.");
        if (firstOfMonth && day.Day != 1)
            throw new BillingInputException(field, $"\"{field}\" must be the first day of a month (plans apply to whole months); received {PriceBook.Text(day)}. Use {PriceBook.Text(new DateOnly(day.Year, day.Month, 1).AddMonths(1))} or {PriceBook.Text(new DateOnly(day.Year, day.Month, 1))}.");
    }

    private static void Currency(string? code, string field)
    {
        if (!Currencies.IsKnown(code))
            throw new BillingInputException(field, $"\"{field}\" must be an ISO 4217 currency code in upper case, such as \"USD\", \"EUR\" or \"JPY\"; received '{code}'.");
    }

    private static void NotNegative(decimal value, string field)
    {
        if (value < 0)
            throw new BillingInputException(field, $"\"{field}\" must be 0 or more; received {Text(value)}.");
    }

    private static void NotNegative(long value, string field)
    {
        if (value < 0)
            throw new BillingInputException(field, $"\"{field}\" must be 0 or more; received {value.ToString(CultureInfo.InvariantCulture)}.");
    }

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
