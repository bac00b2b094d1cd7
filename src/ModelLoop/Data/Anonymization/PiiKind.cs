namespace ModelLoop.Data.Anonymization;

/// <summary>The kinds of personal data <see cref="PiiDetector"/> finds.</summary>
public enum PiiKind
{
    Email,
    /// <summary>Phone numbers with separators or a + country code (bare digit runs are left alone: they are usually measurements).</summary>
    Phone,
    /// <summary>IPv4 and full-form IPv6 addresses.</summary>
    IpAddress,
    /// <summary>13–19 digit card numbers (spaces or dashes allowed) that pass the Luhn check.</summary>
    CreditCard,
    /// <summary>National-ID-like patterns: US social security numbers (123-45-6789) and UK national insurance numbers (AB 12 34 56 C).</summary>
    NationalId,
    /// <summary>Personal names: whole cells of columns hinted as names (see <see cref="AnonymizationOptions.NameColumns"/>).</summary>
    Name,
}
