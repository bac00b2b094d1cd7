namespace ModelLoop.Dashboard.Billing;

/// <summary>
/// Prices a tenant's metered usage for the tenants page. The seam between the dashboard and billing (prices, plans,
/// invoices): register an implementation in the services and the page shows the month's cost; without one it shows usage only.
/// </summary>
public interface ITenantCostSource
{
    /// <summary>The tenant's cost for the calendar month (UTC) that holds <paramref name="month"/>.</summary>
    TenantCost Cost(string tenantId, DateOnly month);
}
