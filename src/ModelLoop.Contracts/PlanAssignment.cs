namespace ModelLoop.Contracts;

/// <summary>
/// A tenant's plan from a month on (GET/POST /v1/admin/plan-assignments): from <paramref name="EffectiveFrom"/> (the first
/// day of a month) until its next assignment, <paramref name="TenantId"/> is billed under <paramref name="PlanId"/>; a
/// null plan means none (no fee, nothing included: every unit at the model's price).
/// </summary>
/// <param name="TenantId">The tenant's id (t_…).</param>
/// <param name="PlanId">The plan's id, or null for no plan.</param>
/// <param name="EffectiveFrom">The first day of the first month it applies, e.g. "2027-01-01".</param>
public sealed record PlanAssignment(string TenantId, string? PlanId, DateOnly EffectiveFrom);
