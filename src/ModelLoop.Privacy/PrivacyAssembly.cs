namespace ModelLoop.Privacy;

/// <summary>Marks the privacy assembly (DP-SGD, the RDP accountant, membership-inference audits).</summary>
public static class PrivacyAssembly
{
    /// <summary>The assembly's name, as it appears in run records and package lineage.</summary>
    public const string Name = "ModelLoop.Privacy";
}
