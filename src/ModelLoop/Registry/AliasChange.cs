using ModelLoop.Artifacts;
namespace ModelLoop.Registry;

/// <summary>What kind of move an <see cref="AliasChange"/> records.</summary>
public enum AliasChangeKind
{
    /// <summary>The alias was set or moved (a promotion).</summary>
    Set,
    /// <summary>The alias went back to where it was before the last promotion not yet undone.</summary>
    Rollback,
}

/// <summary>One move of an alias, kept forever: from which version to which, who did it, when and why.</summary>
public sealed record AliasChange(long Id, string Name, string Alias, int? FromVersion, int ToVersion, AliasChangeKind Kind, string Actor, string? Reason, DateTimeOffset AtUtc);
