using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using ModelLoop.Contracts;
using ModelLoop.Serving.Tenants;

namespace ModelLoop.Serving.Api;

/// <summary>
/// Management with the admin key: POST /v1/admin/tenants (creates a tenant and returns its first key,
/// once), GET /v1/admin/tenants, PUT /v1/admin/tenants/{id} (replace grants, rate limits, quotas in requests and items), POST /v1/admin/tenants/{id}/keys (another key), DELETE /v1/admin/keys/{keyId} (revoke).
/// </summary>
internal static class TenantsApi
{
    public static RouteGroupBuilder MapTenantsApi(this RouteGroupBuilder v1)
    {
        var admin = v1.MapGroup("/admin").AddEndpointFilter(async (context, next) =>
            ApiKeyMiddleware.Current(context.HttpContext).IsAdmin
                ? await next(context)
                : Problems.Forbidden("Managing tenants needs the admin key (configured as Serving:AdminKey); this key belongs to a tenant."));
        admin.MapPost("/tenants", Create).WithName("CreateTenant");
        admin.MapGet("/tenants", (TenantStore store) => TypedResults.Ok(store.List().Select(t => new TenantSummary(t.Id, t.Name, t.Models, t.RequestsPerMinute, t.DailyRequestQuota, t.ItemsPerMinute, t.DailyItemQuota, t.TokensPerMinute, t.DailyTokenQuota)).ToArray())).WithName("ListTenants");
        admin.MapPut("/tenants/{id}", Update).WithName("UpdateTenant");
        admin.MapPost("/tenants/{id}/keys", AddKey).WithName("AddKey");
        admin.MapDelete("/keys/{keyId}", Revoke).WithName("RevokeKey");
        return v1;
    }

    private static Results<Created<CreatedApiKey>, ProblemHttpResult> Create(CreateTenantRequest request, TenantStore store, IOptions<ServingOptions> options)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
            return Problems.BadInput("\"name\" is required: the tenant's display name, e.g. { \"name\": \"acme\", \"models\": [\"iris\"] }.");
        if (request.Models is null || request.Models.Count == 0)
            return Problems.BadInput("\"models\" must list at least one model name the tenant may call (or \"*\" for all).");
        if (request.RequestsPerMinute is < 1 || request.DailyRequestQuota is < 1)
            return Problems.BadInput($"\"requestsPerMinute\" and \"dailyRequestQuota\" must be at least 1 when given; received {request.RequestsPerMinute} and {request.DailyRequestQuota}.");
        if (ItemLimitsProblem(request.ItemsPerMinute, request.DailyItemQuota) is { } items)
            return items;
        if (TokenLimitsProblem(request.TokensPerMinute, request.DailyTokenQuota) is { } tokens)
            return tokens;
        var (tenant, keyId, key) = store.Create(request.Name, request.Models, request.RequestsPerMinute ?? options.Value.DefaultRequestsPerMinute, request.DailyRequestQuota,
            request.ItemsPerMinute, request.DailyItemQuota, request.TokensPerMinute, request.DailyTokenQuota);
        return TypedResults.Created($"/v1/admin/tenants/{tenant.Id}", new CreatedApiKey(tenant.Id, keyId, key));
    }

    private static Results<Ok<Tenant>, ProblemHttpResult> Update(string id, UpdateTenantRequest request, TenantStore store)
    {
        if (TenantLimits.UpdateProblem(request.Models, request.RequestsPerMinute, request.DailyRequestQuota, request.ItemsPerMinute, request.DailyItemQuota,
                request.TokensPerMinute, request.DailyTokenQuota) is { } problem)
            return Problems.BadInput(problem);
        return store.Update(id, request.Models, request.RequestsPerMinute, request.DailyRequestQuota, request.ItemsPerMinute, request.DailyItemQuota,
            request.TokensPerMinute, request.DailyTokenQuota) is { } tenant
            ? TypedResults.Ok(tenant)
            : Problems.NotFound($"No tenant '{id}'. GET /v1/admin/tenants lists them.");
    }

    private static ProblemHttpResult? ItemLimitsProblem(long? itemsPerMinute, long? dailyItemQuota) =>
        TenantLimits.ItemProblem(itemsPerMinute, dailyItemQuota) is { } problem ? Problems.BadInput(problem) : null;

    private static ProblemHttpResult? TokenLimitsProblem(long? tokensPerMinute, long? dailyTokenQuota) =>
        TenantLimits.TokenProblem(tokensPerMinute, dailyTokenQuota) is { } problem ? Problems.BadInput(problem) : null;

    private static Results<Created<CreatedApiKey>, ProblemHttpResult> AddKey(string id, TenantStore store) =>
        store.AddKey(id) is { } created
            ? TypedResults.Created($"/v1/admin/tenants/{id}", new CreatedApiKey(id, created.KeyId, created.Key))
            : Problems.NotFound($"No tenant '{id}'. GET /v1/admin/tenants lists them.");

    private static Results<NoContent, ProblemHttpResult> Revoke(string keyId, TenantStore store) =>
        store.Revoke(keyId) ? TypedResults.NoContent() : Problems.NotFound($"No API key with id '{keyId}'. Key ids start with 'k_' and are returned when a key is created.");
}
