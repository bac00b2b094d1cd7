namespace ModelLoop.Serving.Billing;

/// <summary>
/// A billing change or invoice that conflicts with what is stored: a price or plan change in a month that has ended
/// (invoices of ended months never change), or an invoice whose plan and prices are in different currencies. The
/// message says which and what to do. The admin API answers it with 409.
/// </summary>
public sealed class BillingConflictException(string message) : InvalidOperationException(message);
