namespace ModelLoop.Monitoring.Logging;

/// <summary>
/// What the prediction log keeps of a request's input, from most to least private. The server's default is
/// <see cref="Hash"/>: enough to recognise a repeated input, nothing to leak.
/// </summary>
public enum InputStorage
{
    /// <summary>Nothing of the input.</summary>
    None,
    /// <summary>Only the SHA-256 of each item's input (the raw record's JSON, or its values as float32).</summary>
    Hash,
    /// <summary>
    /// Records (named columns) with personal data masked by the data stage's <c>Anonymizer</c> (e-mails, phone
    /// numbers… become [EMAIL]; whole cells of name columns become [NAME]) plus the hash. Tensors and images hold no
    /// text for the PII tools to find, so for them only the hash is kept; choose <see cref="Raw"/> to export them.
    /// </summary>
    Anonymized,
    /// <summary>The input as received (records as JSON, tensors and images as their values before preprocessing) plus the hash.</summary>
    Raw,
}
