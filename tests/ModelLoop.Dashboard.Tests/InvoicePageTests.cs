using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using ModelLoop.Contracts;

namespace ModelLoop.Dashboard.Tests;

/// <summary>The tenants page's cost: the month's invoice from the server's billing, and its CSV/JSON downloads.</summary>
[Collection(DashboardCollection.Name)]
public sealed class InvoicePageTests(DashboardHost host)
{
    [Fact]
    public async Task A_tenant_sees_its_invoice_and_downloads_it_but_not_another_tenants()
    {
        var tenant = await host.CreateTenant("billed", "m");
        var month = DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        using (var admin = host.Client(DashboardHost.AdminKey))
        {
            var firstDay = new DateOnly(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1);
            (await admin.PostAsJsonAsync("/v1/admin/prices", new ModelPrice("m", firstDay, "USD", PerThousandItems: 2500m))).EnsureSuccessStatusCode();
        }
        using (var client = host.Client(tenant.Key))
            await DashboardHost.Traffic(client, 4, shift: 0, seed: 3);
        using var session = await DashboardSession.LogIn(host, tenant.Key);
        var expected = await InvoiceTotal(tenant.Id, month);

        var page = await session.Text($"/ui/tenants/detail/{tenant.Id}");
        var csv = await session.Get($"/ui/tenants/{tenant.Id}/invoices/{month}.csv");
        var others = await session.Get($"/ui/tenants/{host.Globex.Id}/invoices/{month}.json");

        Assert.Equal(10m, expected); // 4 items at 2,500 per 1,000
        Assert.Contains($"<strong id=\"invoice-total\">{expected.ToString(CultureInfo.InvariantCulture)}</strong>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Contains("billed", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, others.StatusCode);
    }

    // What the API says the tenant owes this month: the figure the page must show.
    private async Task<decimal> InvoiceTotal(string tenantId, string month)
    {
        using var admin = host.Client(DashboardHost.AdminKey);
        var invoices = await admin.GetFromJsonAsync<List<Invoice>>($"/v1/admin/invoices/{month}");
        return invoices!.Single(i => i.TenantId == tenantId).Total;
    }
}
