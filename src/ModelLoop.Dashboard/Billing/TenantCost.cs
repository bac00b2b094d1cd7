namespace ModelLoop.Dashboard.Billing;

/// <summary>A tenant's cost for one month: its lines (e.g. one per model and unit, a plan's fee) and their total.</summary>
public sealed record TenantCost(string Currency, decimal Total, IReadOnlyList<TenantCostLine> Lines);

/// <summary>One priced line of a <see cref="TenantCost"/>.</summary>
public sealed record TenantCostLine(string Description, decimal Quantity, decimal Amount);
