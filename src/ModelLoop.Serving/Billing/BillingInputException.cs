namespace ModelLoop.Serving.Billing;

/// <summary>
/// A price, plan or plan assignment with a bad field: <see cref="ArgumentException.ParamName"/> is the field's JSON name
/// (e.g. "currency"), the message says what was received, what is expected and what to do. The admin API answers it with 400.
/// </summary>
public sealed class BillingInputException(string field, string message) : ArgumentException(message, field)
{
    /// <summary>The message alone, without ArgumentException's " (Parameter 'x')" suffix (the message names the field already).</summary>
    public override string Message => base.Message.Replace($" (Parameter '{ParamName}')", "", StringComparison.Ordinal);
}
