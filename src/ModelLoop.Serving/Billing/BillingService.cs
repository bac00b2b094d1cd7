using ModelLoop.Contracts;
using ModelLoop.Storage;

namespace ModelLoop.Serving.Billing;

/// <summary>
/// Prices, plans, plan assignments and monthly invoices on the serving database (one per server, from DI; the admin API
/// and the dashboard use it). Every change is checked (<see cref="BillingInputException"/>, 400, naming the field) and is
/// one SQLite transaction. A change that would alter an ended month — a price, plan or assignment effective before the
/// current UTC month's first day, by the server's clock — is refused (<see cref="BillingConflictException"/>, 409), so
/// invoices of ended months never change; a change within the current month updates its draft invoice.
/// Invoices are derived from the usage and the billing tables in one read snapshot on each call; nothing is stored.
/// </summary>
public sealed class BillingService
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _clock;
    private readonly Func<IEnumerable<string>> _servedModels;

    /// <param name="database">The serving database (<see cref="ServingSchema.Open"/>).</param>
    /// <param name="clock">Now: which months have ended. Defaults to the system clock.</param>
    /// <param name="servedModels">The models the server offers, predictive and language models (a price for another model is refused unless it was metered before). Defaults to none.</param>
    internal BillingService(SqliteDatabase database, TimeProvider? clock = null, Func<IEnumerable<string>>? servedModels = null)
    {
        _database = database;
        _clock = clock ?? TimeProvider.System;
        _servedModels = servedModels ?? (() => []);
    }

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    /// <summary>Every price version, or those of <paramref name="model"/>, by model then effective date.</summary>
    public IReadOnlyList<ModelPrice> ListPrices(string? model = null) =>
        Book().Prices.Where(p => model is null || p.Model == model).ToList();

    /// <summary>Adds a price version, or replaces the one of the same model and effective date.</summary>
    public ModelPrice SetPrice(ModelPrice price)
    {
        BillingValidation.Check(price, IsKnownModel);
        RequireOpen(price.EffectiveFrom, "effectiveFrom", $"the price of '{price.Model}'");
        _database.Write((connection, transaction) => SqliteDatabase.Execute(connection, transaction, """
            INSERT INTO prices (model, effective_from, currency, per_1000_items, per_1000_requests, per_1000_prompt_tokens, per_1000_completion_tokens, created_utc)
            VALUES ($m, $from, $cur, $items, $requests, $prompt, $completion, $now)
            ON CONFLICT (model, effective_from) DO UPDATE SET currency = excluded.currency, per_1000_items = excluded.per_1000_items,
                per_1000_requests = excluded.per_1000_requests, per_1000_prompt_tokens = excluded.per_1000_prompt_tokens,
                per_1000_completion_tokens = excluded.per_1000_completion_tokens, created_utc = excluded.created_utc
            """,
            ("$m", price.Model), ("$from", PriceBook.Text(price.EffectiveFrom)), ("$cur", price.Currency), ("$items", PriceBook.Text(price.PerThousandItems)),
            ("$requests", PriceBook.Text(price.PerThousandRequests)), ("$prompt", PriceBook.Text(price.PerThousandPromptTokens)),
            ("$completion", PriceBook.Text(price.PerThousandCompletionTokens)), ("$now", SqliteDatabase.Now())));
        return price;
    }

    /// <summary>Removes a price version that has not taken effect in an ended month; false when there is none.</summary>
    public bool RemovePrice(string model, DateOnly effectiveFrom)
    {
        RequireOpen(effectiveFrom, "effectiveFrom", $"the price of '{model}'");
        return _database.Write((connection, transaction) => SqliteDatabase.Execute(connection, transaction,
            "DELETE FROM prices WHERE model = $m AND effective_from = $from", ("$m", model), ("$from", PriceBook.Text(effectiveFrom)))) > 0;
    }

    /// <summary>Every plan version, by id then effective date.</summary>
    public IReadOnlyList<BillingPlan> ListPlans() => Book().Plans;

    /// <summary>Adds a plan version, or replaces the one of the same id and effective date.</summary>
    public BillingPlan SetPlan(BillingPlan plan)
    {
        BillingValidation.Check(plan);
        RequireOpen(plan.EffectiveFrom, "effectiveFrom", $"plan '{plan.Id}'");
        _database.Write((connection, transaction) => SqliteDatabase.Execute(connection, transaction, """
            INSERT INTO plans (id, effective_from, currency, monthly_fee, included_items, included_requests, included_prompt_tokens, included_completion_tokens, created_utc)
            VALUES ($id, $from, $cur, $fee, $items, $requests, $prompt, $completion, $now)
            ON CONFLICT (id, effective_from) DO UPDATE SET currency = excluded.currency, monthly_fee = excluded.monthly_fee,
                included_items = excluded.included_items, included_requests = excluded.included_requests,
                included_prompt_tokens = excluded.included_prompt_tokens, included_completion_tokens = excluded.included_completion_tokens,
                created_utc = excluded.created_utc
            """,
            ("$id", plan.Id), ("$from", PriceBook.Text(plan.EffectiveFrom)), ("$cur", plan.Currency), ("$fee", PriceBook.Text(plan.MonthlyFee)),
            ("$items", plan.IncludedItems), ("$requests", plan.IncludedRequests), ("$prompt", plan.IncludedPromptTokens),
            ("$completion", plan.IncludedCompletionTokens), ("$now", SqliteDatabase.Now())));
        return plan;
    }

    /// <summary>Removes a plan version that has not taken effect in an ended month; false when there is none.</summary>
    public bool RemovePlan(string id, DateOnly effectiveFrom)
    {
        RequireOpen(effectiveFrom, "effectiveFrom", $"plan '{id}'");
        return _database.Write((connection, transaction) => SqliteDatabase.Execute(connection, transaction,
            "DELETE FROM plans WHERE id = $id AND effective_from = $from", ("$id", id), ("$from", PriceBook.Text(effectiveFrom)))) > 0;
    }

    /// <summary>Every plan assignment, or those of <paramref name="tenantId"/>, by tenant then effective date.</summary>
    public IReadOnlyList<PlanAssignment> ListPlanAssignments(string? tenantId = null) =>
        Book().Assignments.Where(a => tenantId is null || a.TenantId == tenantId).ToList();

    /// <summary>Puts a tenant on a plan (or on none: a null PlanId) from a month on, replacing an assignment of the same month.</summary>
    public PlanAssignment AssignPlan(PlanAssignment assignment)
    {
        // Checked in the writing transaction: the tenant and the plan's version cannot disappear between the check and the insert.
        _database.Write((connection, transaction) =>
        {
            BillingValidation.Check(assignment, TenantDirectory.Read(connection, transaction), PriceBook.Read(connection, transaction));
            RequireOpen(assignment.EffectiveFrom, "effectiveFrom", $"the plan of tenant '{assignment.TenantId}'");
            return SqliteDatabase.Execute(connection, transaction, """
                INSERT INTO plan_assignments (tenant_id, effective_from, plan_id, created_utc) VALUES ($t, $from, $plan, $now)
                ON CONFLICT (tenant_id, effective_from) DO UPDATE SET plan_id = excluded.plan_id, created_utc = excluded.created_utc
                """,
                ("$t", assignment.TenantId), ("$from", PriceBook.Text(assignment.EffectiveFrom)), ("$plan", assignment.PlanId), ("$now", SqliteDatabase.Now()));
        });
        return assignment;
    }

    /// <summary>The invoice of one tenant for <paramref name="month"/> (a draft while the month runs).</summary>
    /// <exception cref="KeyNotFoundException">No tenant <paramref name="tenantId"/> and no usage of it.</exception>
    /// <exception cref="BillingConflictException">Its plan and prices disagree on the currency.</exception>
    public Invoice GetInvoice(BillingMonth month, string tenantId) =>
        _database.Read(connection => InvoiceReport.Build(connection, month, tenantId, Now)).Single();

    /// <summary>The invoices of every tenant that existed in <paramref name="month"/> or has usage in it, by tenant id.</summary>
    public IReadOnlyList<Invoice> GetInvoices(BillingMonth month) =>
        _database.Read(connection => InvoiceReport.Build(connection, month, null, Now));

    private PriceBook Book() => _database.Read(connection => PriceBook.Read(connection, null));

    private bool IsKnownModel(string model) =>
        _servedModels().Contains(model, StringComparer.Ordinal)
        || _database.Read(connection => SqliteDatabase.Scalar(connection, null, "SELECT 1 FROM usage WHERE model = $m LIMIT 1", ("$m", model))) is not null;

    // Changes effective before the current month would rewrite the invoice of a month that has ended.
    private void RequireOpen(DateOnly effectiveFrom, string field, string what)
    {
        var current = BillingMonth.Of(Now);
        if (effectiveFrom < current.FirstDay)
            throw new BillingConflictException(
                $"\"{field}\" {PriceBook.Text(effectiveFrom)} lies in {BillingMonth.Of(effectiveFrom)}, a month that has ended, so changing {what} from then would change issued invoices. " +
                $"Use an effective date of {PriceBook.Text(current.FirstDay)} or later.");
    }
}
