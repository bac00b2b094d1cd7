namespace ModelLoop.Data.Anonymization;

/// <summary>How <see cref="Anonymizer"/> works. Every setting documents its default.</summary>
public sealed record AnonymizationOptions
{
    /// <summary>Defaults to <see cref="PiiAction.Mask"/>.</summary>
    public PiiAction Action { get; init; } = PiiAction.Mask;

    /// <summary>The secret HMAC key (salt) for <see cref="PiiAction.Pseudonymize"/>, at least 16 bytes; keep it out of the data set. Defaults to null (required for Pseudonymize).</summary>
    public byte[]? Key { get; init; }

    /// <summary>Kinds to look for. Defaults to all of them.</summary>
    public IReadOnlyList<PiiKind> Kinds { get; init; } = Enum.GetValues<PiiKind>();

    /// <summary>
    /// Columns whose whole cells are personal names. Defaults to null: columns whose name, split on _ - space
    /// and case changes, contains the word "name" (first_name, LastName, "customer name"; not filename or username).
    /// </summary>
    public IReadOnlyList<string>? NameColumns { get; init; }

    /// <summary>Columns never scanned or changed (ids you need, labels). Defaults to none.</summary>
    public IReadOnlyList<string> KeepColumns { get; init; } = [];
}
