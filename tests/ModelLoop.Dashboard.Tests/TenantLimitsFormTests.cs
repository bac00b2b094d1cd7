using System.Net;
using System.Net.Http.Json;
using ModelLoop.Contracts;

namespace ModelLoop.Dashboard.Tests;

/// <summary>The grants-and-quotas form on the server side: who may post it, and what it refuses.</summary>
[Collection(DashboardCollection.Name)]
public sealed class TenantLimitsFormTests(DashboardHost host)
{
    private static Dictionary<string, string> Fields(string models, string requestsPerMinute) => new()
    {
        ["models"] = models, ["requestsPerMinute"] = requestsPerMinute, ["dailyRequestQuota"] = "", ["itemsPerMinute"] = "",
        ["dailyItemQuota"] = "", ["tokensPerMinute"] = "", ["dailyTokenQuota"] = "",
    };

    private async Task<TenantSummary> Summary(string id)
    {
        using var admin = host.Client(DashboardHost.AdminKey);
        return (await admin.GetFromJsonAsync<TenantSummary[]>("/v1/admin/tenants"))!.Single(t => t.Id == id);
    }

    [Fact]
    public async Task A_tenant_cannot_raise_its_own_limits_or_grant_itself_models()
    {
        var tenant = await host.CreateTenant("greedy", "m");
        using var session = await DashboardSession.LogIn(host, tenant.Key);
        var page = $"/ui/tenants/detail/{tenant.Id}";

        var response = await session.Post(page + "?handler=Limits", page, Fields("*", "1000000"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var after = await Summary(tenant.Id);
        Assert.Equal(["m"], after.Models);
        Assert.Equal(100_000, after.RequestsPerMinute);
    }

    [Fact]
    public async Task The_form_posted_without_its_antiforgery_token_changes_nothing()
    {
        var tenant = await host.CreateTenant("forged", "m");
        using var admin = await DashboardSession.LogIn(host, DashboardHost.AdminKey);

        var response = await admin.Post($"/ui/tenants/detail/{tenant.Id}?handler=Limits", page: null, Fields("m, other", "5"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(100_000, (await Summary(tenant.Id)).RequestsPerMinute);
    }

    [Theory]
    [InlineData("m", "0", "\"requestsPerMinute\"")]
    [InlineData("m", "many", "received 'many'")]
    [InlineData(" , ", "10", "\"models\" must list at least one model")]
    public async Task A_bad_value_is_refused_naming_its_field_and_nothing_changes(string models, string requestsPerMinute, string detail)
    {
        var tenant = await host.CreateTenant("typo", "m");
        using var admin = await DashboardSession.LogIn(host, DashboardHost.AdminKey);
        var page = $"/ui/tenants/detail/{tenant.Id}";

        var response = await admin.Post(page + "?handler=Limits", page, Fields(models, requestsPerMinute));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(100_000, (await Summary(tenant.Id)).RequestsPerMinute);
    }
}
