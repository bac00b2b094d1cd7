namespace ModelLoop.Data.Anonymization;

/// <summary>What <see cref="Anonymizer"/> does with personal data it finds.</summary>
public enum PiiAction
{
    /// <summary>Replace each match with a tag such as [EMAIL]. The default.</summary>
    Mask,
    /// <summary>Tables: drop every column where PII was found. Text: delete the matches.</summary>
    Drop,
    /// <summary>Replace each match with a keyed hash token (HMAC-SHA-256 with <see cref="AnonymizationOptions.Key"/>): the same value always gets the same token, so joins and counts still work, but the value cannot be recovered without the key.</summary>
    Pseudonymize,
}
