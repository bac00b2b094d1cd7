namespace ModelLoop.Contracts;

/// <summary>
/// A tenant's invoice for one UTC month (GET /v1/invoices/2026-12, /v1/admin/invoices/2026-12; <c>modelloop usage
/// --invoice 2026-12</c>), derived from the metered usage on each call, never stored. Rounding: each line's amount is
/// rounded once, to the currency's minor unit (2 decimals for USD or EUR, 0 for JPY, 3 for KWD), midpoints away from
/// zero; <see cref="UsageAmount"/> is the exact sum of the rounded line amounts and <see cref="Total"/> is
/// <see cref="PlanFee"/> + <see cref="UsageAmount"/>, so the lines always add up to the total.
/// </summary>
/// <param name="TenantId">The tenant billed.</param>
/// <param name="TenantName">Its display name (its id when the tenant is not in the tenants table, e.g. "anonymous").</param>
/// <param name="Month">The month, "yyyy-MM".</param>
/// <param name="PeriodStartUtc">00:00 UTC of the month's first day, inclusive.</param>
/// <param name="PeriodEndUtc">00:00 UTC of the next month's first day, exclusive.</param>
/// <param name="Currency">ISO 4217 code: the plan's, else the prices'; "XXX" (no currency) when neither applies.</param>
/// <param name="PlanId">The plan in effect on the month's first day; null when none.</param>
/// <param name="PlanFee">The plan's monthly fee (0 without a plan).</param>
/// <param name="Lines">Usage lines, by model, version, unit and time.</param>
/// <param name="UsageAmount">Sum of the lines' amounts.</param>
/// <param name="Total">PlanFee + UsageAmount.</param>
/// <param name="IsFinal">True from one hour after the month's end (by the server's clock), when no more usage can be booked in the month; before that the invoice is a draft that grows with usage.</param>
public sealed record Invoice(string TenantId, string TenantName, string Month, DateTime PeriodStartUtc, DateTime PeriodEndUtc, string Currency, string? PlanId,
    decimal PlanFee, IReadOnlyList<InvoiceLine> Lines, decimal UsageAmount, decimal Total, bool IsFinal);
