using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ModelLoop.Contracts;
using ModelLoop.Serving.Billing;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Serving.Api;

/// <summary>
/// Prices, plans and invoices. With the admin key: GET/POST /v1/admin/prices (?model=), DELETE
/// /v1/admin/prices/{model}/{effectiveFrom}; GET/POST /v1/admin/plans, DELETE /v1/admin/plans/{id}/{effectiveFrom};
/// GET/POST /v1/admin/plan-assignments (?tenant=); GET /v1/admin/invoices/{month} (every tenant's, or ?tenant=).
/// With any key: GET /v1/invoices/{month}, the caller's own invoice (the admin key names the tenant with ?tenant=).
/// Invoices take ?format=json (the default) or csv. A POST replaces the version with the same key and date, so it is
/// safe to repeat. Bad fields get 400 naming the field, changes to ended months 409.
/// </summary>
internal static class BillingApi
{
    public static RouteGroupBuilder MapBillingApi(this RouteGroupBuilder v1)
    {
        var admin = v1.MapGroup("/admin").AddEndpointFilter(async (context, next) =>
            ApiKeyMiddleware.Current(context.HttpContext).IsAdmin
                ? await next(context)
                : Problems.Forbidden("Managing prices, plans and every tenant's invoices needs the admin key (Serving:AdminKey); a tenant key reads its own invoice at GET /v1/invoices/{month}."));
        admin.MapGet("/prices", (string? model, BillingService billing) => TypedResults.Ok(billing.ListPrices(model))).WithName("ListPrices");
        admin.MapPost("/prices", SetPrice).WithName("SetPrice");
        admin.MapDelete("/prices/{model}/{effectiveFrom}", RemovePrice).WithName("RemovePrice");
        admin.MapGet("/plans", (BillingService billing) => TypedResults.Ok(billing.ListPlans())).WithName("ListPlans");
        admin.MapPost("/plans", SetPlan).WithName("SetPlan");
        admin.MapDelete("/plans/{id}/{effectiveFrom}", RemovePlan).WithName("RemovePlan");
        admin.MapGet("/plan-assignments", (string? tenant, BillingService billing) => TypedResults.Ok(billing.ListPlanAssignments(tenant))).WithName("ListPlanAssignments");
        admin.MapPost("/plan-assignments", AssignPlan).WithName("AssignPlan");
        admin.MapGet("/invoices/{month}", AllInvoices).WithName("ListInvoices");
        v1.MapGet("/invoices/{month}", OwnInvoice).WithName("GetInvoice");
        return v1;
    }

    private static Results<Ok<ModelPrice>, ProblemHttpResult> SetPrice(ModelPrice price, BillingService billing)
    {
        try
        {
            return TypedResults.Ok(billing.SetPrice(price));
        }
        catch (Exception e) when (IsBillingError(e))
        {
            return Problem(e);
        }
    }

    private static Results<NoContent, ProblemHttpResult> RemovePrice(string model, string effectiveFrom, BillingService billing)
    {
        try
        {
            return billing.RemovePrice(model, Day(effectiveFrom))
                ? TypedResults.NoContent()
                : Problems.NotFound($"No price of '{model}' takes effect on {effectiveFrom}. GET /v1/admin/prices lists them.");
        }
        catch (Exception e) when (IsBillingError(e))
        {
            return Problem(e);
        }
    }

    private static Results<Ok<BillingPlan>, ProblemHttpResult> SetPlan(BillingPlan plan, BillingService billing)
    {
        try
        {
            return TypedResults.Ok(billing.SetPlan(plan));
        }
        catch (Exception e) when (IsBillingError(e))
        {
            return Problem(e);
        }
    }

    private static Results<NoContent, ProblemHttpResult> RemovePlan(string id, string effectiveFrom, BillingService billing)
    {
        try
        {
            return billing.RemovePlan(id, Day(effectiveFrom))
                ? TypedResults.NoContent()
                : Problems.NotFound($"No version of plan '{id}' takes effect on {effectiveFrom}. GET /v1/admin/plans lists them.");
        }
        catch (Exception e) when (IsBillingError(e))
        {
            return Problem(e);
        }
    }

    private static Results<Ok<PlanAssignment>, ProblemHttpResult> AssignPlan(PlanAssignment assignment, BillingService billing)
    {
        try
        {
            return TypedResults.Ok(billing.AssignPlan(assignment));
        }
        catch (Exception e) when (IsBillingError(e))
        {
            return Problem(e);
        }
    }

    private static Results<Ok<IReadOnlyList<Invoice>>, FileContentHttpResult, ProblemHttpResult> AllInvoices(string month, string? tenant, string? format, BillingService billing)
    {
        try
        {
            var csv = IsCsv(format);
            var period = BillingMonth.Parse(month, "The month in the path");
            IReadOnlyList<Invoice> invoices = tenant is null ? billing.GetInvoices(period) : [billing.GetInvoice(period, tenant)];
            return csv ? Csv(invoices, $"invoices-{period}.csv") : TypedResults.Ok(invoices);
        }
        catch (Exception e) when (IsBillingError(e))
        {
            return Problem(e);
        }
    }

    private static Results<Ok<Invoice>, FileContentHttpResult, ProblemHttpResult> OwnInvoice(string month, string? tenant, string? format, HttpContext context, BillingService billing)
    {
        var caller = ApiKeyMiddleware.Current(context);
        if (caller.IsAdmin && tenant is null)
            return Problems.BadInput("With the admin key, name the tenant: ?tenant=t_…; GET /v1/admin/invoices/{month} lists every tenant's invoice.");
        if (!caller.IsAdmin && tenant is not null && tenant != caller.Id)
            return Problems.Forbidden($"This key belongs to tenant '{caller.Id}' and may read only its own invoices; omit ?tenant= or pass your own id.");
        try
        {
            var csv = IsCsv(format);
            var invoice = billing.GetInvoice(BillingMonth.Parse(month, "The month in the path"), caller.IsAdmin ? tenant! : caller.Id);
            return csv ? Csv([invoice], $"invoice-{invoice.Month}-{invoice.TenantId}.csv") : TypedResults.Ok(invoice);
        }
        catch (Exception e) when (IsBillingError(e))
        {
            return Problem(e);
        }
    }

    private static FileContentHttpResult Csv(IEnumerable<Invoice> invoices, string name) =>
        TypedResults.File(Encoding.UTF8.GetBytes(InvoiceReport.ToCsv(invoices)), "text/csv", name);

    private static bool IsCsv(string? format) => format?.ToLowerInvariant() switch
    {
        null or "json" => false,
        "csv" => true,
        _ => throw new BillingInputException("format", $"?format= must be json or csv (defaults to json); received '{format}'."),
    };

    private static DateOnly Day(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new BillingInputException("effectiveFrom", $"The effective date in the path must be a UTC date written yyyy-MM-dd, e.g. 2027-01-01; received '{text}'.");

    private static bool IsBillingError(Exception e) => e is ArgumentException or KeyNotFoundException or BillingConflictException;

    // A bad field (BillingInputException, BillingMonth.Parse's ArgumentException) 400, an unknown tenant 404, a change to an
    // ended month or currencies that disagree 409.
    private static ProblemHttpResult Problem(Exception e) => e switch
    {
        BillingConflictException => TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "The change conflicts with what is billed."),
        KeyNotFoundException => Problems.NotFound(e.Message),
        ArgumentException { ParamName: { } field } when e is not BillingInputException => Problems.BadInput(e.Message.Replace($" (Parameter '{field}')", "", StringComparison.Ordinal)),
        _ => Problems.BadInput(e.Message),
    };
}
